"""Flyer render time: median of N renders (search + layout + PDF), and optionally a whole département in batch.

Usage (DATABASE_URL names a database with territories and demo data, e.g. after bench/prepare.sh 10000):
    .venv/bin/python bench/flyer_render.py --runs 20 [--departement 95] [--json PATH]

Each run renders the flyer of one commune (cycling through Val-d'Oise communes) in one language (cycling
through the 11 flyer languages), exactly as /imprimer/flyer.pdf does, in-process.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402

from cartolangue.flyers.languages import FLYER_LANGUAGES  # noqa: E402
from cartolangue.flyers.views import flyer_context, render_flyer  # noqa: E402
from cartolangue.geo.models import Commune  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--departement", help="Also time make_flyer --departement (one flyer per commune).")
    parser.add_argument("--json")
    args = parser.parse_args()

    communes = list(
        Commune.objects.filter(departement__code="95").order_by("-population").values_list("code_insee", flat=True)
    )
    languages = list(FLYER_LANGUAGES)
    render_flyer(flyer_context(QueryDict("commune=95585"), "fr", "http://127.0.0.1:8000/"))  # fonts, caches
    times = []
    for i in range(args.runs):
        params = QueryDict(f"commune={communes[i % len(communes)]}")
        start = time.perf_counter()
        pdf = render_flyer(flyer_context(params, languages[i % len(languages)], "http://127.0.0.1:8000/"))
        times.append(time.perf_counter() - start)
        assert pdf.startswith(b"%PDF")
    figures = {
        "runs": args.runs,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "min_s": round(min(times), 3),
    }
    print(
        f"Flyer render, {args.runs} runs: median {figures['median_s']} s, "
        f"min {figures['min_s']} s, max {figures['max_s']} s"
    )
    if args.departement:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            call_command("make_flyer", "--departement", args.departement, "--out", folder, verbosity=0)
            seconds = time.perf_counter() - start
            count = len(list(Path(folder).glob("*.pdf")))
        figures["batch"] = {"departement": args.departement, "flyers": count, "seconds": round(seconds, 1)}
        print(
            f"Batch, département {args.departement}: {count} flyers in {seconds:.1f} s ({seconds / count:.2f} s each)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
