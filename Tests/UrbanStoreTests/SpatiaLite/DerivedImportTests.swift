import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// Values derived at import: street noding, lengths and node ids; hazard snapping and grid codes.
/// Hand-made geometry is built in UTM zone 35N (EPSG:32635, the CRS the import chooses for Helsinki)
/// and transformed to lon/lat, so expected metres are exact up to the round trip.
@Suite("Derived import values") struct DerivedImportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let origin = Coordinate(385_000, 6_672_000)  // metres in EPSG:32635, central Helsinki

    func freshDatabase() throws -> (UrbanDatabase, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-derived-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (try UrbanDatabase.create(path: dir.appendingPathComponent("city.sqlite").path), dir)
    }

    /// A lon/lat position `dx`, `dy` metres from the origin.
    func lonLat(_ dx: Double, _ dy: Double) throws -> Coordinate {
        try CoordinateTransform(from: .epsg(32635), to: .wgs84).apply(Coordinate(Self.origin.x + dx, Self.origin.y + dy))
    }

    func line(_ id: String, _ pts: [(Double, Double)], _ props: JSONObject = JSONObject()) throws -> Feature {
        Feature(id: .string(id), geometry: .lineString(try LineString(pts.map { try lonLat($0.0, $0.1) })), properties: props)
    }

    func hazard(_ id: String, _ g: Geometry, status: String = "open") -> Feature {
        Feature(id: .string(id), geometry: g, properties: JSONObject([("class_code", .string("0101")), ("status", .string(status))]))
    }

    func segments(_ db: UrbanDatabase) throws -> [String: (length: Double, from: String, to: String)] {
        var out: [String: (Double, String, String)] = [:]
        for r in try db.store.query("SELECT id, length_m, from_node, to_node FROM streets") {
            out[r["id"]!.string!] = (r["length_m"]!.double!, r["from_node"]!.string!, r["to_node"]!.string!)
        }
        return out
    }

    /// OSM's one-way values: yes/true/1 keep the line, -1 (and `reverse`) turn it and its end nodes around so that
    /// the stored line points in the direction of travel; no/false/0 are two-way; anything else is an error.
    @Test func onewayValuesAsOSMWritesThem() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        func props(_ oneway: JSONValue) -> JSONObject {
            JSONObject([("oneway", oneway), ("from_node", .string("a")), ("to_node", .string("b"))])
        }
        let values: [(String, JSONValue)] = [("yes", .string("yes")), ("one", .int(1)), ("t", .bool(true)), ("rev", .string("-1")),
                                             ("revn", .int(-1)), ("no", .string("no")), ("zero", .string("0"))]
        let features = try values.enumerated().map { k, v in try line(v.0, [(0, Double(10 * k)), (100, Double(10 * k))], props(v.1)) }
        #expect(try db.importFeatures(features, into: .streets, source: "oneway.geojson") == values.count)
        var stored: [String: (oneway: Int, from: String, firstX: Double)] = [:]
        for r in try db.store.query("SELECT id, oneway, from_node, AsBinary(geom) g FROM streets") {
            stored[r["id"]!.string!] = (r["oneway"]!.int!, r["from_node"]!.string!, try r["g"]!.geometry()!.coordinates[0].x)
        }
        for (k, v) in values.enumerated() {  // the stored line starts where travel starts
            let start = try lonLat(["rev", "revn"].contains(v.0) ? 100 : 0, Double(10 * k)).x
            let turned = ["rev", "revn"].contains(v.0)
            if ["yes", "one", "t", "rev", "revn"].contains(v.0) {
                #expect(stored[v.0]!.oneway == 1 && stored[v.0]!.from == (turned ? "b" : "a") && abs(stored[v.0]!.firstX - start) < 1e-9, "\(v.0)")
            }
        }
        for id in ["no", "zero"] { #expect(stored[id]!.oneway == 0) }
        #expect {
            try db.importFeatures([try line("bad", [(0, 0), (1, 0)], props(.string("sometimes")))], into: .streets, source: "bad.geojson")
        } throws: { "\($0)".contains("bad.geojson (features[0].properties.oneway)") && "\($0)".contains("-1 for one-way against") }
    }

    @Test func crossingLinesBecomeFourSegments() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        // straight in lon/lat and crossing at their lon/lat midpoints (a UTM-straight line bends by ~1 mm
        // over 200 m in lon/lat, so the UTM middles would miss each other's midpoints by that much)
        let w = try lonLat(-100, 0), e = try lonLat(100, 0), s0 = try lonLat(0, -100), n0 = try lonLat(0, 100)
        let m = Coordinate((w.x + e.x) / 2, (w.y + e.y) / 2), half = Coordinate((n0.x - s0.x) / 2, (n0.y - s0.y) / 2)
        let ew = Feature(id: "ew", geometry: .lineString(try LineString([w, e])), properties: JSONObject())
        let ns = Feature(id: "ns", geometry: .lineString(try LineString([Coordinate(m.x - half.x, m.y - half.y),
                                                                         Coordinate(m.x + half.x, m.y + half.y)])), properties: JSONObject())
        #expect(try db.importFeatures([ew, ns], into: .streets, source: "cross.geojson") == 4)
        let s = try segments(db)
        #expect(Set(s.keys) == ["ew-1", "ew-2", "ns-1", "ns-2"])
        for (id, v) in s { #expect(abs(v.length - 100) < 1e-3, "\(id): \(v.length)") }
        // pieces in order along their line, meeting at one shared node
        let centre = s["ew-1"]!.to
        #expect(s["ew-2"]!.from == centre && s["ns-1"]!.to == centre && s["ns-2"]!.from == centre)
        #expect(centre.hasPrefix("n24.") && s["ew-1"]!.from != centre)
        let west = try #require(try db.store.query("SELECT AsBinary(geom) g FROM streets WHERE id = 'ew-1'").first?["g"]?.geometry())
        #expect(west.coordinates[0] == w)
    }

    @Test func tJunctionSplitsOnlyTheThroughLine() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let through = try line("main", [(0, 0), (150, 0)])
        // the junction a third of the way along the lon/lat segment (the UTM point (50, 0) is 0.7 mm off
        // it: a straight UTM line is not straight in lon/lat); in floating point it need not lie exactly
        // on the line, which the import's 1e-9° tolerance covers
        let a = try lonLat(0, 0), b = try lonLat(150, 0)
        let j = Coordinate(a.x + (b.x - a.x) / 3, a.y + (b.y - a.y) / 3)
        let stem = Feature(id: "side", geometry: .lineString(try LineString([j, try lonLat(50, 80)])),
                           properties: JSONObject([("name", .string("Side street"))]))
        #expect(try db.importFeatures([through, stem], into: .streets, source: "t.geojson") == 3)
        let s = try segments(db)
        #expect(Set(s.keys) == ["main-1", "main-2", "side"])
        #expect(abs(s["main-1"]!.length - 50) < 1e-3 && abs(s["main-2"]!.length - 100) < 1e-3 && abs(s["side"]!.length - 80) < 1e-3)
        #expect(s["main-1"]!.to == s["side"]!.from && s["main-2"]!.from == s["side"]!.from)
        #expect(try db.store.scalar("SELECT name FROM streets WHERE id = 'side'").string == "Side street")
    }

    @Test func givenEndNodesAreKeptAndNodingCanBeForced() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let nodes = { (a: String, b: String) in JSONObject([("from_node", .string(a)), ("to_node", .string(b))]) }
        let a = try line("a", [(-100, 0), (100, 0)], nodes("1", "2")), b = try line("b", [(0, -100), (0, 100)], nodes("3", "4"))
        // every feature has end-node ids: the source's topology is trusted (a bridge, say), nothing split
        #expect(try db.importFeatures([a, b], into: .streets, source: "bridge.geojson") == 2)
        #expect(try segments(db)["a"]!.from == "1")
        let (db2, dir2) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(try db2.importFeatures([a, b], into: .streets, source: "x.geojson", noding: .always) == 4)
        let s = try segments(db2)
        #expect(s["a-1"]!.from == "1" && s["a-2"]!.to == "2" && s["a-1"]!.to == s["b-1"]!.to)
    }

    @Test func helsinkiComesOutUnchanged() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let streets = try FeatureFile.read(Self.root.appendingPathComponent("GeoData/helsinki/streets.geojson").path)
        #expect(try db.importFeatures(streets, into: .streets, source: "streets.geojson") == 4612)
        let fileTotal = streets.reduce(0.0) { $0 + ($1.properties?["length_m"]?.doubleValue ?? 0) }
        let stored = try #require(try db.store.scalar("SELECT sum(length_m) FROM streets").double)
        #expect(abs(stored - fileTotal) / fileTotal < 1e-5, "stored \(stored) m, file \(fileTotal) m")
        #expect(try db.store.scalar("SELECT count(*) FROM streets WHERE from_node IS NULL OR to_node IS NULL OR length_m IS NULL").int == 0)
        #expect(try db.store.scalar("SELECT from_node FROM streets WHERE id = '1'").string == "1372477605")
    }

    @Test func hazardsSnapToTheNearestSegment() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try db.importFeatures([try line("s", [(0, 0), (100, 0)]), try line("far", [(0, 500), (100, 500)])],
                              into: .streets, source: "streets.geojson")
        let p = Geometry.point(Point(try lonLat(60, 10)))
        let l = Geometry.lineString(try LineString([try lonLat(10, 480), try lonLat(30, 480)]))  // midpoint (20, 480)
        try db.importFeatures([hazard("h1", p), hazard("h2", l)], into: .hazards, source: "hazards.geojson")
        let rows = try db.store.query("SELECT id, segment_id, segment_position_m, segment_distance_m, grid_code FROM hazards ORDER BY id")
        #expect(rows[0]["segment_id"]?.string == "s")
        #expect(abs(rows[0]["segment_position_m"]!.double! - 60) < 1e-3)
        #expect(abs(rows[0]["segment_distance_m"]!.double! - 10) < 1e-3)
        #expect(rows[0]["grid_code"]?.isNull == true)
        #expect(rows[1]["segment_id"]?.string == "far")
        #expect(abs(rows[1]["segment_position_m"]!.double! - 20) < 1e-3 && abs(rows[1]["segment_distance_m"]!.double! - 20) < 1e-3)
    }

    @Test func hazardInsideAGridCellGetsItsCode() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ring = try [(0.0, 0.0), (100, 0), (100, 100), (0, 100), (0, 0)].map { try lonLat($0.0, $0.1) }
        let cell = Geometry.multiPolygon(MultiPolygon([Polygon(exterior: try LinearRing(ring))]))
        try db.store.run("INSERT INTO grids(id, code, geom) VALUES ('g', '370302001001001', GeomFromWKB(?, 4326))", cell)
        try db.importFeatures([hazard("in", .point(Point(try lonLat(50, 50)))), hazard("out", .point(Point(try lonLat(150, 50))))],
                              into: .hazards, source: "hazards.geojson")
        #expect(try db.store.scalar("SELECT grid_code FROM hazards WHERE id = 'in'").string == "370302001001001")
        #expect(try db.store.scalar("SELECT grid_code FROM hazards WHERE id = 'out'").isNull)
        #expect(try db.store.scalar("SELECT segment_id FROM hazards WHERE id = 'in'").isNull)  // no streets yet
    }

    @Test func failedHazardImportChangesNothing() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try db.importFeatures([try line("s", [(0, 0), (100, 0)])], into: .streets, source: "streets.geojson")
        try db.importFeatures([hazard("h1", .point(Point(try lonLat(60, 10))))], into: .hazards, source: "ok.geojson")
        let dump = { (t: String) in try db.store.query("SELECT * FROM \(t) ORDER BY pk").map { "\($0.values)" } }
        let (streets, hazards) = (try dump("streets"), try dump("hazards"))
        #expect(throws: ModelError.self) {
            try db.importFeatures([hazard("h2", .point(Point(try lonLat(20, 5)))), hazard("h3", .point(Point(try lonLat(20, 5))), status: "fixed")],
                                  into: .hazards, source: "bad.geojson")
        }
        #expect(try dump("streets") == streets && dump("hazards") == hazards)
    }
}

