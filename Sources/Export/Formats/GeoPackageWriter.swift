import Foundation
public import SpatialCore
public import UrbanModel
public import UrbanStore

/// Writes an OGC GeoPackage (1.2) through SpatiaLite's GeoPackage functions: `gpkgCreateBaseTables`,
/// `gpkgInsertEpsgSRID`, `gpkgAddGeometryColumn`, `gpkgAddSpatialIndex` and `AsGPB` for the geometry blobs.
/// Feature tables get an integer `fid`, a `geom` column and typed attribute columns; the extent in
/// `gpkg_contents` is set when a layer ends. One transaction for the whole file; the journal is switched
/// back to DELETE at the end so the file is a plain single-file GeoPackage.
public final class GeoPackageWriter {
    public enum FieldType: String, Sendable {
        case text = "TEXT", integer = "INTEGER", real = "REAL", boolean = "BOOLEAN"
    }

    public struct Field: Sendable {
        public var name: String
        public var type: FieldType
        public init(_ name: String, _ type: FieldType) {
            self.name = name
            self.type = type
        }
    }

    private let store: SpatiaLiteStore
    private var layer: (name: String, insert: Statement, hasGeometry: Bool, extent: Envelope?)?
    private var srsIDs: [String: Int] = [:]

    /// Creates the file (it must not exist) with the GeoPackage base tables.
    public init(path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw SpatialError.io(path: path, message: "exists already")
        }
        store = try SpatiaLiteStore(path: path, mode: .create)
        _ = try store.scalar("SELECT gpkgCreateBaseTables()")
        // after the base tables: SpatiaLite 5.0 writes the draft id 'GPKP' there
        try store.execute("PRAGMA application_id = 1196444487; PRAGMA user_version = 10200")  // 'GPKG', 1.2
        try store.execute("BEGIN IMMEDIATE")
    }

    /// Starts a feature table. `crs` is written to `gpkg_spatial_ref_sys`: by EPSG code when PROJ knows one,
    /// otherwise as a user-defined SRS (id ≥ 100000) with PROJ's WKT.
    /// - Parameter geometryType: `POINT`, `LINESTRING`, `MULTIPOLYGON`, `GEOMETRY`...; nil for a table
    ///   without geometry (an `attributes` table; `insert` then takes nil geometries).
    public func beginLayer(_ name: String, geometryType: String?, crs: CRS, fields: [Field], description: String = "") throws {
        precondition(layer == nil, "GeoPackageWriter.beginLayer before endLayer")
        let srsID = try srsID(for: crs)
        let q = Self.quoted(name)
        _ = try store.run(
            "INSERT INTO gpkg_contents(table_name, data_type, identifier, description, srs_id) VALUES (?, ?, ?, ?, ?)",
            name, geometryType == nil ? "attributes" : "features", name, description, srsID)
        let columns = fields.map { "\(Self.quoted($0.name)) \($0.type.rawValue)" }
        try store.execute("CREATE TABLE \(q)(fid INTEGER PRIMARY KEY AUTOINCREMENT\(columns.map { ", " + $0 }.joined()))")
        if let geometryType {
            _ = try store.scalar("SELECT gpkgAddGeometryColumn(?, 'geom', ?, 0, 0, ?)", name, geometryType, srsID)
            _ = try store.scalar("SELECT gpkgAddSpatialIndex(?, 'geom')", name)
        }
        let names = (geometryType == nil ? [] : ["geom"]) + fields.map { Self.quoted($0.name) }
        let values = (geometryType == nil ? [] : ["AsGPB(GeomFromWKB(?, \(srsID)))"]) + fields.map { _ in "?" }
        let insert = try store.prepare(
            "INSERT INTO \(q)(\(names.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))")
        layer = (name, insert, geometryType != nil, nil)
    }

    /// Adds one feature: its geometry (in the layer's CRS) and one value per field, in order.
    public func insert(_ geometry: Geometry?, _ values: [SQLValue]) throws {
        guard var l = layer else { preconditionFailure("GeoPackageWriter.insert outside a layer") }
        try l.insert.run(l.hasGeometry ? [try geometry?.sqlValue() ?? .null] + values : values)
        if let e = geometry?.envelope { l.extent = Envelope.union([l.extent, e]) }
        layer = l
    }

    /// Ends the current feature table, recording its extent.
    public func endLayer() throws {
        guard let l = layer else { preconditionFailure("GeoPackageWriter.endLayer without a layer") }
        layer = nil
        if let e = l.extent {
            _ = try store.run(
                "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                e.minX, e.minY, e.maxX, e.maxY, l.name)
        }
    }

    /// Commits and closes the file.
    public func finish() throws {
        precondition(layer == nil, "GeoPackageWriter.finish inside a layer")
        try store.execute("COMMIT")
        _ = try store.scalar("PRAGMA journal_mode = DELETE")
        try store.close()
    }

    private func srsID(for crs: CRS) throws -> Int {
        if let id = srsIDs[crs.definition] { return id }
        let id: Int
        if let code = crs.epsgCode {
            id = code
            if try store.scalar("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id = ?", code).int == 0 {
                _ = try store.scalar("SELECT gpkgInsertEpsgSRID(?)", code)
            }
            if try store.scalar("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id = ?", code).int == 0 {
                try insertSRS(id: code, crs: crs, organization: "EPSG", code: code)  // not in SpatiaLite's table
            }
        } else {
            id = 100_000 + srsIDs.count
            try insertSRS(id: id, crs: crs, organization: "NONE", code: id)
        }
        srsIDs[crs.definition] = id
        return id
    }

    private func insertSRS(id: Int, crs: CRS, organization: String, code: Int) throws {
        guard let wkt = crs.wkt else { throw SpatialError.unknownCRS(crs.definition) }
        _ = try store.run(
            "INSERT INTO gpkg_spatial_ref_sys(srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)",
            crs.name, id, organization, code, wkt, crs.definition)
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
