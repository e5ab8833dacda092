"""One rule for imports versus hand edits (issue #18): a field a provider edited keeps the provider's value
when a later LHEO import brings another; the import counts a conflict, records itself as one event, and the
coordinator decides."""

import datetime

import pytest

from cartolangue.accounts.models import Membership
from cartolangue.moderation.conflicts import resolve
from cartolangue.moderation.models import ImportConflict, ImportEvent
from cartolangue.offers.models import Course
from tests.interop.lheo.test_lheo_import import formation, lheo_file, report_of
from tests.space.conftest import person

pytestmark = pytest.mark.django_db


def _provider_edits(client, course):
    """The provider renames the course and moves its time slots through the course form."""
    user = person("formateur@lire.test")
    Membership.objects.create(user=user, structure=course.structure)
    client.force_login(user)
    form = client.get(f"/espace/cours/{course.pk}/").context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = (
            [str(getattr(v, "pk", v)) for v in value] if isinstance(value, list) else str(getattr(value, "pk", value))
        )
    data |= {
        "name": "FLE A2 – groupe du soir",
        "creneaux-TOTAL_FORMS": "1",
        "creneaux-INITIAL_FORMS": "0",
        "creneaux-0-weekday": "1",
        "creneaux-0-starts_at": "18:30",
        "creneaux-0-ends_at": "20:30",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/espace/cours/{course.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    return user


def test_an_lheo_import_after_a_provider_edit_keeps_the_provider_values_and_reports_conflicts(client, tmp_path):
    path = lheo_file(tmp_path, formation())
    report_of(path, tmp_path)
    course = Course.objects.get(source="lheo")
    _provider_edits(client, course)
    course.refresh_from_db()
    assert {"name", "time_slots"} <= set(course.hand_edited_fields)

    # The source changes its title and its total hours; the provider's title stays, the hours follow the source.
    changed = lheo_file(tmp_path, formation(title="FLE A2 à Sarcelles (nouvel intitulé)").replace("120<", "150<"))
    report = report_of(changed, tmp_path)
    course.refresh_from_db()
    assert course.name == "FLE A2 – groupe du soir"
    assert course.total_hours == 150
    assert [(s.weekday, s.starts_at) for s in course.time_slots.all()] == [(1, datetime.time(18, 30))]
    assert [(c["record_id"], c["location"]) for c in report["conflicts"]] == [(str(course.pk), "name")]
    (conflict,) = ImportConflict.objects.filter(status="ouvert")
    assert (conflict.field, conflict.source_value) == ("name", "FLE A2 à Sarcelles (nouvel intitulé)")
    event = ImportEvent.objects.first()
    assert event.course_ids == [course.pk] and event.report["conflicts"] == report["conflicts"]

    # The same import again: still one open conflict, not two.
    report_of(changed, tmp_path)
    assert ImportConflict.objects.filter(status="ouvert").count() == 1

    # The coordinator accepts the source's title: it is written, and the field belongs to the source again.
    resolve(conflict, accept_source=True, user=None)
    course.refresh_from_db()
    assert course.name == "FLE A2 à Sarcelles (nouvel intitulé)"
    assert "name" not in course.hand_edited_fields
    report = report_of(lheo_file(tmp_path, formation(title="FLE A2 (troisième intitulé)")), tmp_path)
    course.refresh_from_db()
    assert course.name == "FLE A2 (troisième intitulé)" and report["conflicts"] == []
