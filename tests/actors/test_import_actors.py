"""The importers of the real open files of support actors (data/actors/, PROVENANCE.md there): counts, kinds,
located rejections, what is left out and why, idempotence, all or nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.importers import import_actors
from cartolangue.actors.models import Actor
from cartolangue.offers.enums import Audience
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
DATA = ROOT / "data" / "actors"
FILES = {
    "france-services": DATA / "france_services_idf_20240801.csv",
    "pole-emploi-agences": DATA / "pole_emploi_agences_idf_2019.csv",
    "siae-asp": DATA / "siae_idf_2019-07_asp.csv",
    "annuaire-dila": DATA / "annuaire_dila_2019_idf_extrait_dada.csv",
}


def run(fmt: str, path: Path, *args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_actors", fmt, str(path), *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_real_files_give_their_actors_with_every_leftover_explained():
    reports = {fmt: import_actors(fmt, path) for fmt, path in FILES.items()}

    fs, pe, siae, dila = (reports[k] for k in FILES)
    assert (fs.counts["created"], len(fs.rejected), fs.outside_territory) == (184, 0, 0)
    assert (pe.counts["created"], sum(pe.skipped.values())) == (122, 10)  # the 8 DDA and 2 DRA receive no public
    assert siae.counts["created"] == 373 and siae.skipped == {
        "même SIAE et même mesure, conventionnée dans un autre département": 34
    }
    # The one SIAE left: Herblay, renamed Herblay-sur-Seine in 2019 (its post code has two communes).
    assert [(r.record_id, r.location) for r in siae.rejected] == [
        ("38038311700054-AI", "siae_idf_2019-07_asp.csv, ligne 391")
    ]
    assert "95220" in siae.rejected[0].reason and "HERBLAY" in siae.rejected[0].reason
    assert dila.counts["created"] == 96 and dila.skipped["organisme hors de l'annuaire des acteurs (cij)"] == 145
    by_kind = {k: Actor.objects.filter(kind=k).count() for k in ActorKind.values}
    assert by_kind["mission-locale"] == 54 and by_kind["ofii"] == 3 and by_kind["cidff"] == 10
    assert by_kind["france-travail"] == 122 and by_kind["france-services"] == 184
    assert sum(by_kind[k] for k in ("siae-aci", "siae-ei", "siae-etti", "siae-ai")) == 373
    assert Actor.objects.filter(commune__departement__code="95", kind="mission-locale").count() == 5


def test_fields_are_mapped_and_the_kind_gives_publics_and_schemes():
    for fmt, path in FILES.items():
        import_actors(fmt, path)
    ml = Actor.objects.get(source="dila-annuaire-2019", source_id__startswith="mission_locale-95585")
    assert ml.name == "Mission Locale – Sarcelles (Val-d'Oise-Est)" and ml.commune.code_insee == "95585"
    assert ml.publics == [Audience.YOUNG] and Scheme.CEJ in ml.schemes and ml.location_is_approximate
    fs = Actor.objects.get(source="anct-france-services", source_id="435")
    assert (fs.address, fs.post_code, fs.commune.code_insee) == ("181 Avenue Daumesnil", "75012", "75056")
    assert (fs.latitude, fs.longitude, fs.location_is_approximate) == (48.84049, 2.392507, False)
    assert fs.opening_hours.splitlines()[0] == "lundi : 10:00 - 13:00 / 14:00 - 18:00"
    agency = Actor.objects.get(source="pole-emploi-agences-2019", source_id="IDF0050005625")
    assert agency.name == "France Travail – Paris 7 8 9ème Saint Petersbourg" and agency.latitude == 48.882476
    siae = Actor.objects.get(source="asp-siae-2019", source_id="38305448300011-AI")
    assert (siae.kind, siae.siret, siae.phone) == (ActorKind.SIAE_AI, "38305448300011", "0140037780")


def test_a_second_import_changes_nothing_and_a_dry_run_writes_nothing():
    assert run("france-services", FILES["france-services"], "--dry-run")[0].startswith(
        "france_services_idf_20240801.csv (anct-france-services) : 184 créés"
    )
    assert not Actor.objects.exists()
    run("france-services", FILES["france-services"])
    again = run("france-services", FILES["france-services"])
    assert again[0] == (
        "france_services_idf_20240801.csv (anct-france-services) : 0 créés, 0 modifiés, 184 inchangés, 0 rejetés"
    )


def test_a_file_without_its_columns_is_refused_whole_and_stores_nothing(tmp_path):
    bad = tmp_path / "agences.csv"
    bad.write_text("REFERENCE_PE,NOM\nX1,Agence\n", encoding="utf-8")
    with pytest.raises(CommandError, match="agences.csv : colonnes attendues absentes : TYPE_SITE, ADRESSE"):
        run("pole-emploi-agences", bad)
    mixed = tmp_path / "fs.csv"
    lines = FILES["france-services"].read_text(encoding="utf-8").splitlines()
    mixed.write_text("\n".join(lines[:5]) + "\n" + '"999","75"\n', encoding="utf-8")
    report = import_actors("france-services", mixed)
    assert report.counts["created"] == 4 and len(report.rejected) == 1
    assert report.rejected[0].location == "fs.csv, ligne 6"
