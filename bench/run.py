"""The benchmark harness: `make bench` (10,000 and 100,000 courses, SQLite and PostgreSQL) and
`make bench-smoke` (the same code on tiny sizes, in seconds; CI runs it so the harness never rots).

One file on purpose (over 400 lines): the harness runs the same data through every layer, and its phases share
the server, wrk and the printing; bench/*.py hold the phases that stand alone.

For each database and size (demo generator, seed 1, date 2026-11-27: the same data every time):
- engine: the filter engine alone (`course_search`: results, count and facets), in-process;
- cold: the same with the page's courses read again from the database (a search whose cards are not cached);
- api / page: the API and the HTML page through gunicorn (2 workers, 127.0.0.1) under wrk (4 connections,
  bounded in time), one run per scenario, then a mixed run over every API scenario for the throughput, and the
  same mixed run with one single-course write a second, each checked by a search right after (write_load.py);
- import: LHEO import throughput and peak RSS beside a bare lxml.iterparse pass (bench/lheo_import.py);
- print: flyer render time, median of 20 (bench/flyer_render.py);
- serving during an import: search p95 and errors while the LHEO file is imported again
  (bench/import_under_load.py);
- exports: the mixed API search load alone, then while 10 clients download the published exports, both through
  nginx with the shipped configuration (X-Accel-Redirect: nginx sends the files, not a worker)
  (bench/exports_load.py): search p95 and its change, download times (first byte, whole file).
Prints a table per database and size, then the floors (bench/floors.py) met or missed (a missed floor fails the
run), and writes bench/results.json with the machine, versions and commit.

Usage: .venv/bin/python bench/run.py [--smoke] [--sizes 10000,100000] [--databases sqlite,postgresql] [--no-import]
PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432), databases cartolangue_bench_<size>.
"""

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import write_load  # noqa: E402
from bench.exports_load import search_during_downloads  # noqa: E402
from bench.floors import floors  # noqa: E402
from cartolangue.ops.front import free_port, nginx_front  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DATE = "2026-11-27"

# At least ten realistic searches, the same for every layer.
SCENARIOS = {
    "commune+rayon": "commune=95585&rayon=10",
    "profil-sarcelles": (
        "commune=95585&rayon=10&niveau_entree_oral=aucun&niveau_entree_ecrit=aucun&scolarisation=jamais-ou-peu"
        "&public=signataires-cir&jour=lundi&jour=mardi&creneau=matin&garde_enfants=oui"
    ),
    "type+departement": "type=asl&type=fle&departement=95",
    "texte": "q=alphabetisation",
    "zone+niveau": "zone=insee-ze2020:1101&niveau_vise=A2",
    "gratuit+places+tri": "gratuit=oui&places=oui&tri=prochaine-session",
    "public+samedi": "public=signataires-cir&jour=samedi",
    "certification": "certification=delf-a2&certification=tcf-irn",
    "paris-5km": "commune=75056&rayon=5",
    "sans-filtre": "",
    "page-1": "departement=95",
    "page-100": "departement=95&page=100",
}


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def figures(times_ms):
    return {
        "p50_ms": round(percentile(times_ms, 0.5), 2),
        "p95_ms": round(percentile(times_ms, 0.95), 2),
        "max_ms": round(max(times_ms), 2),
    }


def database_url(kind, size):
    if kind == "sqlite":
        return f"sqlite:///{tempfile.gettempdir()}/cartolangue-bench-{size}.sqlite3"
    base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    return f"{base}/cartolangue_bench_{size}"


def exports_root(url):
    """Each benchmark database publishes its exports into its own folder."""
    name = url.rstrip("/").rpartition("/")[2].replace(".sqlite3", "")
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    return Path(tempfile.gettempdir()) / f"cartolangue-bench-exports-{kind}-{name}"


def env_for(url):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "EXPORTS_ROOT": str(exports_root(url)),
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        # The bench measures the application, not the rate limiter (which would answer 429 to wrk).
        "RATELIMIT_ENABLE": "false",
        "PYTHONPATH": str(ROOT),
    }


def run(args, url, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env_for(url), check=True, text=True, capture_output=True, **kwargs)


