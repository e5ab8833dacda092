"""Search latency while 10 clients download the published exports (issue #17, item 2), for bench/run.py.

The same mixed API search load (wrk) runs twice through the same front (nginx before gunicorn, as production):
alone, then while `CLIENTS` clients download the published export files (the demonstration edition: the
benchmark's offer is demo data) one after the other in a loop. It reports the search p95 of both runs and its
change, and for the downloads: how many, their time to the first byte and to the last, their size and the rate
they were received at. The files are served as published, never built.

Each client is a loop of `curl` processes, as a remote user's tool would fetch the file: curl's timings are its
own (`time_starttransfer`, `time_total`), not those of a Python thread waiting for the interpreter lock behind
nine others decrypting TLS, which is what the first byte measured before.
"""

import subprocess
import threading
import time

CLIENTS = 10
EXPORT_PATHS = [
    "/api/v1/exports/opendata.zip",
    "/api/v1/exports/opendata/cours.csv",
    "/api/v1/exports/data-inclusion/services.json",
    "/api/v1/exports/lheo.xml",
    "/api/v1/exports/opendata/lieux.geojson",
]
# curl prints these once the transfer ends: seconds to the first byte, seconds in all, bytes, HTTP status.
CURL_FIGURES = "%{time_starttransfer} %{time_total} %{size_download} %{http_code}"


def curl_command(url: str, rate: int | None) -> list[str]:
    """One download as a client asking for gzip (as browsers and `curl --compressed` do; the gzip written at
    publication comes back), not decompressed, the body thrown away; `rate`: bytes a second at most."""
    command = ["curl", "--silent", "--insecure", "--max-time", "60", "--output", "/dev/null"]
    command += ["--header", "Accept-Encoding: gzip", "--write-out", CURL_FIGURES]  # --insecure: self-signed front
    if rate:
        command += ["--limit-rate", str(rate)]
    return [*command, url]


def _download_loop(base, stop, timings, errors, offset, rate):
    n = offset
    while not stop.is_set():
        path = EXPORT_PATHS[n % len(EXPORT_PATHS)] + "?demonstration=true"
        n += 1
        done = subprocess.run(curl_command(base + path, rate), capture_output=True, text=True, check=False)
        fields = done.stdout.split()
        if done.returncode or len(fields) != 4 or fields[3] != "200":
            errors.append(path)
            continue
        ttfb, total, size = float(fields[0]), float(fields[1]), int(fields[2])
        timings.append((ttfb * 1000, total * 1000, size, time.perf_counter()))


def _bytes_within(size: int, seconds: float, ended_at: float, start: float, end: float) -> float:
    """The share of one download's bytes received between `start` and `end` (its rate taken as even)."""
    began_at = ended_at - seconds
    overlap = min(ended_at, end) - max(began_at, start)
    return size * overlap / seconds if overlap > 0 and seconds > 0 else 0.0


def search_during_downloads(base, seconds, paths, wrk, percentile, rate_mib_s=None):
    """{"alone", "during": wrk figures of the mixed search load; "p95_change_pct"; "downloads": figures}, all
    through `base` (the local nginx front: https://127.0.0.1:port). `rate_mib_s`: each download client reads no
    faster (a remote client's bandwidth); None: as fast as this machine allows (the clients then compete with
    the server for its cores)."""
    rate = rate_mib_s * 2**20 if rate_mib_s else None
    alone = wrk(None, paths[0], seconds, paths=paths, base=base)
    stop, timings, errors = threading.Event(), [], []
    threads = [
        threading.Thread(target=_download_loop, args=(base, stop, timings, errors, i, rate), daemon=True)
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the downloads are under way when the search load starts
    started = time.perf_counter()
    during = wrk(None, paths[0], seconds, paths=paths, base=base)
    ended = time.perf_counter()
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    received = sum(_bytes_within(size, total / 1000, at, started, ended) for _t, total, size, at in timings)
    ttfb, total, sizes, _at = zip(*timings, strict=True) if timings else ((0,), (0,), (0,), (0,))
    return {
        "alone": alone,
        "during": during,
        "p95_change_pct": round((during["p95_ms"] / alone["p95_ms"] - 1) * 100, 1) if alone["p95_ms"] else None,
        "downloads": {
            "clients": CLIENTS,
            "rate_mib_s": rate_mib_s,
            "count": len(timings),
            "errors": len(errors),
            "ttfb_p50_ms": round(percentile(ttfb, 0.5), 2),
            "ttfb_p95_ms": round(percentile(ttfb, 0.95), 2),
            "total_p50_ms": round(percentile(total, 0.5), 2),
            "total_p95_ms": round(percentile(total, 0.95), 2),
            "largest_mib": round(max(sizes) / 2**20, 1),  # as sent (gzip)
            "received_mib_s": round(received / 2**20 / (ended - started), 1),
        },
    }
