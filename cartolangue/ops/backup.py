"""Backing up and restoring the database, on SQLite and on PostgreSQL, while the site runs.

SQLite: the online backup API of sqlite3 (`Connection.backup`), in one step, so the copy is one consistent
snapshot; in WAL mode it never blocks the site's readers, and an import running meanwhile is either wholly
in it or not at all. Restoring copies the backup into the live database with the same API, under the write
lock: other connections see the old data or the new, never a mix.
PostgreSQL: `pg_dump -Fc` (custom format, compressed, one consistent snapshot) and `pg_restore --clean
--if-exists --single-transaction`, so a failed restore changes nothing.

A backup is written to a temporary file beside its target and renamed at the end: an interrupted backup never
leaves a truncated file under the expected name. `table_digests` gives each table's row count and a digest of
its rows, to check a restore (tests/ops/test_backup.py) or compare two databases.
"""

import hashlib
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of pg_dump's custom format


def backup_database(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write a backup of the database to `path` (replaced if it exists)."""
    connection = connections[using]
    with _written_atomically(Path(path)) as partial:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)  # pages=-1: every page in one step, one snapshot
            finally:
                target.close()
        elif connection.vendor == "postgresql":
            _run_pg("pg_dump", connection.settings_dict, ["--format=custom", "--no-owner", "--file", str(partial)])
        else:
            raise CommandError(_("Base de données non prise en charge : %(vendor)s") % {"vendor": connection.vendor})


def restore_database(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the database's content with the backup at `path`; on failure, nothing is changed."""
    path = Path(path)
    connection = connections[using]
    magic = SQLITE_MAGIC if connection.vendor == "sqlite" else PG_DUMP_MAGIC
    _check_backup_file(path, magic)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(_("%(path)s : sauvegarde endommagée (PRAGMA integrity_check)") % {"path": path})
            connection.close()  # no transaction of ours may hold the database during the copy
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # pg_restore works in its own session
        _run_pg(
            "pg_restore",
            connection.settings_dict,
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", str(path)],
        )


def table_digests(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, tuple[int, str]]:
    """{table: (rows, SHA-256 of its rows in primary-key order)} for every table of the database."""
    connection = connections[using]
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            keys = connection.introspection.get_primary_key_columns(cursor, table) or []
            order = ", ".join(connection.ops.quote_name(key) for key in keys) or "1"
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {order}")
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(repr(tuple(row)).encode())
                rows += len(batch)
            digests[table] = (rows, digest.hexdigest())
    return digests


def _check_backup_file(path: Path, magic: bytes) -> None:
    if not path.is_file():
        raise CommandError(_("%(path)s : fichier introuvable") % {"path": path})
    with open(path, "rb") as backup:
        if backup.read(len(magic)) != magic:
            raise CommandError(
                _("%(path)s : ce n'est pas une sauvegarde de cette base de données (%(expected)s attendu)")
                % {"path": path, "expected": "SQLite" if magic == SQLITE_MAGIC else "pg_dump -Fc"}
            )


@contextmanager
def _written_atomically(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed to `path` if the block succeeds, removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _run_pg(program: str, settings: dict, arguments: list[str]) -> None:
    """pg_dump / pg_restore on the database of these Django settings; its error, if any, as a CommandError."""
    env = {**os.environ}
    command = [program, "--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]  # not on the command line, which other users can read
    try:
        done = subprocess.run([*command, *arguments], env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        message = _("%(program)s introuvable : installez postgresql-client") % {"program": program}
        raise CommandError(message) from error
    if done.returncode:
        raise CommandError(f"{program} : {done.stderr.strip()}")
