"""The territorial diagnostic's time (issue #24): every zone of a zoning, for every course type, with the access
of every commune (nearest course of that type), from the search engine's index.

Usage (DATABASE_URL names a database with territories, the needs and demo data, e.g. after bench/prepare.sh
100000, `manage.py load_needs` and the bassins' `load_zoning` of the Makefile):
    .venv/bin/python bench/diagnostic.py [--runs 5] [--zonings communes bassins-bmo departements] [--json PATH]

The demo courses are given a real source inside a transaction rolled back at the end (the diagnostic leaves demo
courses out of every figure: measured on them, it would sum nothing). The index is built first (a search does
it on a server); each figure is the median of `--runs` runs of the
whole diagnostic: all 1,266 communes × the 9 course types (one run per type, plus "any type"), and the map's
commune shapes once per data version (timed apart: the first page after a change pays it).
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

from django.db import connection, transaction  # noqa: E402

from cartolangue.diagnostic.choropleth import _shapes  # noqa: E402
from cartolangue.diagnostic.figures import COURSE_TYPES, diagnostic  # noqa: E402
from cartolangue.offers.models import Course  # noqa: E402
from cartolangue.search.live import course_index  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--zonings", nargs="+", default=["communes", "bassins-bmo", "departements"])
    parser.add_argument("--json")
    args = parser.parse_args()
    with transaction.atomic():
        Course.objects.filter(source="demo").update(source="bench")
        results = run(args)
        transaction.set_rollback(True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


def run(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    course_index()
    print(
        f"{connection.vendor}, {Course.objects.public().count()} courses; index built in "
        f"{time.perf_counter() - start:.2f} s"
    )
    results = {}
    for zoning in args.zonings:
        times = []
        for _run in range(args.runs):
            start = time.perf_counter()
            for course_type in [None, *(t.value for t in COURSE_TYPES)]:
                diagnostic(zoning, course_type=course_type, radius_km=10)
            times.append(time.perf_counter() - start)
        results[zoning] = {"median_s": round(statistics.median(times), 3), "runs": args.runs}
        print(
            f"{zoning:>14}: all zones × {len(COURSE_TYPES) + 1} type choices, median {statistics.median(times):.3f} s"
        )
    start = time.perf_counter()
    _shapes()
    results["map_shapes_s"] = round(time.perf_counter() - start, 3)
    print(f"map shapes (once per data version): {results['map_shapes_s']:.2f} s")
    return results


if __name__ == "__main__":
    main()
