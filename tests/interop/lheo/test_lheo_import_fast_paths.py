"""The fast paths of the LHEO import (#6) give what the plain paths give: reading in a child process, child
lookups instead of ElementPath, courses and child rows inserted as plain rows, the search text folded by
parts."""

import multiprocessing
import sys
import unicodedata
from datetime import date

import pytest
from django.core.management import CommandError
from django.utils import timezone

from cartolangue.interop import persist
from cartolangue.interop.lheo.reader import LheoReader
from cartolangue.interop.persist import COURSE_INSERT_COLUMNS, _fold_part, _search_text
from cartolangue.offers.indexing import course_search_text
from cartolangue.offers.models import Course, Session, Structure
from cartolangue.text import fold
from tests.interop.lheo.test_lheo_import import EXAMPLES, formation, lheo_file, report_of, run

TWO_SESSIONS = """
  <session numero="S-{n}-2">
   <periode><debut>20270105</debut><fin>{fin}</fin></periode>
   <adresse-inscription><adresse><ligne>-</ligne><codepostal>95200</codepostal><ville>Sarcelles</ville></adresse>
   </adresse-inscription>
   <etat-recrutement>1</etat-recrutement>
  </session>"""
SECOND_PLACE = """
  <lieu-de-formation><coordonnees><adresse numero="L2-{n}">
   <ligne>3 rue de la Gare</ligne><codepostal>95200</codepostal><ville>Sarcelles</ville>
   <code-INSEE-commune>95585</code-INSEE-commune></adresse></coordonnees></lieu-de-formation>"""


def varied_file(tmp_path, fin="20270630", name="offre.xml"):
    """Formations that take most paths of the reader: kept, filtered, two sessions, two places, a schema
    defect, a missing place, a partial date."""
    with_sessions = formation(numero="F2").replace(
        "<prix-total-TTC>", TWO_SESSIONS.format(n="F2", fin=fin) + "<prix-total-TTC>"
    )
    two_places = formation(numero="F3").replace(
        "<modalites-entrees-sorties>", SECOND_PLACE.format(n="F3") + "<modalites-entrees-sorties>"
    )
    defect = formation(numero="F5", debut="20260900").replace("<certifiante>0</certifiante>", "")
    return lheo_file(
        tmp_path,
        formation()
        + with_sessions
        + two_places
        + formation(numero="F4", formacode="22403")
        + defect
        + formation(numero="F6", geo=""),
        name=name,
    )


@pytest.fixture
def in_child(monkeypatch):
    """Every file is read in a child process, however small."""
    monkeypatch.setattr(LheoReader, "BACKGROUND_MIN_BYTES", 0)


def test_reading_in_a_child_process_gives_the_same_items_in_the_same_order(tmp_path):
    path = varied_file(tmp_path)
    here = list(LheoReader(path, background=False))
    assert len(here) > 6 and {type(item).__name__ for item in here} == {"CourseRecord", "Filtered", "Notice"}
    assert list(LheoReader(path, background=True)) == here
    assert multiprocessing.active_children() == []


def test_the_real_files_read_the_same_in_a_child_process():
    paths = sorted(EXAMPLES.glob("*.xml"))
    assert len(paths) == 4
    for path in paths:
        assert list(LheoReader(path, background=True)) == list(LheoReader(path, background=False)), path.name


@pytest.mark.django_db
def test_an_import_read_in_a_child_process_is_the_same_import(tmp_path, monkeypatch):
    path = varied_file(tmp_path)
    here = report_of(path, tmp_path, "--dry-run")
    monkeypatch.setattr(LheoReader, "BACKGROUND_MIN_BYTES", 0)
    there = report_of(path, tmp_path, "--dry-run")
    assert {**there, "seconds": 0} == {**here, "seconds": 0}
    assert here["created"] == 6 and here["filtered"] == 1 and here["warnings"]


