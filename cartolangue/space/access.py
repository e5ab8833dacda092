"""How the space's views ask the one permission rule (accounts/permissions.py): an object a person may not see
is answered 404 (its existence is not disclosed), one they may see but not change 403."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from cartolangue.accounts.models import Coordinator
from cartolangue.accounts.permissions import Verb, can, coordinated_structures


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


def coordinator_only(request: HttpRequest) -> None:
    """The coordinators' pages: a coordinator (of any scope) or staff, else 403."""
    if not (request.user.is_staff or Coordinator.objects.filter(user=request.user).exists()):
        raise PermissionDenied


def coordination_scope(request: HttpRequest) -> list[int] | None:
    """The ids of the structures the person coordinates; None for staff (every structure)."""
    if request.user.is_staff:
        return None
    return list(coordinated_structures(request.user).values_list("pk", flat=True))
