"""`bench/floors.py`: the floors `make bench` holds are read from the right figures, at the right size, and a
figure past its limit is reported missed."""

from bench.floors import FLOOR_COURSES, floors


def served(size: int, api_p95: list[float], page_p95: list[float], req_per_s: float) -> dict:
    scenarios: dict = {"_index": {"build_ms": 1}}
    for n, (api, page) in enumerate(zip(api_p95, page_p95, strict=True)):
        scenarios[f"s{n}"] = {"api": {"p95_ms": api}, "page": {"p95_ms": page}, "engine": {"p95_ms": 1}}
    return {"database": "sqlite", "courses": size, "scenarios": scenarios, "mixed_api": {"req_per_s": req_per_s}}


def imported(actions_per_s: float, peak_rss_mib: float) -> dict:
    return {
        "database": "postgresql",
        "import": {"import": {"actions_per_s": actions_per_s, "peak_rss_mib": peak_rss_mib}},
    }


def test_the_worst_scenario_is_held_to_the_floor_and_a_slow_one_is_missed():
    checked = {f.name: f for f in floors([served(FLOOR_COURSES, [9.0, 26.0], [31.0, 59.0], 301.0)])}
    assert checked["API p95, worst scenario (ms)"].value == 26.0
    assert not checked["API p95, worst scenario (ms)"].met
    assert checked["page p95, worst scenario (ms)"].met
    assert checked["mixed API load (req/s)"].met
    assert "MISSED" in checked["API p95, worst scenario (ms)"].line()


def test_a_run_at_another_size_tells_no_search_floor():
    assert list(floors([served(10_000, [99.0], [99.0], 1.0)])) == []


def test_the_import_floor_is_in_megabytes_and_throughput():
    # 240 MiB is 251.7 MB: over the 250 MB floor although under 250 MiB.
    checked = {f.name: f for f in floors([imported(1500.0, 240.0)])}
    assert checked["LHEO import (actions/s)"].met
    rss = checked["LHEO import peak RSS (MB)"]
    assert round(rss.value, 1) == 251.7 and not rss.met
    assert all(f.met for f in floors([imported(2000.0, 185.0)]))
