import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// The database and its all-or-nothing imports. Expected counts come from the GeoData READMEs
/// (4612 Helsinki street segments, 8 Zibo districts).
@Suite("UrbanDatabase") struct UrbanDatabaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func freshDatabase() throws -> (UrbanDatabase, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (try UrbanDatabase.create(path: dir.appendingPathComponent("city.sqlite").path), dir)
    }

    func features(_ json: String) throws -> [Feature] { try FeatureCollection(geoJSON: json).features }

    func point(_ id: Int, _ props: String) -> String {
        #"{"type":"Feature","id":\#(id),"properties":\#(props),"geometry":{"type":"Point","coordinates":[24.94,60.17]}}"#
    }

    /// Every row of a table as text, to show a failed import changed nothing.
    func dump(_ db: UrbanDatabase, _ table: String) throws -> [String] {
        try db.store.query("SELECT * FROM \(table) ORDER BY pk").map { "\($0.values)" }
    }

    @Test func createOpenAndImportRealLayers() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try db.timeZone == "Asia/Shanghai")
        #expect(try db.store.schemaVersion == 9)
        let streets = try FeatureFile.read(Self.root.appendingPathComponent("GeoData/helsinki/streets.geojson").path)
        #expect(try db.importFeatures(streets, into: .streets, source: "streets.geojson") == 4612)
        // class from the OSM highway tag, the rest of the properties kept as JSON
        let row = try #require(try db.store.query("SELECT class, oneway, props FROM streets WHERE id = '1'").first)
        #expect(row["class"]?.string == "unclassified" && row["oneway"]?.int == 1)
        #expect(row["props"]?.string?.contains("\"osm_way_id\":4236349") == true)
        #expect(try db.store.checkSpatialIndex(table: "streets", column: "geom"))
        let reopened = try UrbanDatabase(path: db.path)
        #expect(try reopened.count(.streets) == 4612)
    }

    @Test func gcj02DistrictsLandOnTheWGS84Ones() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gcj = try FeatureFile.read(Self.root.appendingPathComponent("GeoData/zibo/districts_gcj02.geojson").path,
                                       options: .init(crs: .gcj02, idField: "adcode"))
        try db.importFeatures(gcj, into: .admin, source: "districts_gcj02.geojson")
        let wgs = try FeatureFile.read(Self.root.appendingPathComponent("GeoData/zibo/districts.geojson").path)
        #expect(try db.count(.admin) == 8)
        for f in wgs {
            let code = try #require(f.properties?["adcode"]?.stringValue)
            let stored = try #require(try db.store.query("SELECT AsBinary(geom) g FROM admin WHERE code = ?", code).first?["g"]?.geometry())
            let a = stored.coordinates, b = f.geometry!.coordinates
            try #require(a.count == b.count)
            let worst = zip(a, b).map { Geodesic.distanceMetres($0, $1) }.max() ?? 0
            #expect(worst < 0.01, "\(code): worst vertex \(worst) m")
        }
    }

    @Test(arguments: [
        ("wrong geometry", UrbanModel.Layer.stations, #"{"type":"Feature","id":9,"properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}"#, "features[2].geometry"),
        ("missing required", .hazards, #"{"type":"Feature","id":9,"properties":{"status":"open"},"geometry":{"type":"Point","coordinates":[0,0]}}"#, "features[2].properties.class_code"),
        ("value not allowed", .hazards, #"{"type":"Feature","id":9,"properties":{"class_code":"0101","status":"fixed"},"geometry":{"type":"Point","coordinates":[0,0]}}"#, "'fixed' is not one of open, resolved"),
        ("not an integer", .stations, #"{"type":"Feature","id":9,"properties":{"capacity":2.5},"geometry":{"type":"Point","coordinates":[0,0]}}"#, "features[2].properties.capacity"),
        ("bad hours", .stations, #"{"type":"Feature","id":9,"properties":{"hours":"Mo-Fr 25:00-26:00"},"geometry":{"type":"Point","coordinates":[0,0]}}"#, "features[2].properties.hours"),
        ("duplicate id in the file", .stations, #"{"type":"Feature","id":3,"properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}"#, "duplicate id '3' (first at features[0])"),
    ])
    func oneBadFeatureRejectsTheFileAndChangesNothing(_ c: (String, UrbanModel.Layer, String, String)) throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = #"{"type":"FeatureCollection","features":[\#(point(1, #"{"class_code":"0101","status":"open","capacity":3}"#)),\#(point(2, #"{"class_code":"0118","status":"resolved"}"#))]}"#
        try db.importFeatures(try features(ok), into: c.1, source: "ok.geojson")
        let table = LayerSchema.of(c.1).table
        let before = try dump(db, table)
        let bad = #"{"type":"FeatureCollection","features":[\#(point(3, #"{"class_code":"0101","status":"open"}"#)),\#(point(4, #"{"class_code":"0101","status":"open"}"#)),\#(c.2)]}"#
        #expect {
            try db.importFeatures(try features(bad), into: c.1, source: "bad.geojson")
        } throws: { error in
            "\(error)".contains(c.3) && "\(error)".contains("bad.geojson")
        }
        #expect(try dump(db, table) == before)
    }

    @Test func idAlreadyInTheLayerRollsBack() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try db.importFeatures(try features(#"{"type":"FeatureCollection","features":[\#(point(1, "{}"))]}"#), into: .stations, source: "a")
        let second = #"{"type":"FeatureCollection","features":[\#(point(2, "{}")),\#(point(1, "{}"))]}"#
        #expect { try db.importFeatures(try features(second), into: .stations, source: "b") } throws: { "\($0)".contains("id '1' is already in layer stations") }
        #expect(try db.count(.stations) == 1)  // feature 2 went back out with the transaction
    }

    @Test func createRefusesExistingFileAndBadTimeZone() throws {
        let (db, dir) = try freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ModelError.self) { try UrbanDatabase.create(path: db.path) }
        let other = dir.appendingPathComponent("other.sqlite").path
        #expect(throws: ModelError.self) { try UrbanDatabase.create(path: other, timeZone: "Mars/Base") }
        #expect(!FileManager.default.fileExists(atPath: other))
        #expect(throws: ModelError.self) { try UrbanDatabase(path: dir.appendingPathComponent("missing.sqlite").path) }
    }
}

@Suite("UrbanDatabase admin codes") struct UrbanDatabaseAdminTests {
    func area(_ props: String) -> String {
        #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":\#(props),"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#
    }

    @Test(arguments: [
        (#"{"code":"320508","level":"street"}"#, "(features[0].properties.level): 'street' but code 320508 has 6 digits, a county code"),
        (#"{"code":"32050801","level":"street"}"#, "features[0].properties.code"),
        (#"{"code":"320508019044","level":"community","parent_code":"320508018"}"#, "320508018 is not the parent of 320508019044 (expected 320508019)"),
    ])
    func codesAreChecked(_ c: (String, String)) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try UrbanDatabase.create(path: dir.appendingPathComponent("a.sqlite").path)
        #expect { try db.importFeatures(try FeatureCollection(geoJSON: area(c.0)).features, into: .admin, source: "a.geojson") } throws: {
            "\($0)".contains(c.1)
        }
        let ok = #"{"code":"320508019044","level":"community","parent_code":"320508019","name":"养育巷社区"}"#
        #expect(try db.importFeatures(try FeatureCollection(geoJSON: area(ok)).features, into: .admin, source: "ok.geojson") == 1)
    }
}

/// The bundled demo layers (counts from GeoData/README.md and the derivation script's outputs).
@Test func bundledHelsinkiDemoLayersImport() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-demo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try UrbanDatabase.create(path: dir.appendingPathComponent("demo.sqlite").path)
    let layers: [(UrbanModel.Layer, String, Int)] = [
        (.admin, "admin", 7), (.streets, "streets", 4612), (.vendorZones, "vendor_zones", 6),
        (.stations, "stations", 11), (.hazards, "hazards", 867), (.pois, "pois", 3771),
    ]
    for (layer, file, expected) in layers {
        let path = UrbanDatabaseTests.root.appendingPathComponent("GeoData/helsinki/\(file).geojson").path
        #expect(try db.importFeatures(FeatureFile.read(path), into: layer, source: path) == expected, "\(file)")
    }
    // the synthetic hierarchy: 4 communities under 2 streets under district 999901
    let levels = try db.store.query("SELECT level, count(*) n FROM admin GROUP BY level ORDER BY level")
    #expect(levels.map { "\($0["level"]?.string ?? "")=\($0["n"]?.int ?? 0)" } == ["community=4", "district=1", "street=2"])
}

/// Hazards name the grid cell they lie in, also after the grid is rebuilt with other cells.
@Test func hazardGridCodesFollowGridRebuilds() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-hg-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try UrbanDatabase.create(path: dir.appendingPathComponent("h.sqlite").path)
    for (layer, file) in [(UrbanModel.Layer.admin, "admin"), (.hazards, "hazards")] {
        let path = UrbanDatabaseTests.root.appendingPathComponent("GeoData/helsinki/\(file).geojson").path
        try db.importFeatures(FeatureFile.read(path), into: layer, source: path)
    }
    #expect(try db.store.scalar("SELECT count(grid_code) FROM hazards").int == 0)  // no grid yet
    for size in [100.0, 200.0] {
        try db.replaceGrids(with: GridBuilder.build(try db.gridAreas(), shape: .square, cellSize: size, minArea: 1))
        #expect(try db.store.scalar("SELECT count(*) FROM hazards WHERE grid_code IS NULL").int == 0)
        // every hazard lies in the cell it names (GEOS covers, checked here independently of the locator)
        for r in try db.store.query("SELECT AsBinary(h.geom) p, AsBinary(g.geom) c FROM hazards h JOIN grids g ON g.code = h.grid_code LIMIT 50") {
            #expect(try r["c"]!.geometry()!.covers(r["p"]!.geometry()!), "cell size \(size)")
        }
    }
}

/// Hazard times: ISO 8601, local time of the database's zone (Asia/Shanghai, UTC+8) when no offset is given.
@Test func hazardTimesAreISO8601InTheDatabaseZone() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-t-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try UrbanDatabase.create(path: dir.appendingPathComponent("t.sqlite").path)
    func hazard(_ id: Int, _ reported: String) -> String {
        #"{"type":"Feature","id":\#(id),"properties":{"class_code":"0101","status":"open","reported_at":"\#(reported)"},"geometry":{"type":"Point","coordinates":[117,36]}}"#
    }
    let fc = #"{"type":"FeatureCollection","features":[\#(hazard(1, "2026-11-21 09:30")),\#(hazard(2, "2026-11-21T01:30:00Z")),\#(hazard(3, "2026-11-21"))]}"#
    try db.importFeatures(try FeatureCollection(geoJSON: fc).features, into: .hazards, source: "h.geojson")
    let times = try db.store.query("SELECT reported_at FROM hazards ORDER BY pk").compactMap { $0["reported_at"]?.string }
    #expect(times == ["2026-11-21T09:30:00+08:00", "2026-11-21T09:30:00+08:00", "2026-11-21T00:00:00+08:00"])
    let bad = #"{"type":"FeatureCollection","features":[\#(hazard(4, "yesterday"))]}"#
    #expect { try db.importFeatures(try FeatureCollection(geoJSON: bad).features, into: .hazards, source: "b.geojson") } throws: {
        "\($0)".contains("(features[0].properties.reported_at): expected an ISO 8601 time")
    }
}

