"""How the space's views ask the one permission rule (accounts/permissions.py): an object a person may not see
is answered 404 (its existence is not disclosed), one they may see but not change 403."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from cartolangue.accounts.permissions import Verb, can


def object_for(request: HttpRequest, verb: Verb, model_or_queryset: type[Model] | QuerySet, **lookup: Any) -> Any:
    """The object, if the person may do `verb` to it; else 404 or 403."""
    obj = get_object_or_404(model_or_queryset, **lookup)
    require(request, verb, obj)
    return obj


def require(request: HttpRequest, verb: Verb, obj: Any) -> None:
    if not can(request.user, Verb.VIEW, obj):
        raise Http404
    if verb != Verb.VIEW and not can(request.user, verb, obj):
        raise PermissionDenied
