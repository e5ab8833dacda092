"""Serving while an LHEO import writes (issue #17, item 3): search latency and errors during the import.

Usage (DATABASE_URL names a scratch database with territories and a demo offer; an import source "bench-lheo"
is written and removed; FILE is an LHEO file, as bench/lheo_import.py builds it):
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/import_under_load.py --file FILE

gunicorn (production configuration, 2 workers) serves the database. Client threads ask, in turn, the API and
the page for every search of bench/run.py, plus /territoires/ and /donnees/, first for a few seconds alone
("idle"), then for as long as `manage.py import_lheo FILE` runs in a child process ("import"). Prints, for
each phase, the requests, p50 / p95 / max and the errors (any status but 200, or no answer within 30 s);
`--json PATH` writes them. The import must succeed: its single transaction holds the write lock throughout.
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from run import PYTHON, ROOT, SCENARIOS, Server, env_for, percentile  # bench/run.py, next to this file

SOURCE = "bench-lheo"
OTHER_PATHS = ["/territoires/", "/donnees/"]


def paths() -> list[str]:
    searches = [f"/api/v1/courses?{qs}" for qs in SCENARIOS.values()] + [f"/?{qs}" for qs in SCENARIOS.values()]
    return searches + OTHER_PATHS


class Load:
    """Client threads asking the server, each request timed; `stop()` ends them and returns the figures."""

    def __init__(self, port: int, clients: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cycle = itertools.cycle(paths())
        self.lock = threading.Lock()
        self.times_ms: list[float] = []
        self.errors: dict[str, int] = {}
        self.running = True
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def _client(self) -> None:
        while self.running:
            with self.lock:
                path = next(self.cycle)
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    response.read()
                    error = None if response.status == 200 else str(response.status)
            except urllib.error.HTTPError as failure:
                error = str(failure.code)
            except OSError as failure:
                error = type(failure).__name__
            elapsed = (time.perf_counter() - start) * 1000
            with self.lock:
                self.times_ms.append(elapsed)
                if error:
                    self.errors[error] = self.errors.get(error, 0) + 1

    def stop(self) -> dict:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=60)
        times = self.times_ms or [0.0]
        return {
            "requests": len(self.times_ms),
            "p50_ms": round(percentile(times, 0.5), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "errors": sum(self.errors.values()),
            "errors_by_kind": self.errors,
        }


def cleanup(url: str) -> None:
    subprocess.run([PYTHON, "bench/lheo_import.py", "--cleanup"], cwd=ROOT, env=env_for(url), check=True)


def measure(url: str, lheo: Path, clients: int, idle_seconds: float) -> dict:
    cleanup(url)
    with Server(url) as server:
        load = Load(server.port, clients)
        time.sleep(idle_seconds)
        idle = load.stop()
        load = Load(server.port, clients)
        start = time.perf_counter()
        done = subprocess.run(
            [PYTHON, "manage.py", "import_lheo", str(lheo), "--source", SOURCE, "-v", "0"],
            cwd=ROOT,
            env=env_for(url),
            capture_output=True,
            text=True,
        )
        import_s = time.perf_counter() - start
        time.sleep(max(0.0, 1.0 - import_s))  # a tiny import (smoke): still a second of requests
        during = load.stop()
    cleanup(url)
    if done.returncode:
        raise SystemExit(f"import_lheo a échoué pendant la mesure : {done.stderr[-2000:]}")
    return {"clients": clients, "import_s": round(import_s, 1), "idle": idle, "import": during}


def report(figures: dict) -> str:
    lines = [f"{'phase':8} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}"]
    for phase in ("idle", "import"):
        f = figures[phase]
        lines.append(
            f"{phase:8} {f['requests']:>8} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['max_ms']:>8} {f['errors']:>6}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", required=True, help="the LHEO file to import")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--idle-seconds", type=float, default=5)
    parser.add_argument("--json", help="Write the figures to this JSON file.")
    args = parser.parse_args()
    figures = measure(os.environ["DATABASE_URL"], Path(args.file), args.clients, args.idle_seconds)
    print(f"Recherche pendant un import LHEO ({figures['import_s']} s), {args.clients} clients")
    print(report(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
