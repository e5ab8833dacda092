import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cartolangue.interop.lheo.conventions import parse_lheo_date
from cartolangue.offers.models import Course, Place, Session, Structure

LHEO23 = "http://lheo.gouv.fr/2.3"
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "lheo"  # real files, provenance in tests/data/


def run(path, *args, **options):
    out = io.StringIO()
    call_command("import_lheo", str(path), *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def report_of(path, tmp_path, *args):
    report = tmp_path / "report.json"
    run(path, *args, report_json=str(report))
    return json.loads(report.read_text())


def lheo_file(tmp_path, formations, ns=LHEO23, name="offre.xml", prolog=""):
    path = tmp_path / name
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<lheo xmlns="{ns}"><offres>{formations}</offres></lheo>',
        encoding="utf-8",
    )
    return path


def formation(
    numero="F1",
    formacode="15235",
    title="FLE A2 à Sarcelles",
    insee="95585",
    post_code="95200",
    city="Sarcelles",
    geo="<geolocalisation><latitude>48.9956</latitude><longitude>2.3808</longitude></geolocalisation>",
    objectif="Parler au quotidien",
    debut="20260901",
    fin="20270630",
    siret="12345678901234",
    extra_action="",
):
    return f"""
<formation numero="{numero}">
 <domaine-formation><code-FORMACODE ref="V14">{formacode}</code-FORMACODE></domaine-formation>
 <intitule-formation>{title}</intitule-formation>
 <objectif-formation>{objectif}</objectif-formation>
 <resultats-attendus>-</resultats-attendus>
 <contenu-formation>-</contenu-formation>
 <certifiante>0</certifiante>
 <contact-formation><coordonnees><nom>Diallo</nom><prenom>Awa</prenom>
   <telfixe><numtel>01 39 00 00 00</numtel></telfixe><courriel>awa@example.org</courriel></coordonnees>
 </contact-formation>
 <parcours-de-formation>1</parcours-de-formation>
 <code-niveau-entree>3</code-niveau-entree>
 <action numero="A-{numero}" datemaj="20261015">
  <rythme-formation>2 matinées par semaine</rythme-formation>
  <code-public-vise ref="V14">81023</code-public-vise>
  <code-public-vise ref="V14">81018</code-public-vise>
  <niveau-entree-obligatoire>0</niveau-entree-obligatoire>
  <modalites-alternance>-</modalites-alternance>
  <modalites-enseignement>1</modalites-enseignement>
  <conditions-specifiques>-</conditions-specifiques>
  <prise-en-charge-frais-possible>1</prise-en-charge-frais-possible>
  <lieu-de-formation><coordonnees><adresse numero="L-{numero}">
   <ligne>12 avenue du 8 mai 1945</ligne><codepostal>{post_code}</codepostal><ville>{city}</ville>
   <code-INSEE-commune>{insee}</code-INSEE-commune>{geo}
  </adresse></coordonnees></lieu-de-formation>
  <modalites-entrees-sorties>1</modalites-entrees-sorties>
  <session numero="S-{numero}">
   <periode><debut>{debut}</debut><fin>{fin}</fin></periode>
   <adresse-inscription><adresse><ligne>-</ligne><codepostal>{post_code}</codepostal><ville>{city}</ville></adresse>
   </adresse-inscription>
   <etat-recrutement>1</etat-recrutement>
  </session>
  <prix-total-TTC>0</prix-total-TTC>
  <nombre-heures-total>120</nombre-heures-total>
  <organisme-financeur><code-financeur>20</code-financeur></organisme-financeur>
  <organisme-financeur><code-financeur>2</code-financeur></organisme-financeur>
  {extra_action}
 </action>
 <organisme-formation-responsable numero="OF-1">
  <numero-activite>11950000000</numero-activite>
  <SIRET-organisme-formation><SIRET>{siret}</SIRET></SIRET-organisme-formation>
  <nom-organisme>Association Lire Ensemble</nom-organisme>
  <raison-sociale>Association Lire Ensemble</raison-sociale>
  <coordonnees-organisme><coordonnees><courriel>contact@lire.example.org</courriel>
   <web><urlweb>lire.example.org</urlweb></web></coordonnees></coordonnees-organisme>
  <contact-organisme><coordonnees><nom>Accueil</nom></coordonnees></contact-organisme>
 </organisme-formation-responsable>
</formation>"""


