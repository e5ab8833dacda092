"""Records placed outside Île-de-France are left out by design (national files hold them): their own kind of
rejection, counted and explained apart from the errors someone should fix."""

import pytest

from cartolangue.interop.errors import OutsideTerritoryError, RecordError
from cartolangue.interop.geography import Geography
from cartolangue.interop.records import PlaceRecord
from cartolangue.interop.report import ImportReport

pytestmark = pytest.mark.django_db


def _error(**given):
    with pytest.raises(RecordError) as exc:
        Geography().resolve(PlaceRecord(source_id="p", address="", **given))
    return exc.value


@pytest.mark.parametrize(
    "given",
    [
        {"code_insee": "68224", "post_code": "68200", "city": "Mulhouse"},
        {"post_code": "29391", "city": "QUIMPERLÉ"},  # no INSEE code: the post code says where
        {"code_insee": "97411", "city": "Saint-Denis"},  # overseas: a 3-character département
        {"latitude": 43.6, "longitude": 1.44},  # coordinates only, in no loaded commune
    ],
)
def test_a_place_in_another_departement_is_outside(given):
    error = _error(**given)
    assert isinstance(error, OutsideTerritoryError)
    assert str(error).startswith("hors Île-de-France")


@pytest.mark.parametrize(
    "given",
    [
        {"code_insee": "95999", "post_code": "95999", "city": "Nulle-part"},  # an Île-de-France code that is wrong
        {"post_code": "93999", "city": "Inconnue"},
        {"city": "Sarcelle"},  # nothing to place it by
    ],
)
def test_a_place_in_ile_de_france_that_cannot_be_found_is_an_error(given):
    error = _error(**given)
    assert not isinstance(error, OutsideTerritoryError)
    assert str(error).startswith("commune inconnue")


def test_the_summary_counts_and_explains_them_apart_from_the_errors():
    report = ImportReport(source="test", file="f.json", format="data·inclusion v1")
    report.count("created")
    report.reject("a", "[0]", OutsideTerritoryError("hors Île-de-France (code INSEE « 68224 »)"))
    report.reject("b", "[1]", OutsideTerritoryError("hors Île-de-France (code INSEE « 18033 »)"))
    report.reject("c", "[2]", RecordError("intitulé manquant"))
    report.reject("d", "[3]", "pas un objet JSON")
    assert report.total == 5
    assert list(report.lines()) == [
        "f.json (data·inclusion v1) : 1 créé(s), 0 mis à jour, 0 inchangé(s), 2 rejeté(s)",
        "2 enregistrements hors Île-de-France écartés (attendu)",
        "  - a ([0]) : hors Île-de-France (code INSEE « 68224 »)",
        "  - b ([1]) : hors Île-de-France (code INSEE « 18033 »)",
        "REJETÉ c ([2]) : intitulé manquant",
        "REJETÉ d ([3]) : pas un objet JSON",
    ]
    data = report.as_dict()
    assert data["rejected"] == 2 and [i["record_id"] for i in data["outside_territory"]] == ["a", "b"]