def prepare(kind, size):
    """Create the database if needed, migrate, load territories and the demo offer (skipped when present)."""
    url = database_url(kind, size)
    if kind == "postgresql":
        admin, _slash, name = url.rpartition("/")
        exists = subprocess.run(
            ["psql", f"{admin}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["psql", f"{admin}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    run([PYTHON, "manage.py", "migrate", "-v0"], url)
    out = run([PYTHON, __file__, "--child", "count"], url).stdout.strip()
    generated = out != f"{size} demo"
    if generated:
        run([PYTHON, "manage.py", "load_territories"], url)
        run([PYTHON, "manage.py", "generate_demo", "--courses", str(size), "--seed", "1", "--date", DATE], url)
    if generated or not (exports_root(url) / "demonstration" / "manifests").is_dir():
        run([PYTHON, "manage.py", "publish_exports"], url)
    return url


# --- in a child process, with Django set up on the benchmark database ---------------------------------------


def child(command, runs):
    import django

    django.setup()
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cartolangue.offers.models import Course
    from cartolangue.search.engine import course_search
    from cartolangue.search.index import CourseIndex
    from cartolangue.search.live import course_index
    from cartolangue.search.params import parse_course_query
    from cartolangue.search.version import data_token

    if command == "count":
        demo = Course.objects.demo().count()
        print(f"{demo} demo" if demo == Course.objects.count() else "mixed")
        return
    # The index a process builds at its first search, and again after every write to the offer.
    start = time.perf_counter()
    fresh = CourseIndex(data_token())
    build_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    fresh.text.postings()
    text_ms = (time.perf_counter() - start) * 1000
    out = {"_index": {"build_ms": round(build_ms, 1), "text_build_ms": round(text_ms, 1)}}
    for name, qs in SCENARIOS.items():
        params = QueryDict(qs)

        def query(params=params):
            return parse_course_query(params, strict=True)

        course_search(query())  # warm-up: builds the index
        with CaptureQueriesContext(connection) as captured:
            course_search(query())
        engine, cold = [], []
        for _run in range(runs):
            start = time.perf_counter()
            course_search(query())
            engine.append((time.perf_counter() - start) * 1000)
            course_index().shown_courses(timezone.localdate()).clear()  # the page's courses read again
            start = time.perf_counter()
            course_search(query())
            cold.append((time.perf_counter() - start) * 1000)
        out[name] = {
            "engine": figures(engine),
            "engine_cold": figures(cold),
            "queries": len(captured.captured_queries),
        }
    print(json.dumps(out))


# --- HTTP: gunicorn + wrk ----------------------------------------------------------------------------------


class Server:
    def __init__(self, url, **env):
        self.url = url
        self.port = free_port()
        self.env = env

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--config",
                "config/gunicorn.py",  # as in production: the index is built before the workers fork
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**env_for(self.url), **self.env},
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        # Warm both workers up on every URL, so that the first measured scenario pays no start-up cost.
        for qs in SCENARIOS.values():
            for path in ("/api/v1/courses?", "/?"):
                for _ in range(4):
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}{qs}", timeout=60) as response:
                        response.read()
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def wrk(port, path, seconds, paths=None, base=None):
    """wrk on `path` of the gunicorn on `port`, or of `base` (e.g. nginx's https://127.0.0.1:port)."""
    env = {**os.environ}
    if paths:
        env["WRK_PATHS"] = "|".join(paths)
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c4",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            (base or f"http://127.0.0.1:{port}") + path,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    line = [li for li in done.stdout.splitlines() if li.startswith("{")][-1]
    r = json.loads(line)
    return {
        "p50_ms": round(r["p50_us"] / 1000, 2),
        "p95_ms": round(r["p95_us"] / 1000, 2),
        "max_ms": round(r["max_us"] / 1000, 2),
        "requests": r["requests"],
        "req_per_s": round(r["requests"] / (r["duration_us"] / 1e6), 1),
        "errors": r["status_errors"] + r["socket_errors"],
    }


def http(url, seconds):
    out = {}
    with Server(url) as server:
        for name, qs in SCENARIOS.items():
            out[name] = {
                "api": wrk(server.port, "/api/v1/courses?" + qs, seconds),
                "page": wrk(server.port, "/?" + qs, seconds),
            }
        paths = ["/api/v1/courses?" + qs for qs in SCENARIOS.values()]
        out["_mixed_api"] = wrk(server.port, paths[0], seconds * 2, paths=paths)
        out["_writes"] = write_load.measure(server.port, url, max(seconds * 2, 3), paths, env_for(url))
    out["_exports"] = exports_through_front(url, seconds * 2, paths)
    return out


