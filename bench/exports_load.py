"""Search latency while 10 clients download the published exports (issue #17, item 2), for bench/run.py.

The same mixed API search load (wrk) runs twice through the same front (nginx before gunicorn, as production):
alone, then while `CLIENTS` threads
download the published export files (the demonstration edition: the benchmark's offer is demo data) one after
the other in a loop. It reports the search p95 of both runs and its change, and for the downloads: how many,
their time to the first byte and to the last, and their size. The files are served as published, never built.
"""

import ssl
import threading
import time
import urllib.request

CLIENTS = 10
EXPORT_PATHS = [
    "/api/v1/exports/opendata.zip",
    "/api/v1/exports/opendata/cours.csv",
    "/api/v1/exports/data-inclusion/services.json",
    "/api/v1/exports/lheo.xml",
    "/api/v1/exports/opendata/lieux.geojson",
]


def _download_loop(base, stop, timings, errors, offset, rate):
    tls = ssl.create_default_context()
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE  # the local front's self-signed certificate
    n = offset
    while not stop.is_set():
        path = EXPORT_PATHS[n % len(EXPORT_PATHS)] + "?demonstration=true"
        n += 1
        start = time.perf_counter()
        try:
            # As browsers and `curl --compressed` ask: the gzip written at publication comes back.
            request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=60, context=tls) as response:
                first = response.read(1)
                ttfb = time.perf_counter() - start
                size = len(first)
                while chunk := response.read(1 << 20):
                    size += len(chunk)
                    if rate:  # a remote client's bandwidth: no faster than `rate` bytes a second
                        time.sleep(max(0.0, size / rate - (time.perf_counter() - start)))
        except OSError:
            errors.append(path)
            continue
        timings.append((ttfb * 1000, (time.perf_counter() - start) * 1000, size))


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
    during = wrk(None, paths[0], seconds, paths=paths, base=base)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    ttfb, total, sizes = zip(*timings, strict=True) if timings else ((0,), (0,), (0,))
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
        },
    }
