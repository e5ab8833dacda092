"""Backup and restore (issue #17, item 12), on the suite's database (SQLite, or PostgreSQL when DATABASE_URL
names it): `backup_db` then changes then `restore_db` gives back every table, row for row."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from cartolangue.offers.demo import demo_generate
from cartolangue.offers.models import Course
from cartolangue.ops.backup import table_digests

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_restored_backup_gives_back_every_table_row_for_row(tmp_path, capsys):
    demo_generate(courses=40, seed=1, reference_date=datetime.date(2026, 11, 27))
    Group.objects.create(name="coordination")
    before = table_digests()
    assert before["offers_course"][0] == 40 and before["geo_commune"][0] > 1000
    backup = tmp_path / "sauvegardes" / "carto-langue.backup"

    call_command("backup_db", str(backup))
    assert "Sauvegarde écrite" in capsys.readouterr().out
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]  # no partial file left beside it

    Course.objects.filter(pk__in=Course.objects.values("pk")[:10]).delete()
    Course.objects.update(name="changé")
    Group.objects.all().delete()
    Group.objects.create(name="après la sauvegarde")
    assert table_digests() != before

    call_command("restore_db", str(backup), "--noinput")
    assert table_digests() == before
    # The restored database takes new rows (PostgreSQL's sequences are restored with the rows).
    assert Group.objects.create(name="nouveau").pk > Group.objects.get(name="coordination").pk


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path):
    Group.objects.create(name="gardé")
    before = table_digests()
    bogus = tmp_path / "notes.txt"
    bogus.write_text("pas une sauvegarde\n")
    with pytest.raises(CommandError, match=r"notes\.txt : ce n'est pas une sauvegarde"):
        call_command("restore_db", str(bogus), "--noinput")
    with pytest.raises(CommandError, match=r"absent\.backup : fichier introuvable"):
        call_command("restore_db", str(tmp_path / "absent.backup"), "--noinput")
    assert table_digests() == before


def test_restore_asks_before_replacing_the_data(tmp_path, monkeypatch):
    backup = tmp_path / "b.backup"
    call_command("backup_db", str(backup))
    Group.objects.create(name="gardé")
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    with pytest.raises(CommandError, match="annulée"):
        call_command("restore_db", str(backup))
    assert Group.objects.filter(name="gardé").exists()