def exports_through_front(url, seconds, paths):
    """The export downloads as production serves them: nginx (the shipped configuration) in front of gunicorn,
    which answers each download with X-Accel-Redirect so that nginx sends the file. Both search runs (alone,
    then during the downloads) go through the same front."""
    with tempfile.TemporaryDirectory(prefix="cartolangue-bench-front-") as tmp:
        folder = Path(tmp)
        static = folder / "static"
        static.mkdir()
        exports = exports_root(url)
        with Server(url, EXPORTS_ACCEL_REDIRECT="/_exports/") as server:
            with nginx_front(folder, app_port=server.port, static_root=static, exports_root=exports) as front:
                base = f"https://127.0.0.1:{front.https_port}"
                # Remote clients on a 10 MiB/s (84 Mbit/s) line, then local clients as fast as the machine goes.
                return {
                    "remote": search_during_downloads(base, seconds, paths, wrk, percentile, rate_mib_s=10),
                    "local": search_during_downloads(base, seconds, paths, wrk, percentile),
                }


# --- the whole run -----------------------------------------------------------------------------------------


def machine():
    memory = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    versions = run(
        [PYTHON, "-c", "import django, sqlite3, lxml.etree as e; print(django.__version__, sqlite3.sqlite_version)"],
        database_url("sqlite", 0),
    ).stdout.split()
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "django": versions[0],
        "sqlite": versions[1],
        "postgresql_client": pg,
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def print_table(kind, size, result):
    index = result["scenarios"].get("_index", {})
    print(
        f"\n== {kind}, {size} courses (index build {index.get('build_ms')} ms, text index "
        f"{index.get('text_build_ms')} ms)"
    )
    print(f"{'scenario':20} {'q':>3} {'engine p50/p95':>15} {'cold p50':>8} {'api p50/p95':>14} {'page p50/p95':>14}")
    for name in SCENARIOS:
        s = result["scenarios"][name]
        e, c = s["engine"], s["engine_cold"]
        line = f"{name:20} {s['queries']:>3} {e['p50_ms']:>6.1f}/{e['p95_ms']:<8.1f} {c['p50_ms']:>8.1f}"
        if "api" in s:
            a, p = s["api"], s["page"]
            line += f" {a['p50_ms']:>6.1f}/{a['p95_ms']:<7.1f} {p['p50_ms']:>6.1f}/{p['p95_ms']:<7.1f}"
        print(line)
    if "mixed_api" in result:
        m = result["mixed_api"]
        print(f"mixed API load: {m['req_per_s']} req/s, p95 {m['p95_ms']} ms, {m['errors']} errors")
    if "writes_during_load" in result:
        load, w = result["writes_during_load"]["load"], result["writes_during_load"]["writes"]
        print(
            f"mixed API load with one course write a second: {load['req_per_s']} req/s, p95 {load['p95_ms']} ms, "
            f"{load['errors']} errors; {w['writes']} writes, searches right after: {w['seen']}/{w['searches']} "
            f"saw the write, p50/p95 {w['p50_ms']}/{w['p95_ms']} ms"
        )
    if "exports" in result:
        print_exports(kind, size, result["exports"])


