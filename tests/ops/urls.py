"""Probe views for the request transaction tests (tests/ops/test_reads_during_writes.py)."""

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.http import HttpResponseServerError, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def probe(request):
    if "group" in request.POST:
        Group.objects.create(name=request.POST["group"])
    if request.POST.get("fail") == "raise":
        raise RuntimeError("the view fails after writing")
    if request.POST.get("fail") == "500":
        return HttpResponseServerError("failed after writing")
    return JsonResponse({"in_transaction": connection.in_atomic_block, "method": request.method})


@csrf_exempt
@transaction.non_atomic_requests  # (marks the function it is given: a function of its own)
def probe_non_atomic(request):
    return probe(request)


urlpatterns = [
    path("probe/", probe),
    path("probe-non-atomic/", probe_non_atomic),
]
