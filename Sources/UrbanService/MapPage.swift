import Hummingbird

/// The map at `/` for browsers: Leaflet (served by us, `/static/leaflet/`), no tiles, nothing fetched from
/// elsewhere. It draws grid cells, streets, vendor zones, hazards and stations from the OGC items endpoints
/// (the view's bbox, following `next` links), colours the vendor zones open or closed at the chosen time from
/// `GET /vendor/open?at=` (grey when that call fails), and looks up a clicked spot with `GET /lookup?lon=&lat=`.
/// Query parameters of the page: `at` (the vendor-zone time, default now), `lookup=LON,LAT` (open that lookup).
/// A signed-in user (a bearer token typed into the panel, kept in the tab's session storage, never in the URL) also
/// sees the open cases (`GET /cases?status=open`) coloured by their time state; a visitor without a token sees none.
enum MapPage {
    /// Whether `/` should answer the JSON landing page: `f=json`, or an Accept header asking for JSON and not HTML.
    static func wantsJSON(_ request: Request) -> Bool {
        if let f = request.uri.queryParameters.get("f") { return f == "json" }
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return accept.contains("json") && !accept.contains("text/html")
    }

    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>UrbanGrid map</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/leaflet/leaflet.css">
<link rel="alternate" type="application/json" href="/?f=json" title="OGC API – Features landing page">
<style>
html, body { height: 100%; margin: 0; font: 13px/1.35 sans-serif; }
#map { position: absolute; inset: 0; background: #f3f2ee; }
.panel { position: absolute; z-index: 1000; top: 10px; right: 10px; background: #fff; padding: 8px 10px;
         border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35); max-width: 300px; }
.panel h1 { font-size: 15px; margin: 0 0 6px; }
.legend div { margin: 2px 0; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle; border: 1px solid #555; }
#status { font-size: 12px; color: #333; margin-top: 6px; white-space: pre-line; }
table.lookup td { padding: 1px 4px; vertical-align: top; }
table.lookup td:first-child { color: #555; }
.error { color: #b00; }
</style>
</head>
<body>
<div id="map"></div>
<div class="panel">
  <h1>UrbanGrid</h1>
  <label>Vendor zones at <input id="at" type="datetime-local" step="60"></label>
  <div class="legend">
    <div><i style="background:#31a354"></i>zone open <i style="background:#de2d26"></i>closed <i style="background:#9e9e9e"></i>unknown</div>
    <div><i style="background:#c6dbef;border-color:#4f7cac"></i>grid cell <i style="background:#444;height:2px;border:0"></i>street</div>
    <div><i style="background:#fd8d3c;border-radius:7px"></i>hazard <i style="background:#2171b5;border-radius:7px;border-color:#fff"></i>station</div>
  </div>
  <details id="casesBox"><summary>Cases (sign in)</summary>
    <input id="token" type="password" placeholder="bearer token (urbangrid users add)" autocomplete="off" style="width:95%">
    <button id="signin">show open cases</button> <button id="signout">sign out</button>
    <div class="legend"><i style="background:#31a354;border-radius:7px"></i>on time <i style="background:#fec44f;border-radius:7px"></i>80 % used
      <i style="background:#de2d26;border-radius:7px"></i>overdue <i style="background:#756bb1;border-radius:7px"></i>not dispatched</div>
  </details>
  <div id="status">loading…</div>
  <div style="font-size:11px;color:#666;margin-top:4px">Click the map: who is responsible for that spot.</div>
</div>
<script src="/static/leaflet/leaflet.js"></script>
<script>
"use strict";
const PAGE = 5000, MAX_PAGES = 20;
const state = {};            // layer -> status text
let zoneHours = null;        // zone id -> {open, closes_at, opens_at}; null when /vendor/open failed
let zoneHoursNote = "not loaded";

function showStatus() {
  const lines = Object.entries(state).map(([k, v]) => k + ": " + v);
  lines.push("vendor hours: " + zoneHoursNote);
  document.getElementById("status").textContent = lines.join("\n");
}

const map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
L.control.scale({ imperial: false }).addTo(map);
[["gridPane", 410], ["streetPane", 420], ["zonePane", 430], ["hazardPane", 440], ["stationPane", 450], ["casePane", 460]].forEach(([name, z]) => {
  map.createPane(name).style.zIndex = z;
});

function zoneColour(feature) {
  if (!zoneHours) return "#9e9e9e";
  const h = zoneHours[String(feature.id)];
  return h && h.open ? "#31a354" : "#de2d26";   // absent from the answer: not open at that time
}

function text(v) { return v === null || v === undefined ? "–" : String(v); }

function table(rows) {
  const t = document.createElement("table");
  t.className = "lookup";
  for (const [k, v] of rows) {
    const tr = t.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = text(v);
  }
  return t;
}

function featureTable(title, f, keys) {
  const div = document.createElement("div");
  const b = document.createElement("b");
  b.textContent = title + " " + f.id;
  div.appendChild(b);
  div.appendChild(table(keys.filter(k => f.properties && f.properties[k] !== undefined).map(k => [k, f.properties[k]])));
  return div;
}

const layers = {
  grids: L.geoJSON(null, { pane: "gridPane", interactive: false,
    style: { color: "#4f7cac", weight: 0.6, fillColor: "#c6dbef", fillOpacity: 0.45 } }),
  streets: L.geoJSON(null, { pane: "streetPane", interactive: false, style: { color: "#444", weight: 1.3 } }),
  "vendor-zones": L.geoJSON(null, { pane: "zonePane",
    style: f => ({ color: "#111", weight: 2, fillColor: zoneColour(f), fillOpacity: 0.8 }),
    onEachFeature: (f, l) => l.bindTooltip(() => {
      const div = featureTable("vendor zone", f, ["name", "kind", "capacity", "hours"]);
      const h = zoneHours && zoneHours[String(f.id)];
      div.appendChild(table(zoneHours ? [["open", h ? h.open : false], ["closes_at", h && h.closes_at], ["opens_at", h && h.opens_at]]
                                       : [["open", "unknown (" + zoneHoursNote + ")"]]));
      return div;
    }) }),
  hazards: L.geoJSON(null, { pane: "hazardPane",
    pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "hazardPane", radius: 3, color: "#a63603", weight: 0.5, fillColor: "#fd8d3c", fillOpacity: 0.85 }),
    style: { color: "#e6550d", weight: 2 },
    onEachFeature: (f, l) => l.bindTooltip(() => featureTable("hazard", f, ["kind", "class_code", "class_name", "severity", "status", "reported_at", "grid_code"])) }),
  stations: L.geoJSON(null, { pane: "stationPane",
    pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "stationPane", radius: 7, color: "#fff", weight: 2, fillColor: "#2171b5", fillOpacity: 1 }),
    onEachFeature: (f, l) => l.bindTooltip(() => featureTable("station", f, ["name", "kind", "capacity", "hours"])) }),
  cases: L.geoJSON(null, { pane: "casePane",
    pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "casePane", radius: 6, color: "#222", weight: 1,
      fillColor: ({ green: "#31a354", yellow: "#fec44f", red: "#de2d26" })[f.properties.time_state] || "#756bb1", fillOpacity: 0.95 }),
    onEachFeature: (f, l) => l.bindTooltip(() => featureTable("case", f,
      ["status", "kind", "class_code", "description", "department_id", "grid_code", "deadline", "work_hours_used", "time_state"])) }),
};
Object.values(layers).forEach(l => l.addTo(map));

