import Foundation
import SpatialCore
import Export
import UrbanModel
import UrbanService

/// The fuzz targets: each feeds one input to a parser that reads user input, through the entry point the commands
/// and the service use, and checks cheap invariants of what it accepted (round trips through our writers, ranges
/// the parser promises). A parser error is an expected outcome; a crash, a hang or a broken invariant is a finding.
/// `urbangrid-fuzz` runs these under libFuzzer; `FuzzCorpusTests` replays `Tests/FuzzCorpus/<target>/` through them.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case geojson, geojsonseq, wkt, wkb, csv, points
    case openingHours = "opening_hours"
    case rules, batchplan
    case httpParams = "http-params"
    case caseBody = "case-body"

    /// What became of one input.
    public enum Outcome: Equatable, Sendable {
        /// The parser accepted the input and every invariant held.
        case accepted
        /// The parser refused the input with an error (the message).
        case rejected(String)
        /// A finding: the parser accepted the input but an invariant broke (what broke).
        case invariantBroken(String)
    }

    /// Runs one input. Crashes and hangs stay crashes and hangs: that is for the fuzzer to see.
    public func run(_ input: [UInt8]) -> Outcome {
        do {
            switch self {
            case .geojson: try Self.geoJSON(input)
            case .geojsonseq: try Self.geoJSONSeq(input)
            case .wkt: try Self.wkt(input)
            case .wkb: try Self.wkb(input)
            case .csv: try Self.csv(input)
            case .points: try Self.points(input)
            case .openingHours: try Self.openingHours(input)
            case .rules: try Self.rules(input)
            case .batchplan: try Self.batchPlan(input)
            case .httpParams: try Self.httpParams(input)
            case .caseBody: try Self.caseBody(input)
            }
            return .accepted
        } catch let broken as InvariantBroken {
            return .invariantBroken(broken.what)
        } catch {
            return .rejected("\(error)")
        }
    }

    struct InvariantBroken: Error {
        var what: String
    }

    static func require(_ condition: Bool, _ what: @autoclosure () -> String) throws(InvariantBroken) {
        if !condition { throw InvariantBroken(what: what()) }
    }

    /// Runs a second parse of our own output: an error there is a broken invariant, not a rejection.
    static func reparse<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw InvariantBroken(what: "\(what): \(error)") }
    }

    static func allFinite(_ g: Geometry) -> Bool {
        var ok = true
        g.forEachCoordinate { c in if !c.x.isFinite || !c.y.isFinite { ok = false } }
        return ok
    }

    // MARK: GeoJSON

    /// `GeoJSON(data:)` (the service, export, tests) and `FeatureFile.parse(.geojson)` (import, `lookup --points`;
    /// as is, and with `--make-valid` and `--id-field id`).
    /// Invariants: the typed readers agree with the general one; writing what was read and reading it back
    /// gives the same text (the writer orients polygons, so the first write may differ from the input).
    static func geoJSON(_ input: [UInt8]) throws {
        defer { _ = try? FeatureFile.parse(input, format: .geojson, options: .init(makeValid: true, idField: "id"), name: "fuzz.geojson") }
        let value = try GeoJSON(data: input)
        switch value {
        case .geometry(let g):
            try require(try reparse("Geometry(geoJSON:)") { try Geometry(geoJSON: input) } == g, "Geometry(geoJSON:) differs from GeoJSON(data:)")
        case .featureCollection(let c):
            try require(try reparse("FeatureCollection(geoJSON:)") { try FeatureCollection(geoJSON: input) } == c,
                        "FeatureCollection(geoJSON:) differs from GeoJSON(data:)")
        case .feature:
            break
        }
        let text = value.geoJSON()
        let again = try reparse("reading our own GeoJSON") { try GeoJSON(string: text) }
        try require(again.geoJSON() == text, "GeoJSON write → read → write changed the text:\n\(text)\n\(again.geoJSON())")
        _ = try FeatureFile.parse(input, format: .geojson, name: "fuzz.geojson")  // what the importer refuses is refused
    }

    /// `GeoJSONSeq.forEachRecord` (import) and `FeatureCollection(geoJSONSeq:)`; a sequence of features written
    /// with and without record separators reads back as the same features.
    static func geoJSONSeq(_ input: [UInt8]) throws {
        let records = try GeoJSONSeq.read(input)
        let features = records.compactMap { r -> Feature? in if case .feature(let f) = r { f } else { nil } }
        if features.count == records.count {
            let c = try reparse("FeatureCollection(geoJSONSeq:)") { try FeatureCollection(geoJSONSeq: input) }
            try require(c.features == features, "FeatureCollection(geoJSONSeq:) differs from GeoJSONSeq.read")
            let oriented = FeatureCollection(features.map { f in
                var f = f
                f.geometry = f.geometry?.orientedRFC7946()
                return f
            })
            for rs in [true, false] {
                let text = oriented.geoJSONSeq(recordSeparator: rs)
                let back = try reparse("reading our own GeoJSONSeq") { try FeatureCollection(geoJSONSeq: Array(text.utf8)) }
                try require(back.geoJSONSeq(recordSeparator: rs) == text,
                            "GeoJSONSeq write → read → write changed the text (RS \(rs)):\n\(text)\n\(back.geoJSONSeq(recordSeparator: rs))")
            }
        } else {
            try require((try? FeatureCollection(geoJSONSeq: input)) == nil, "FeatureCollection(geoJSONSeq:) took a record that is not a Feature")
        }
        _ = try FeatureFile.parse(input, format: .geojsonseq, name: "fuzz.geojsonl")  // what the importer refuses is refused
    }

    // MARK: WKT, WKB

    /// `Geometry(wkt:)` (CSV `wkt` columns, `urbangrid transform`, tests). Invariants: our WKT reads back
    /// as the same geometry, and so does our WKB.
    static func wkt(_ input: [UInt8]) throws {
        let g = try Geometry(wkt: String(decoding: input, as: UTF8.self))
        try roundTrips(g)
    }

    /// `Geometry(wkb:)` and the database's `WKBReader` on the same bytes must agree; what they read round-trips.
    static func wkb(_ input: [UInt8]) throws {
        let a = Result { try Geometry(wkb: input) }
        let b = Result { try WKBReader().read(input) }
        switch (a, b) {
        case (.success(let g), .success(let h)):
            // NaN coordinates (ISO WKB's empty point) are unequal to themselves: compare their text then
            try require(g == h || (!allFinite(g) && "\(g)" == "\(h)"), "Geometry(wkb:) and WKBReader disagree: \(g) / \(h)")
            try roundTrips(g)
        case (.failure(let e), .failure):
            throw e
        default:
            throw InvariantBroken(what: "Geometry(wkb:) and WKBReader disagree: \(a) / \(b)")
        }
    }

    static func roundTrips(_ g: Geometry) throws {
        guard allFinite(g) else { return }  // WKT has no spelling for inf/nan; the importers refuse them
        let text = g.wkt
        let fromText = try reparse("reading our own WKT \(text)") { try Geometry(wkt: text) }
        try require(fromText == g, "WKT round trip changed the geometry: \(text)")
        let bytes = try reparse("writing WKB") { try g.wkb }
        let fromBytes = try reparse("reading our own WKB") { try Geometry(wkb: bytes) }
        try require(fromBytes == g, "WKB round trip changed the geometry: \(text)")
    }

    // MARK: CSV

    /// `CSVText.records` and the import's CSV reading (`FeatureFile.parse(.csv)`: `urbangrid import`,
    /// `lookup --points`; as is, and with no geometry required, `--make-valid` and `--id-field id`).
    /// Invariant: records written by `CSVText.appendRecord` (the CSV export) read back as the same fields.
    static func csv(_ input: [UInt8]) throws {
        defer {
            _ = try? FeatureFile.parse(input, format: .csv, options: .init(makeValid: true, idField: "id", requireGeometry: false), name: "fuzz.csv")
        }
        let records = try CSVText.records(input)
        var out: [UInt8] = []
        for r in records { CSVText.appendRecord(r.fields, to: &out) }
        let back = try reparse("reading our own CSV") { try CSVText.records(out) }
        try require(back.map(\.fields) == records.map(\.fields),
                    "CSV write → read changed the records: \(records.map(\.fields)) → \(back.map(\.fields))")
        _ = try FeatureFile.parse(input, format: .csv, name: "fuzz.csv")  // what the importer refuses is refused
    }

    /// `FeatureFile.parsePoints(.csv)` (`lookup --points`): its reader of plain CSV straight from the bytes, against
    /// the feature reader it stands in for. Invariant: both accept the same files with the same coordinates in the
    /// same order, or both refuse them.
    static func points(_ input: [UInt8]) throws {
        let fast = Result { try FeatureFile.parsePoints(input, format: .csv, name: "fuzz.csv") }
        let general = Result { () throws -> [Coordinate] in
            try FeatureFile.parse(input, format: .csv, name: "fuzz.csv").map { f in
                guard case .point(let p)? = f.geometry else { throw InvariantBroken(what: "not a point") }  // refused by both
                return p.coordinate
            }
        }
        switch (fast, general) {
        case (.success(let a), .success(let b)):
            try require(a.count == b.count && zip(a, b).allSatisfy { $0.x == $1.x && $0.y == $1.y },
                        "the points reader and the feature reader read different coordinates: \(a.prefix(5)) / \(b.prefix(5))")
        case (.failure(let e), .failure):
            throw e
        case (.success(let a), .failure(let e)):
            throw InvariantBroken(what: "the points reader accepted \(a.count) points that the feature reader refuses: \(e)")
        case (.failure(let e), .success(let b)):
            throw InvariantBroken(what: "the points reader refused \(b.count) points that the feature reader accepts: \(e)")
        }
    }

    // MARK: opening_hours

    /// `OpeningHours(_:)` (vendor zone import, `vendor check`/`open`). Invariants: the normalized text parses back
    /// to an equal value; at a few instants, `nextChange` is later and flips `isOpen`.
    static func openingHours(_ input: [UInt8]) throws {
        let h = try OpeningHours(String(decoding: input, as: UTF8.self))
        let normalized = h.normalized
        let again = try reparse("reading the normalized text '\(normalized)'") { try OpeningHours(normalized) }
        try require(again == h, "normalized text '\(normalized)' parses to another value")
        try require(again.normalized == normalized, "normalizing is not idempotent: '\(normalized)' → '\(again.normalized)'")
        // Mon 2026-11-16 00:00, Fri 2026-11-20 23:30, Sun 2026-11-22 12:00 in Asia/Shanghai
        for t in [1_763_222_400.0, 1_763_652_600.0, 1_763_784_000.0] {
            let date = Date(timeIntervalSince1970: t)
            let open = h.isOpen(at: date)
            if let next = h.nextChange(after: date) {
                try require(next > date, "nextChange(after: \(date)) = \(next) is not later")
                try require(h.isOpen(at: next) != open, "isOpen at nextChange \(next) is still \(open)")
            }
        }
    }

    // MARK: Rules files, batch plans

    /// `RuleSet(parsing:path:)` (`urbangrid audit --rules`). Invariants: at least one rule, ids unique.
    static func rules(_ input: [UInt8]) throws {
        let set = try RuleSet(parsing: input, path: "fuzz-rules.json")
        try require(!set.rules.isEmpty, "an empty rule set was accepted")
        try require(Set(set.rules.map(\.id)).count == set.rules.count, "duplicate rule ids were accepted")
    }

    /// `BatchPlan(parsing:path:)` (`urbangrid-export batch`). Invariants: something to do, output names unique
    /// and plain, precision and map-cell limits in range.
    static func batchPlan(_ input: [UInt8]) throws {
        let plan = try BatchPlan(parsing: input, path: "/nonexistent/fuzz/plan.json")
        try require(!plan.exports.isEmpty || !plan.audits.isEmpty, "a plan with nothing to do was accepted")
        for e in plan.exports {
            try require(!e.name.isEmpty && !e.name.contains("/") && !e.name.hasPrefix("."), "export name '\(e.name)' is not plain")
            if let p = e.settings.precision { try require((0...15).contains(p), "precision \(p)") }
        }
        try require(plan.mapCellLimit >= 0, "map cell limit \(plan.mapCellLimit)")
    }

    // MARK: HTTP query parameters

    /// The service's typed request parsers (`RequestParameters`, `ItemsRequest`, `FeatureRequest`) and
    /// `UserInput.time` on the input read as a query string (`a=1&b=2`, decoded the way the server
    /// decodes it). Invariants: whatever is accepted is in range.
    static func httpParams(_ input: [UInt8]) throws {
        let query = String(decoding: input, as: UTF8.self)
        let q = RequestParameters(queryString(query))
        var rejected: [String] = [], attempts = 0
        func attempt(_ body: () throws -> Void) throws {
            attempts += 1
            do { try body() } catch let e as InvariantBroken { throw e } catch { rejected.append("\(error)") }
        }
        func inRange(_ c: Coordinate) -> Bool { (-180...180).contains(c.x) && (-90...90).contains(c.y) }
        try attempt { try require(inRange(try LookupRequest(q).spot), "lookup spot out of range") }
        try attempt { try require(inRange(try VendorCheckRequest(q).spot), "vendor check spot out of range") }
        try attempt {
            let r = try VendorOpenRequest(q)
            try require(r.near.map(inRange) ?? true, "vendor open near out of range")
            try require(r.radiusMetres?.isFinite ?? true, "vendor open radius not finite")
        }
        try attempt {
            let r = try HazardsRequest(q)
            switch r.area {
            case .near(let c, let radius): try require(inRange(c) && radius.isFinite, "hazards near \(c) \(radius)")
            case .along(_, let buffer): try require(buffer.isFinite, "hazards buffer \(buffer)")
            case .inGrid: break
            }
        }
        try attempt { _ = try HotspotsRequest(q) }
        try attempt { try require(inRange(try NearestStationsRequest(q).spot), "nearest spot out of range") }
        try attempt {
            let r = try ItemsRequest(q, defaultLimit: 100, maximumLimit: 10_000)
            try require((1...10_000).contains(r.limit) && r.offset >= 0, "items limit \(r.limit) offset \(r.offset)")
            if let b = r.bbox {
                try require(b.minX <= b.maxX && b.minY <= b.maxY && (-180...180).contains(b.minX) && (-180...180).contains(b.maxX)
                            && (-90...90).contains(b.minY) && (-90...90).contains(b.maxY), "items bbox \(b)")
            }
        }
        try attempt { if let at = q.get("at") { _ = try UserInput.time(at, in: OpeningHours.chinaStandardTime) } }
        _ = FeatureRequest.featureID(query)
        _ = UrbanModel.Layer(rawValue: query)
        if rejected.count == attempts { throw FuzzRejected(reasons: rejected) }  // nothing accepted
    }

    /// A JSON body as the case routes read it: `POST /cases` (`CaseDesk.report`) and every transition's body
    /// (`CaseDesk.transition`). Invariants: an accepted report is in range, its class code digits, its description
    /// within the limit; an accepted extension is positive and finite.
    static func caseBody(_ input: [UInt8]) throws {
        let body = try JSONValue(parsing: String(decoding: input, as: UTF8.self))
        var accepted = 0
        if let r = try? CaseDesk.report(body) {
            accepted += 1
            try require((-180...180).contains(r.lon) && (-90...90).contains(r.lat), "report spot \(r.lon), \(r.lat)")
            try require(r.classCode.utf8.allSatisfy { (48...57).contains($0) } && (2...12).contains(r.classCode.utf8.count), "class code \(r.classCode)")
            try require((r.description?.count ?? 0) <= CaseDesk.maximumDescription, "description length")
            try require(IdempotencyClaim.hash(r.hashParts).count == 64, "body hash")
        }
        for name in ["verify", "file", "void", "dispatch", "return", "handle", "check", "park", "unpark", "extend"] {
            guard let t = try? CaseDesk.transition(name, body: body) else { continue }
            accepted += 1
            try require(t.action.name == name, "\(name) parsed as \(t.action.name)")
            if name == "extend" { try require(t.workHours?.isFinite == true, "extend hours \(String(describing: t.workHours))") }
            if name == "void" || name == "return" { try require(t.note != nil, "\(name) without a note") }
        }
        if accepted == 0 { throw FuzzRejected(reasons: ["no case route accepts the body"]) }
    }

    struct FuzzRejected: Error, CustomStringConvertible {
        var reasons: [String]
        var description: String { reasons.joined(separator: "; ") }
    }

    /// `name=value&…` as Hummingbird 2.28 hands it to the routes (`URI.queryParameters`): split at `&` (empty parts
    /// dropped) and at the first `=`; the value percent-decoded (kept as sent when that fails; `+` stays `+`), the
    /// name not decoded; a part without `=` is a name with an empty value.
    static func queryString(_ s: String) -> [(name: String, value: String)] {
        s.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = kv.count > 1 ? String(kv[1]) : ""
            return (name: String(kv[0]), value: value.removingPercentEncoding ?? value)
        }
    }
}
