import Foundation
public import SpatialCore
public import UrbanModel
public import UrbanStore

/// A nightly export-and-audit plan (JSON), as `urbangrid-export batch PLAN` runs it. Paths in the plan are
/// relative to the plan file. See `GeoData/plans/README.md` for the format and `GeoData/plans/nightly.json`.
///
/// ```json
/// {"title": "…", "database": "../../out/demo.sqlite", "output": "../../out/nightly",
///  "exports": [{"layer": "grids", "format": "geojson"},
///              {"layer": "all", "format": "gpkg", "name": "city"},
///              {"layer": "hazards", "format": "csv", "where": "status = 'open'", "name": "open-hazards"},
///              {"layer": "vendor-zones", "format": "geojson", "crs": "GCJ02", "name": "vendor-zones-amap"}],
///  "audits": [{"kind": "grid"}, {"kind": "station-coverage", "radius_m": 500, "measure": "centroid"}],
///  "report": {"map_cells": 50000}}
/// ```
public struct BatchPlan: Sendable {
    public struct Export: Sendable {
        /// File (or folder, for `all` in a text format) name in the output folder, without extension.
        public var name: String
        /// nil: every layer.
        public var layer: UrbanModel.Layer?
        public var settings: ExportSettings
    }

    public enum Audit: Sendable, Hashable {
        /// `GridAudit`: gaps, overlaps, cells crossing communities, codes, chiefs.
        case grid
        /// Every grid cell reached by a station within the radius: straight-line, or along the streets with `network`.
        case stationCoverage(radiusMetres: Double, measure: CoverageMeasure, network: TravelMode? = nil)
        /// 考核: the case loop's rates by `by` over a period, the `days` whole days before the run (or [from, to),
        /// local dates). Informational: it never fails the batch.
        case assessment(by: AssessmentGrouping, days: Int, from: String?, to: String?)

        public var kind: String {
            switch self {
            case .grid: "grid"
            case .stationCoverage: "station-coverage"
            case .assessment: "assessment"
            }
        }
    }

