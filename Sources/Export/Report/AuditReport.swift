import Foundation
public import SpatialCore
public import UrbanStore
public import UrbanModel

/// The self-contained HTML report of a batch run: the overall result, the exports, the failing rules with their
/// offending features, the uncovered grids, and a Leaflet map (script and styles inlined, no tiles, no network)
/// of the grid cells coloured by their state and the stations with their coverage radius.
public struct AuditReport {
    /// What the map draws, as GeoJSON text (WGS84, 6 decimals ≈ 0.1 m).
    public struct MapData: Sendable {
        public var cells: String
        public var stations: String
        public var cellsDrawn: Int
        public var cellsTotal: Int
        public var radiusMetres: Double?

        /// Reads the grid cells (uncovered and flagged ones first when there are more than `cellLimit`) and stations.
        public init(_ db: any CityStore, findings: [GridFinding]?, coverage: GridCoverage?, cellLimit: Int) throws {
            var flagged: [String: String] = [:]
            func flag(_ code: String, _ text: String) { flagged[code] = flagged[code].map { $0 + "; " + text } ?? text }
            for f in findings ?? [] where f.kind != .gap {
                flag(f.code, f.description)
                if let o = f.other { flag(o, f.description) }
            }
            var uncovered: [String: GridCoverageUnit] = [:]
            for u in coverage?.uncovered ?? [] { uncovered[u.gridCode] = u }
            var important: [Feature] = [], rest: [Feature] = []
            let reader = try LayerReader(db, layer: .grids)
            let codeIndex = reader.columns.firstIndex { $0.name == "code" }!
            let communityIndex = reader.columns.firstIndex { $0.name == "community_code" }!
            try reader.forEach { f in
                let code = f.values[codeIndex].stringValue ?? f.id
                var status = "ok"
                var note = ""
                if let u = uncovered[code] {
                    status = "uncovered"
                    note = u.distanceMetres.map { "nearest station \(u.stationID ?? "?") at \(NumberText.format($0, precision: 0)) m" } ?? "no station"
                }
                if let d = flagged[code] {
                    status = status == "ok" ? "flagged" : status
                    note += (note.isEmpty ? "" : "; ") + d
                }
                let feature = Feature(
                    id: .string(f.id), geometry: f.geometry,
                    properties: ["code": .string(code), "community": f.values[communityIndex], "status": .string(status), "note": .string(note)])
                if status == "ok" { rest.append(feature) } else { important.append(feature) }
            }
            cellsTotal = important.count + rest.count
            let drawn = Array((important + rest).prefix(cellLimit))
            cellsDrawn = drawn.count
            let encoder = GeoJSONEncoder(precision: 6)
            var out: [UInt8] = []
            encoder.append(FeatureCollection(drawn), to: &out)
            cells = String(decoding: out, as: UTF8.self)
            var stationFeatures: [Feature] = []
            let stationReader = try LayerReader(db, layer: .stations)
            let nameIndex = stationReader.columns.firstIndex { $0.name == "name" }!
            try stationReader.forEach { f in
                stationFeatures.append(Feature(id: .string(f.id), geometry: f.geometry, properties: ["name": f.values[nameIndex]]))
            }
            out.removeAll()
            encoder.append(FeatureCollection(stationFeatures), to: &out)
            stations = String(decoding: out, as: UTF8.self)
            radiusMetres = coverage?.radiusMetres
        }
    }

    /// One assessment (考核) of the batch: its grouping, period and rows.
    public struct Assessment: Sendable {
        public var grouping: AssessmentGrouping
        public var from: String, to: String
        public var rows: [AssessmentRow]
        public init(grouping: AssessmentGrouping, from: String, to: String, rows: [AssessmentRow]) {
            self.grouping = grouping
            self.from = from
            self.to = to
            self.rows = rows
        }
    }

    public var title: String
    public var generatedAt: String
    public var database: String
    public var passed: Bool
    public var exports: [BatchExportResult]
    public var gridFindings: [GridFinding]?
    public var coverage: [GridCoverage]
    public var map: MapData
    public var leaflet: LeafletAssets?
    public var assessments: [Assessment]
    /// Rows shown per table; the full lists are in audits.json.
    public var tableRowLimit = 500

    public init(title: String, generatedAt: String, database: String, passed: Bool, exports: [BatchExportResult],
                gridFindings: [GridFinding]?, coverage: [GridCoverage], map: MapData, leaflet: LeafletAssets?, assessments: [Assessment] = []) {
        self.assessments = assessments
        self.title = title
        self.generatedAt = generatedAt
        self.database = database
        self.passed = passed
        self.exports = exports
        self.gridFindings = gridFindings
        self.coverage = coverage
        self.map = map
        self.leaflet = leaflet
    }

    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// JSON text made safe inside a `<script>` element (`<` only occurs inside JSON strings, where `\u003c` means the same).
    static func scriptJSON(_ s: String) -> String { s.replacingOccurrences(of: "<", with: "\\u003c") }

