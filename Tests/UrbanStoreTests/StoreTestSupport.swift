import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// The throwaway PostgreSQL 15 + PostGIS cluster of `Tools/pg-cluster.sh` (Tools/test.sh starts one and exports
/// URBANGRID_PG_*). A test that needs it fails, never skips, when it is not there.
enum PGCluster {
    static func variable(_ name: String) throws -> String {
        let value = ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
        return try #require(value, Comment(rawValue: """
            \(name) is not set: the PostGIS tests need the PostgreSQL cluster of Tools/pg-cluster.sh. Run the tests \
            through Tools/test.sh, or start one first: eval "$(Tools/pg-cluster.sh start "$PWD/out/pg-test")"
            """))
    }

    /// `urbangrid_test`, a superuser, over TCP with its password, database `postgres`.
    static func superuser() throws -> PostgresLocation { try PostgresLocation(url: try variable("URBANGRID_PG_URL"), environment: [:]) }
    /// `urbangrid_plain`, no superuser (may not create PostGIS), database `postgres`.
    static func plain() throws -> PostgresLocation { try PostgresLocation(url: try variable("URBANGRID_PG_PLAIN_URL"), environment: [:]) }
    static func port() throws -> Int { try #require(Int(try variable("URBANGRID_PG_PORT"))) }
    static func socketDirectory() throws -> String { try variable("URBANGRID_PG_SOCKET") }
}

/// A new, empty database of the test cluster (`ugtest_<random>`, no PostGIS: template1 is clean), dropped by `drop`.
final class ScratchDatabase: @unchecked Sendable {
    let name: String
    let admin: PostgresLocation
    /// The superuser, in this database.
    var location: PostgresLocation { admin.with(database: name) }

    init(owner: String? = nil) throws {
        admin = try PGCluster.superuser()
        name = "ugtest_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let c = try PGConnection(admin)  // the `postgres` database; CREATE DATABASE runs outside a transaction
        defer { c.close() }
        try c.execute("CREATE DATABASE \(name)\(owner.map { " OWNER \($0)" } ?? "")")
    }

    /// Every row of one statement run as the superuser in this database.
    func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        let c = try PGConnection(location)
        defer { c.close() }
        return try c.query(sql, parameters)
    }

    func scalar(_ sql: String) throws -> SQLValue { try query(sql).first?.first ?? .null }

    /// The tables of the `public` schema (PostGIS's own catalogue table left out; views are not tables).
    func tables() throws -> [String] {
        try query("""
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys'
            ORDER BY table_name
            """).compactMap { $0.first?.string }
    }

    func drop() {
        guard let c = try? PGConnection(admin) else { return }
        defer { c.close() }
        try? c.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// The two engines a city can live in, for tests that run on both.
enum Engine: String, CaseIterable, Sendable {
    case spatiaLite, postGIS
}

/// Where a fresh city of one engine goes: a path in a new temporary folder, or a new database.
final class FreshLocation {
    let engine: Engine
    let location: DatabaseLocation
    let folder: URL
    let scratch: ScratchDatabase?

    init(_ engine: Engine) throws {
        self.engine = engine
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        switch engine {
        case .spatiaLite:
            scratch = nil
            location = .spatiaLite(path: folder.appendingPathComponent("city.sqlite").path)
        case .postGIS:
            let s = try ScratchDatabase()
            scratch = s
            location = .postgres(s.location)
        }
    }

    /// Every row of one (portable) statement, run on a connection of its own.
    func query(_ sql: String) throws -> [[SQLValue]] {
        switch location {
        case .spatiaLite(let path): try UrbanDatabase(path: path, readOnly: true).store.query(sql).map(\.values)
        case .postgres: try scratch!.query(sql)
        }
    }

    func scalar(_ sql: String) throws -> SQLValue { try query(sql).first?.first ?? .null }

    func remove() {
        scratch?.drop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The bundled data and what is independently known about it.
enum DemoData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The Helsinki files in the order Tools/demo.sh imports them (hazards after the streets they snap to).
    static let helsinki: [(layer: UrbanModel.Layer, file: String)] = [
        (.admin, "GeoData/helsinki/admin.geojson"), (.streets, "GeoData/helsinki/streets.geojson"),
        (.vendorZones, "GeoData/helsinki/vendor_zones.geojson"), (.stations, "GeoData/helsinki/stations.geojson"),
        (.pois, "GeoData/helsinki/pois.geojson"), (.hazards, "GeoData/helsinki/hazards.geojson"),
        (.chiefs, "GeoData/helsinki/chiefs.csv"),
    ]

    /// The features of a GeoJSON file counted by Foundation's JSON reader, or a CSV's data lines.
    static func featureCount(_ relative: String) throws -> Int {
        if relative.hasSuffix(".csv") { return try dataLines(relative) }
        let data = try Data(contentsOf: root.appendingPathComponent(relative))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["features"] as? [Any]).count
    }

    /// Non-empty lines after the header line.
    static func dataLines(_ relative: String) throws -> Int {
        let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }.count - 1
    }

    /// Street segments of the demo after noding (GeoData/README.md: 4,612 segments, split at intersections already).
    static let streetSegments = 4612

    static func expectedCount(_ layer: UrbanModel.Layer) throws -> Int {
        if layer == .streets { return streetSegments }
        return try featureCount(try #require(helsinki.first { $0.layer == layer }).file)
    }

    static func classCodes() throws -> (ClassCodeTable, ClassCodeTable) {
        (try ClassCodeTable(contentsOfFile: path("GeoData/codes/components.csv")), try ClassCodeTable(contentsOfFile: path("GeoData/codes/events.csv")))
    }

    /// Reads a file as `urbangrid import` does and imports it.
    @discardableResult
    static func importFile(_ path: String, into layer: UrbanModel.Layer, _ db: any CityStore) throws -> Int {
        let options = FeatureFile.Options(requireGeometry: LayerSchema.of(layer).geometry != .none)
        return try db.importFeatures(reading: { try FeatureFile.forEach(path, options: options, $0) }, into: layer, source: path, noding: .auto)
    }

    /// Loads the class codes and every Helsinki layer, in demo order; `beforeHazards` runs after the pois.
    static func loadHelsinki(_ db: any CityStore, beforeHazards: () throws -> Void = {}) throws {
        let (components, events) = try classCodes()
        try db.loadClassCodes(components: components, events: events)
        for (layer, file) in helsinki {
            if layer == .hazards { try beforeHazards() }
            try importFile(path(file), into: layer, db)
        }
    }
}

/// Every row of a layer as `copy` moves it (`StoredColumn.of(layer)` order: pk, columns, props, derived, WKB).
func storedRows(_ db: any CityStore, _ layer: UrbanModel.Layer) throws -> [[SQLValue]] {
    let rows = try #require(db as? any CityRows)
    var all: [[SQLValue]] = []
    try rows.readRows(layer, batchRows: 997) { all += $0 }
    return all
}

/// A GeoJSON FeatureCollection of the given features' JSON, written to `folder/name`; returns the path.
func writeFeatures(_ features: [String], to folder: URL, _ name: String) throws -> String {
    let path = folder.appendingPathComponent(name).path
    try #"{"type":"FeatureCollection","features":["#.appending(features.joined(separator: ",\n")).appending("]}\n")
        .write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A point feature with a string id.
func pointFeature(_ id: String, _ properties: String, lon: Double = 24.94, lat: Double = 60.17) -> String {
    #"{"type":"Feature","id":"\#(id)","properties":\#(properties),"geometry":{"type":"Point","coordinates":[\#(lon),\#(lat)]}}"#
}

/// `n` generated POIs `prefix-0 ... prefix-(n-1)` spread over central Helsinki.
func generatedPOIs(_ prefix: String, _ n: Int, kind: String = "bench") -> [String] {
    (0..<n).map { i in
        pointFeature("\(prefix)-\(i)", #"{"kind":"\#(kind)","name":"p\#(i)"}"#, lon: 24.90 + Double(i % 1000) * 0.0001, lat: 60.15 + Double(i / 1000 % 1000) * 0.0001)
    }
}

/// The message of what `body` throws; a recorded issue (and nil) when it does not throw.
func thrownMessage(_ what: Comment, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String? {
    do {
        try body()
        Issue.record("expected an error: \(what)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return "\(error)"
    }
}
