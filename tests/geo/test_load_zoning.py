import csv
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cartolangue.geo.models import Zone, ZoneMembership, Zoning

pytestmark = pytest.mark.django_db

ZE_CSV = settings.TERRITORY_DATA_DIR / "insee-ze2020-composition-communale-idf-cog2023.csv"
ZE_GEOJSON = settings.TERRITORY_DATA_DIR / "insee-ze2020-idf.geojson"


def _snapshot():
    return (
        list(Zoning.objects.order_by("slug").values_list("slug", "name")),
        list(Zone.objects.order_by("zoning__slug", "code").values_list("zoning__slug", "code", "name")),
        list(ZoneMembership.objects.order_by("id").values_list("zoning__slug", "commune_id", "zone__code")),
    )


def _write_csv(path, rows, header=("code_insee", "code_bassin", "libelle_bassin"), delimiter=";"):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _val_doise_rows():
    with ZE_CSV.open(encoding="utf-8") as fh:
        return [
            (r["CODGEO"], "B" + r["ZE2020"], "Bassin " + r["LIBZE2020"])
            for r in csv.DictReader(fh)
            if r["DEP"] == "95"
        ]


def test_load_a_new_zoning_from_a_semicolon_csv(tmp_path):
    path = _write_csv(tmp_path / "bassins.csv", _val_doise_rows())
    out = io.StringIO()
    call_command("load_zoning", "Bassins de test", str(path), stdout=out)
    zoning = Zoning.objects.get(slug="bassins-de-test")
    assert zoning.memberships.count() == 183
    assert zoning.zones.get(code="B1101").name == "Bassin Cergy-Vexin"
    assert "ancien(s) code(s) suivi(s)" in out.getvalue()  # 95282 Gouzangrez → Commeny
    # Reloading is a no-op.
    before = _snapshot()
    out = io.StringIO()
    call_command("load_zoning", "Bassins de test", str(path), stdout=out)
    assert "Appartenances : 0 créé(s), 0 mis à jour, 183 inchangé(s)" in out.getvalue()
    assert _snapshot() == before


def test_communes_missing_from_the_table_are_placed_by_the_polygons(tmp_path):
    rows = [(c, z, label) for c, z, label in _val_doise_rows() if c not in ("95127", "95585", "95018")]
    zone_codes = {z for _c, z, _l in rows}
    geojson = json.loads(ZE_GEOJSON.read_text(encoding="utf-8"))
    for feature in geojson["features"]:
        feature["properties"] = {"code_bassin": "B" + feature["properties"]["ze2020"]}
    geo_path = tmp_path / "bassins.geojson"
    geo_path.write_text(json.dumps(geojson), encoding="utf-8")
    path = _write_csv(tmp_path / "bassins.csv", rows)
    out = io.StringIO()
    call_command("load_zoning", "Bassins", str(path), str(geo_path), stdout=out)
    memberships = ZoneMembership.objects.filter(zoning__slug="bassins")
    assert memberships.count() == 183
    polygon = memberships.filter(resolution=ZoneMembership.Resolution.POLYGON)
    assert set(polygon.values_list("commune__code_insee", flat=True)) == {"95127", "95585", "95018"}
    assert memberships.get(commune__code_insee="95127").zone.code == "B1101"  # Cergy in Cergy-Vexin
    assert memberships.get(commune__code_insee="95585").zone.code == "B1112"  # Sarcelles in Roissy
    assert "3 par le contour" in out.getvalue()
    assert zone_codes == set(Zone.objects.filter(zoning__slug="bassins").values_list("code", flat=True))


