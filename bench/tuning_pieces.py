"""Each tuning piece switched off, to check it still pays for itself (issue #25: a piece whose gain is under 10 %
of its path goes). One process per run; the piece is switched off by replacing it in that process only.

Usage (DATABASE_URL names a database made by `bench/prepare.sh N`; rate limits off, as `make bench` has them):
    RATELIMIT_ENABLE=false DATABASE_URL=... .venv/bin/python bench/tuning_pieces.py search --runs 40
    DATABASE_URL=... .venv/bin/python bench/tuning_pieces.py import --file /tmp/bench-lheo-100000.xml
        (imports into that database: use a copy; each run starts from a fresh copy with `--copy-from BASE.sqlite3`)

search: the API and the HTML page of bench/run.py's scenarios through the Django test client (in-process, warm,
p50 / p95 over every scenario × runs), with all pieces, then without each: the per-version API dict cache, the
per-version card fragments, the display copy of cached courses, the filter checkboxes written in Python.
import: `import_lheo --no-match` (seconds, peak RSS of the process and of its reading child), with all pieces,
then without the reading child.
"""

import argparse
import copy
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

SEARCH_PIECES = ("all", "no-api-cache", "no-card-cache", "no-display-copy", "checkbox-template")
IMPORT_PIECES = ("all", "no-reading-child")
# The filter checkboxes as a template loop would write them: what `filter_choices` replaces.
CHECKBOX_LOOP = (
    '{% for value, label, count, selected in values %}<label class="choice"><input type="checkbox" '
    'name="{{ name }}" value="{{ value }}"{% if selected %} checked{% endif %}> {{ label }} '
    '<span class="count">({{ count }})</span></label>\n{% endfor %}'
)


def switch_off(piece: str) -> None:
    if piece == "no-api-cache":
        import cartolangue.api.v1 as api

        api.per_version = lambda *args, **kwargs: {}  # type: ignore[assignment]
    elif piece == "no-card-cache":
        import cartolangue.www.templatetags.cartolangue as tags

        tags.per_version = lambda *args, **kwargs: {}  # type: ignore[assignment]
    elif piece == "no-display-copy":
        import cartolangue.search.engine as engine

        engine._display_copy = copy.copy
    elif piece == "checkbox-template":
        from django.template import engines

        import cartolangue.www.templatetags.cartolangue as tags

        tags._CHECKBOX_LOOP = engines["django"].from_string(CHECKBOX_LOOP)  # type: ignore[attr-defined]

        def in_template(name, values):
            return mark_safe(_CHECKBOX_LOOP.render({"name": name, "values": values}))  # type: ignore[name-defined]  # noqa: F821,S308

        # The tag is compiled into templates already registered: its code is swapped, its module kept.
        tags.filter_choices.__code__ = in_template.__code__
    elif piece == "no-reading-child":
        import cartolangue.interop.lheo.reader as reader

        reader.can_fork = lambda: False


def search(piece: str, runs: int) -> dict:
    import django

    django.setup()
    from django.test import Client

    from bench.run import SCENARIOS

    switch_off(piece)
    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for layer, prefix in (("api", "/api/v1/courses?"), ("page", "/?")):
        times = []
        for run in range(runs + 2):  # two warm-up passes
            for name, query in SCENARIOS.items():
                start = time.perf_counter()
                response = client.get(prefix + query)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{layer} {name}: {response.status_code}")
                if run >= 2:
                    times.append(elapsed)
        times.sort()
        figures[layer] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * len(times)) - 1], 2),
        }
    return figures


def import_file(piece: str, path: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    switch_off(piece)
    start = time.perf_counter()
    call_command("import_lheo", path, source="bench-lheo", no_match=True, verbosity=0)
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "child_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", choices=("search", "import"))
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--file", help="the LHEO file (import)")
    parser.add_argument("--copy-from", help="a SQLite database copied over DATABASE_URL's before each import run")
    parser.add_argument("--piece", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.piece:  # a child: one piece, one measure
        if args.path == "search":
            figures = search(args.piece, args.runs)
        else:
            figures = import_file(args.piece, args.file)
        print(json.dumps(figures))
        return
    for piece in SEARCH_PIECES if args.path == "search" else IMPORT_PIECES:
        if args.copy_from:
            shutil.copyfile(args.copy_from, os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
        command = [sys.executable, __file__, args.path, "--piece", piece, "--runs", str(args.runs)]
        if args.file:
            command += ["--file", args.file]
        done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        print(f"{piece:20} {done.stdout.strip().splitlines()[-1]}", flush=True)


if __name__ == "__main__":
    main()