// cases: only with a token, which stays in this tab's session storage and goes only in the Authorization header
async function loadCases() {
  const token = sessionStorage.getItem("urbangrid.token");
  layers.cases.clearLayers();
  if (!token) { state.cases = "sign in to see them"; showStatus(); return; }
  try {
    const r = await fetch("/cases?status=open&limit=5000&f=geojson", { headers: { Accept: "application/geo+json", Authorization: "Bearer " + token } });
    const body = await r.json();
    if (!r.ok) throw new Error(body.description || ("HTTP " + r.status));
    layers.cases.addData(body.features);
    const by = {};
    body.features.forEach(f => { const k = f.properties.time_state || "not dispatched"; by[k] = (by[k] || 0) + 1; });
    state.cases = body.features.length + " open (" + Object.entries(by).map(([k, v]) => v + " " + k).join(", ") + ")";
  } catch (e) {
    state.cases = "failed: " + e.message;
  }
  showStatus();
}
document.getElementById("signin").addEventListener("click", () => {
  const t = document.getElementById("token").value.trim();
  if (t) sessionStorage.setItem("urbangrid.token", t);
  document.getElementById("token").value = "";
  loadCases();
});
document.getElementById("signout").addEventListener("click", () => { sessionStorage.removeItem("urbangrid.token"); loadCases(); });

let generation = 0;
let controller = null;

