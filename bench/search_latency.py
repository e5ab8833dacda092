"""Search latency through the whole Django stack (URL routing, engine, serialisation), in-process.

Usage (the database named by DATABASE_URL must hold territories and demo data):
    DATABASE_URL=... .venv/bin/python bench/search_latency.py --runs 20

Prints p50 / p95 / max per scenario and overall, for the API and the HTML page. The HTTP-server benchmark
with a load tool is `make bench` (bench/run.py); this script is the quick, repeatable probe.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cartolangue.offers.models import Course  # noqa: E402

SCENARIOS = {
    "commune+rayon": "commune=95585&rayon=10",
    "sarcelles-cir": (
        "commune=95585&rayon=10&niveau_entree_oral=aucun&niveau_entree_ecrit=aucun&scolarisation=jamais-ou-peu"
        "&public=signataires-cir&jour=lundi&jour=mardi&jour=mercredi&jour=jeudi&jour=vendredi&creneau=matin"
        "&garde_enfants=oui"
    ),
    "type+departement": "type=asl&type=fle&departement=95",
    "texte": "q=alphabetisation",
    "zone+niveau": "zone=insee-ze2020:1101&niveau_vise=A2",
    "gratuit+places+tri": "gratuit=oui&places=oui&tri=prochaine-session",
    "sans-filtre": "",
    "page-profonde": "departement=95&page=50",
}


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure(client, url, runs):
    times = []
    client.get(url)  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    client = Client(SERVER_NAME="localhost")
    print(f"database: {connection.vendor}, courses: {Course.objects.count()}, runs per scenario: {args.runs}")
    for kind, base in (("api", "/api/v1/courses?"), ("page", "/?")):
        everything = []
        print(f"\n{kind:5} {'scenario':20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, query in SCENARIOS.items():
            times = measure(client, base + query, args.runs)
            everything += times
            print(f"{kind:5} {name:20} {percentile(times, 0.5):8.1f} {percentile(times, 0.95):8.1f} {max(times):8.1f}")
        print(
            f"{kind:5} {'ALL':20} {percentile(everything, 0.5):8.1f} {percentile(everything, 0.95):8.1f} "
            f"{max(everything):8.1f}"
        )


if __name__ == "__main__":
    main()