extension DerivedImportTests {
    /// Forced noding of the Helsinki file: its 256 grade-separated crossings (bridges, tunnels, ways
    /// crossing without a shared OSM node) are split; length is kept and no two segments cross afterwards.
    @Test func helsinkiForcedNodingKeepsLengthAndLeavesNoCrossing() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let streets = try FeatureFile.read(Self.root.appendingPathComponent("GeoData/helsinki/streets.geojson").path)
        let n = try db.importFeatures(streets, into: .streets, source: "streets.geojson", noding: .always)
        #expect(n > 4612 + 2 * 200, "\(n) segments")
        let fileTotal = streets.reduce(0.0) { $0 + ($1.properties?["length_m"]?.doubleValue ?? 0) }
        let stored = try #require(try db.store.scalar("SELECT sum(length_m) FROM streets").double)
        #expect(abs(stored - fileTotal) / fileTotal < 1e-5, "stored \(stored) m, file \(fileTotal) m")
        let geoms = try db.store.query("SELECT AsBinary(geom) g FROM streets ORDER BY pk").compactMap { try $0["g"]?.geometry() }
        let index = try SpatialIndex(geoms)
        var crossings = 0
        for (i, g) in geoms.enumerated() {
            for j in try index.query(g, predicate: .crosses) where j > i { crossings += 1 }
        }
        #expect(crossings == 0)
        print("Helsinki forced noding: \(n) segments")
    }
}
