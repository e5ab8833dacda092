import csv
from pathlib import Path

import pytest
from data_inclusion.schema.v1 import Public
from django.utils import translation

from cartolangue.offers import enums
from cartolangue.offers.models import Certification

TEST_DATA = Path(__file__).resolve().parents[1] / "data"  # real files, provenance in tests/data/


def test_audiences_reuse_every_data_inclusion_public_with_its_label():
    ours = dict(enums.Audience.choices)
    with translation.override("fr"):
        for public in Public:
            assert public.value in ours, public
            assert str(ours[public.value]) == public.label


def test_our_audiences_fold_into_a_data_inclusion_public():
    di_values = {p.value for p in Public}
    for audience in enums.Audience:
        if audience.value not in di_values:
            assert audience in enums.AUDIENCE_TO_DI_PUBLIC, audience


def test_reseau_alpha_vocabulary_is_mapped():
    with (TEST_DATA / "reseau_alpha" / "reseau-alpha-vocabulaire.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keys = {r["categorie"]: set() for r in rows}
    for r in rows:
        if r["cle_front_mckgl"]:
            keys[r["categorie"]].add(r["cle_front_mckgl"])
    assert keys["competences_linguistiques_visees"] == set(enums.RESEAU_ALPHA_CECRL)
    assert keys["criteres_scolarisation"] == set(enums.RESEAU_ALPHA_SCHOOLING)
    assert keys["publics_specifiques"] - {"PUBLIC_MINORITES_GENRE"} == set(enums.RESEAU_ALPHA_AUDIENCES)


def test_lheo_funder_codes_cover_the_dictionary():
    with (TEST_DATA / "lheo" / "lheo-2.3-dictionnaire-financeurs.csv").open(encoding="utf-8") as fh:
        codes = {r["code"] for r in csv.DictReader(fh) if r["dict"] == "dict-financeurs"}
    codes.discard("1")  # "Code(s) obsolète(s)"
    assert set(enums.LHEO_FUNDER_CODES.values()) == codes
    assert len(set(enums.LHEO_FUNDER_CODES.values())) == len(enums.LHEO_FUNDER_CODES)
    assert set(enums.Funder) - set(enums.LHEO_FUNDER_CODES) == {enums.Funder.CPF}


def test_cecrl_levels_are_ordered():
    assert [level.label for level in sorted(enums.CecrlLevel)] == ["A1.1", "A1", "A2", "B1", "B2", "C1", "C2"]


@pytest.mark.django_db
def test_certifications_referential():
    codes = set(Certification.objects.values_list("code", flat=True))
    assert {
        "dilf",
        "delf-a1",
        "delf-a2",
        "delf-b1",
        "delf-b2",
        "dalf-c1",
        "dalf-c2",
        "dcl-fle",
        "tcf-irn",
        "tcf-anf",
        "tcf-tp",
        "tef-irn",
        "clea",
    } <= codes
    assert Certification.objects.get(code="delf-b2").level == enums.CecrlLevel.B2
    assert Certification.objects.get(code="tcf-irn").level is None
