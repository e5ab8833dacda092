"""Course matching across sources (issue #23): quality on the labelled evaluation set, and speed.

Usage:
    .venv/bin/python bench/dedup.py [--sizes 10000 100000] [--seeds 1 2 3] [--database] [--json PATH]

1. Quality: for each size and seed, the labelled set of cartolangue/dedup/evaluation.py (the same offer through
   two or three sources with realistic perturbations, plus hard negatives), matched in memory: precision and
   recall of *same*, recall counting the pairs sent to review, share of flagged pairs sent to review, time.
2. With --database (DATABASE_URL names a database holding demo courses, e.g. after bench/prepare.sh 100000):
   the demo courses are given three sources in turn, inside a transaction rolled back at the end, and
   `match_courses()` runs on them: reading, matching and storing, timed. Distinct courses, so few links: it
   measures the cost of the comparisons at that size, not the quality.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from cartolangue.dedup import matching  # noqa: E402
from cartolangue.dedup.evaluation import evaluate  # noqa: E402

TARGETS = "targets: precision ≥ 0.99, recall ≥ 0.95, review < 10 %, 100,000 courses in under 60 s"


def quality(sizes: list[int], seeds: list[int]) -> list[dict]:
    rows = []
    header = ("courses", 8), ("seed", 4), ("pairs", 6), ("precision", 9), ("recall", 7), ("+review", 7), ("review", 7)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'s':>6}")
    for size in sizes:
        for seed in seeds:
            start = time.perf_counter()
            figures = evaluate(size, seed=seed)
            seconds = time.perf_counter() - start
            rows.append({**asdict(figures), "seed": seed, "seconds": round(seconds, 2)})
            print(
                f"{figures.offers:>8} {seed:>4} {figures.true_pairs:>6} {figures.precision:>9.4f} "
                f"{figures.recall:>7.4f} {figures.recall_with_review:>7.4f} {figures.review_share:>7.1%} "
                f"{seconds:>6.1f}"
            )
    print(TARGETS)
    return rows


def database() -> dict:
    from cartolangue.dedup.store import match_courses
    from cartolangue.offers.models import Course

    with transaction.atomic():
        ids = list(Course.objects.order_by("pk").values_list("pk", flat=True))
        for k, source in enumerate(("lheo", "reseau-alpha", "data-inclusion")):
            Course.objects.filter(pk__in=ids[k::3]).update(source=source)
        report = match_courses()
        transaction.set_rollback(True)
    print(f"database ({connection.vendor}): {report.line()}")
    return {"vendor": connection.vendor, "courses": report.courses, "seconds": round(report.seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--database", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    print(
        f"thresholds: same ≥ {matching.SAME_FROM}, maybe ≥ {matching.MAYBE_FROM}, tie {matching.TIE}; "
        f"weights {matching.WEIGHTS}"
    )
    results = {"quality": quality(args.sizes, args.seeds)}
    if args.database:
        results["database"] = database()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