    func table(_ headers: [String], _ rows: [[String]], total: Int) -> String {
        var h = "<table><thead><tr>" + headers.map { "<th>\(Self.esc($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows.prefix(tableRowLimit) {
            h += "<tr>" + r.map { "<td>\(Self.esc($0))</td>" }.joined() + "</tr>\n"
        }
        h += "</tbody></table>\n"
        if total > tableRowLimit { h += "<p class=\"more\">\(tableRowLimit) of \(total) rows shown; all are in audits.json.</p>\n" }
        return h
    }

    public func html() -> String {
        var body = ""
        body += "<header><h1>\(Self.esc(title))</h1><p>\(Self.esc(generatedAt)) · \(Self.esc(database))</p>"
        body += "<p class=\"verdict \(passed ? "pass" : "fail")\">\(passed ? "All audits passed" : "Audits found problems")</p></header>\n"

        // The verdict per rule, then the map, then the offending features (long lists folded), then the files.
        var rules: [[String]] = []
        if let findings = gridFindings {
            var counts: [GridFinding.Kind: Int] = [:]
            for f in findings { counts[f.kind, default: 0] += 1 }
            for kind in GridFinding.Kind.allCases {
                let n = counts[kind] ?? 0
                rules.append(["grid: \(kind.rawValue)", n == 0 ? "pass" : "fail", n == 0 ? "" : "\(n) findings"])
            }
        }
        for c in coverage {
            rules.append([
                "station within \(NumberText.format(c.radiusMetres)) m of every grid (\(c.network.map { "\($0 == .walk ? "walking" : "driving") along the streets" } ?? "straight-line, \(c.measure.rawValue)"))",
                c.uncovered.isEmpty ? "pass" : "fail",
                "\(c.coveredCount) of \(c.units.count) grids covered (\(NumberText.format(c.coveragePercent, precision: 1)) %)",
            ])
        }
        if !rules.isEmpty {
            body += "<section><h2>Rules</h2><table><thead><tr><th>rule</th><th>result</th><th></th></tr></thead><tbody>\n"
            for r in rules {
                body += "<tr><td>\(Self.esc(r[0]))</td><td><span class=\"badge \(r[1])\">\(r[1])</span></td><td>\(Self.esc(r[2]))</td></tr>\n"
            }
            body += "</tbody></table></section>\n"
        }

        body += "<section><h2>Map</h2>\n"
        if leaflet == nil {
            body += "<p class=\"fail\">No map: Leaflet was not found (install Debian's libjs-leaflet).</p>\n"
        } else {
            body += "<div id=\"map\"></div><p class=\"legend\"><span class=\"sw ok\"></span>covered, no finding <span class=\"sw uncovered\"></span>no station within reach "
            body += "<span class=\"sw flagged\"></span>grid-audit finding <span class=\"sw station\"></span>station"
            if let r = map.radiusMetres { body += " (dashed circle: \(NumberText.format(r)) m)" }
            body += map.cellsDrawn < map.cellsTotal ? " · \(map.cellsDrawn) of \(map.cellsTotal) cells drawn, problems first" : ""
            body += "</p>\n"
        }
        body += "</section>\n"

        func folded(_ title: String, _ count: Int, _ content: String) -> String {
            "<details\(count <= 30 ? " open" : "")><summary>\(Self.esc(title)) (\(count))</summary>\n\(content)</details>\n"
        }
        for c in coverage where !c.uncovered.isEmpty {
            body += "<section><h2>Uncovered grids: no station within \(NumberText.format(c.radiusMetres)) m</h2>\n"
            body += "<p>Straight-line distance to the nearest station, measured to the cell's \(c.measure == .centroid ? "centroid" : "nearest point") in \(Self.esc(c.crs)).</p>\n"
            body += folded("uncovered grids", c.uncovered.count, table(["grid code", "community", "nearest station", "distance m"], c.uncovered.map { u in
                [u.gridCode, u.communityCode ?? "", u.stationID ?? "none", u.distanceMetres.map { NumberText.format($0, precision: 1) } ?? ""]
            }, total: c.uncovered.count))
            body += "</section>\n"
        }
        if let findings = gridFindings, !findings.isEmpty {
            body += "<section><h2>Grid audit findings</h2>\n"
            for kind in GridFinding.Kind.allCases {
                let rows = findings.filter { $0.kind == kind }
                guard !rows.isEmpty else { continue }
                body += folded(kind.rawValue, rows.count, table(["grid / community", "other", "area m²", "detail"], rows.map { f in
                    [f.code, f.other ?? "", f.areaSquareMetres.map { NumberText.format($0, precision: 1) } ?? "", f.detail]
                }, total: rows.count))
            }
            body += "</section>\n"
        }

        body += assessmentSections()
        body += "<section><h2>Exports</h2>\n"
        var rows: [[String]] = []
        for e in exports {
            for l in e.layers {
                rows.append([e.name, l.layer.rawValue, e.format.rawValue, e.crs, String(l.features), String(l.bytes), l.path])
            }
        }
        body += table(["export", "layer", "format", "CRS", "features", "bytes", "file"], rows, total: rows.count)
        body += "</section>\n"

        var script = ""
        if let leaflet {
            script += "<script>\(leaflet.script)</script>\n"
            script += "<script id=\"cells\" type=\"application/json\">\(Self.scriptJSON(map.cells))</script>\n"
            script += "<script id=\"stations\" type=\"application/json\">\(Self.scriptJSON(map.stations))</script>\n"
            script += """
                <script>
                (function () {
                  var cells = JSON.parse(document.getElementById('cells').textContent);
                  var stations = JSON.parse(document.getElementById('stations').textContent);
                  var radius = \(map.radiusMetres.map { NumberText.format($0) } ?? "null");
                  var colours = {ok: '#4c9f70', uncovered: '#d7263d', flagged: '#f4a259'};
                  var map = L.map('map', {preferCanvas: true, attributionControl: false, zoomSnap: 0.25});
                  var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };
                  var grid = L.geoJSON(cells, {
                    style: function (f) { var c = colours[f.properties.status] || '#888';
                      return {color: c, weight: 1, fillColor: c, fillOpacity: f.properties.status === 'ok' ? 0.25 : 0.55}; },
                    onEachFeature: function (f, layer) {
                      layer.bindPopup('<b>' + esc(f.properties.code) + '</b><br>community ' + esc(f.properties.community || '') +
                        '<br>' + esc(f.properties.status) + (f.properties.note ? '<br>' + esc(f.properties.note) : ''));
                    }
                  });
                  var circles = L.layerGroup();
                  var st = L.geoJSON(stations, {
                    pointToLayer: function (f, latlng) {
                      if (radius !== null) { circles.addLayer(L.circle(latlng, {radius: radius, color: '#1b4965', weight: 1, fill: false, dashArray: '4 4'})); }
                      return L.circleMarker(latlng, {radius: 6, color: '#fff', weight: 2, fillColor: '#1b4965', fillOpacity: 1});
                    },
                    onEachFeature: function (f, layer) { layer.bindPopup('station <b>' + esc(f.id) + '</b> ' + esc(f.properties.name || '')); }
                  });
                  // the view first: vector layers need the map's pixel bounds when they are added
                  var bounds = grid.getBounds();
                  if (st.getLayers().length) { bounds.extend(st.getBounds()); }
                  if (bounds.isValid()) { map.fitBounds(bounds, {padding: [10, 10]}); } else { map.setView([0, 0], 2); }
                  grid.addTo(map); circles.addTo(map); st.addTo(map);
                  L.control.layers(null, {'grid cells': grid, 'coverage radius': circles, 'stations': st}).addTo(map);
                  L.control.scale({imperial: false}).addTo(map);
                })();
                </script>

                """
            script += assessmentScript()
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.esc(title))</title>
            <style>\(leaflet?.stylesheet ?? "")</style>
            <style>
            body { font: 14px/1.45 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 32px; color: #1d2733; }
            header { border-bottom: 2px solid #1b4965; margin-bottom: 12px; } h1 { margin: 16px 0 4px; font-size: 22px; }
            h2 { font-size: 17px; margin: 20px 0 6px; } h2 span { font-size: 13px; padding: 2px 8px; border-radius: 10px; margin-left: 8px; }
            .pass { background: #dff3e4; color: #1e6b3a; } .fail { background: #fbe0e2; color: #9b1c2c; }
            .badge { padding: 1px 8px; border-radius: 9px; font-weight: 600; font-size: 12px; }
            details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
            .verdict { display: inline-block; padding: 4px 12px; border-radius: 12px; font-weight: 600; }
            table { border-collapse: collapse; width: 100%; font-size: 13px; } th, td { border-bottom: 1px solid #dde3ea; padding: 3px 8px; text-align: left; }
            th { background: #f0f4f8; } td:nth-child(n+4) { font-variant-numeric: tabular-nums; }
            #map { height: 560px; border: 1px solid #c5ced8; background: #f7f9fb; }
            .legend { font-size: 13px; } .sw { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; border-radius: 2px; }
            .sw.ok { background: #4c9f70; } .sw.uncovered { background: #d7263d; } .sw.flagged { background: #f4a259; } .sw.station { background: #1b4965; border-radius: 6px; }
            .more { color: #5c6b7a; font-size: 12px; }
            #assessmap { height: 460px; border: 1px solid #c5ced8; background: #f7f9fb; }
            .sw.r90 { background: #1e8449; } .sw.r75 { background: #82c26e; } .sw.r60 { background: #f4a259; } .sw.r0 { background: #d7263d; } .sw.none { background: #c5ced8; }
            </style></head>
            <body>
            \(body)\(script)</body></html>

            """
    }

    /// 考核 sections: per assessment a table (counts and rates; rates over the cases due) and, by grid, a map of the
    /// cells coloured by on-time closure rate.
    func assessmentSections() -> String {
        var body = ""
        for a in assessments {
            body += "<section><h2>考核 Assessment by \(Self.esc(a.grouping.rawValue)), \(Self.esc(a.from)) to \(Self.esc(a.to)) (end excluded)</h2>\n"
            body += "<p>Rates divide by the cases <b>due</b> in the period (dispatched, deadline inside it, not parked), not by the cases created. "
            body += "按期结案率 = closed on time / due; 结案率 = closed / due; 返工率 = reworked / due.</p>\n"
            if a.grouping == .grid, leaflet != nil {
                body += "<div id=\"assessmap\"></div><p class=\"legend\">on-time closure rate <span class=\"sw r90\"></span>≥ 90 % "
                body += "<span class=\"sw r75\"></span>≥ 75 % <span class=\"sw r60\"></span>≥ 60 % <span class=\"sw r0\"></span>below 60 % "
                body += "<span class=\"sw none\"></span>nothing due</p>\n"
            }
            func pct(_ r: Double?) -> String { r.map { NumberText.format($0 * 100, precision: 1) + " %" } ?? "–" }
            body += table(["key", "reported", "filed", "dispatched", "due", "closed", "on time", "handled on time", "rework", "extended",
                           "结案率", "按期结案率", "按期处置率", "返工率"],
                          a.rows.map { r in [r.key ?? "(none)"] + r.counts.map(String.init) + r.rates.map(pct) }, total: a.rows.count)
            body += "</section>\n"
        }
        return body
    }

    /// The assessment map's script: the grid cells of the main map joined with the first by-grid assessment's rates.
    func assessmentScript() -> String {
        guard let a = assessments.first(where: { $0.grouping == .grid }) else { return "" }
        var rates = JSONObject()
        for r in a.rows {
            guard let key = r.key else { continue }
            rates[key] = .object(["due": .int(Int64(r.due)), "rate": r.onTimeClosureRate.map { .number($0) } ?? .null,
                                  "closure": r.closureRate.map { .number($0) } ?? .null])
        }
        return """
            <script id="rates" type="application/json">\(Self.scriptJSON(JSONValue.object(rates).jsonText))</script>
            <script>
            (function () {
              var cells = JSON.parse(document.getElementById('cells').textContent);
              var rates = JSON.parse(document.getElementById('rates').textContent);
              var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };
              var colour = function (r) { return r === null || r === undefined ? '#c5ced8' : r >= 0.9 ? '#1e8449' : r >= 0.75 ? '#82c26e' : r >= 0.6 ? '#f4a259' : '#d7263d'; };
              var map = L.map('assessmap', {preferCanvas: true, attributionControl: false, zoomSnap: 0.25});
              var layer = L.geoJSON(cells, {
                style: function (f) { var x = rates[f.properties.code]; var c = colour(x ? x.rate : null);
                  return {color: c, weight: 1, fillColor: c, fillOpacity: x ? 0.6 : 0.2}; },
                onEachFeature: function (f, l) { var x = rates[f.properties.code];
                  l.bindPopup('<b>' + esc(f.properties.code) + '</b><br>' + (x ? 'due ' + x.due + (x.rate === null ? '' :
                    '<br>按期结案率 ' + (100 * x.rate).toFixed(1) + ' %<br>结案率 ' + (100 * x.closure).toFixed(1) + ' %') : 'no cases')); }
              });
              var bounds = layer.getBounds();
              if (bounds.isValid()) { map.fitBounds(bounds, {padding: [10, 10]}); } else { map.setView([0, 0], 2); }
              layer.addTo(map);
              L.control.scale({imperial: false}).addTo(map);
            })();
            </script>

            """
    }
}
