import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from cartolangue.actors.models import Actor
from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course, Structure
from cartolangue.sources.models import Absence, Source, SyncRun, Withdrawal

pytestmark = pytest.mark.django_db


def test_every_model_has_a_working_admin_with_search(admin_client):
    demo_generate(courses=30, seed=1, reference_date=datetime.date(2026, 11, 27))
    source = Source.objects.create(name="s", label="S", format="lheo", location="/x.xml", licence="l", attribution="a")
    run = SyncRun.objects.create(source=source, started_at=timezone.now(), outcome=SyncRun.Outcome.IMPORTED)
    course = Course.objects.first()
    Absence.objects.create(course=course, source=source, first_missing_run=run)
    Withdrawal.objects.create(course=course, source=source, run=run, previous_status="publie")
    Actor.objects.create(
        source="s", source_id="1", kind="ofii", name="Ofii", commune=course.place.commune, latitude=49, longitude=2
    )
    apps_with_admin = ("geo", "offers", "accounts", "moderation", "upkeep", "sources", "actors", "dedup")
    ours = [m for m in admin.site._registry if m._meta.app_label in apps_with_admin]
    inline_only = {
        "courseaudience",
        "courseschooling",
        "coursefunder",
        "timeslot",
        "course_certifications",
        "structuresource",
    }
    # A model's history (offers/history.py) is read through its own admin's "Historique" page, not a list.
    expected = {
        m
        for m in apps.get_models()
        if m._meta.app_label in apps_with_admin and not m._meta.model_name.startswith("historical")
    }
    assert {m for m in expected if m._meta.model_name not in inline_only} == set(ours)
    inlines = {i.model._meta.model_name for i in admin.site._registry[Course].inlines}
    inlines |= {i.model._meta.model_name for i in admin.site._registry[Structure].inlines}
    assert inline_only - {"course_certifications"} <= inlines
    for model in ours:
        opts = model._meta
        model_admin = admin.site._registry[model]
        assert model_admin.search_fields, model
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, model
        assert admin_client.get(changelist, {"q": "Cergy"}).status_code == 200, model
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert admin_client.get(change).status_code == 200, model
            if hasattr(model, "history"):
                history = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
                assert admin_client.get(history).status_code == 200, model


def test_admin_requires_staff(client):
    response = client.get(reverse("admin:offers_course_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
