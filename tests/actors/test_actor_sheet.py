"""The workbook's "Acteurs" sheet: in the template with its drop-down lists, read by `import_actors tableur`
(labels or values, located rejections, covered communes), idempotent; and the labelled demo actors."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from cartolangue.actors.demo import DEMO_KINDS, demo_actors
from cartolangue.actors.enums import ActorKind, Scheme
from cartolangue.actors.importers import import_actors
from cartolangue.actors.models import Actor
from cartolangue.interop.spreadsheet.actor_sheet import ACTORS
from cartolangue.interop.spreadsheet.template import template_workbook
from cartolangue.offers.enums import Audience

pytestmark = pytest.mark.django_db

ROWS = [
    # identifiant, type, nom, SIRET, adresse, CP, INSEE, lat, lon, tél, courriel, site, horaires,
    # public 1-3, dispositif 1-3, communes couvertes, rayon
    ["PLIE1", "PLIE", "PLIE Argenteuil-Bezons", "", "12 rue de la Paix", "95100", "95018", None, None,
     "01 30 00 00 00", "plie@example.org", "https://plie.example.org", "lun.-ven. 9 h-17 h",
     "Demandeurs d'emploi", "beneficiaires-rsa", "", "Accompagnement PLIE", "", "", "95018 ; 95063", 8],
    ["CCAS1", "CCAS / CIAS", "CCAS de Sarcelles", "", "", "", "95585", 48.99, 2.38,
     "", "", "", "", "", "", "", "", "", "", "", None],
    ["BAD1", "Pâtisserie", "Un type inconnu", "", "", "", "95585", None, None,
     "", "", "", "", "", "", "", "", "", "", "", None],
    ["BAD2", "PLIE", "", "", "", "", "95585", None, None, "", "", "", "", "", "", "", "", "", "", "", None],
    ["BAD3", "PLIE", "Commune couverte inconnue", "", "", "", "95585", None, None,
     "", "", "", "", "", "", "", "", "", "", "99999", None],
]  # fmt: skip


def workbook(tmp_path, rows=ROWS):
    wb = template_workbook()
    ws = wb[str(ACTORS.title)]
    for row in rows:
        ws.append(row)
    path = tmp_path / "acteurs.xlsx"
    wb.save(path)
    return path


def test_the_template_has_the_sheet_with_its_drop_down_lists(tmp_path):
    wb = openpyxl.load_workbook(workbook(tmp_path, rows=[]))
    ws = wb[str(ACTORS.title)]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Identifiant acteur", "Type d'acteur", "Nom de l'acteur"]
    assert len(headers) == len(ROWS[0])
    formulas = {str(v.sqref).split(":")[0]: v.formula1 for v in ws.data_validations.dataValidation}
    assert "Listes" in formulas["B2"]  # the kind is picked from its list
    listes = [c.value for c in wb["Listes"][1]]
    assert "Type d'acteur" in listes and "Dispositif" in listes


def test_rows_become_actors_and_bad_rows_are_rejected_with_their_line(tmp_path):
    path = workbook(tmp_path)
    out = io.StringIO()
    call_command("import_actors", "tableur", str(path), stdout=out)
    report = out.getvalue()
    plie = Actor.objects.get(source="tableur-acteurs", source_id="PLIE1")
    assert plie.kind == ActorKind.PLIE and plie.reach_km == 8
    assert plie.publics == [Audience.JOB_SEEKERS, Audience.RSA]  # a label and a value, both understood
    assert plie.schemes == [Scheme.PLIE]
    assert sorted(plie.covered_communes.values_list("code_insee", flat=True)) == ["95018", "95063"]
    assert plie.location_is_approximate  # no coordinates: the commune's centre
    ccas = Actor.objects.get(source_id="CCAS1")
    assert (ccas.latitude, ccas.longitude, ccas.location_is_approximate) == (48.99, 2.38, False)
    assert ccas.publics and ccas.schemes  # empty cells: the kind's defaults
    assert Actor.objects.filter(source="tableur-acteurs").count() == 2
    assert "acteurs.xlsx, feuille « Acteurs », ligne 4" in report and "Pâtisserie" in report
    assert "ligne 5" in report and "Nom de l'acteur" in report
    assert "ligne 6" in report and "99999" in report
    again = import_actors("tableur", path)
    assert again.counts["unchanged"] == 2 and not again.counts["created"] and not again.counts["updated"]


def test_a_workbook_without_the_sheet_is_refused_whole(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Cours"
    path = tmp_path / "autre.xlsx"
    wb.save(path)
    with pytest.raises(Exception, match="pas de feuille « Acteurs »"):
        import_actors("tableur", path)
    assert not Actor.objects.exists()


def test_demo_actors_fill_the_kinds_no_open_file_gives_and_say_so(client):
    count = demo_actors()
    assert count == sum(DEMO_KINDS.values())
    assert demo_actors() == count and Actor.objects.filter(source="demo").count() == count  # replaced, not added
    kinds = set(Actor.objects.filter(source="demo").values_list("kind", flat=True))
    assert kinds == set(DEMO_KINDS)
    actor = Actor.objects.filter(source="demo").first()
    assert "démonstration" in actor.name and not actor.phone and actor.location_is_approximate
    page = client.get(f"/acteurs/{actor.pk}/").content.decode()
    assert "Données de démonstration" in page
    listing = client.get(f"/?onglet=accompagnement&commune={actor.commune.code_insee}").content.decode()
    assert "Données de démonstration" in listing
