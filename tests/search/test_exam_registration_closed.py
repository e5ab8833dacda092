"""Exam sessions whose registration deadline has passed (issue #16, item 5): flagged "inscriptions closes" and
listed after every open session, by the one ordering the page, the API and the flyer share."""

import datetime
import re

import pytest
from django.http import QueryDict
from django.utils import timezone

from cartolangue.search.engine import exam_search, upcoming_exam_sessions
from cartolangue.search.params import parse_exam_query
from tests.factories import ExamSessionFactory, PlaceFactory, commune

pytestmark = pytest.mark.django_db


def _sessions(today):
    """Three sessions near Cergy: the closed one is the soonest and the nearest, so that any other ordering
    would put it first."""
    day = datetime.timedelta(days=1)
    closed = ExamSessionFactory(
        exam_date=today + 5 * day,
        registration_deadline=today - day,
        place=PlaceFactory(latitude=49.036, longitude=2.063),
    )
    open_soon = ExamSessionFactory(
        exam_date=today + 10 * day,
        registration_deadline=today,  # the deadline day itself is still open
        place=PlaceFactory(latitude=49.05, longitude=2.10),
    )
    open_late = ExamSessionFactory(
        exam_date=today + 20 * day,
        registration_deadline=None,
        place=PlaceFactory(latitude=49.10, longitude=2.20),
    )
    return closed, open_soon, open_late


@pytest.mark.parametrize("sort", ["date", "distance"])
def test_closed_sessions_come_last_whatever_the_sort(sort):
    today = datetime.date(2026, 12, 3)
    closed, open_soon, open_late = _sessions(today)
    query = parse_exam_query(QueryDict(f"commune=95127&rayon=50&tri_examens={sort}"), strict=True)
    sessions = exam_search(query, today=today).items
    assert [s.pk for s in sessions] == [open_soon.pk, open_late.pk, closed.pk]
    assert [s.registration_closed for s in sessions] == [False, False, True]
    # The flyer's test group reads the same order.
    assert [s.pk for s in upcoming_exam_sessions(query, today=today, limit=2)] == [open_soon.pk, open_late.pk]


def test_page_flags_closed_sessions_and_names_certifications(client):
    closed, open_soon, open_late = _sessions(timezone.localdate())
    html = client.get("/", {"onglet": "tests", "commune": commune().code_insee, "rayon": "50"}).content.decode()
    cards = re.findall(r'<article class="card exam">(.*?)</article>', html, flags=re.S)
    assert len(cards) == 3
    assert ["Inscriptions closes" in card for card in cards] == [False, False, True]
    # The certification chips show the certification's name, not its code.
    name = closed.certification.name
    assert re.search(rf'<span class="badge">{re.escape(name)} \(3\)</span>', html)
    assert '<span class="badge">tcf-irn (3)</span>' not in html


def test_api_says_which_sessions_are_closed(client):
    closed, open_soon, open_late = _sessions(timezone.localdate())
    data = client.get("/api/v1/exam-sessions", {"commune": "95127", "rayon": "50"}).json()
    assert [(r["id"], r["registration_closed"]) for r in data["results"]] == [
        (open_soon.pk, False),
        (open_late.pk, False),
        (closed.pk, True),
    ]
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ExamSessionOut"]
    assert "registration_closed" in schema["required"]
    assert "date limite d'inscription est passée" in schema["properties"]["registration_closed"]["description"]
