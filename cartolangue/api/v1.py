"""Public REST API, version 1 (django-ninja, OpenAPI 3). Thin: parameters go to the search engine
(`cartolangue.search`), objects go through `serializers`. Read-only and open; CORS is open for GET."""

import tempfile
from typing import Literal

from django.db.models import Max
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Path, Query

from cartolangue.api import schemas, serializers
from cartolangue.api.renderers import ORJSONRenderer
from cartolangue.geo.models import Zoning
from cartolangue.interop.data_inclusion import writer as di_writer
from cartolangue.interop.lheo.writer import write_lheo
from cartolangue.interop.opendata import writer as opendata
from cartolangue.interop.opendata.dictionary import TABLES
from cartolangue.offers.models import Course, ExamSession, Structure
from cartolangue.search.engine import (
    commune_suggestions,
    course_queryset,
    course_search,
    exam_queryset,
    exam_search,
    structure_search,
)
from cartolangue.search.params import ParamError, parse_course_query, parse_exam_query
from cartolangue.search.version import per_version

MAP_LIMIT = 20_000

api = NinjaAPI(
    renderer=ORJSONRenderer(),
    title="Carto-Langue",
    version="1",
    description=str(
        _(
            "API publique de Carto-Langue : l'offre de cours de français pour adultes et les sessions de tests "
            "de français en Île-de-France. Lecture libre, sans authentification. Les paramètres de recherche "
            "sont ceux de la page de recherche : chaque paramètre peut être répété (OU), les paramètres se "
            "combinent (ET). Une valeur invalide donne une réponse 422 qui nomme le paramètre."
        )
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
)


@api.exception_handler(ParamError)
def _param_error(request, exc):
    return api.create_response(
        request, {"detail": [{"loc": ["query", exc.param], "msg": exc.message, "type": "value_error"}]}, status=422
    )


def _last_modified(response, queryset):
    latest = queryset.aggregate(latest=Max("updated_at"))["latest"]
    if latest:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def _point(pk, lat, lon, properties):
    return {
        "type": "Feature",
        "id": pk,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


ERRORS = {422: schemas.ValidationErrorOut}
NOT_FOUND = {404: schemas.NotFoundOut, **ERRORS}


def _course_serializer(result):
    """`serializers.course`, whose result for a course depends only on the course (but for the distance) and
    is kept per process, data version, language and day (docs/adr/0010-search-index.md)."""
    if not result.version:
        return serializers.course
    known = per_version("api-course", result.version)
    suffix = (get_language(), timezone.localdate())

    def serialize(course):
        key = (course.pk, *suffix)
        data = known.get(key)
        if data is None:
            data = serializers.course(course)
            known[key] = {**data, "distance_km": None}
        distance = getattr(course, "distance", None)
        return {**data, "distance_km": round(distance, 2) if distance is not None else None}

    return serialize


@api.get(
    "/courses", response={200: schemas.CoursePage, **ERRORS}, summary=str(_("Chercher des cours")), tags=["cours"]
)
def list_courses(request, response: HttpResponse, filters: Query[schemas.CourseFilters]):
    """Cours de français correspondant aux filtres, paginés, avec le nombre de résultats par valeur de
    chaque filtre (facettes)."""
    result = course_search(parse_course_query(request.GET, strict=True))
    if result.last_modified:  # read with the search index, rather than by one more query
        response["Last-Modified"] = http_date(result.last_modified.timestamp())
    data = {**serializers.page(result, _course_serializer(result)), "facets": serializers.facets(result)}
    # The serializers build exactly the schema's shape (tests/api/test_fast_path.py checks it against the
    # validating path): rendering directly saves validating 20 nested results at every search.
    return api.create_response(request, data, temporal_response=response)


@api.get(
    "/courses.geojson",
    summary=str(_("Cours sur la carte (GeoJSON)")),
    tags=["cours"],
    response={200: dict, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
)
def courses_geojson(request, filters: Query[schemas.CourseFilters]):
    """Les mêmes cours, en FeatureCollection GeoJSON (20 000 au plus), pour la carte."""
    query = parse_course_query(request.GET, strict=True)
    rows = course_queryset(query).values_list(
        "pk", "name", "course_type", "place__latitude", "place__longitude", "places_available"
    )[:MAP_LIMIT]
    features = [
        _point(pk, lat, lon, {"name": name, "type": course_type, "places": places, "url": f"/cours/{pk}/"})
        for pk, name, course_type, lat, lon, places in rows
    ]
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features, "truncated": len(features) == MAP_LIMIT},
        content_type="application/geo+json",
    )
    return _last_modified(response, Course.objects)


@api.get(
    "/courses/{course_id}",
    response={200: schemas.CourseDetailOut, **NOT_FOUND},
    summary=str(_("Un cours")),
    tags=["cours"],
)
def get_course(request, course_id: int):
    course = get_object_or_404(Course.objects.for_display().prefetch_related("sessions"), pk=course_id)
    return serializers.course_detail(course)


@api.get(
    "/exam-sessions",
    response={200: schemas.ExamPage, **ERRORS},
    summary=str(_("Chercher des sessions de tests de français")),
    tags=["tests"],
)
def list_exam_sessions(request, response: HttpResponse, filters: Query[schemas.ExamFilters]):
    """Sessions d'examen (TCF, TEF, DELF, DCL, CléA…) à venir, par certification, date et distance. Les sessions
    dont la date limite d'inscription est passée (`registration_closed`) restent listées, après toutes les
    autres, quel que soit le tri."""
    _last_modified(response, ExamSession.objects)
    result = exam_search(parse_exam_query(request.GET, strict=True))
    return {**serializers.page(result, serializers.exam_session), "facets": serializers.facets(result)}


@api.get(
    "/exam-sessions.geojson",
    summary=str(_("Sessions de tests sur la carte (GeoJSON)")),
    tags=["tests"],
    response={200: dict, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
)
def exam_sessions_geojson(request, filters: Query[schemas.ExamFilters]):
    """Les mêmes sessions, en FeatureCollection GeoJSON (20 000 au plus)."""
    rows = exam_queryset(parse_exam_query(request.GET, strict=True)).values_list(
        "pk", "certification__name", "exam_date", "structure__name", "place__latitude", "place__longitude"
    )[:MAP_LIMIT]
    features = [
        _point(pk, lat, lon, {"name": name, "date": date.isoformat(), "centre": centre})
        for pk, name, date, centre, lat, lon in rows
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")
    return _last_modified(response, ExamSession.objects)


@api.get(
    "/structures",
    response={200: schemas.StructurePage, **ERRORS},
    summary=str(_("Chercher des structures")),
    tags=["structures"],
)
def list_structures(request, response: HttpResponse, filters: Query[schemas.StructureFilters]):
    _last_modified(response, Structure.objects)
    result = structure_search(request.GET)
    return serializers.page(result, serializers.structure)


@api.get(
    "/structures/{structure_id}",
    response={200: schemas.StructureDetailOut, **NOT_FOUND},
    summary=str(_("Une structure")),
    tags=["structures"],
)
def get_structure(request, structure_id: int):
    structure = get_object_or_404(Structure, pk=structure_id)
    places = structure.places.select_related("commune").defer("commune__geometry").order_by("commune__name", "address")
    courses = Course.objects.for_display().filter(structure=structure).order_by("name", "pk")
    return {
        **serializers.structure(structure),
        "description": structure.description,
        "places": [serializers.place(p) for p in places],
        "courses": [serializers.course(c) for c in courses],
    }


@api.get(
    "/territories/communes",
    response={200: list[schemas.CommuneSuggestion], **ERRORS},
    summary=str(_("Suggestions de communes")),
    tags=["territoires"],
)
def communes(
    request, q: str = Query("", description=str(_("Début du nom, du code INSEE ou du code postal.")), max_length=100)
):
    return [
        {
            "code_insee": c.code_insee,
            "name": c.name,
            "departement": c.departement.code,
            "post_codes": sorted({p.code for p in c.post_codes.all()}),
        }
        for c in commune_suggestions(q)
    ]


@api.get("/zonings", response=list[schemas.ZoningOut], summary=str(_("Zonages et leurs zones")), tags=["territoires"])
def zonings(request):
    return [
        {
            "slug": z.slug,
            "name": z.name,
            "source": z.source,
            "zones": [{"code": zone.code, "name": zone.name} for zone in z.zones.order_by("code")],
        }
        for z in Zoning.objects.prefetch_related("zones").order_by("name")
    ]


# --- Exports: open data, data·inclusion, LHEO ----------------------------------------------------------------

OpenDataName = Literal[tuple(TABLES)]
DOWNLOAD_ERRORS = {404: schemas.NotFoundOut, 422: schemas.ValidationErrorOut}
NAME_DESCRIPTION = str(_("Fichier : structures, lieux, cours, sessions ou sessions-examen."))
NAME_PATH = Path(..., description=NAME_DESCRIPTION)
DEMO_DESCRIPTION = str(_("Inclure les données fictives de démonstration (source « demo »), exclues par défaut."))


def _download(chunks, media_type, filename):
    """A file streamed as it is written: the export of a large offer never sits whole in memory."""
    response = StreamingHttpResponse(chunks, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _content(media_type, schema=None):
    schema = schema or {"type": "string"}
    return {"responses": {200: {"description": "OK", "content": {media_type: {"schema": schema}}}}}


FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {"type": "object", "required": ["type", "id", "geometry", "properties"]},
        },
    },
}


def _di_list(*required):
    """A JSON list of data·inclusion v1 items (their full schema: https://schema.data.gouv.fr)."""
    return {"type": "array", "items": {"type": "object", "required": list(required)}}


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


@api.get(
    "/exports/opendata/dictionnaire.csv",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Dictionnaire des données ouvertes (CSV)")),
    tags=["exports"],
    openapi_extra=_content("text/csv"),
)
def opendata_dictionary(request):
    """Chaque colonne de chaque fichier CSV : fichier, colonne, type, description en français, valeurs des
    référentiels."""
    return _download(opendata.iter_dictionary(), opendata.MEDIA_TYPES["csv"], opendata.DICTIONARY_FILE)


@api.get(
    "/exports/opendata/{name}.csv",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Données ouvertes : un fichier CSV")),
    tags=["exports"],
    openapi_extra=_content("text/csv"),
)
def opendata_csv(
    request,
    name: OpenDataName = NAME_PATH,
    demonstration: bool = Query(False, description=DEMO_DESCRIPTION),
):
    """Structures, lieux, cours, sessions ou sessions d'examen en CSV (UTF-8, virgule, en-tête, valeurs multiples
    séparées par « | »), sous Licence Ouverte 2.0. Les colonnes sont décrites par le dictionnaire des données."""
    chunks = opendata.iter_csv(TABLES[name], include_demo=demonstration)
    return _download(chunks, opendata.MEDIA_TYPES["csv"], f"{name}.csv")


@api.get(
    "/exports/opendata/{name}.geojson",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Données ouvertes : un fichier GeoJSON")),
    tags=["exports"],
    openapi_extra=_content("application/geo+json", FEATURE_COLLECTION),
)
def opendata_geojson(
    request,
    name: OpenDataName = NAME_PATH,
    demonstration: bool = Query(False, description=DEMO_DESCRIPTION),
):
    """Le même fichier en FeatureCollection GeoJSON (RFC 7946, WGS 84, longitude puis latitude) : les propriétés
    sont les colonnes du CSV."""
    chunks = opendata.iter_geojson(TABLES[name], include_demo=demonstration)
    return _download(chunks, opendata.MEDIA_TYPES["geojson"], f"{name}.geojson")


@api.get(
    "/exports/opendata.zip",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Données ouvertes : tous les fichiers (zip)")),
    tags=["exports"],
    openapi_extra=_content("application/zip"),
)
def opendata_zip(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Tous les fichiers CSV et GeoJSON, le dictionnaire des données et le fichier README (licence, formats)."""
    return _download(opendata.iter_zip(include_demo=demonstration), opendata.MEDIA_TYPES["zip"], "carto-langue.zip")


@api.get(
    "/exports/data-inclusion/structures.json",
    response=DOWNLOAD_ERRORS,
    summary=str(_("data·inclusion : structures")),
    tags=["exports"],
    openapi_extra=_content("application/json", _di_list("source", "id", "nom", "date_maj")),
)
def data_inclusion_structures(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Les structures au schéma data·inclusion v1 (liste JSON), chacune validée par le modèle officiel."""
    items = di_writer.iter_structures(include_demo=demonstration, site_url=_base_url(request))
    return _download(di_writer.iter_json_array(items), "application/json", "structures.json")


@api.get(
    "/exports/data-inclusion/services.json",
    response=DOWNLOAD_ERRORS,
    summary=str(_("data·inclusion : services (un par cours)")),
    tags=["exports"],
    openapi_extra=_content(
        "application/json", _di_list("source", "structure_id", "id", "nom", "description", "date_maj")
    ),
)
def data_inclusion_services(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Les cours au schéma data·inclusion v1 (liste JSON), un service par cours, thématique « maîtriser le
    français ». Le détail linguistique (niveaux, scolarisation, créneaux, publics) est dans la description."""
    items = di_writer.iter_services(include_demo=demonstration, site_url=_base_url(request))
    return _download(di_writer.iter_json_array(items), "application/json", "services.json")


@api.get(
    "/exports/lheo.xml",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Offre de formation au format LHEO 2.3 (XML)")),
    tags=["exports"],
    openapi_extra=_content("application/xml"),
)
def lheo_export(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Les cours au format LHEO 2.3 (Langage harmonisé d'échange d'informations sur l'offre de formation)."""
    courses = Course.objects.all() if demonstration else Course.objects.real()
    # write_lheo writes the whole document in one call: spool it (to disk past a few megabytes), then stream it.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
    write_lheo(spool, courses)
    spool.seek(0)
    return FileResponse(spool, content_type="application/xml", as_attachment=True, filename="lheo.xml")
