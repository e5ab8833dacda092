"""LHEO import throughput and peak memory, beside a bare `lxml.iterparse` pass over the same file.

Usage (DATABASE_URL names a scratch database: its demo offer is replaced and an import source "bench-lheo"
is written and removed):
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/lheo_import.py --actions 50000

Steps: the demo generator makes N courses (seed 1), the LHEO writer exports them to a file (the same
generator and writer as `generate_demo` and `export_lheo`), then in child processes, each measured with
getrusage (peak RSS) and a wall clock:
  1. bare: lxml.iterparse over every <formation>, clearing as it goes (the floor any streaming reader pays);
  2. import: `manage.py import_lheo FILE --source bench-lheo`, as a user runs it (parse, XSD check per
     formation, mapping, write, then the matching of the courses several sources give);
  3. import --no-match: the same without the matching, to show its share;
  4. import --no-match --no-validate, to show what the per-formation XSD check costs.
Prints actions/s, seconds, peak RSS and the import/bare ratio; `--json PATH` writes them.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

BARE = """
import sys
from lxml import etree
ns = "{http://lheo.gouv.fr/2.3}"
n = 0
for _event, elem in etree.iterparse(sys.argv[1], events=("end",), tag=ns + "formation", resolve_entities=False):
    n += len(elem.findall(ns + "action"))
    elem.clear()
    while elem.getprevious() is not None:
        del elem.getparent()[0]
print(n)
"""


def peak_rss(args):
    """Run one command; (seconds, its peak RSS in MiB from wait4's rusage, its stdout)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL, text=True)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{' '.join(args)} a échoué ({process.returncode})")
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read()


def prepare(actions, path):
    import datetime

    import django

    django.setup()
    from cartolangue.interop.lheo.writer import write_lheo
    from cartolangue.offers.demo import demo_generate
    from cartolangue.offers.models import Course

    start = time.perf_counter()
    demo_generate(courses=actions, seed=1, reference_date=datetime.date(2026, 11, 27))
    generated = time.perf_counter() - start
    start = time.perf_counter()
    with open(path, "wb") as out:
        written = write_lheo(out, Course.objects.demo())
    exported = time.perf_counter() - start
    return {"generate_s": round(generated, 1), "export_s": round(exported, 1), "written": written}


def cleanup(source):
    import django

    django.setup()
    from django.test import override_settings

    from cartolangue.offers.models import Course, Place, Structure, StructureSource

    # Without a history row per deleted object (courses, sessions, slots, places…): a benchmark's imported rows
    # are not an edit anyone reverts, and writing those rows one by one is most of a clean-up's time.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        Course.objects.filter(source=source).delete()
        Place.objects.filter(source=source).delete()
        StructureSource.objects.filter(source=source).delete()
        Structure.objects.filter(source=source).delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=50000)
    parser.add_argument("--file", help="Reuse this LHEO file instead of generating one.")
    parser.add_argument("--json", help="Write the figures to this JSON file.")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cleanup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cleanup:
        cleanup("bench-lheo")
        return

    path = (
        Path(args.file or tempfile.gettempdir()) / f"bench-lheo-{args.actions}.xml"
        if not args.file
        else Path(args.file)
    )
    figures = {"actions": args.actions, "database": os.environ.get("DATABASE_URL", "sqlite (défaut)").split(":")[0]}
    if args.prepare_only:
        print(json.dumps(prepare(args.actions, path)))
        return
    python = str(ROOT / ".venv" / "bin" / "python")
    if not args.file:
        # In a child: this process stays small, so the peak RSS of the measured children is theirs alone.
        done = subprocess.run(
            [python, __file__, "--actions", str(args.actions), "--prepare-only"],
            check=True,
            capture_output=True,
            text=True,
        )
        figures.update(json.loads(done.stdout.strip().splitlines()[-1]))
    figures["file_mb"] = round(path.stat().st_size / 2**20, 1)

    seconds, rss, out = peak_rss([python, "-c", BARE, str(path)])
    actions = int(out.strip())
    figures["bare"] = {
        "seconds": round(seconds, 2),
        "actions_per_s": round(actions / seconds),
        "peak_rss_mib": round(rss),
    }

    source = "bench-lheo"
    for name, extra in (
        ("import", []),
        ("import_no_match", ["--no-match"]),
        ("import_no_validate", ["--no-match", "--no-validate"]),
    ):
        subprocess.run([python, __file__, "--cleanup"], check=True)
        seconds, rss, _out = peak_rss(
            [python, "manage.py", "import_lheo", str(path), "--source", source, "-v", "0", *extra]
        )
        figures[name] = {
            "seconds": round(seconds, 2),
            "actions_per_s": round(actions / seconds),
            "peak_rss_mib": round(rss),
            "ratio_to_bare": round(seconds / figures["bare"]["seconds"], 1),
        }
    subprocess.run([python, __file__, "--cleanup"], check=True)

    print(f"LHEO, {actions} actions, {figures['file_mb']} MiB, base {figures['database']}")
    print(f"{'':22} {'s':>8} {'actions/s':>10} {'RSS MiB':>8} {'× bare':>7}")
    for name in ("bare", "import", "import_no_match", "import_no_validate"):
        row = figures[name]
        ratio = row.get("ratio_to_bare", 1.0)
        print(f"{name:22} {row['seconds']:>8} {row['actions_per_s']:>10} {row['peak_rss_mib']:>8} {ratio:>7}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