async function loadLayer(name, bbox, gen, signal) {
  let url = "/collections/" + encodeURIComponent(name) + "/items?limit=" + PAGE + "&bbox=" + bbox;
  const features = [];
  let matched = null;
  state[name] = "loading…"; showStatus();
  try {
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const r = await fetch(url, { signal, headers: { Accept: "application/geo+json" } });
      const body = await r.json();
      if (!r.ok) throw new Error(body.description || ("HTTP " + r.status));
      features.push(...body.features);
      matched = body.numberMatched;
      const next = (body.links || []).find(l => l.rel === "next");
      url = next ? next.href : null;
    }
    if (gen !== generation) return;
    layers[name].clearLayers();
    layers[name].addData(features);
    state[name] = features.length + (matched !== null && matched > features.length ? " of " + matched : "") + " in view";
  } catch (e) {
    if (e.name === "AbortError") return;
    state[name] = "failed: " + e.message;
  }
  showStatus();
}

async function loadZoneHours() {
  const at = document.getElementById("at").value;
  zoneHoursNote = "loading…"; showStatus();
  try {
    const r = await fetch("/vendor/open?at=" + encodeURIComponent(at), { headers: { Accept: "application/json" } });
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok || !body || !Array.isArray(body.zones)) {
      throw new Error((body && body.description) || ("HTTP " + r.status));
    }
    zoneHours = {};
    for (const z of body.zones) zoneHours[String(z.zone_id)] = z;
    zoneHoursNote = body.zones.filter(z => z.open).length + " zones open at " + text(body.at);
  } catch (e) {
    zoneHours = null;
    zoneHoursNote = "unavailable (" + e.message + "), zones grey";
  }
  layers["vendor-zones"].setStyle(f => ({ fillColor: zoneColour(f) }));
  showStatus();
}

function loadView() {
  generation += 1;
  if (controller) controller.abort();
  controller = new AbortController();
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
    .map(v => v.toFixed(7)).join(",");
  const gen = generation, signal = controller.signal;
  return Promise.all(["grids", "streets", "vendor-zones", "hazards", "stations"].map(n => loadLayer(n, bbox, gen, signal)));
}

async function lookup(e) {
  const lon = e.latlng.lng.toFixed(7), lat = e.latlng.lat.toFixed(7);
  const popup = L.popup({ maxWidth: 360 }).setLatLng(e.latlng).setContent("looking up " + lon + ", " + lat + " …").openOn(map);
  const div = document.createElement("div");
  const head = document.createElement("b");
  head.textContent = lon + ", " + lat;
  div.appendChild(head);
  try {
    const r = await fetch("/lookup?lon=" + lon + "&lat=" + lat, { headers: { Accept: "application/json" } });
    let body = null;
    try { body = await r.json(); } catch (err) { body = null; }
    if (!r.ok || !body) throw new Error((body && body.description) || ("HTTP " + r.status));
    const keys = ["grid_code", "community_code", "street_code", "district_code", "chief", "segment_id", "segment_distance_m",
                  "on_duty", "responsible", "duty_note", "road_chief", "road_responsible", "frontage_unit", "frontage_holder"];
    div.appendChild(table(keys.map(k => [k, k === "chief" && body[k] && typeof body[k] === "object" ? JSON.stringify(body[k]) : body[k]])));
  } catch (err) {
    const p = document.createElement("div");
    p.className = "error";
    p.textContent = "lookup failed: " + err.message;
    div.appendChild(p);
  }
  popup.setContent(div);
}
map.on("click", lookup);

function localNow() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

async function start() {
  const input = document.getElementById("at");
  const params = new URLSearchParams(location.search);
  input.value = params.get("at") || localNow();
  input.addEventListener("change", loadZoneHours);
  let view = null;
  for (const name of ["grids", "admin", "streets", "vendor-zones", "stations"]) {
    try {
      const r = await fetch("/collections/" + name, { headers: { Accept: "application/json" } });
      const c = await r.json();
      const bb = c.extent && c.extent.spatial && c.extent.spatial.bbox && c.extent.spatial.bbox[0];
      if (bb) { view = [[bb[1], bb[0]], [bb[3], bb[2]]]; break; }
    } catch (e) { /* try the next layer */ }
  }
  if (view) map.fitBounds(view); else map.setView([0, 0], 2);
  const zones = loadZoneHours();
  await loadView();
  await zones;
  await loadCases();
  map.on("moveend", loadView);
  const counts = ["grids", "streets", "vendor-zones", "hazards", "stations"].map(n => n + "=" + layers[n].getLayers().length);
  // ?lookup=LON,LAT opens the lookup popup there, as a click would (for links and screenshots)
  const at = (params.get("lookup") || "").split(",").map(Number);
  if (at.length === 2 && at.every(Number.isFinite)) await lookup({ latlng: L.latLng(at[1], at[0]) });
  document.body.dataset.loaded = counts.join(" ");
  document.title = "UrbanGrid map (" + counts.join(", ") + ")";
}
start();
</script>
</body>
</html>
"""#
}