@pytest.mark.django_db
def test_a_syntax_error_found_by_the_child_process_stores_nothing_and_says_where(tmp_path, in_child):
    run(lheo_file(tmp_path, formation(numero="F0"), name="before.xml"))
    known = list(Course.objects.order_by("pk").values())
    path = lheo_file(tmp_path, formation() + formation(numero="F2") + "<formation><oops></formation>")
    with pytest.raises(CommandError) as error:
        run(path)
    assert "offre.xml, ligne" in str(error.value) and "XML illisible" in str(error.value)
    assert list(Course.objects.order_by("pk").values()) == known
    assert not Course.objects.filter(source_id__in=["A-F1", "A-F2"]).exists()
    assert multiprocessing.active_children() == []


@pytest.mark.django_db
def test_an_import_read_in_a_child_process_stores_and_then_updates(tmp_path, in_child):
    report = report_of(varied_file(tmp_path), tmp_path)
    assert (report["created"], report["updated"], report["unchanged"]) == (6, 0, 0)
    assert report_of(varied_file(tmp_path), tmp_path)["unchanged"] == 6


@pytest.mark.django_db
def test_reimporting_after_one_session_changed_updates_exactly_that_row(tmp_path):
    run(varied_file(tmp_path))
    before = {s.source_id: s for s in Session.objects.filter(source="lheo")}
    courses = {c.source_id: c for c in Course.objects.filter(source="lheo")}
    report = report_of(varied_file(tmp_path, fin="20270702"), tmp_path)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 5)
    after = {s.source_id: s for s in Session.objects.filter(source="lheo")}
    assert after.keys() == before.keys()
    changed = {sid for sid in after if after[sid].ends_on != before[sid].ends_on}
    assert changed == {"S-F2-2"}
    assert after["S-F2-2"].ends_on == date(2027, 7, 2)
    assert all(after[sid].pk == before[sid].pk for sid in after)
    assert all(after[sid].updated_at == before[sid].updated_at for sid in after if sid != "S-F2-2")
    for course in Course.objects.filter(source="lheo"):
        assert course.pk == courses[course.source_id].pk
        if course.source_id != "A-F2":
            assert course.updated_at == courses[course.source_id].updated_at


@pytest.mark.django_db
def test_the_same_action_twice_in_one_batch_is_replayed_and_stored_once(tmp_path):
    """The database refuses the batch (unique source id): it is replayed record by record."""
    report = report_of(lheo_file(tmp_path, formation() + formation(numero="F2") + formation()), tmp_path)
    assert report["created"] == 2 and report["rejected"] == 0 and report["created"] + report["unchanged"] == 3
    assert Course.objects.filter(source="lheo").count() == 2
    assert Structure.objects.filter(source="lheo").count() == 1


@pytest.mark.django_db
def test_courses_inserted_as_plain_rows_hold_every_value(tmp_path):
    run(varied_file(tmp_path))
    course = Course.objects.get(source="lheo", source_id="A-F1")
    assert course.created_at is not None and timezone.localdate(course.updated_at) == date(2026, 10, 15)
    assert course.search_text == course_search_text(course, course.structure, course.place, course.place.commune.name)
    session = course.sessions.get()
    assert (session.starts_on, session.ends_on, session.created_at is not None) == (
        date(2026, 9, 1),
        date(2027, 6, 30),
        True,
    )
    assert sorted(course.funders.values_list("funder", flat=True)) and course.audiences.exists()


def test_the_plain_row_insert_of_courses_names_every_column():
    fields = {f.name for f in Course._meta.concrete_fields if not f.primary_key}
    assert sorted(COURSE_INSERT_COLUMNS) == sorted(fields)


class _Thing:
    def __init__(self, **values):
        self.__dict__.update(values)


@pytest.mark.parametrize(
    "parts",
    [
        ("FLE A2", "Parler au quotidien", "Lire Ensemble", "LE", "Salle 1", "12 rue X", "95200", "Sarcelles"),
        ("Français — Œuvre", "École l’Aumône", "Cœur", "", "", "Hôtel-Dieu", "75004", "Paris"),
        ("ΟΔΟΣ", "ΣΑΣ", "Σ", "ΑΣ'", "'Σ", "x", "", "Ελλάς"),  # Greek final sigma at part edges
        ("\u0301début", "fin\u0301", "\u0301", "e\u0301\u0327", "ﬁ ﬂ ½ ㎏", "İstanbul", "", "ǅ ǈ"),
        ("", "", "S", "", "", "", "", ""),
    ],
)
def test_the_search_text_folded_by_parts_is_the_search_text(parts):
    name, description, structure_name, acronym, place_name, address, post_code, commune = parts
    course = _Thing(name=name, description=description)
    structure = _Thing(name=structure_name, acronym=acronym)
    place = _Thing(name=place_name, address=address, post_code=post_code)
    assert _search_text(course, structure, place, commune) == course_search_text(course, structure, place, commune)


