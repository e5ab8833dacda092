"""How the results map behaves with many points, in Debian's Chromium driven by Playwright.

Usage: start the site on a database with demo data (e.g. `manage.py runserver 127.0.0.1:8011`), then
    .venv/bin/python bench/map_points.py http://127.0.0.1:8011 "departement=95&departement=93"

Prints the number of points, the time until every marker is on the map (clustered), and the time of
zoom steps (main-thread time to re-cluster and redraw), from the page's own performance clock.
"""

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main(base, query):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.route("**/tile.openstreetmap.org/**", lambda route: route.fulfill(status=204))
        page.goto(f"{base}/?{query}")
        page.wait_for_function("window.cartoLangueMap !== undefined")
        page.wait_for_load_state("networkidle")  # the page's own first load is over
        page.wait_for_timeout(2000)
        stats = page.evaluate(
            """async (url) => {
                const m = window.cartoLangueMap;
                const t0 = performance.now();
                const data = await (await fetch(url)).json();
                const t1 = performance.now();
                const group = m.courses;
                group.clearLayers();
                const markers = data.features.map(
                    f => L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]]));
                const t2 = performance.now();
                group.addLayers(markers);
                while (group.getLayers().length < markers.length) {
                    await new Promise(r => setTimeout(r, 20));  // chunked loading
                }
                const t3 = performance.now();
                const zooms = [];
                for (const z of [10, 12, 14, 11, 9]) {
                    const s = performance.now();
                    m.map.setZoom(z, {animate: false});
                    await new Promise(r => requestAnimationFrame(() => r()));
                    zooms.push(performance.now() - s);
                }
                return {points: data.features.length, fetch_ms: t1 - t0, build_ms: t2 - t1,
                        cluster_ms: t3 - t2, zoom_ms: zooms, markers: group.getLayers().length};
            }""",
            page.locator("#carte").get_attribute("data-geojson"),
        )
        print(f"points: {stats['points']} (markers in the cluster group: {stats['markers']})")
        print(f"GeoJSON fetch + parse: {stats['fetch_ms']:.0f} ms")
        print(f"marker creation: {stats['build_ms']:.0f} ms, clustering: {stats['cluster_ms']:.0f} ms")
        print("zoom steps 10, 12, 14, 11, 9: " + ", ".join(f"{z:.0f} ms" for z in stats["zoom_ms"]))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
