"""`sync_sources` against a local HTTP server: first sync imports every format; an unchanged feed transfers
nothing; a changed one updates; a 500, a timeout, a cut download and a cut file leave the data as it was and are
reported, and the other sources still sync; a course missing from K successive complete versions is withdrawn,
and comes back by hand or with the feed."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from cartolangue.moderation.models import ImportEvent
from cartolangue.offers import enums
from cartolangue.offers.models import Course, Structure
from cartolangue.sources.models import Absence, SyncRun, Withdrawal
from tests.sources.helpers import DI_SERVICES, DI_STRUCTURES, RESEAU_ALPHA, lheo, offer, register

pytestmark = pytest.mark.django_db


def sync(*names, force=False):
    out = io.StringIO()
    call_command("sync_sources", *names, *(["--force"] if force else []), "--no-publish", stdout=out)
    return out.getvalue()


def last_run(name):
    return SyncRun.objects.filter(source__name=name).order_by("-pk").first()


def test_a_first_sync_imports_every_format_and_a_second_transfers_nothing(feeds):
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")))
    register("alpha", feeds.put("/cartographie.json", RESEAU_ALPHA.read_bytes()), fmt="reseau-alpha")
    register(
        "inclusion",
        feeds.put("/services.json", DI_SERVICES.read_bytes()),
        fmt="data-inclusion",
        structures_location=feeds.put("/structures.json", DI_STRUCTURES.read_bytes()),
    )

    out = sync()  # none ran yet: all are due

    runs = {name: last_run(name) for name in ("dokelio", "alpha", "inclusion")}
    assert {n: r.outcome for n, r in runs.items()} == dict.fromkeys(runs, SyncRun.Outcome.IMPORTED)
    assert runs["dokelio"].report["created"] == 2 and Course.objects.filter(source="dokelio").count() == 2
    assert runs["alpha"].report["created"] == 6 and Course.objects.filter(source="alpha").count() == 6
    assert runs["inclusion"].report["created"] == 2 and runs["inclusion"].report["rejected"] == 3
    assert Course.objects.filter(source="inclusion").count() == runs["inclusion"].report["created"]
    assert "dokelio : Importé – 2 créés, 0 modifiés" in out
    assert all(r.http_status == 200 and r.bytes_read > 0 and len(r.file_hash) == 64 for r in runs.values())
    before = {name: offer(name) for name in runs}
    events = ImportEvent.objects.count()

    assert sync() == "Aucune source n'est due.\n"  # every 24 h by default
    sync("dokelio", "alpha", "inclusion")

    for name in runs:
        assert offer(name) == before[name]
    for name, path in (("dokelio", "/lheo.xml"), ("alpha", "/cartographie.json")):
        assert last_run(name).outcome == SyncRun.Outcome.NOT_MODIFIED
        second = feeds.hits(path)[-1]
        assert second.status == 304 and second.body_bytes == 0 and second.headers["If-None-Match"]
        assert second.headers["Accept-Encoding"] == "identity"
    # Two files (services and structures): both are read again (either may have changed), and their digest,
    # unchanged, says there is nothing to import.
    assert last_run("inclusion").outcome == SyncRun.Outcome.SAME_FILE
    assert [h.status for h in feeds.hits("/structures.json")] == [200, 200]
    assert "If-None-Match" not in feeds.hits("/services.json")[-1].headers
    assert ImportEvent.objects.count() == events


def test_a_changed_feed_updates_and_the_same_bytes_without_etag_are_not_imported_again(feeds):
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2"), etag=False))
    sync("dokelio")
    first = offer("dokelio")

    sync("dokelio")  # no ETag to ask with: downloaded again, same digest, not imported
    assert last_run("dokelio").outcome == SyncRun.Outcome.SAME_FILE and offer("dokelio") == first

    feeds.put("/lheo.xml", lheo("F1", "F2", objectif="Parler, lire et écrire"), etag=False)
    sync("dokelio")

    run = last_run("dokelio")
    assert run.outcome == SyncRun.Outcome.IMPORTED
    assert (run.report["created"], run.report["updated"]) == (0, 2)
    assert all("Parler, lire et écrire" in c[2] for c in offer("dokelio"))


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"fault": "500"}, "le serveur a répondu 500"),
        ({"fault": "slow"}, "délai dépassé"),
        ({"fault": "truncated"}, "tronqué"),
        ("cut-file", "lheo.xml"),  # a file cut short by its producer, served whole: the reader refuses it
    ],
    ids=["500", "timeout", "truncated-download", "truncated-file"],
)
def test_a_failed_download_or_file_leaves_the_data_unchanged_is_reported_and_the_others_go_on(feeds, fault, said):
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")))
    register("alpha", feeds.put("/cartographie.json", RESEAU_ALPHA.read_bytes()), fmt="reseau-alpha")
    sync("dokelio")
    before, structures = offer("dokelio"), Structure.objects.count()

    changed = lheo("F1", "F3", objectif="Tout autre chose")  # would change and withdraw, if it were read
    if fault == "cut-file":
        feeds.put("/lheo.xml", changed[: len(changed) * 2 // 3])
    else:
        feeds.put("/lheo.xml", changed, **fault)
    with pytest.raises(CommandError, match="Échec de synchronisation : dokelio"):
        sync("dokelio", "alpha")

    failed = last_run("dokelio")
    assert failed.outcome == SyncRun.Outcome.FAILED and said in failed.error
    assert failed.finished_at is not None and failed.report == {}
    assert offer("dokelio") == before and Structure.objects.count() >= structures
    assert not Course.objects.filter(source="dokelio", source_id__contains="F3").exists()
    assert last_run("alpha").outcome == SyncRun.Outcome.IMPORTED  # the other source was synced
    # The source still remembers the version it imported, so the next run asks for the file again.
    imported = SyncRun.objects.get(source__name="dokelio", outcome=SyncRun.Outcome.IMPORTED)
    failed.source.refresh_from_db()
    assert (failed.source.file_hash, failed.source.etag) == (imported.file_hash, feeds.hits("/lheo.xml")[0].etag)


def test_a_file_over_the_size_limit_is_refused(feeds, settings):
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")))
    settings.SOURCES_MAX_BYTES = 1_000
    with pytest.raises(CommandError):
        sync("dokelio")
    assert "trop gros" in last_run("dokelio").error and not Course.objects.filter(source="dokelio").exists()


def test_headers_come_from_the_environment_and_a_missing_variable_is_named(feeds, monkeypatch):
    register(
        "dokelio", feeds.put("/lheo.xml", lheo("F1")), headers_from_env={"Authorization": "CARTOLANGUE_SOURCE_DOKELIO"}
    )
    with pytest.raises(CommandError):
        sync("dokelio")
    assert "CARTOLANGUE_SOURCE_DOKELIO" in last_run("dokelio").error and not feeds.log

    monkeypatch.setenv("CARTOLANGUE_SOURCE_DOKELIO", "Bearer s3cret")
    sync("dokelio")
    assert feeds.hits("/lheo.xml")[-1].headers["Authorization"] == "Bearer s3cret"
    assert last_run("dokelio").outcome == SyncRun.Outcome.IMPORTED


def test_a_course_missing_from_k_complete_versions_is_withdrawn_then_restored(feeds, settings):
    settings.SOURCES_WITHDRAW_AFTER_RUNS = 3
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")), complete=True)
    sync("dokelio")
    gone = Course.objects.get(source="dokelio", name__endswith="F2")

    def version(n, fault=""):
        feeds.put("/lheo.xml", lheo("F1", objectif=f"Version {n}"), **({"fault": fault} if fault else {}))
        try:
            sync("dokelio")
        except CommandError:
            pass
        gone.refresh_from_db()

    version(1)
    assert gone.status == enums.PublicationStatus.PUBLISHED and Absence.objects.get(course=gone).runs == 1
    version(2, fault="500")  # a failed run confirms nothing
    version(2, fault="truncated")
    assert gone.status == enums.PublicationStatus.PUBLISHED and Absence.objects.get(course=gone).runs == 1
    version(2)
    assert gone.status == enums.PublicationStatus.PUBLISHED and Absence.objects.get(course=gone).runs == 2
    assert last_run("dokelio").report["absent_not_yet_withdrawn"] == 1
    version(3)

    assert gone.status == enums.PublicationStatus.ARCHIVED
    assert not Course.objects.public().filter(pk=gone.pk).exists()
    assert last_run("dokelio").withdrawn == 1 and not Absence.objects.exists()
    withdrawal = Withdrawal.objects.get(course=gone)
    assert withdrawal.previous_status == enums.PublicationStatus.PUBLISHED and withdrawal.run == last_run("dokelio")
    assert gone.history.first().change_set == f"retrait-{withdrawal.run_id}"

    out = io.StringIO()
    call_command("restore_withdrawn", str(gone.pk), stdout=out)
    gone.refresh_from_db()
    assert gone.status == enums.PublicationStatus.PUBLISHED and Withdrawal.objects.get().restored_at is not None
    with pytest.raises(CommandError, match="Aucun retrait en cours"):
        call_command("restore_withdrawn", str(gone.pk), stdout=io.StringIO())


def test_a_withdrawn_course_comes_back_with_the_feed_and_an_empty_feed_counts_nothing(feeds, settings):
    settings.SOURCES_WITHDRAW_AFTER_RUNS = 1
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")), complete=True)
    sync("dokelio")
    feeds.put("/lheo.xml", lheo("F1", objectif="sans F2"))
    sync("dokelio")
    gone = Course.objects.get(source="dokelio", name__endswith="F2")
    assert gone.status == enums.PublicationStatus.ARCHIVED

    feeds.put("/lheo.xml", lheo("F1", "F2", objectif="F2 revient"))
    sync("dokelio")
    gone.refresh_from_db()
    assert gone.status == enums.PublicationStatus.PUBLISHED and last_run("dokelio").restored == 1

    feeds.put("/lheo.xml", lheo())  # a valid file that lists nothing: broken upstream, not emptied
    sync("dokelio")
    assert last_run("dokelio").outcome == SyncRun.Outcome.IMPORTED
    assert Course.objects.public().filter(source="dokelio").count() == 2 and not Absence.objects.exists()


def test_a_feed_that_is_not_complete_withdraws_nothing(feeds, settings):
    settings.SOURCES_WITHDRAW_AFTER_RUNS = 1
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")))
    sync("dokelio")
    feeds.put("/lheo.xml", lheo("F1", objectif="sans F2"))
    sync("dokelio")
    assert Course.objects.public().filter(source="dokelio").count() == 2 and not Absence.objects.exists()


def test_the_source_that_owns_a_field_replaces_it_and_the_first_source_leaves_it(feeds):
    register("dokelio", feeds.put("/a.xml", lheo("F1")))
    register(
        "reseau",
        feeds.put("/b.xml", lheo("G1").replace("Association Lire Ensemble", "Lire Ensemble 95")),
        owned_fields=["name"],
    )
    sync("dokelio")
    structure = Structure.objects.get(siret="12345678901234")
    assert structure.name == "Association Lire Ensemble"

    sync("reseau")  # same SIRET: one structure, and this source owns its name
    structure.refresh_from_db()
    assert structure.name == "Lire Ensemble 95" and structure.sources.count() == 2

    feeds.put("/a.xml", lheo("F1", objectif="changé"))
    sync("dokelio")  # the structure's first source no longer writes the field another source owns
    structure.refresh_from_db()
    assert structure.name == "Lire Ensemble 95"


def test_staff_restore_a_withdrawn_course_from_the_admin_and_an_unknown_source_is_named(feeds, settings, admin_client):
    settings.SOURCES_WITHDRAW_AFTER_RUNS = 1
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2")), complete=True)
    sync("dokelio")
    feeds.put("/lheo.xml", lheo("F1", objectif="sans F2"))
    sync("dokelio")
    withdrawal = Withdrawal.objects.get()
    assert last_run("dokelio").withdrawn == 1

    response = admin_client.post(
        reverse("admin:sources_withdrawal_changelist"),
        {"action": "restore_selected", "_selected_action": [withdrawal.pk]},
        follow=True,
    )
    assert "1 cours rétablis." in response.content.decode()
    withdrawal.refresh_from_db()
    assert withdrawal.restored_at is not None and withdrawal.restored_by.is_staff
    assert withdrawal.course.status == enums.PublicationStatus.PUBLISHED

    with pytest.raises(CommandError, match="Source inconnue : nulle-part"):
        sync("dokelio", "nulle-part")


def test_a_header_may_only_read_a_source_variable_and_never_follows_a_redirection(feeds, monkeypatch, settings):
    monkeypatch.setenv("CARTOLANGUE_SOURCE_DOKELIO", "Bearer s3cret")
    bad = register("bad", feeds.put("/lheo.xml", lheo("F1")), headers_from_env={"X-Leak": "SECRET_KEY"})
    with pytest.raises(ValidationError, match="CARTOLANGUE_SOURCE_"):
        bad.full_clean()
    with pytest.raises(CommandError):
        sync("bad")
    assert "SECRET_KEY" in last_run("bad").error and not feeds.log  # nothing sent
    # A redirection would carry the secret header to another host: refused, and said.
    register(
        "moved",
        feeds.put("/moved.xml", b"", redirect=feeds.base + "/lheo.xml"),
        headers_from_env={"Authorization": "CARTOLANGUE_SOURCE_DOKELIO"},
    )
    with pytest.raises(CommandError):
        sync("moved")
    assert "redirection" in last_run("moved").error and [h.path for h in feeds.log] == ["/moved.xml"]


def test_a_local_source_must_be_under_the_sources_folder(settings, tmp_path):
    settings.SOURCES_LOCAL_ROOT = str(tmp_path / "sources")
    (tmp_path / "sources").mkdir()
    inside = tmp_path / "sources" / "offre.xml"
    inside.write_text(lheo("F1"), encoding="utf-8")
    register("here", str(inside))
    register("there", "/etc/passwd")
    with pytest.raises(CommandError, match="there"):
        sync("here", "there")
    assert last_run("here").outcome == SyncRun.Outcome.IMPORTED
    assert "hors du dossier des sources" in last_run("there").error


def test_a_version_that_lists_far_fewer_courses_withdraws_nothing(feeds, settings):
    settings.SOURCES_WITHDRAW_AFTER_RUNS = 1
    register("dokelio", feeds.put("/lheo.xml", lheo("F1", "F2", "F3", "F4")), complete=True)
    sync("dokelio")
    feeds.put("/lheo.xml", lheo("F1", objectif="export cassé"))  # 1 of 4: below half
    sync("dokelio")
    assert Course.objects.public().filter(source="dokelio").count() == 4 and not Absence.objects.exists()
    assert last_run("dokelio").report["absences_not_counted"] == "1 / 4"
    feeds.put("/lheo.xml", lheo("F1", "F2", "F3", objectif="F4 retiré"))  # 3 of 4: counted
    sync("dokelio")
    assert Course.objects.public().filter(source="dokelio").count() == 3


def test_a_rejected_record_still_lists_the_courses_that_carry_its_id():
    from cartolangue.sources.withdrawals import _listed

    assert _listed("F1-12-rue", set(), {"F1"}) and _listed("F1", set(), {"F1"}) and _listed("X", {"X"}, set())
    assert not _listed("F10-12-rue", set(), {"F1"}) and not _listed("F2-F1", set(), {"F1"})
