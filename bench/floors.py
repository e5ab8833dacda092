"""The floors `make bench` holds the project to (issue #25), checked on bench/run.py's figures: declared here
once, printed met or missed after the tables, and `make bench` fails when one is missed.

The search floors are read at `FLOOR_COURSES` courses (the realistic size of Île-de-France's offer with every
source), on every database run; the import floor on the LHEO import as a user runs it (with its matching)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

FLOOR_COURSES = 100_000
API_P95_MS = 25.0  # every API scenario, through gunicorn under wrk
PAGE_P95_MS = 60.0  # every HTML page scenario
MIXED_REQ_PER_S = 300.0  # the mixed API load
IMPORT_ACTIONS_PER_S = 1500.0
IMPORT_PEAK_MB = 250.0  # megabytes (10^6), as the issue states it; the harness measures MiB


@dataclass(frozen=True)
class Floor:
    database: str
    name: str
    value: float
    limit: float
    at_most: bool  # True: the value must not exceed the limit; False: it must reach it

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    def line(self) -> str:
        sign = "≤" if self.at_most else "≥"
        verdict = "met" if self.met else "MISSED"
        return f"{self.database:11} {self.name:34} {self.value:>9.1f} {sign} {self.limit:<8.0f} {verdict}"


def floors(runs: list[dict[str, Any]]) -> Iterator[Floor]:
    """The floors the runs can tell (a run at another size, or a phase not run, tells none)."""
    for run in runs:
        database = run["database"]
        if run.get("courses") == FLOOR_COURSES and "mixed_api" in run:
            served = [s for name, s in run["scenarios"].items() if not name.startswith("_") and "api" in s]
            if served:
                yield Floor(
                    database, "API p95, worst scenario (ms)", max(s["api"]["p95_ms"] for s in served), API_P95_MS, True
                )
                yield Floor(
                    database,
                    "page p95, worst scenario (ms)",
                    max(s["page"]["p95_ms"] for s in served),
                    PAGE_P95_MS,
                    True,
                )
            yield Floor(database, "mixed API load (req/s)", run["mixed_api"]["req_per_s"], MIXED_REQ_PER_S, False)
        if "import" in run:
            imported = run["import"]["import"]
            yield Floor(database, "LHEO import (actions/s)", imported["actions_per_s"], IMPORT_ACTIONS_PER_S, False)
            peak_mb = imported["peak_rss_mib"] * 2**20 / 10**6
            yield Floor(database, "LHEO import peak RSS (MB)", peak_mb, IMPORT_PEAK_MB, True)