# --- mapping ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_language_formation_is_mapped_field_by_field(tmp_path):
    path = lheo_file(
        tmp_path,
        formation(
            objectif="&lt;p&gt;Parler &lt;b&gt;au quotidien&lt;/b&gt;&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;"
        ),
    )
    report = report_of(path, tmp_path)
    assert (report["created"], report["rejected"], report["filtered"], report["warnings"]) == (1, 0, 0, [])
    course = Course.objects.get(source="lheo", source_id="A-F1")
    assert course.name == "FLE A2 à Sarcelles"
    # Escaped HTML is decoded and sanitised into plain text: no markup, no script.
    assert course.description == "Parler au quotidien\n\nRythme : 2 matinées par semaine"
    assert course.course_type == "fle"
    assert course.modality == "hybride"
    assert course.is_free is True and course.cost_amount is None
    assert course.total_hours == 120
    assert course.formacode == "15235"
    # code-niveau-entree 3 is a qualification level, never a CECRL level.
    assert (course.cecrl_level_target, course.entry_level_oral, course.entry_level_written) == (None, None, None)
    assert sorted(course.audiences.values_list("audience", "mode")) == [
        ("femmes", "prioritaire"),
        ("signataires-cir", "prioritaire"),
    ]
    assert sorted(course.funders.values_list("funder", flat=True)) == ["ofii", "region"]
    assert (course.contact_name, course.contact_phone, course.contact_email) == (
        "Awa Diallo",
        "01 39 00 00 00",
        "awa@example.org",
    )
    assert course.places_available is True
    assert timezone.localtime(course.updated_at).date() == date(2026, 10, 15)
    session = course.sessions.get()
    assert (session.source_id, session.starts_on, session.ends_on, session.recruitment_status) == (
        "S-F1",
        date(2026, 9, 1),
        date(2027, 6, 30),
        "ouvert",
    )
    place = course.place
    assert (place.commune.code_insee, place.post_code, place.address) == ("95585", "95200", "12 avenue du 8 mai 1945")
    assert (place.latitude, place.longitude, place.location_is_approximate) == (48.9956, 2.3808, False)
    structure = course.structure
    assert (structure.name, structure.siret, structure.website, structure.kind) == (
        "Association Lire Ensemble",
        "12345678901234",
        "https://lire.example.org",
        "organisme-formation",
    )
    assert "sarcelles" in course.search_text


@pytest.mark.django_db
def test_a_place_without_coordinates_gets_its_commune_centre_flagged(tmp_path):
    path = lheo_file(tmp_path, formation(geo=""))
    report = report_of(path, tmp_path)
    place = Place.objects.get(source="lheo")
    assert place.location_is_approximate is True
    assert (place.latitude, place.longitude) == (place.commune.latitude, place.commune.longitude)
    assert report["warnings"][0]["reason"] == "lieu sans coordonnées : placé au centre de Sarcelles"


@pytest.mark.django_db
def test_partial_and_unknown_dates_follow_lheo_conventions(tmp_path):
    path = lheo_file(tmp_path, formation(debut="20260900", fin="99999999"))
    report = report_of(path, tmp_path)
    session = Session.objects.get(source="lheo")
    assert (session.starts_on, session.ends_on) == (date(2026, 9, 1), None)
    assert [w["reason"] for w in report["warnings"]] == [
        "session S-F1 : date partielle 20260900 lue comme le 2026-09-01"
    ]


@pytest.mark.parametrize(
    ("raw", "end", "expected"),
    [
        ("20260915", False, (date(2026, 9, 15), False)),
        ("00000000", False, (None, False)),
        ("99999999", True, (None, False)),
        ("20260200", True, (date(2026, 2, 28), True)),
        ("20260000", False, (date(2026, 1, 1), True)),
        ("20260000", True, (date(2026, 12, 31), True)),
    ],
)
def test_lheo_dates(raw, end, expected):
    assert parse_lheo_date(raw, end=end) == expected


@pytest.mark.parametrize("raw", ["2026-09-15", "20261341", "abc", ""])
def test_lheo_dates_refuse_what_is_not_one(raw):
    with pytest.raises(ValueError):
        parse_lheo_date(raw)


