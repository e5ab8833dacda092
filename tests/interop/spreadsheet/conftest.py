import io

import pytest
from django.core.management import call_command


@pytest.fixture
def template(db, tmp_path):
    """The empty template, written by the command."""
    path = tmp_path / "modele.xlsx"
    call_command("spreadsheet_template", str(path), stdout=io.StringIO())
    return path
