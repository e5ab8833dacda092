"""Writes during the search load (issue #15): one single-course write per second while wrk sends the mixed API
load to gunicorn; right after each write, a search for what it wrote, on every worker, must find it.

`bench/run.py` calls `measure(port, url, seconds, paths)`; run alone, this file is the writer, in a process of
its own with Django set up on the benchmark database:
    DATABASE_URL=... .venv/bin/python bench/write_load.py --writer --port 8000 --seconds 10

The writer renames one course per second to a word found nowhere else ("zqw000017x"), then asks
`/api/v1/courses?q=<word>` once per gunicorn worker (two requests on two fresh connections) and counts the
answers that list that course: a stale worker would not. It prints one JSON line: writes, searches, searches
that saw the write, and the latency of those searches (p50, p95, max, ms).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(port: int, url: str, seconds: int, paths: list[str], env: dict) -> dict:
    """The mixed API load under wrk for `seconds`, with the writer running beside it: both figures."""
    from bench.run import wrk  # the harness's wrk runner (imported here: bench/run.py imports this module)

    writer = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), __file__, "--writer", "--port", str(port), "--seconds", str(seconds)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    load = wrk(port, paths[0], seconds, paths=paths)
    out, _err = writer.communicate(timeout=seconds + 60)
    return {"load": load, "writes": json.loads(out.strip().splitlines()[-1])}


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def writer(port: int, seconds: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from cartolangue.offers.models import Course

    ids = list(Course.objects.order_by("pk").values_list("pk", flat=True)[:: max(1, Course.objects.count() // 500)])
    writes = searches = seen = 0
    latencies = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        started = time.monotonic()
        course = Course.objects.get(pk=ids[writes % len(ids)])
        word = f"zqw{os.getpid() % 1000:03d}{writes:06d}x"
        course.name = f"Atelier {word}"
        course.save()  # the search text follows (offers/indexing.py)
        writes += 1
        for _worker in range(2):
            begin = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/courses?q={word}", timeout=30) as response:
                found = [r["id"] for r in json.loads(response.read())["results"]]
            latencies.append((time.perf_counter() - begin) * 1000)
            searches += 1
            seen += found == [course.pk]
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return {
        "writes": writes,
        "searches": searches,
        "seen": seen,
        "p50_ms": round(_percentile(latencies, 0.5), 2) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 2) if latencies else None,
        "max_ms": round(max(latencies), 2) if latencies else None,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writer", action="store_true", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(writer(args.port, args.seconds)))
