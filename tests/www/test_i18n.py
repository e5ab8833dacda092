import subprocess

import pytest

from tests.conftest import ROOT

LANGUAGES = ["en", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(["msgattrib", flag, str(po)], capture_output=True, text=True, check=True).stdout
        msgids = [line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
        assert msgids == [], f"{language} {flag}: {msgids[:5]}"
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True, capture_output=True)
    assert "à faire relire par un locuteur natif" in po.read_text(encoding="utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "title", "label"),
    [
        ("", "Trouver un cours de français", "Commune, code postal"),
        ("/en", "Find a French course", None),
        ("/ar", "ابحث عن درس لغة فرنسية", None),
    ],
)
def test_search_page_in_each_language(client, prefix, title, label):
    html = client.get(f"{prefix}/?commune=95585").content.decode()
    assert f"<h1>{title}</h1>" in html
    if label:
        assert label in html
    # Referential labels are translated too; data stays as entered.
    if prefix == "/en":
        assert "Literacy" in html or "literacy" in html
