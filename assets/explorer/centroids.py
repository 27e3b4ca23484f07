#!/usr/bin/env python3
"""Make the explorer's centroid table (assets/explorer/centroids.json) from the vendored
Natural Earth 110m map and the annals code table. Python 3 standard library only.

    cargo run -- codes --json > /tmp/codes.json
    python3 assets/explorer/centroids.py /tmp/codes.json \
        /usr/share/iso-codes/json/iso_3166-1.json > assets/explorer/centroids.json

Inputs:
- assets/vendor/world-atlas/countries-110m.json (TopoJSON; each country's `id` is its ISO
  3166-1 numeric code, a few disputed areas have only a name);
- the output of `annals codes --json` (every annals state code, with its ISO alpha-3);
- Debian's iso-codes table (package `iso-codes`), for ISO numeric -> alpha-3.

The position of a code is the area-weighted centroid of the largest polygon of its
country (so France is placed in Europe, not between Europe and French Guiana; the United
States in the contiguous states), in degrees [lon, lat], rounded to 0.01.

Codes without a polygon of their own are never dropped silently. The output lists:
- `centroids`: code -> [lon, lat], for the codes the map draws;
- `via`: a historical code placed at its successor's (or territory's) position, with the
  successor named (SUN -> RUS, DDR -> DEU, ...): the map has only today's borders;
- `missing`: the codes with no position at all (mostly small states the 110m map leaves
  out: Andorra, Malta, Singapore, ...); the explorer lists their deployments in the
  table and says they are not on the map.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAP = os.path.join(HERE, "..", "vendor", "world-atlas", "countries-110m.json")

# Map features without an ISO numeric id, by their name in the map.
BY_NAME = {"Kosovo": "XKX", "N. Cyprus": "XNC"}

# Historical codes (see src/codes/table.rs) -> the code whose position they take.
VIA = {
    "SUN": "RUS", "DDR": "DEU", "YUG": "SRB", "CSK": "CZE", "YMD": "YEM", "XYN": "YEM",
    "XAH": "AUT", "XHN": "DEU", "XBV": "DEU", "XBD": "DEU", "XSX": "DEU", "XWT": "DEU",
    "XHK": "DEU", "XHD": "DEU", "XMS": "DEU", "XPS": "ITA", "XTS": "ITA", "XMO": "ITA",
    "XPA": "ITA", "XTU": "ITA", "XZN": "TZA", "XKR": "KOR", "XRV": "VNM", "XUP": "GTM",
    "XGC": "COL", "XTV": "ZAF", "XOF": "ZAF", "XTB": "CHN", "XBF": "NGA", "XKT": "COD",
}


def decode_arcs(topo):
    """The arcs of a quantized TopoJSON as lists of [lon, lat]."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    """A ring from arc indexes (a negative index ~i is arc i reversed)."""
    points = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


def area_and_centroid(points):
    """Planar (signed-free) area and centroid of a closed ring in degrees."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return 0.0, points[0]
    return abs(a / 2), (cx / (3 * a), cy / (3 * a))


def unwrap(points):
    """A ring that crosses the antimeridian (Russia's, Fiji's) with its western longitudes
    moved east by 360 degrees, so that it is one piece."""
    xs = [x for x, _ in points]
    if max(xs) - min(xs) <= 180:
        return points
    return [(x + 360 if x < 0 else x, y) for x, y in points]


def centroid(arcs, geometry):
    """The centroid of the largest outer ring of a Polygon or MultiPolygon."""
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    rings = (unwrap(ring(arcs, p[0])) for p in polygons)
    best = max((area_and_centroid(r) for r in rings), key=lambda t: t[0])
    lon, lat = best[1]
    lon = (lon + 180) % 360 - 180
    return [round(lon, 2), round(lat, 2)]


def main():
    codes_path, iso_path = sys.argv[1], sys.argv[2]
    topo = json.load(open(MAP))
    iso = json.load(open(iso_path))["3166-1"]
    alpha3_of = {e["numeric"]: e["alpha_3"] for e in iso}
    arcs = decode_arcs(topo)
    by_iso3 = {}
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        name = g.get("properties", {}).get("name")
        key = alpha3_of.get(g.get("id")) or BY_NAME.get(name)
        if key:
            by_iso3[key] = centroid(arcs, g)
    rows = json.load(open(codes_path))
    rows = rows["rows"] if isinstance(rows, dict) else rows
    codes = sorted({(r["code"], r.get("iso3") or r["code"]) for r in rows})
    centroids, via, missing = {}, {}, []
    for code, iso3 in codes:
        if iso3 in by_iso3 or code in by_iso3:
            centroids[code] = by_iso3.get(iso3) or by_iso3[code]
    for code, _ in codes:
        if code in centroids:
            continue
        if code in VIA and VIA[code] in centroids:
            via[code] = VIA[code]
        else:
            missing.append(code)
    out = {
        "about": "Country positions for the annals explorer: the centroid of each "
                 "country's largest polygon in Natural Earth 110m (world-atlas 2.0.2), "
                 "made by assets/explorer/centroids.py; see that script for `via` and "
                 "`missing`.",
        "centroids": centroids,
        "via": via,
        "missing": sorted(set(missing)),
    }
    json.dump(out, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
