"""Public REST API, version 1 (django-ninja, OpenAPI 3). Thin: parameters go to the search engine
(`cartolangue.search`), objects go through `serializers`. Read-only and open; CORS is open for GET.

One piece over 400 lines: it is the list of the courses', exams', structures' and exports' endpoints, each a
declaration read top to bottom; the actors' and territories' endpoints live in their own modules."""

from typing import Literal
from urllib.parse import quote

from django.conf import settings
from django.db.models import Max
from django.http import FileResponse, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Path, Query

from cartolangue.api import schemas, serializers
from cartolangue.api.renderers import ORJSONRenderer
from cartolangue.geo.models import Zoning
from cartolangue.interop.opendata import writer as opendata
from cartolangue.interop.opendata.dictionary import TABLES
from cartolangue.interop.publication import ZIP_NAME, exports_storage, published_file, published_manifest
from cartolangue.offers.models import Course, ExamSession, Structure
from cartolangue.search.engine import (
    commune_suggestions,
    course_map_rows,
    course_search,
    exam_map_rows,
    exam_search,
    nearest_course,
    nearest_exam_session,
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
    known = per_version("api-course", result.version, course_of=lambda key: key[0])
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
    query = parse_course_query(request.GET, strict=True)
    result = course_search(query)
    if result.last_modified:  # read with the search index, rather than by one more query
        response["Last-Modified"] = http_date(result.last_modified.timestamp())
    data = {**serializers.page(result, _course_serializer(result)), "facets": serializers.facets(result)}
    nearest = nearest_course(query) if result.total == 0 else None
    data["nearest"] = serializers.nearest(nearest, nearest and nearest.name, f"/cours/{nearest and nearest.pk}/")
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
    rows = course_map_rows(query, limit=MAP_LIMIT)
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
    course = get_object_or_404(Course.objects.public().for_display().prefetch_related("sessions"), pk=course_id)
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
    query = parse_exam_query(request.GET, strict=True)
    result = exam_search(query)
    nearest = nearest_exam_session(query) if result.total == 0 else None
    return {
        **serializers.page(result, serializers.exam_session),
        "facets": serializers.facets(result),
        "nearest": serializers.nearest(
            nearest, nearest and nearest.certification.name, f"/structures/{nearest and nearest.structure_id}/"
        ),
    }


@api.get(
    "/exam-sessions.geojson",
    summary=str(_("Sessions de tests sur la carte (GeoJSON)")),
    tags=["tests"],
    response={200: dict, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
)
def exam_sessions_geojson(request, filters: Query[schemas.ExamFilters]):
    """Les mêmes sessions, en FeatureCollection GeoJSON (20 000 au plus)."""
    rows = exam_map_rows(parse_exam_query(request.GET, strict=True), limit=MAP_LIMIT)
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
    courses = Course.objects.public().for_display().filter(structure=structure).order_by("name", "pk")
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


NOT_PUBLISHED = _(
    "Les exports n'ont pas encore été publiés : ils sont produits à l'avance (commande publish_exports), jamais "
    "à la demande. Réessayez après la prochaine publication."
)
EXPORT_CACHE_SECONDS = 300  # a client may keep a file this long, then revalidates it with its ETag


def _published(request, name, *, demonstration=False, filename=None):
    """The last published file `name` (docs/adr/0014-published-exports.md): served as it is, with its length
    and its digest as ETag; 404 when nothing was published yet. Nothing is built here."""
    published = published_file(name, demonstration=demonstration)
    if published is None:
        return api.create_response(request, {"detail": str(NOT_PUBLISHED)}, status=404)
    headers = {
        "ETag": published.etag,
        "Last-Modified": http_date(published.published_at.timestamp()),
        "Cache-Control": f"public, max-age={EXPORT_CACHE_SECONDS}",
    }
    if published.etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers=headers)
    if settings.EXPORTS_ACCEL_REDIRECT:
        # Behind nginx (deploy/nginx/): the worker answers at once and nginx sends the file from the exports
        # folder, so a download of tens of MB never holds a worker for as long as the client reads it.
        response = HttpResponse(content_type=published.media_type, headers=headers)
        response["Content-Disposition"] = content_disposition_header(True, filename or name.rpartition("/")[2])
        response["X-Accel-Redirect"] = f"{settings.EXPORTS_ACCEL_REDIRECT.rstrip('/')}/{quote(published.path)}"
        return response
    try:
        content = exports_storage().open(published.path, "rb")
    except FileNotFoundError:  # deleted by a newer publication between the manifest and here
        return api.create_response(request, {"detail": str(NOT_PUBLISHED)}, status=404)
    response = FileResponse(
        content,
        content_type=published.media_type,
        as_attachment=True,
        filename=filename or name.rpartition("/")[2],
        headers=headers,
    )
    response["Content-Length"] = str(published.size)
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
    return _published(request, f"opendata/{opendata.DICTIONARY_FILE}")


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
    return _published(request, f"opendata/{name}.csv", demonstration=demonstration)


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
    return _published(request, f"opendata/{name}.geojson", demonstration=demonstration)


@api.get(
    "/exports/opendata.zip",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Données ouvertes : tous les fichiers (zip)")),
    tags=["exports"],
    openapi_extra=_content("application/zip"),
)
def opendata_zip(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Tous les fichiers CSV et GeoJSON, le dictionnaire des données et le fichier README (licence, formats)."""
    return _published(request, ZIP_NAME, demonstration=demonstration, filename="carto-langue.zip")


@api.get(
    "/exports/data-inclusion/structures.json",
    response=DOWNLOAD_ERRORS,
    summary=str(_("data·inclusion : structures")),
    tags=["exports"],
    openapi_extra=_content("application/json", _di_list("source", "id", "nom", "date_maj")),
)
def data_inclusion_structures(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Les structures au schéma data·inclusion v1 (liste JSON), chacune validée par le modèle officiel."""
    return _published(request, "data-inclusion/structures.json", demonstration=demonstration)


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
    return _published(request, "data-inclusion/services.json", demonstration=demonstration)


@api.get(
    "/exports/lheo.xml",
    response=DOWNLOAD_ERRORS,
    summary=str(_("Offre de formation au format LHEO 2.3 (XML)")),
    tags=["exports"],
    openapi_extra=_content("application/xml"),
)
def lheo_export(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Les cours au format LHEO 2.3 (Langage harmonisé d'échange d'informations sur l'offre de formation)."""
    return _published(request, "lheo.xml", demonstration=demonstration)


@api.get(
    "/exports/manifest.json",
    response={200: dict, **DOWNLOAD_ERRORS},
    summary=str(_("Manifeste de la dernière publication des exports")),
    tags=["exports"],
)
def exports_manifest(request, demonstration: bool = Query(False, description=DEMO_DESCRIPTION)):
    """Date de publication, date de la dernière mise à jour des données, nombre de lignes de chaque fichier,
    taille et empreinte SHA-256 de chaque fichier, licence. Les fichiers sont publiés à l'avance, jamais
    produits à la demande."""
    manifest = published_manifest(demonstration=demonstration)
    if manifest is None:
        return api.create_response(request, {"detail": str(NOT_PUBLISHED)}, status=404)
    files = {name: {k: v for k, v in entry.items() if k != "path"} for name, entry in manifest["files"].items()}
    return {**manifest, "files": files}