def test_rows_outside_loaded_territories_are_skipped_and_reported(tmp_path):
    rows = [*_val_doise_rows(), ("69123", "X1", "Lyon"), ("13055", "X2", "Marseille")]
    out = io.StringIO()
    call_command("load_zoning", "Avec Lyon", str(_write_csv(tmp_path / "z.csv", rows)), stdout=out)
    assert "2 ligne(s) hors des territoires chargés" in out.getvalue()
    assert not Zone.objects.filter(code__in=["X1", "X2"]).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "fichier vide"),
        ("code_insee;code_bassin\n95127;1\n", "aucune colonne de libellé de zone"),
        ("code_insee;code_bassin;libelle_bassin\n95127;1\n", "ligne 2 : 2 colonnes au lieu de 3"),
        ("code_insee;code_bassin;libelle_bassin\n9512;1;A\n", "ligne 2 : code commune « 9512 » invalide"),
        ("code_insee;code_bassin;libelle_bassin\n95127;;A\n", "ligne 2 : code de zone vide"),
        ("code_insee;code_bassin;libelle_bassin\n95127;1;A\n95585;1;B\n", "ligne 3 : la zone 1 a deux libellés"),
        ("code_insee;code_bassin;libelle_bassin\n95127;1;A\n95999;1;A\n75999;2;B\n", "2 code(s) commune inconnu(s)"),
        ("code_insee;code_bassin;libelle_bassin\n", "aucune ligne de données"),
        ("\x00\x01\x02binary", "n'est pas un fichier CSV lisible"),
    ],
)
def test_bad_csv_fails_with_a_located_message_and_changes_nothing(tmp_path, content, message):
    call_command(
        "load_zoning", "Existant", str(_write_csv(tmp_path / "ok.csv", _val_doise_rows())), stdout=io.StringIO()
    )
    before = _snapshot()
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("load_zoning", "Existant", str(path), stdout=io.StringIO())
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    assert _snapshot() == before


def test_unknown_commune_message_names_the_line(tmp_path):
    path = _write_csv(tmp_path / "z.csv", [("95127", "1", "A"), ("95999", "1", "A")])
    with pytest.raises(CommandError, match=r"95999 \(ligne 3\)"):
        call_command("load_zoning", "Z", str(path), stdout=io.StringIO())
    assert not Zoning.objects.filter(slug="z").exists()


def test_latin1_file_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("code_insee;code_bassin;libelle_bassin\n95127;1;Cergy-Vexin é\n".encode("latin-1"))
    with pytest.raises(CommandError, match="encodage illisible"):
        call_command("load_zoning", "Z", str(path), stdout=io.StringIO())


def test_missing_files(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("load_zoning", "Z", str(tmp_path / "absent.csv"), stdout=io.StringIO())
    path = _write_csv(tmp_path / "z.csv", _val_doise_rows())
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("load_zoning", "Z", str(path), str(tmp_path / "absent.geojson"), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "GeoJSON illisible"),
        ('{"type": "Feature"}', "FeatureCollection GeoJSON est attendue"),
        ('{"type": "FeatureCollection", "features": []}', "aucune entité ne porte un code de zone"),
        (
            '{"type": "FeatureCollection", '
            '"features": [{"properties": {"c": "B1101"}, "geometry": {"type": "Nope"}}]}',
            "entité n° 0 (zone B1101) : géométrie invalide",
        ),
    ],
)
def test_bad_geojson(tmp_path, content, message):
    before = _snapshot()
    geo = tmp_path / "bad.geojson"
    geo.write_text(content, encoding="utf-8")
    path = _write_csv(tmp_path / "z.csv", _val_doise_rows())
    with pytest.raises(CommandError) as exc:
        call_command("load_zoning", "Z", str(path), str(geo), stdout=io.StringIO())
    assert message in str(exc.value)
    assert _snapshot() == before


def test_explicit_columns(tmp_path):
    path = _write_csv(tmp_path / "z.csv", [("95127", "7", "Sept")], header=("COM", "BASSIN_X", "NOM_X"), delimiter=",")
    with pytest.raises(CommandError, match="aucune colonne de code commune"):
        call_command("load_zoning", "Z", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="colonne « NOPE » absente"):
        call_command("load_zoning", "Z", str(path), "--commune-column", "NOPE", stdout=io.StringIO())
    call_command(
        "load_zoning",
        "Z",
        str(path),
        "--commune-column",
        "COM",
        "--zone-column",
        "BASSIN_X",
        "--label-column",
        "NOM_X",
        stdout=io.StringIO(),
    )
    assert ZoneMembership.objects.get(zoning__slug="z").zone.name == "Sept"