/// A hazard's class must be in the tables the city loaded (GeoData/codes: 0101 上水井盖 is, 0199 is not).
@Test func hazardClassesAreCheckedAgainstTheLoadedTables() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-cc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try UrbanDatabase.create(path: dir.appendingPathComponent("c.sqlite").path)
    func fc(_ code: String) throws -> [Feature] {
        try FeatureCollection(geoJSON: #"{"type":"FeatureCollection","features":[{"type":"Feature","id":"\#(code)","properties":{"class_code":"\#(code)","status":"open"},"geometry":{"type":"Point","coordinates":[117,36]}}]}"#).features
    }
    #expect(try db.importFeatures(fc("0199"), into: .hazards, source: "a") == 1)  // no tables loaded: not checked
    let codes = UrbanDatabaseTests.root.appendingPathComponent("GeoData/codes").path
    let n = try db.loadClassCodes(components: ClassCodeTable(contentsOfFile: codes + "/components.csv"),
                                  events: ClassCodeTable(contentsOfFile: codes + "/events.csv"))
    #expect(n == 119)
    #expect(try db.importFeatures(fc("0101"), into: .hazards, source: "b") == 1)
    #expect(try db.importFeatures(fc("0401"), into: .hazards, source: "c") == 1)  // an event class: 路面塌陷
    #expect { try db.importFeatures(fc("0198"), into: .hazards, source: "d") } throws: { "\($0)".contains("unknown class code '0198'") }
}