# --- territory: repaired or rejected, never silently placed elsewhere ------------------------------------------


@pytest.mark.django_db
def test_an_unknown_insee_code_is_repaired_from_the_post_code_and_said(tmp_path):
    path = lheo_file(tmp_path, formation(insee="95999"))
    report = report_of(path, tmp_path)
    assert report["created"] == 1
    assert Place.objects.get(source="lheo").commune.code_insee == "95585"
    assert report["warnings"][0]["reason"] == (
        "code commune « 95999 » inconnu ou hors territoire, "
        "commune retrouvée par code postal et ville : 95585 Sarcelles"
    )


@pytest.mark.django_db
def test_coordinates_far_from_the_commune_are_replaced_by_its_centre(tmp_path):
    geo = "<geolocalisation><latitude>43.6</latitude><longitude>1.44</longitude></geolocalisation>"
    report = report_of(lheo_file(tmp_path, formation(geo=geo)), tmp_path)
    place = Place.objects.get(source="lheo")
    assert place.location_is_approximate is True
    assert (
        report["warnings"][0]["reason"] == "coordonnées à 603 km de Sarcelles, remplacées par le centre de la commune"
    )


@pytest.mark.django_db
def test_a_course_outside_the_territories_is_left_out_apart_from_errors_and_the_rest_imported(tmp_path):
    outside = formation(numero="F2", insee="29233", post_code="29391", city="QUIMPERLÉ", geo="")
    path = lheo_file(tmp_path, formation() + outside + formation(numero="F3"))
    report = report_of(path, tmp_path)
    assert (report["created"], report["rejected"], report["rejections"]) == (2, 0, [])
    assert report["outside_territory"] == [
        {
            "record_id": "A-F2",
            "location": "ligne 62",
            "reason": "hors Île-de-France (code INSEE « 29233 », code postal « 29391 », ville « QUIMPERLÉ »)",
        }
    ]
    assert sorted(Course.objects.values_list("source_id", flat=True)) == ["A-F1", "A-F3"]


# --- filtering by Formacode -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_language_formacodes_are_kept_and_the_list_can_be_overridden(tmp_path):
    path = lheo_file(tmp_path, formation() + formation(numero="F2", formacode="22403", title="Développeur web"))
    report = report_of(path, tmp_path)
    assert (report["created"], report["filtered"]) == (1, 1)
    assert report["filtered_reasons"] == {"Formacode 22403 hors offre linguistique": 1}

    codes = tmp_path / "codes.csv"
    codes.write_text("formacode_v14,selected,libelle\n22403,TRUE,Web\n15235,FALSE,FLE\n", encoding="utf-8")
    report = report_of(path, tmp_path, "--formacodes", str(codes), "--source", "autre")
    assert (report["created"], report["filtered"]) == (1, 1)
    assert Course.objects.get(source="autre").name == "Développeur web"


# --- shared behaviour ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = lheo_file(tmp_path, formation() + formation(numero="F2"))
    run(path)
    before = list(Course.objects.order_by("pk").values())
    report = report_of(path, tmp_path)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    assert list(Course.objects.order_by("pk").values()) == before
    assert Structure.objects.filter(source="lheo").count() == 1


@pytest.mark.django_db
def test_a_changed_record_is_updated(tmp_path):
    run(lheo_file(tmp_path, formation()))
    report = report_of(lheo_file(tmp_path, formation(title="FLE B1 à Sarcelles", fin="20270701")), tmp_path)
    assert (report["created"], report["updated"]) == (0, 1)
    course = Course.objects.get(source="lheo")
    assert course.name == "FLE B1 à Sarcelles"
    assert course.sessions.get().ends_on == date(2027, 7, 1)


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    output = run(lheo_file(tmp_path, formation()), "--dry-run")
    assert "1 créé(s)" in output and "Essai à blanc : rien n'a été enregistré." in output
    assert not Course.objects.filter(source="lheo").exists()
    assert not Structure.objects.filter(source="lheo").exists()