    public var path: String
    public var title: String
    /// Resolved against the plan's directory; nil when the plan names none (then the command line must).
    public var database: String?
    public var output: String?
    public var exports: [Export]
    public var audits: [Audit]
    /// At most this many grid cells are drawn on the report's map (the uncovered and flagged ones first).
    public var mapCellLimit: Int

    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        try self.init(parsing: [UInt8](data), path: path)
    }

    /// Reads the text of a plan file; `path` names it in errors and is the base of the plan's relative paths.
    public init(parsing data: [UInt8], path: String) throws {
        self.path = path
        let root: JSONValue
        do {
            root = try JSONValue(parsing: data)
        } catch {
            throw ModelError.malformedRecord(.init(file: path), reason: "not JSON: \(error)")
        }
        func fail(_ field: String, _ reason: String) -> ModelError { .malformedRecord(.init(file: path, field: field), reason: reason) }
        guard let top = root.objectValue else { throw fail("$", "a plan is a JSON object") }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let base = (absolute as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : ((base as NSString).appendingPathComponent(p) as NSString).standardizingPath }
        func string(_ o: JSONObject, _ key: String, _ at: String) throws -> String? {
            guard let v = o[key], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw fail("\(at).\(key)", "expected a string, found \(v)") }
            return s
        }
        let known = ["title", "database", "output", "exports", "audits", "report"]
        if let k = top.members.first(where: { !known.contains($0.key) })?.key {
            throw fail(k, "unknown member (a plan has \(known.joined(separator: ", ")))")
        }
        title = try string(top, "title", "$") ?? "UrbanGrid audit"
        database = try string(top, "database", "$").map(resolve)
        output = try string(top, "output", "$").map(resolve)

        var exports: [Export] = []
        var names: [String: Int] = [:]
        for (i, v) in (top["exports"]?.arrayValue ?? []).enumerated() {
            let at = "exports[\(i)]"
            guard let o = v.objectValue else { throw fail(at, "an export is an object") }
            let members = ["layer", "format", "name", "crs", "precision", "where", "bbox"]
            if let k = o.members.first(where: { !members.contains($0.key) })?.key {
                throw fail("\(at).\(k)", "unknown member (an export has \(members.joined(separator: ", ")))")
            }
            guard let layerName = try string(o, "layer", at) else { throw fail("\(at).layer", "missing: a layer name or \"all\"") }
            let layer: UrbanModel.Layer?
            if layerName == "all" {
                layer = nil
            } else if let l = UrbanModel.Layer(rawValue: layerName) {
                layer = l
            } else {
                throw fail("\(at).layer", "unknown layer '\(layerName)': one of all, \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let f = try string(o, "format", at) else { throw fail("\(at).format", "missing") }
            guard let format = ExportFormat(rawValue: f) else {
                throw fail("\(at).format", "'\(f)' is not one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let name = try string(o, "name", at) ?? layerName
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name != "report", name != "summary", name != "audits" else {
                throw fail("\(at).name", "'\(name)' is not a plain file name (no '/', no leading '.', not report/summary/audits)")
            }
            var crs = CRS.wgs84
            if let c = try string(o, "crs", at) {
                do { crs = try CRS(c) } catch { throw fail("\(at).crs", "\(error)") }
            }
            var precision: Int?
            if let p = o["precision"], !p.isNull {
                guard let n = p.intValue, (0...15).contains(n) else { throw fail("\(at).precision", "expected 0...15 decimals, found \(p)") }
                precision = Int(n)
            }
            var bbox: Envelope?
            if let b = o["bbox"], !b.isNull {
                guard let a = b.arrayValue, a.count == 4, let w = a[0].doubleValue, let s = a[1].doubleValue,
                      let e = a[2].doubleValue, let n = a[3].doubleValue else {
                    throw fail("\(at).bbox", "expected [west, south, east, north] in lon/lat degrees")
                }
                do { bbox = try LayerFilter.parseBBox("\(w),\(s),\(e),\(n)") } catch { throw fail("\(at).bbox", "\(error)") }
            }
            let file = layer == nil && format != .gpkg ? name : "\(name).\(format.fileExtension)"
            if let first = names.updateValue(i, forKey: file) {
                throw fail("\(at).name", "'\(file)' is written by exports[\(first)] already")
            }
            let filter = LayerFilter(whereSQL: try string(o, "where", at), bbox: bbox)
            exports.append(Export(name: name, layer: layer, settings: ExportSettings(format: format, crs: crs, precision: precision, filter: filter)))
        }
        self.exports = exports

        var audits: [Audit] = []
        for (i, v) in (top["audits"]?.arrayValue ?? []).enumerated() {
            let at = "audits[\(i)]"
            guard let o = v.objectValue, let kind = try string(o, "kind", at) else { throw fail("\(at).kind", "missing: grid or station-coverage") }
            switch kind {
            case "grid":
                audits.append(.grid)
            case "station-coverage":
                guard let r = o["radius_m"]?.doubleValue, r.isFinite, r >= 0 else {
                    throw fail("\(at).radius_m", "expected the radius in metres (a number ≥ 0)")
                }
                let m = try string(o, "measure", at) ?? "centroid"
                guard let measure = CoverageMeasure(rawValue: m) else {
                    throw fail("\(at).measure", "'\(m)' is not one of \(CoverageMeasure.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let network = try TravelMode.ofStationCoverage(o["network"], measure: measure, at: at, fail: fail)
                audits.append(.stationCoverage(radiusMetres: r, measure: measure, network: network))
            case "assessment":
                let b = try string(o, "by", at) ?? "grid"
                guard let by = AssessmentGrouping(rawValue: b) else {
                    throw fail("\(at).by", "'\(b)' is not one of \(AssessmentGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let from = try string(o, "from", at), to = try string(o, "to", at)
                for (k, v) in [("from", from), ("to", to)] where v != nil && LocalDate(v!) == nil {
                    throw fail("\(at).\(k)", "'\(v!)' is not a date yyyy-MM-dd")
                }
                guard (from == nil) == (to == nil) else { throw fail("\(at).from", "give both from and to, or days") }
                var days = 30
                if let d = o["days"], !d.isNull {
                    guard let n = d.intValue, (1...3660).contains(n) else { throw fail("\(at).days", "expected 1...3660 days, found \(d)") }
                    days = Int(n)
                }
                audits.append(.assessment(by: by, days: days, from: from, to: to))
            default:
                throw fail("\(at).kind", "'\(kind)' is not one of grid, station-coverage, assessment")
            }
        }
        self.audits = audits
        if let r = top["report"]?.objectValue, let m = r["map_cells"] {
            guard let n = m.intValue, n >= 0 else { throw fail("report.map_cells", "expected a count ≥ 0") }
            mapCellLimit = Int(n)
        } else {
            mapCellLimit = 50_000
        }
        guard !exports.isEmpty || !audits.isEmpty else { throw fail("$", "the plan has no exports and no audits") }
    }
}
