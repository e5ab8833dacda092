"""The facts of a real Réseau Alpha page (ABC Formation, Franconville, Val-d'Oise), turned into the cartographie.json
shape the importer reads.

The page has no open licence, so neither it nor its extract is committed (tests/data/PROVENANCE.md): this test reads
the extract (`reseau-alpha-pages-extracted.json` of the team's data folder) where the environment variable
CARTOLANGUE_RESEAU_ALPHA_PAGES names it, and is skipped, saying why, elsewhere.

The conversion below only moves the page's text into the JSON fields (`lieux_horaires` → `adresses` and
`joursHorairesDetails`, "Femmes [Prioritaire]" → `publicSpecifique` + `publicSpecifiquePrioritaire`…); every value
stays as the page shows it, so the importer's vocabulary does the mapping."""

import io
import json
import os
import re
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from cartolangue.offers import enums
from cartolangue.offers.models import Course, Place, Structure

PAGES = os.environ.get("CARTOLANGUE_RESEAU_ALPHA_PAGES", "")
pytestmark = pytest.mark.skipif(
    not PAGES,
    reason="the Réseau Alpha page has no open licence and is not committed: set CARTOLANGUE_RESEAU_ALPHA_PAGES to "
    "the path of reseau-alpha-pages-extracted.json to run this test",
)

MONTHS = {
    "janv.": 1,
    "févr.": 2,
    "mars": 3,
    "avr.": 4,
    "mai": 5,
    "juin": 6,
    "juil.": 7,
    "août": 8,
    "sept.": 9,
    "oct.": 10,
    "nov.": 11,
    "déc.": 12,
}
PLACE = re.compile(r"^(?P<name>.+?) : (?:(?P<number>\d+), )?(?P<street>.+), (?P<post_code>\d{5}) - (?P<city>.+)$")
SLOT = re.compile(r"^(?P<day>\w+) de (?P<start>\d\d:\d\d) à (?P<end>\d\d:\d\d)$")
BRACKETED = re.compile(r"^(?P<value>.*?)\s*\[(?P<details>.*)\]$", re.DOTALL)


def _date(text):
    day, month, year = text.split()
    return date(int(year), MONTHS[month], int(day)).isoformat()


def _formation(page):
    url = page["url"]
    activity, slug = url.split("/formation/")[1].split("/")
    formation = {
        "id": slug.split("-")[0],
        "nom": page["nom"],
        "activite": activity,  # the page's URL names it: "francais-a-visee-professionnelle"
        "placeDisponible": page["places_disponibles"],
        "url": url,
        "objectifsVises": [],
        "competencesLinguistiquesVisees": page["niveau_vise"],
        "criteresScolarisation": [],
        "criteresLinguistiqueOral": [],
        "criteresLinguistiqueEcrit": [],
        "publicsSpecifiques": [],
        "adresses": [],
        "joursHorairesDetails": [],
    }
    for objective in page["objectifs_vises"]:
        match = BRACKETED.match(objective)
        value, details = (match["value"], match["details"]) if match else (objective, "")
        formation["objectifsVises"].append({"objectifVise": value, "objectifViseDescription": details})
    for line in page["public_attendu"]:
        if "scolaris" in line.lower():
            formation["criteresScolarisation"].append(line)
        elif "savoirs de base" in line:
            formation["criteresSavoirBase"] = line
        elif line.startswith("CECRL : Oral"):
            formation["criteresLinguistiqueOral"].append(line)
        elif line.startswith(("Écrit", "CNR ANLCI")):
            formation["criteresLinguistiqueEcrit"].append(line)
        else:
            match = BRACKETED.match(line)
            value, flag = (match["value"], match["details"]) if match else (line, None)
            formation["publicsSpecifiques"].append(
                {"publicSpecifique": value, "publicSpecifiqueDescription": "", "publicSpecifiquePrioritaire": flag}
            )
    start, end = page["etendue"].split(" - ")
    formation["dateDebut"], formation["dateFin"] = _date(start), _date(end)
    place, *slots = page["lieux_horaires"]
    address = PLACE.match(place)
    formation["adresses"].append(
        {
            "numero": address["number"] or "",
            "voie": address["street"],
            "codePostal": address["post_code"],
            "ville": address["city"],
            "latitude": None,
            "longitude": None,
        }
    )
    for slot in slots:
        match = SLOT.match(slot)
        formation["joursHorairesDetails"].append(
            {"jour": match["day"], "dateDebut": match["start"], "dateFin": match["end"]}
        )
    return formation