@pytest.mark.django_db
def test_a_structure_with_the_same_siret_as_another_source_is_one_structure(tmp_path):
    from tests.factories import StructureFactory

    known = StructureFactory(source="reseau-alpha", source_id="ra-1", siret="12345678901234", name="Lire Ensemble")
    report = report_of(lheo_file(tmp_path, formation()), tmp_path)
    course = Course.objects.get(source="lheo")
    assert course.structure == known
    assert sorted(known.sources.values_list("source", "source_id")) == [("lheo", "OF-1")]
    assert report["structures_merged"][0]["record_id"] == "OF-1"
    # The first source keeps authority over the name; the second one is found again next time.
    known.refresh_from_db()
    assert known.name == "Lire Ensemble"
    assert report_of(lheo_file(tmp_path, formation()), tmp_path)["unchanged"] == 1


# --- bad files ---------------------------------------------------------------------------------------------


def _one_line_error(path):
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.django_db
def test_a_syntax_error_late_in_the_file_stores_nothing(tmp_path):
    path = lheo_file(tmp_path, formation() + "<formation><oops></formation>")
    message = _one_line_error(path)
    assert "offre.xml, ligne" in message and "XML illisible" in message
    assert not Course.objects.filter(source="lheo").exists()
    assert not Structure.objects.filter(source="lheo").exists()


@pytest.mark.django_db
def test_wrong_namespace_and_wrong_root_are_refused(tmp_path):
    message = _one_line_error(lheo_file(tmp_path, formation(), ns="http://example.org/lheo"))
    assert "espace de noms « http://example.org/lheo » inconnu" in message
    other = tmp_path / "autre.xml"
    other.write_text("<catalogue><formation/></catalogue>", encoding="utf-8")
    assert "élément racine <catalogue>, ce n'est pas un fichier LHEO" in _one_line_error(other)
    empty = tmp_path / "vide.xml"
    empty.write_bytes(b"")
    assert "vide.xml" in _one_line_error(empty)
    assert "fichier introuvable" in _one_line_error(tmp_path / "absent.xml")


XXE = '<!DOCTYPE lheo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE lheo [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
NETWORK_DTD = '<!DOCTYPE lheo [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'


@pytest.mark.django_db
@pytest.mark.parametrize(("prolog", "entity"), [(XXE, "&xxe;"), (LAUGHS, "&lol3;"), (NETWORK_DTD, "")])
def test_hostile_xml_is_refused_never_resolved(tmp_path, prolog, entity):
    path = lheo_file(tmp_path, formation(title=f"FLE {entity}"), prolog=prolog)
    message = _one_line_error(path)
    assert "DTD interne refusée" in message
    assert not Course.objects.filter(source="lheo").exists()


@pytest.mark.django_db
def test_an_undeclared_entity_is_a_syntax_error_not_a_lookup(tmp_path):
    path = lheo_file(tmp_path, formation(title="FLE &xxe;"))
    assert "XML illisible" in _one_line_error(path)


# --- the real files of tests/data/lheo --------------------------------------------------------------------


@pytest.mark.django_db
def test_anotea_file_is_filtered_out_and_its_schema_defects_are_named(tmp_path):
    report = report_of(EXAMPLES / "anotea-intercarif-data-test-lheo-2.2.xml", tmp_path)
    assert (report["created"], report["rejected"], report["filtered"]) == (0, 0, 1)
    assert report["filtered_reasons"] == {"Formacode 22403 hors offre linguistique": 1}
    assert [(w["location"], w["reason"]) for w in report["warnings"]] == [
        (
            "ligne 14",
            "non conforme au schéma LHEO 2.2 : Element 'coordonneFs': This element is not expected. "
            "Expected is one of ( type-contact, coordonnees ).",
        ),
        (
            "ligne 434",
            "non conforme au schéma LHEO 2.2 : Element 'SIRET': [facet 'maxLength'] The value has a length of "
            "'15'; this exceeds the allowed maximum length of '14'.",
        ),
        (
            "ligne 521",
            "non conforme au schéma LHEO 2.2 : Element 'SIRET': [facet 'maxLength'] The value has a length of "
            "'15'; this exceeds the allowed maximum length of '14'.",
        ),
        (
            "ligne 528",
            "non conforme au schéma LHEO 2.2 : Element 'adresse': This element is not expected. "
            "Expected is one of ( web, extras ).",
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "filtered"),
    [
        ("onisep-bts-nrc-lheo-2.2.xml", {"Formacode 34582, 34076 hors offre linguistique": 1}),
        (
            "intercarif-lheo-index-idf-2017.xml",
            {
                "Formacode 14201, 14270, 15254 hors offre linguistique": 7,
                "Formacode 15254 hors offre linguistique": 1,
                "Formacode 42602 hors offre linguistique": 1,
                "Formacode 42623, 42654 hors offre linguistique": 1,
            },
        ),
        ("intercarif-lheo-index-single-offer-92-2019.xml", {"Formacode 42780 hors offre linguistique": 1}),
    ],
)
def test_the_other_real_files_hold_no_language_course(tmp_path, name, filtered):
    report = report_of(EXAMPLES / name, tmp_path)
    assert (report["created"], report["rejected"], report["warnings"]) == (0, 0, [])
    assert report["filtered_reasons"] == filtered


