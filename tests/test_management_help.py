"""`manage.py COMMAND --help` works for every command of the project (a lazy help string once made argparse
raise TypeError for the JSON importers)."""

from pathlib import Path

import pytest
from django.core.management import ManagementUtility, get_commands, load_command_class

import cartolangue

OURS = sorted(name for name, app in get_commands().items() if app.startswith("cartolangue."))


def test_the_project_commands_are_all_found():
    files = {p.stem for p in Path(cartolangue.__file__).parent.glob("*/management/commands/*.py")} - {"__init__"}
    assert set(OURS) == files


@pytest.mark.parametrize("name", OURS)
def test_help_of_every_command(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", name, "--help"]).execute()

    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: manage.py {name}")
    # The description is printed, whitespace refilled by argparse.
    description = " ".join(str(load_command_class(get_commands()[name], name).help).split())
    assert description[:40] in " ".join(text.split())
