"""The write API for partners (issue #20): token-authenticated (`Authorization: Bearer cl_…`) upserts and
deletes of courses (with their sessions and weekly slots), places and exam sessions, by the partner's own
identifiers, within the structures the token is scoped to. The work is api/upserts.py's."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Body, Path
from ninja.security import HttpBearer

from cartolangue.accounts.models import ApiToken
from cartolangue.accounts.permissions import Verb
from cartolangue.accounts.tokens import token_for_key
from cartolangue.api import upserts
from cartolangue.api import write_schemas as schemas
from cartolangue.api.v1 import api

TAG = "écriture (partenaires)"
WRITE_ERRORS = {
    400: schemas.WriteErrorOut,  # a body that is not JSON
    401: schemas.WriteErrorOut,
    403: schemas.WriteErrorOut,
    404: schemas.WriteErrorOut,
    409: schemas.WriteErrorOut,
    422: schemas.WriteErrorOut,
}
MAX_BULK = 5000
BULK_BODY = Body(..., max_length=MAX_BULK)
SOURCE_ID = Path(
    ..., min_length=1, max_length=200, pattern=r"^[\w.:-]+$", description="Identifiant chez le partenaire."
)


class TokenAuth(HttpBearer):
    """A live token (accounts/tokens.py); its owner becomes the request's user, so that the history names them."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for_key(token)
        if found is not None:
            request.user = found.owner
        return found


auth = TokenAuth()


@api.exception_handler(upserts.WriteError)
def _write_error(request, exc: upserts.WriteError):
    if exc.status == 422:
        body = {"detail": [{"loc": list(exc.loc), "msg": exc.message, "type": "value_error"}]}
    else:
        body = {"detail": exc.message}
    return api.create_response(request, body, status=exc.status)


def _out(outcome: str, obj) -> dict:
    return {"outcome": outcome, "id": obj.pk, "source_id": obj.source_id}


@api.put(
    "/structures/{structure_id}/courses/{source_id}",
    auth=auth,
    response={200: schemas.WriteOut, **WRITE_ERRORS},
    summary=str(_("Créer ou mettre à jour un cours")),
    tags=[TAG],
)
def put_course(request, structure_id: int, data: schemas.CourseIn, source_id: str = SOURCE_ID):
    outcome, course = upserts.upsert_course(request.auth, structure_id, source_id, data)
    return _out(outcome, course)


@api.put(
    "/structures/{structure_id}/courses",
    auth=auth,
    response={200: schemas.BulkOut, **WRITE_ERRORS},
    summary=str(_("Envoyer toute son offre (tout ou rien)")),
    tags=[TAG],
)
def put_courses(request, structure_id: int, data: list[schemas.PartnerCourseIn] = BULK_BODY):
    structure = upserts.structure_for(request.auth, structure_id, Verb.CREATE)  # an empty push too
    results, places = [], {}
    with transaction.atomic():  # all or nothing: a refused course names its index, nothing is stored
        for index, course_data in enumerate(data):
            try:
                outcome, course = upserts.upsert_course(
                    request.auth, structure_id, course_data.source_id, course_data, structure, places
                )
            except upserts.WriteError as error:
                if error.status == 422:
                    error.loc = ("body", "data", index, *error.loc[2:])
                raise
            results.append(_out(outcome, course))
    counts = {name: sum(1 for r in results if r["outcome"] == name) for name in ("created", "updated", "unchanged")}
    return {**counts, "results": results}


@api.delete(
    "/structures/{structure_id}/courses/{source_id}",
    auth=auth,
    response={200: schemas.WriteOut, **WRITE_ERRORS},
    summary=str(_("Supprimer un cours")),
    tags=[TAG],
)
def delete_course(request, structure_id: int, source_id: str = SOURCE_ID):
    return _out("deleted", upserts.delete_course(request.auth, structure_id, source_id))


@api.put(
    "/structures/{structure_id}/places/{source_id}",
    auth=auth,
    response={200: schemas.WriteOut, **WRITE_ERRORS},
    summary=str(_("Créer ou mettre à jour un lieu")),
    tags=[TAG],
)
def put_place(request, structure_id: int, data: schemas.PlaceIn, source_id: str = SOURCE_ID):
    outcome, place = upserts.upsert_place(request.auth, structure_id, source_id, data)
    return _out(outcome, place)


@api.delete(
    "/structures/{structure_id}/places/{source_id}",
    auth=auth,
    response={200: schemas.WriteOut, **WRITE_ERRORS},
    summary=str(_("Supprimer un lieu sans cours")),
    tags=[TAG],
)
def delete_place(request, structure_id: int, source_id: str = SOURCE_ID):
    return _out("deleted", upserts.delete_place(request.auth, structure_id, source_id))


@api.put(
    "/structures/{structure_id}/exam-sessions/{source_id}",
    auth=auth,
    response={200: schemas.WriteOut, **WRITE_ERRORS},
    summary=str(_("Créer ou mettre à jour une session d'examen")),
    tags=[TAG],
)
def put_exam_session(request, structure_id: int, data: schemas.ExamSessionIn, source_id: str = SOURCE_ID):
    outcome, exam = upserts.upsert_exam_session(request.auth, structure_id, source_id, data)
    return _out(outcome, exam)


@api.delete(
    "/structures/{structure_id}/exam-sessions/{source_id}",
    auth=auth,
    response={200: schemas.WriteOut, **WRITE_ERRORS},
    summary=str(_("Supprimer une session d'examen")),
    tags=[TAG],
)
def delete_exam_session(request, structure_id: int, source_id: str = SOURCE_ID):
    return _out("deleted", upserts.delete_exam_session(request.auth, structure_id, source_id))
