"""Reads never wait for a writer (issue #17, item 3): on SQLite in WAL mode, while another connection holds
the write lock (as an import does for its whole transaction), pages, searches and the admin login answer at
once; requests that may write still run in one transaction (`cartolangue.ops.transactions`)."""

import shutil
import sqlite3

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tests.ops.servers import get, gunicorn

READ_PATHS = [
    "/territoires/",
    "/donnees/",
    "/?q=alphabetisation",
    "/?commune=95585&rayon=10",
    "/api/v1/courses?q=alphabetisation",
    "/admin/login/",
]


def test_reads_answer_at_once_while_another_connection_holds_the_write_lock(site_database, tmp_path):
    path = tmp_path / "site.sqlite3"
    shutil.copyfile(site_database.removeprefix("sqlite:///"), path)
    with gunicorn(f"sqlite:///{path}") as port:
        for read in READ_PATHS:  # warm: the workers' connections are open, their index built
            assert get(f"http://127.0.0.1:{port}{read}")[0] == 200, read
        writer = sqlite3.connect(path, isolation_level=None, timeout=1)
        try:
            assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # set by the server's connections
            writer.execute("BEGIN IMMEDIATE")  # the write lock, as an import's transaction holds it
            writer.execute("UPDATE offers_structure SET name = name")
            for _round in range(2):  # both workers
                for read in READ_PATHS:
                    status, _body, seconds = get(f"http://127.0.0.1:{port}{read}", timeout=5)
                    assert (status, read) == (200, read)
                    assert seconds < 2, f"{read} waited {seconds:.1f} s for the writer"
        finally:
            writer.execute("ROLLBACK")
            writer.close()


@pytest.mark.urls("tests.ops.urls")
@pytest.mark.django_db(transaction=True)
def test_a_get_runs_outside_any_transaction(client):
    response = client.get("/probe/")
    assert response.json() == {"in_transaction": False, "method": "GET"}
    assert client.head("/probe/").status_code == 200


@pytest.mark.urls("tests.ops.urls")
@pytest.mark.django_db(transaction=True)
def test_a_post_runs_in_one_transaction_committed_when_it_answers(client):
    response = client.post("/probe/", {"group": "kept"})
    assert response.json() == {"in_transaction": True, "method": "POST"}
    assert not connection.in_atomic_block
    assert Group.objects.filter(name="kept").exists()


@pytest.mark.urls("tests.ops.urls")
@pytest.mark.django_db(transaction=True)
def test_a_post_that_fails_leaves_nothing_written(client):
    client.raise_request_exception = False
    assert client.post("/probe/", {"group": "half-written", "fail": "raise"}).status_code == 500
    assert client.post("/probe/", {"group": "also-half", "fail": "500"}).status_code == 500
    assert not Group.objects.filter(name__in=["half-written", "also-half"]).exists()
    assert client.post("/probe/", {"group": "then-kept"}).status_code == 200
    assert Group.objects.filter(name="then-kept").exists()


@pytest.mark.urls("tests.ops.urls")
@pytest.mark.django_db(transaction=True)
def test_a_view_marked_non_atomic_runs_without_the_request_transaction(client):
    assert client.post("/probe-non-atomic/").json() == {"in_transaction": False, "method": "POST"}


def test_sqlite_connections_use_wal_and_the_recommended_sync_level(tmp_path):
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("WAL is SQLite's")
    database = sqlite3.connect(tmp_path / "probe.sqlite3", isolation_level=None)
    for command in options["init_command"].split(";"):
        if command.strip():
            database.execute(command)
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    database.close()