def test_the_search_text_folding_is_fold_over_every_code_point():
    for start in range(0, sys.maxunicode + 1, 256):
        text = "".join(chr(cp) for cp in range(start, min(start + 256, sys.maxunicode + 1)))
        assert _fold_part(text) == fold(text), hex(start)
    assert _fold_part("Œuvre d’École") == "oeuvre d'ecole"


@pytest.mark.django_db
def test_a_growing_import_refreshes_the_statistics_of_the_source_column(tmp_path, monkeypatch):
    """(PostgreSQL plans its look-ups by source id from statistics; on SQLite the call does nothing.)"""
    calls = []
    real = persist.analyse_tables
    monkeypatch.setattr(
        persist, "analyse_tables", lambda *models, **kw: calls.append((models, kw)) or real(*models, **kw)
    )
    monkeypatch.setattr(persist.Writer, "BATCH_SIZE", 1)
    monkeypatch.setattr(persist.Writer, "FIRST_ANALYSIS", 1)
    report = report_of(varied_file(tmp_path), tmp_path)
    assert report["created"] == 6
    assert len(calls) == 2  # after 1 record stored, then after 4 (×4 each time)
    assert all(kw == {"columns": ["source"]} and Course in models and Session in models for models, kw in calls)


def test_an_organisme_or_place_read_again_only_when_its_xml_changes(tmp_path):
    # Consecutive formations of the same organisme, at the same place, share one record of each (read once,
    # pickled once a batch); a change anywhere in the organisme's or the place's XML is read afresh.
    def at_f1_place(numero):
        return formation(numero=numero).replace(f'adresse numero="L-{numero}"', 'adresse numero="L-F1"')

    renamed = at_f1_place("F3").replace("<nom-organisme>Association Lire", "<nom-organisme>Atelier Lire")
    moved = at_f1_place("F4").replace("12 avenue du 8 mai 1945", "3 rue de la Gare")
    path = lheo_file(tmp_path, formation() + at_f1_place("F2") + renamed + moved)
    f1, f2, f3, f4 = LheoReader(path, background=False)
    assert f2.structure is f1.structure and f2.place is f1.place
    assert f3.structure is not f2.structure and f3.structure.name == "Atelier Lire Ensemble"
    assert f3.place is f2.place  # the same place XML, of an organisme with the same id
    assert f4.structure.name == "Association Lire Ensemble" and f4.place.address == "3 rue de la Gare"
    assert f4.place is not f3.place and f4.place.source_id == "L-F1"
    # The same records as each formation read alone, and the same items read in a child process.
    for shared, (n, alone) in zip(
        (f1, f2, f3, f4), enumerate((formation(), at_f1_place("F2"), renamed, moved)), strict=True
    ):
        (record,) = LheoReader(lheo_file(tmp_path, alone, name=f"{n}.xml"), background=False)
        assert (shared.structure, shared.place, shared.sessions) == (record.structure, record.place, record.sessions)
    assert list(LheoReader(path, background=True)) == [f1, f2, f3, f4]


def _plain_fold(text):
    """The definition of folding, character by character."""
    text = unicodedata.normalize("NFKD", text).replace("’", "'").replace("œ", "oe").replace("Œ", "oe")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def test_fold_is_its_plain_definition_over_every_code_point():
    for start in range(0, sys.maxunicode + 1, 256):
        text = "".join(chr(cp) for cp in range(start, min(start + 256, sys.maxunicode + 1)))
        assert fold(text) == _plain_fold(text), hex(start)
        assert fold(text) == fold(text)  # the second time from the filled table
