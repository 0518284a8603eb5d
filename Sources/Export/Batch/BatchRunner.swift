public import Foundation
public import SpatialCore
public import UrbanStore
public import UrbanModel

/// What one export of a batch wrote.
public struct BatchExportResult: Sendable, Hashable {
    public var name: String
    /// Path relative to the output folder.
    public var file: String
    public var format: ExportFormat
    public var crs: String
    public var layers: [ExportedLayer]
    public var features: Int { layers.map(\.features).reduce(0, +) }
}

/// The outcome of a batch: where it went, what was written, what the audits found.
public struct BatchOutcome: Sendable {
    public var output: String
    public var exports: [BatchExportResult]
    public var gridFindings: [GridFinding]?
    public var coverage: [GridCoverage]
    /// True when no audit found anything.
    public var passed: Bool
    /// The text of `summary.json`.
    public var summaryJSON: String
}

/// Runs a `BatchPlan` into one folder: the exported layers, `audits.json`, `summary.json` and `report.html`.
/// Everything is written into a temporary folder that replaces `output` only when complete.
public enum BatchRunner {
    public static func run(
        _ plan: BatchPlan, database: String, output: String, leaflet: LeafletAssets?, generatedAt: Date = Date(),
        progress: ((String) -> Void)? = nil
    ) throws -> BatchOutcome {
        let db = try City.open(try DatabaseLocation(database), readOnly: true)
        let staged = try StagedDirectory(path: output)
        var exports: [BatchExportResult] = []
        for e in plan.exports {
            progress?("export \(e.name) (\(e.layer?.rawValue ?? "all layers"), \(e.settings.format.rawValue), \(e.settings.crs))")
            let exporter = try LayerExporter(db, settings: e.settings)
            for w in exporter.warnings { progress?("\(e.name): \(w)") }
            let file: String
            let layers: [ExportedLayer]
            if let layer = e.layer {
                file = "\(e.name).\(e.settings.format.fileExtension)"
                layers = [try exporter.export(layer, to: staged.temporaryPath + "/" + file)]
            } else {
                file = e.settings.format == .gpkg ? "\(e.name).gpkg" : e.name
                layers = try exporter.export(UrbanModel.Layer.allCases, to: staged.temporaryPath + "/" + file)
            }
            exports.append(BatchExportResult(
                name: e.name, file: file, format: e.settings.format, crs: e.settings.crs.definition,
                layers: layers.map { var l = $0; l.path = String(l.path.dropFirst(staged.temporaryPath.count + 1)); return l }))
        }
        var gridFindings: [GridFinding]?
        var coverage: [GridCoverage] = []
        var assessments: [AuditReport.Assessment] = []
        var auditJSON: [JSONValue] = []
        for a in plan.audits {
            switch a {
            case .grid:
                progress?("audit grid")
                let findings = try GridAudit.run(db)
                gridFindings = findings
                auditJSON.append(.object([
                    "kind": "grid", "passed": .bool(findings.isEmpty), "findings": .int(Int64(findings.count)),
                    "items": .array(findings.map { f in
                        .object([
                            "kind": .string(f.kind.rawValue), "code": .string(f.code), "other": f.other.map(JSONValue.string) ?? .null,
                            "area_m2": f.areaSquareMetres.map(JSONValue.number) ?? .null, "detail": .string(f.detail),
                        ])
                    }),
                ]))
            case .stationCoverage(let radius, let measure, let network):
                progress?("audit station coverage within \(NumberText.format(radius)) m (\(network.map { "\($0.rawValue) network" } ?? measure.rawValue))")
                let c = try GridCoverage.run(db, radiusMetres: radius, measure: measure, network: network)
                coverage.append(c)
                auditJSON.append(.object([
                    "kind": "station-coverage", "passed": .bool(c.uncovered.isEmpty), "radius_m": .number(radius),
                    "measure": .string(measure.rawValue), "distance": .string(network == nil ? "straight-line" : "network"),
                    "network": network.map { .string($0.rawValue) } ?? .null, "crs": .string(c.crs),
                    "covered": .int(Int64(c.coveredCount)), "total": .int(Int64(c.units.count)),
                    "coverage_pct": .number((c.coveragePercent * 100).rounded() / 100),
                    "uncovered": .array(c.uncovered.map { u in
                        .object([
                            "grid_code": .string(u.gridCode), "community_code": u.communityCode.map(JSONValue.string) ?? .null,
                            "station_id": u.stationID.map(JSONValue.string) ?? .null,
                            "distance_m": u.distanceMetres.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
                        ])
                    }),
                ]))
            case .assessment(let by, let days, let fromText, let toText):
                guard let cases = db as? any CaseStore else { throw ModelError.invalidArgument(name: "audits", reason: "\(db.displayName) keeps no cases") }
                let zone = try db.cityTimeZone
                let today = LocalDate(generatedAt, timeZone: zone)
                let from = fromText ?? LocalDate(daysSince1970: today.daysSince1970 - days).description
                let to = toText ?? today.description
                progress?("assessment by \(by.rawValue) over [\(from), \(to))")
                let request = try CaseQuery.assessment(by: by.rawValue, from: from, to: to, zone: zone)
                let rows = try cases.assessment(request)
                assessments.append(AuditReport.Assessment(grouping: by, from: from, to: to, rows: rows))
                let file = "assessment-\(by.rawValue).csv"
                try write(CaseQuery.assessmentCSV(rows).joined(separator: "\n") + "\n", to: staged.temporaryPath + "/" + file)
                auditJSON.append(.object([
                    "kind": "assessment", "passed": true, "by": .string(by.rawValue), "from": .string(from), "to": .string(to),
                    "file": .string(file), "rows": .array(rows.map(\.json)),
                ]))
            }
        }
        let passed = (gridFindings?.isEmpty ?? true) && coverage.allSatisfy { $0.uncovered.isEmpty }
        let zone = TimeZone(identifier: try db.timeZone) ?? .current
        let stamp = ISOTime.string(generatedAt, in: zone)
        let summary: JSONValue = .object([
            "title": .string(plan.title), "generated_at": .string(stamp), "database": .string(database), "plan": .string(plan.path),
            "passed": .bool(passed),
            "exports": .array(exports.map { e in
                .object([
                    "name": .string(e.name), "file": .string(e.file), "format": .string(e.format.rawValue), "crs": .string(e.crs),
                    "features": .int(Int64(e.features)),
                    "layers": .array(e.layers.map { l in
                        .object(["layer": .string(l.layer.rawValue), "features": .int(Int64(l.features)), "bytes": .int(Int64(l.bytes))])
                    }),
                ])
            }),
            "audits": .array(auditJSON.map { a in
                var o = JSONObject()
                for key in ["kind", "passed", "findings", "radius_m", "measure", "covered", "total", "coverage_pct", "by", "from", "to", "file"] {
                    if let v = a[key] { o[key] = v }
                }
                return .object(o)
            }),
        ])
        try write(JSONValue.array(auditJSON).jsonText + "\n", to: staged.temporaryPath + "/audits.json")
        let summaryText = summary.jsonText + "\n"
        try write(summaryText, to: staged.temporaryPath + "/summary.json")
        progress?("report")
        let map = try AuditReport.MapData(db, findings: gridFindings, coverage: coverage.first, cellLimit: plan.mapCellLimit)
        let html = AuditReport(
            title: plan.title, generatedAt: stamp, database: database, passed: passed, exports: exports,
            gridFindings: gridFindings, coverage: coverage, map: map, leaflet: leaflet, assessments: assessments).html()
        try write(html, to: staged.temporaryPath + "/report.html")
        try staged.commit()
        return BatchOutcome(output: output, exports: exports, gridFindings: gridFindings, coverage: coverage, passed: passed, summaryJSON: summaryText)
    }

    static func write(_ text: String, to path: String) throws {
        let f = try StagedFile(path: path)
        try f.write(Array(text.utf8))
        try f.commit()
    }
}
