import subprocess

import pytest

from cartolangue.flyers.content import flyer_msgids
from cartolangue.flyers.languages import FLYER_LANGUAGES
from tests.conftest import ROOT


def catalogue(language):
    locale = language.django_code.replace("-hans", "_Hans")
    return ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("code", [c for c in FLYER_LANGUAGES if c != "fr"])
def test_every_flyer_text_is_translated_and_marked_for_review(code):
    po = catalogue(FLYER_LANGUAGES[code])
    out = subprocess.run(
        ["msgattrib", "--translated", "--no-fuzzy", str(po)], capture_output=True, text=True, check=True
    )
    translated = set()
    msgid, in_msgid = [], False
    for line in out.stdout.splitlines():
        if line.startswith("msgid "):
            msgid, in_msgid = [line[7:-1]], True
        elif line.startswith('"') and in_msgid:
            msgid.append(line[1:-1])
        else:
            if in_msgid:
                translated.add("".join(msgid).replace('\\"', '"'))
            in_msgid = False
    missing = flyer_msgids() - translated
    assert not missing, f"{code}: {sorted(missing)[:5]}"
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True, capture_output=True)
    assert '"X-Review-Status: à faire relire par un locuteur natif\\n"' in po.read_text(encoding="utf-8")


def test_the_flyer_texts_are_all_there():
    assert len(flyer_msgids()) == 27  # 12 texts, 5 groups, 7 weekdays, 3 kinds of local contact