@pytest.mark.django_db
def test_real_files_with_their_formacodes_kept_are_mapped_repaired_or_rejected(tmp_path):
    codes = tmp_path / "codes.csv"
    codes.write_text("formacode_v14\n22403\n34582\n42780\n", encoding="utf-8")

    anotea = report_of(EXAMPLES / "anotea-intercarif-data-test-lheo-2.2.xml", tmp_path, "--formacodes", str(codes))
    assert anotea["created"] == 1
    course = Course.objects.get(source_id="AC_XX_XXXXXX")
    # 75019 is Paris 19e's post code given as an INSEE code, and 48/2 lies 98 km away: both repaired, and said.
    assert course.place.commune.code_insee == "75056"
    assert course.place.location_is_approximate is True
    assert course.structure.siret == ""
    reasons = [w["reason"] for w in anotea["warnings"] if not w["reason"].startswith("non conforme")]
    assert reasons == [
        "SIRET invalide « 011111111111111 » (14 chiffres attendus), ignoré",
        "code commune « 75019 » inconnu ou hors territoire, commune retrouvée par code postal et ville : 75056 Paris",
        "coordonnées à 98 km de Paris, remplacées par le centre de la commune",
    ]

    onisep = report_of(EXAMPLES / "onisep-bts-nrc-lheo-2.2.xml", tmp_path, "--formacodes", str(codes))
    assert (onisep["rejected"], len(onisep["outside_territory"])) == (0, 1)
    assert "QUIMPERLÉ" in onisep["outside_territory"][0]["reason"]

    index = report_of(
        EXAMPLES / "intercarif-lheo-index-single-offer-92-2019.xml", tmp_path, "--formacodes", str(codes)
    )
    assert index["created"] == 1
    course = Course.objects.get(source_id="14_AF_0000066306_SE_0000262635")
    assert (course.name, course.structure.siret, course.place.commune.code_insee) == (
        "CQP plongeur - officier de cuisine",
        "32441928201134",
        "92012",
    )
    assert (course.place.latitude, course.place.longitude) == (48.831208, 2.235195)
    assert course.sessions.get().starts_on == date(2018, 12, 4)


@pytest.mark.django_db
def test_a_course_without_a_price_has_its_cost_to_ask_not_free(tmp_path, client):
    path = lheo_file(tmp_path, formation().replace("<prix-total-TTC>0</prix-total-TTC>", ""))
    run(path)
    course = Course.objects.get(source="lheo")
    assert (course.is_free, course.cost_amount) == (None, None)
    page = client.get(f"/cours/{course.pk}/").content.decode()
    assert "Coût à demander" in page and "Gratuit" not in page


@pytest.mark.django_db
def test_blank_text_is_dropped_between_elements_not_inside_them(tmp_path):
    # The reader's parser drops whitespace between elements (cheaper to read); whitespace that is an element's
    # whole content is kept, so the schema still sees it and names it, at its line.
    path = lheo_file(tmp_path, formation(post_code=" "))
    report = report_of(path, tmp_path)
    assert report["created"] == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    defects = [w for w in report["warnings"] if "non conforme au schéma" in w["reason"]]
    assert [w["location"] for w in defects] == [
        f"ligne {n}" for n, line in enumerate(lines, start=1) if "<codepostal> </codepostal>" in line
    ]
    assert all("Element 'codepostal': [facet 'minLength']" in w["reason"] for w in defects)
    course = Course.objects.get(source="lheo", source_id="A-F1")
    assert (course.place.commune.code_insee, course.place.post_code) == ("95585", "95200")
