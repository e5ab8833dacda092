"""Printing must not starve the search (issue #17, item 2): a flyer is rendered once per search, language and
data version, and renders beyond the machine's slots get 503 with Retry-After instead of a worker."""

import contextlib
import datetime

import pytest

from cartolangue.flyers import views
from cartolangue.flyers.limits import render_slot, slot_count
from cartolangue.offers.demo import demo_generate
from tests.factories import CourseFactory
from tests.flyers import pdf

FLYER = "/imprimer/flyer.pdf?commune=95585&langue=ar&type=fle"


@pytest.fixture(autouse=True)
def _tools():
    pdf.require_tools()


@pytest.fixture
def demo(db):
    demo_generate(courses=200, seed=3, reference_date=datetime.date(2026, 11, 1))


@pytest.fixture
def renders(monkeypatch):
    """Counts the flyer renders."""
    count = []
    real = views.render_flyer

    def counting(context):
        count.append(1)
        return real(context)

    monkeypatch.setattr(views, "render_flyer", counting)
    return count


@pytest.fixture
def every_slot_taken():
    """Another worker renders in every slot (the slots are locks shared by the processes)."""
    with contextlib.ExitStack() as stack:
        for _ in range(slot_count()):
            assert stack.enter_context(render_slot())
        with render_slot() as granted:
            assert not granted
        yield


def test_a_flyer_is_rendered_once_per_search_language_and_data_version(client, demo, renders):
    first = client.get(FLYER)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    again = client.get(FLYER)
    assert again.content == first.content and len(renders) == 1
    assert client.get(FLYER.replace("langue=ar", "langue=ta")).status_code == 200
    assert len(renders) == 2  # another language, another flyer
    CourseFactory(name="Cours ajouté")  # the data change: the flyers are made again
    assert client.get(FLYER).status_code == 200
    assert len(renders) == 3


def test_when_every_slot_is_taken_a_render_waits_for_no_one(client, demo, renders, every_slot_taken):
    response = client.get(FLYER)
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "réessayez dans quelques secondes" in response.content.decode()
    assert renders == []


def test_a_cached_flyer_needs_no_slot(client, demo, renders):
    assert client.get(FLYER).status_code == 200
    with contextlib.ExitStack() as stack:
        for _ in range(slot_count()):
            stack.enter_context(render_slot())
        assert client.get(FLYER).status_code == 200
    assert len(renders) == 1


@pytest.mark.django_db
def test_a_selection_sheet_waits_for_no_one_either(client, every_slot_taken):
    course = CourseFactory(name="ASL santé")
    response = client.get(f"/imprimer/selection.pdf?cours={course.pk}")
    assert response.status_code == 503 and response["Retry-After"] == "2"


def test_one_slot_on_two_workers_leaves_a_worker_to_search(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    assert slot_count() == 1
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert slot_count() == 1
