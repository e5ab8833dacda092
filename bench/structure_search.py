"""Structure search latency by number of words (`/api/v1/structures?q=…`, through the engine in-process).

Usage (the database named by DATABASE_URL must hold territories and demo data):
    DATABASE_URL=... .venv/bin/python bench/structure_search.py --words 1 2 4 6 10 20

Prints, for each number of words, the median time of `structure_search` over a few runs. A run over
`--give-up` seconds stops the probe (a search that joined the courses once per word would grow with each word).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

from cartolangue.offers.models import Course, Structure  # noqa: E402
from cartolangue.search.engine import structure_search  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, nargs="+", default=[1, 2, 4, 6, 10, 20])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--give-up", type=float, default=20.0)
    args = parser.parse_args()
    print(f"{connection.vendor}: {Structure.objects.count()} structures, {Course.objects.count()} courses")
    structure_search(QueryDict("q=a"))  # columns and course index read once, as in a warm worker
    for n in args.words:
        params = QueryDict("q=" + "+".join(["e"] * n))
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            structure_search(params)
            times.append(time.perf_counter() - start)
            if times[-1] > args.give_up:
                break
        print(f"{n:>3} words: {statistics.median(times) * 1000:9.1f} ms (median of {len(times)})", flush=True)
        if times[-1] > args.give_up:
            print(f"stopped: over {args.give_up} s")
            break


if __name__ == "__main__":
    main()
