"""What operators and visitors see of the registry: `check_sources` and `/sante/` say which source is late or
failing (and give away no location, header or error text); `/donnees/sources/` shows each source's licence,
attribution and last run; a course links to its source; the "Données" page names the sources of its files; a
registry file loads all or nothing with located errors."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cartolangue.interop.publication import exports_publish
from cartolangue.offers.models import Course
from cartolangue.sources.models import Source, SyncRun
from cartolangue.sources.registry import sources_summary
from tests.sources.helpers import lheo, register

pytestmark = pytest.mark.django_db


def run_of(source, outcome, hours_ago, error=""):
    return SyncRun.objects.create(
        source=source,
        started_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        finished_at=timezone.now(),
        outcome=outcome,
        error=error,
        report={"created": 4, "updated": 1, "unchanged": 7, "rejected": 2} if outcome == "importe" else {},
    )


def test_check_sources_and_the_health_endpoint_name_late_and_failing_sources(client):
    fine = register("fine", "https://feeds.example.org/fine.xml?token=SECRET-IN-URL", every_hours=24)
    run_of(fine, SyncRun.Outcome.IMPORTED, hours_ago=3)
    late = register("late", "/srv/late.json", fmt="reseau-alpha", every_hours=24)
    run_of(late, SyncRun.Outcome.IMPORTED, hours_ago=49)
    failing = register("failing", "https://feeds.example.org/f.xml", headers_from_env={"Authorization": "TOKEN_VAR"})
    run_of(failing, SyncRun.Outcome.IMPORTED, hours_ago=30)
    run_of(failing, SyncRun.Outcome.FAILED, hours_ago=1, error="le serveur a répondu 500 Internal Server Error")
    register("never", "/srv/never.xml")
    register("off", "/srv/off.xml", enabled=False)

    out = io.StringIO()
    with pytest.raises(CommandError, match="Sources à surveiller : failing, late, never"):
        call_command("check_sources", stdout=out)
    said = out.getvalue()
    assert "fine : à jour" in said and "late : en retard" in said and "never : jamais synchronisée" in said
    assert "failing : en échec" in said and "répondu 500" in said and "off" not in said

    response = client.get("/sante/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    health = response.json()
    assert health["status"] == "alerte"
    assert {s["name"]: s["state"] for s in health["sources"]} == {
        "failing": "en-echec",
        "fine": "ok",
        "late": "en-retard",
        "never": "jamais-synchronisee",
    }
    text = json.dumps(health)
    for secret in ("SECRET-IN-URL", "feeds.example.org", "TOKEN_VAR", "/srv/", "Internal Server Error"):
        assert secret not in text

    for name in ("late", "failing", "never"):
        Source.objects.filter(name=name).update(enabled=False)
    assert client.get("/sante/").json()["status"] == "ok"
    call_command("check_sources", stdout=io.StringIO())  # no error: all enabled sources are fine


def test_the_sources_page_shows_licence_attribution_and_what_the_last_run_brought(client):
    source = register(
        "dokelio",
        "https://feeds.example.org/x.xml?token=SECRET",
        label="Défi métiers – DOKELIO",
        licence="Licence Ouverte 2.0",
        licence_url="https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        attribution="Défi métiers, Carif-Oref francilien",
    )
    run = run_of(source, SyncRun.Outcome.IMPORTED, hours_ago=2)
    run_of(source, SyncRun.Outcome.NOT_MODIFIED, hours_ago=1)

    page = client.get("/donnees/sources/").content.decode()
    assert 'id="source-dokelio"' in page and "Défi métiers – DOKELIO" in page
    assert 'href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">Licence Ouverte 2.0</a>' in page
    assert "Défi métiers, Carif-Oref francilien" in page
    assert f"le {run.started_at:%-d}" in page and "4 créés, 1 modifiés, 7 inchangés, 2 rejetés" in page
    assert "SECRET" not in page and "à jour" in page
    assert client.get("/ar/donnees/sources/").status_code == 200


def test_a_course_links_to_its_source_and_the_data_page_names_the_sources_of_its_files(client, feeds):
    register("dokelio", feeds.put("/lheo.xml", lheo("F1")), label="DOKELIO")
    call_command("sync_sources", "dokelio", stdout=io.StringIO())  # imports, then publishes
    course = Course.objects.get(source="dokelio")

    page = client.get(f"/cours/{course.pk}/").content.decode()
    assert 'href="/donnees/sources/#source-dokelio"' in page and "à propos de la source « DOKELIO »" in page
    data = client.get("/donnees/").content.decode()
    assert "DOKELIO (Licence Ouverte 2.0)" in data and 'href="/donnees/sources/"' in data
    assert client.get("/api/v1/exports/manifest.json").json()["sources"] == sources_summary()


def test_publication_without_a_registry_still_works():
    manifests = exports_publish()
    assert all(m["sources"] == [] for m in manifests.values())


def test_a_registry_file_loads_all_or_nothing_with_located_errors(tmp_path):
    good = tmp_path / "sources.toml"
    good.write_text(
        '[sources.a]\nlabel = "A"\nformat = "lheo"\nlocation = "feeds/a.xml"\nlicence = "LO 2.0"\n'
        'attribution = "A"\ncomplete = true\nowned_fields = ["name"]\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("load_sources", str(good), stdout=out)
    source = Source.objects.get(name="a")
    assert out.getvalue() == "ajoutée : a (A)\n" and source.location == str(tmp_path / "feeds" / "a.xml")
    assert source.complete and source.owned_fields == ["name"]

    bad = tmp_path / "bad.toml"
    bad.write_text(
        good.read_text().replace('"A"\nformat', '"A bis"\nformat')
        + '\n[sources.b]\nlabel = "B"\nformat = "pdf"\nlocation = "b"\nlicence = "x"\nattribution = "B"\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"\[sources\.b\] format : "):
        call_command("load_sources", str(bad), stdout=io.StringIO())
    assert Source.objects.get(name="a").label == "A" and not Source.objects.filter(name="b").exists()

    for text, said in [
        ('[sources.c]\nlabel = "C"\ncolour = "red"\n', r"\[sources\.c\] : clés inconnues : colour"),
        (
            '[sources.c]\nlabel = "C"\nformat = "lheo"\nlocation = "c"\nlicence = "x"\nattribution = "C"\n'
            'owned_fields = ["siret"]\n',
            r"owned_fields : Champs inconnus : siret",
        ),
        ("[sources.c\n", "bad.toml"),
    ]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError, match=said):
            call_command("load_sources", str(bad), stdout=io.StringIO())
