"""JSON too deeply nested for the parser ('[' * 100000) is refused like any other bad file: one located line,
nothing stored, by every JSON importer."""

import io

import pytest
from django.core.management import CommandError, call_command

from cartolangue.offers.models import Course


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["import_reseau_alpha", "import_data_inclusion"])
def test_deeply_nested_json_is_one_located_line(tmp_path, command):
    path = tmp_path / "nested.json"
    path.write_text('{"structures":\n  ' + "[" * 100_000, encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command(command, str(path), stdout=io.StringIO(), stderr=io.StringIO())

    # The 100th bracket opens the 101st level: line 2, after two spaces of indentation and 99 brackets.
    assert str(exc.value) == f"{path} : JSON trop imbriqué, ligne 2, colonne 102 : plus de 100 niveaux"
    assert Course.objects.count() == 0


@pytest.mark.django_db
def test_nesting_count_skips_brackets_inside_strings(tmp_path):
    path = tmp_path / "structures.json"
    path.write_text('[{"nom": "' + "[" * 500 + '\\"["}, ' + "[" * 100_000, encoding="utf-8")

    with pytest.raises(CommandError) as exc:
        call_command("import_data_inclusion", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    # '[{"nom": "' (10 characters), 500 brackets in the string, '\\"["}, ' (7), then the 100th '[' is level 101.
    column = 10 + 500 + 7 + 100
    assert str(exc.value) == f"{path} : JSON trop imbriqué, ligne 1, colonne {column} : plus de 100 niveaux"
