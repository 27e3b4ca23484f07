// The world map of the explorer: decodes the vendored Natural Earth 110m TopoJSON
// (world-atlas) into SVG paths in an equirectangular projection, and places circles at
// the country positions of centroids.json (made by centroids.py). No network: both files
// are served by `annals serve` from the binary.
"use strict";

const AnnalsMap = (() => {
  const W = 960, H = 480;
  const project = ([lon, lat]) => [((lon + 180) * W) / 360, ((90 - lat) * H) / 180];

  // The arcs of a quantized TopoJSON as [lon, lat] lists.
  function decodeArcs(topo) {
    const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
    return topo.arcs.map((arc) => {
      let x = 0, y = 0;
      return arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
    });
  }

  // One ring from arc indexes (~i: arc i reversed); a ring crossing the antimeridian is
  // drawn in one piece, east of it (clipped at the map's edge).
  function ring(arcs, indexes) {
    const points = [];
    for (const i of indexes) {
      const arc = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
      points.push(...(points.length ? arc.slice(1) : arc));
    }
    const xs = points.map((p) => p[0]);
    if (Math.max(...xs) - Math.min(...xs) > 180) {
      return points.map(([x, y]) => [x < 0 ? x + 360 : x, y]);
    }
    return points;
  }

  function pathOf(arcs, geometry) {
    const polygons = geometry.type === "MultiPolygon" ? geometry.arcs : [geometry.arcs];
    return polygons.flatMap((poly) => poly.map((r) => {
      const pts = ring(arcs, r).map(project);
      return "M" + pts.map(([x, y]) => x.toFixed(1) + "," + y.toFixed(1)).join("L") + "Z";
    })).join("");
  }

  const SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  // Draw the countries into `svg` once; returns a function placing a code.
  function draw(svg, topo, centroids) {
    const arcs = decodeArcs(topo);
    const land = el("g", { class: "land" });
    for (const g of topo.objects.countries.geometries) {
      if (!g.arcs || g.id === "010") continue; // Antarctica: outside the view
      const p = el("path", { d: pathOf(arcs, g) });
      const t = el("title");
      t.textContent = (g.properties && g.properties.name) || "";
      p.appendChild(t);
      land.appendChild(p);
    }
    svg.appendChild(land);
    svg.appendChild(el("g", { class: "circles" }));
    return (code) => {
      const at = centroids.centroids[code] || centroids.centroids[centroids.via[code]];
      return at ? project(at) : null;
    };
  }

  // Circles sized by strength (area proportional), one per row with a position.
  function circles(svg, items) {
    const g = svg.querySelector("g.circles");
    g.replaceChildren();
    const max = Math.max(1, ...items.map((i) => i.value));
    const seen = {};
    for (const item of items) {
      if (!item.at) continue;
      const n = (seen[item.at.join()] = (seen[item.at.join()] || 0) + 1) - 1;
      const [x, y] = [item.at[0] + n * 6, item.at[1] - n * 6];
      const c = el("circle", {
        cx: x.toFixed(1), cy: y.toFixed(1), r: Math.max(3, 28 * Math.sqrt(item.value / max)).toFixed(1),
        class: item.changed ? "changed" : "",
        "data-key": item.key,
      });
      const t = el("title");
      t.textContent = item.label;
      c.appendChild(t);
      g.appendChild(c);
    }
  }

  return { draw, circles, el, project };
})();
