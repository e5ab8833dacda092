import datetime
import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartolangue.offers.demo import demo_generate
from tests.conftest import ROOT
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def test_home_shows_true_territory_counts(client):
    response = client.get(reverse("www:territories"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"1{NBSP}266" in html  # Île-de-France communes
    assert "Val-d&#x27;Oise (95)" in html or "Val-d'Oise (95)" in html
    row = html.split("(95)</th>")[1].split("</tr>")[0]
    assert '<td class="num">183</td>' in row
    assert "Zones d&#x27;emploi INSEE 2020" in html
    assert "Cergy-Vexin (1101)" in html
    assert "Données de démonstration" not in html


def test_home_flags_demo_data(client):
    demo_generate(courses=120, seed=1, reference_date=datetime.date(2026, 11, 27))
    CourseFactory(source="lheo", source_id="AF_1")
    html = client.get(reverse("www:territories")).content.decode()
    assert "Données de démonstration." in html
    assert "120 cours affichés sont fictifs" in html
    assert "<strong>121</strong> cours" in html


def test_home_query_count_does_not_grow_with_data(client):
    # Each count is taken on a second request: the first after a write fills the lookups memoised per data
    # version (the demo banner's), whose count does not depend on the data either.
    client.get(reverse("www:territories"))
    with CaptureQueriesContext(connection) as empty:
        client.get(reverse("www:territories"))
    demo_generate(courses=200, seed=1, reference_date=datetime.date(2026, 11, 27))
    client.get(reverse("www:territories"))
    with CaptureQueriesContext(connection) as full:
        client.get(reverse("www:territories"))
    assert len(full.captured_queries) == len(empty.captured_queries) <= 20


def test_languages_and_direction(client):
    html = client.get("/").content.decode()
    assert re.search(r'<html lang="fr"\s+dir="ltr">', html)
    html = client.get("/ar/").content.decode()
    assert re.search(r'<html lang="ar"\s+dir="rtl">', html)
    assert 'href="/en/"' in html and 'href="/"' in html


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_safe_by_default():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "SECRET_KEY": "x" * 50})
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["False", "[]", "True", "True", "True"], result.stderr


def test_territories_page_has_its_own_title_and_heading(client):
    html = client.get(reverse("www:territories")).content.decode()
    assert re.search(r"<title>\s*L'offre de cours par territoire – Carto-Langue\s*</title>", html)
    assert re.search(r"<h1>L'offre de cours par territoire</h1>", html)
    assert "Apprendre le français près de chez soi" not in html
    html = client.get("/ar/territoires/").content.decode()
    assert "<h1>عرض الدروس حسب المنطقة</h1>" in html


def _row_headers(html):
    return re.findall(r'<th scope="row">([^<]+)</th>', html)


def _zoning_titles(html):
    return re.findall(r'<h2 id="zonage-[^"]+">([^<]+)</h2>', html)


def test_territories_page_parameters_narrow_the_tables(client):
    full = client.get(reverse("www:territories")).content.decode()
    assert len([h for h in _row_headers(full) if re.search(r"\(\d[\dAB]\)$", h)]) == 8
    assert _zoning_titles(full)
    html = client.get(reverse("www:territories"), {"departement": ["95", "93"]}).content.decode()
    departement_rows = [h for h in _row_headers(html) if re.search(r"\((95|93|75|77|78|91|92|94)\)$", h)]
    assert sorted(departement_rows) == ["Seine-Saint-Denis (93)", "Val-d&#x27;Oise (95)"]
    assert re.search(r'<option value="95"\s+selected>', html)
    assert "Certains critères ont été ignorés" not in html
    html = client.get(reverse("www:territories"), {"zonage": "insee-ze2020"}).content.decode()
    assert _zoning_titles(html) == ["Zones d&#x27;emploi INSEE 2020"]


def test_territories_page_names_what_it_ignores(client):
    html = client.get(reverse("www:territories"), {"departement": "2A", "couleur": "bleu"}).content.decode()
    assert "Certains critères ont été ignorés" in html
    assert "<code>couleur</code> : paramètre inconnu" in html
    assert "<code>departement</code> : valeur « 2A » inconnue" in html
    # The empty choice ("Tous") is no error.
    html = client.get(reverse("www:territories"), {"departement": "", "zonage": ""}).content.decode()
    assert "Certains critères ont été ignorés" not in html