def print_exports(kind, size, exports):
    for x in exports.values():
        d = x["downloads"]
        rate = d["rate_mib_s"]
        clients = f"{d['clients']} clients at {rate} MiB/s" if rate else f"{d['clients']} local clients"
        print(
            f"{kind}, {size} courses: search during export downloads through nginx ({clients}): p95 "
            f"{x['alone']['p95_ms']} → {x['during']['p95_ms']} ms ({x['p95_change_pct']} %), "
            f"{x['during']['errors']} errors; {d['count']} downloads ({d['errors']} failed), first byte p50/p95 "
            f"{d['ttfb_p50_ms']}/{d['ttfb_p95_ms']} ms, whole file p50/p95 {d['total_p50_ms']}/{d['total_p95_ms']} "
            f"ms, largest {d['largest_mib']} MiB sent, {d['received_mib_s']} MiB/s received in all"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and short runs (CI)")
    parser.add_argument("--sizes")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument(
        "--exports-only", action="store_true", help="only the search load during export downloads, through nginx"
    )
    parser.add_argument(
        "--no-import", action="store_true", help="skip the import phases (search, exports and print only)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.runs or 20)

    sizes = [int(s) for s in (args.sizes or ("300" if args.smoke else "10000,100000")).split(",")]
    runs = args.runs or (3 if args.smoke else 20)
    seconds = args.seconds or (1 if args.smoke else 5)
    actions = 300 if args.smoke else 50000
    flyers = 2 if args.smoke else 20
    results = {"machine": machine(), "smoke": args.smoke, "runs": []}
    for kind in args.databases.split(","):
        for size in sizes:
            started = time.perf_counter()
            url = prepare(kind, size)
            if args.exports_only:
                paths = ["/api/v1/courses?" + qs for qs in SCENARIOS.values()]
                result = {"database": kind, "courses": size, "exports": exports_through_front(url, seconds * 2, paths)}
                results["runs"].append(result)
                print_exports(kind, size, result["exports"])
                continue
            engine = json.loads(run([PYTHON, __file__, "--child", "engine", "--runs", str(runs)], url).stdout)
            served = http(url, seconds)
            result = {
                "database": kind,
                "courses": size,
                "scenarios": engine,
                "mixed_api": served.pop("_mixed_api"),
                "exports": served.pop("_exports"),
                "writes_during_load": served.pop("_writes"),
            }
            for name, layers in served.items():
                result["scenarios"][name].update(layers)
            flyer_json = Path(tempfile.gettempdir()) / f"bench-flyer-{kind}-{size}.json"
            run([PYTHON, "bench/flyer_render.py", "--runs", str(flyers), "--json", str(flyer_json)], url)
            result["flyer"] = json.loads(flyer_json.read_text())
            result["seconds"] = round(time.perf_counter() - started, 1)
            results["runs"].append(result)
            print_table(kind, size, result)
            print(f"flyer render: median {result['flyer']['median_s']} s over {flyers}")
        if args.exports_only or args.no_import:
            continue
        import_url = database_url(kind, f"import{actions}")
        if kind == "postgresql":
            prepare_empty(import_url)
        else:
            run([PYTHON, "manage.py", "migrate", "-v0"], import_url)
        run([PYTHON, "manage.py", "load_territories"], import_url)
        out = Path(tempfile.gettempdir()) / f"bench-import-{kind}.json"
        run([PYTHON, "bench/lheo_import.py", "--actions", str(actions), "--json", str(out)], import_url)
        imported = json.loads(out.read_text())
        results["runs"].append({"database": kind, "import": imported})
        i, b, alone = imported["import"], imported["bare"], imported["import_no_match"]
        print(
            f"\n== {kind}, LHEO import of {actions} actions (with its matching): {i['actions_per_s']} actions/s, "
            f"peak RSS {i['peak_rss_mib']} MiB, {i['ratio_to_bare']}× a bare iterparse ({b['actions_per_s']} "
            f"actions/s); without the matching: {alone['actions_per_s']} actions/s, {alone['peak_rss_mib']} MiB"
        )
        # The same file imported again while gunicorn serves searches (bench/import_under_load.py).
        lheo = Path(tempfile.gettempdir()) / f"bench-lheo-{actions}.xml"
        out = Path(tempfile.gettempdir()) / f"bench-import-load-{kind}.json"
        run(
            [PYTHON, "bench/import_under_load.py", "--file", str(lheo), "--idle-seconds", str(2 * seconds)]
            + ["--json", str(out)],
            import_url,
        )
        loaded = json.loads(out.read_text())
        results["runs"].append({"database": kind, "import_under_load": loaded})
        d, idle = loaded["import"], loaded["idle"]
        print(
            f"search during that import ({loaded['import_s']} s): p95 {d['p95_ms']} ms (idle {idle['p95_ms']} ms), "
            f"max {d['max_ms']} ms, {d['errors']} errors in {d['requests']} requests"
        )
    checked = [] if args.smoke else list(floors(results["runs"]))
    results["floors"] = [{**asdict(floor), "met": floor.met} for floor in checked]
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    if checked:
        print("\n== floors (bench/floors.py)")
        for floor in checked:
            print(floor.line())
    print(f"\nresults: {args.out}")
    if not all(floor.met for floor in checked):
        raise SystemExit("a floor is missed")
    return None


def prepare_empty(url):
    admin, _slash, name = url.rpartition("/")
    subprocess.run(["psql", f"{admin}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", f"{admin}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    run([PYTHON, "manage.py", "migrate", "-v0"], url)


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.path.insert(0, str(ROOT))
    main()