@pytest.fixture
def abc_formation(tmp_path):
    extracted = json.loads(Path(PAGES).read_text(encoding="utf-8"))
    (page,) = extracted["structures"]
    cartographie = {
        "structures": [
            {
                "id": page["structure_slug"],
                "nom": "ABC Formation",
                "url": "https://www.reseau-alpha.org/structure/apprentissage-du-francais/abc-formation",
                "contact": {"telephone1": "01 34 15 40 62", "email": "contact@abcformation1986.fr"},
                "formations": [_formation(f) for f in page["formations"]],
            }
        ],
        "permanences": [],
    }
    path = tmp_path / "cartographie.json"
    path.write_text(json.dumps(cartographie, ensure_ascii=False), encoding="utf-8")
    return path


def _by_id(formation_id):
    return Course.objects.select_related("place__commune").get(source_id__startswith=f"{formation_id}-")


@pytest.mark.django_db
def test_abc_formation_page(abc_formation, tmp_path):
    report_path = tmp_path / "report.json"
    call_command(
        "import_reseau_alpha",
        str(abc_formation),
        "--report-json",
        str(report_path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    report = json.loads(report_path.read_text(encoding="utf-8"))

    assert {k: report[k] for k in ("created", "updated", "unchanged", "rejected")} == {
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    structure = Structure.objects.get()
    assert (structure.source_id, structure.name, structure.kind, structure.networks) == (
        "abc-formation",
        "ABC Formation",
        enums.StructureKind.ASSOCIATION,
        ["reseau-alpha"],
    )
    assert (structure.phone, structure.email) == ("01 34 15 40 62", "contact@abcformation1986.fr")

    # Three towns, four places: "3, Allée du lavoir" and "3, allée du Lavoir" are one place; the two AFPA
    # addresses in Gonesse are written differently on the page, so they stay two.
    assert sorted(Place.objects.values_list("commune__name", "post_code", "address", "location_is_approximate")) == [
        ("Franconville", "95130", "3 Allée du lavoir", True),
        ("Gonesse", "95500", "11 Avenue Pierre Salvi", True),
        ("Gonesse", "95500", "11 Avenue Pierre Salvi AFPA de Gonesse", True),
        ("Saint-Ouen-l'Aumône", "95310", "82 Avenue de Verdun", True),
    ]

    facts = {
        c.source_id.split("-")[0]: (
            c.place.commune.name,
            c.course_type,
            c.parcours,
            c.cecrl_level_target,
            c.entry_level_oral,
            c.entry_level_written,
            c.hours_per_week,
            c.places_available,
            sorted(c.schooling.values_list("schooling", flat=True)),
            sorted(c.audiences.values_list("audience", "mode")),
            [(s.starts_on, s.ends_on) for s in c.sessions.all()],
        )
        for c in Course.objects.select_related("place__commune")
    }
    cir, rsa, women, bpi = (
        ("signataires-cir", "prioritaire"),
        ("beneficiaires-rsa", "prioritaire"),
        ("femmes", "prioritaire"),
        ("bpi", "prioritaire"),
    )
    fos, pro = enums.CourseType.WORK, enums.Parcours.PRO
    a1, a2, b1, b2 = 20, 30, 40, 50
    assert facts == {
        # TAAC-TIC, twice (two runs)
        "e6cfe": (
            "Franconville", fos, pro, b1, a2, a2, Decimal("12.0"), True, ["langue-francaise"], [rsa, women, cir],
            [(date(2025, 12, 4), date(2026, 3, 5))],
        ),
        "05161": (
            "Franconville", fos, pro, b2, a2, a2, Decimal("12.0"), True, ["langue-francaise"], [rsa, women, cir],
            [(date(2026, 3, 10), date(2026, 6, 5))],
        ),
        # DDS (Décodage des silences): for people never or little schooled, entry "Infra A1.1"
        "ebebe": (
            "Franconville", enums.CourseType.ALPHA, enums.Parcours.INTEGRATION, a1, None, None, Decimal("35.0"), True,
            ["jamais-ou-peu"], [rsa, bpi, women, cir], [(date(2026, 1, 5), date(2026, 4, 2))],
        ),
        # TREMPLIN "Diplôme de français professionnel", twice
        "e9023": (
            "Saint-Ouen-l'Aumône", fos, pro, b2, a2, a2, Decimal("40.0"), True,
            ["langue-etrangere", "langue-francaise"], [rsa, bpi, women], [(date(2025, 12, 4), date(2026, 3, 5))],
        ),
        "c2ae2": (
            "Saint-Ouen-l'Aumône", fos, pro, b2, a2, a2, Decimal("12.0"), True,
            ["langue-etrangere", "langue-francaise"], [rsa, bpi, women], [(date(2026, 3, 10), date(2026, 6, 4))],
        ),
        # Hygi'pro and Logi'pro, at AFPA Gonesse, no timetable on the page
        "4600b": (
            "Gonesse", fos, pro, b1, a2, a2, None, True, ["langue-etrangere"], [rsa],
            [(date(2026, 2, 24), date(2026, 7, 21))],
        ),
        "d988b": (
            "Gonesse", fos, pro, b2, a2, a2, None, True, ["langue-etrangere"], [("tous-publics", "prioritaire")],
            [(date(2026, 2, 24), date(2026, 7, 21))],
        ),
    }  # fmt: skip

    taac = _by_id("e6cfe")
    assert list(taac.time_slots.values_list("weekday", "starts_at", "ends_at")) == [
        (d, time(9), time(12)) for d in (0, 1, 3, 4)
    ]
    assert taac.description.startswith(
        "Objectifs visés :\n- Devenir autonome au quotidien : Maîtriser l'utilisation d'internet et les sites publics "
        "(CAF,AMELI,POLE EMPLOI,EMPLOI STORE,\n- Accéder à un emploi : La rédaction d'un CV"
    )
    assert taac.description.endswith(
        "- Accéder à une formation ou à une certification professionnelle : "
        "Selon le projet professionnel validé pendant la formation\n\n"
        "Savoirs de base : Maîtrise les savoirs de base"
    )
    assert "Niveau visé (CNR ANLCI)" not in taac.description  # "Aucun niveau spécifique visé"
    tremplin = _by_id("e9023")
    assert (
        "Objectifs visés :\n- Préparer un diplôme ou une certification de langue française : DFP THR A2,B1 ou B2"
        in tremplin.description
    )
    assert (
        "Niveau visé (CNR ANLCI) : Degré 1\n\nNiveau attendu à l'écrit (CNR ANLCI) : Degré 1" in tremplin.description
    )
    assert all(c.is_free is None and c.cost_amount is None for c in Course.objects.all())
    # What the page does not say is reported, not guessed: no cost, no coordinates.
    assert sorted({w["reason"] for w in report["warnings"]}) == [
        "coût non renseigné : coût à demander",
        "lieu sans coordonnées : placé au centre de Franconville",
        "lieu sans coordonnées : placé au centre de Gonesse",
        "lieu sans coordonnées : placé au centre de Saint-Ouen-l'Aumône",
    ]
    assert len(report["warnings"]) == 14
