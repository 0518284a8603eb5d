import Foundation
import SpatialCore
public import UrbanModel

/// Responsibility in time on SpatiaLite: the chiefs' duty columns (`role`, `backup`, `on_duty`, `poi_id`) and the
/// frontage units (门前三包), a table with an R*Tree on its strips.
extension UrbanDatabase: FrontageStore {
    // Version 10 may be another branch's: the store applies every version not yet recorded, in any order.
    static let dutyMigration = Migration(version: 9, name: "chief duty and frontage units", sql:
        LayerSchema.columnsAdded(by: 9).map { "ALTER TABLE \($0.table) ADD COLUMN \($0.column.name) TEXT;\n" }.joined() + """
        CREATE TABLE frontage_units(pk INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, poi_id TEXT NOT NULL, name TEXT, kind TEXT,
                                    segment_id TEXT NOT NULL, side TEXT NOT NULL, from_m REAL NOT NULL, to_m REAL NOT NULL, depth_m REAL NOT NULL);
        SELECT AddGeometryColumn('frontage_units', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);
        SELECT CreateSpatialIndex('frontage_units', 'geom');
        CREATE INDEX frontage_units_poi ON frontage_units(poi_id);
        """)

    public func replaceFrontageUnits(_ units: [FrontageUnit]) throws -> Int {
        try store.transaction {
            _ = try store.run("DELETE FROM frontage_units")
            let insert = try store.prepare("""
                INSERT INTO frontage_units(id, poi_id, name, kind, segment_id, side, from_m, to_m, depth_m, geom)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, GeomFromWKB(?, 4326))
                """)
            for u in units {
                try insert.run([u.id, u.poiID, u.name, u.kind, u.segmentID, u.side.rawValue, u.fromMetres, u.toMetres, u.depthMetres,
                                FrontageRows.multi(u.geometry)])
            }
            return units.count
        }
    }

    public func frontageUnits() throws -> [FrontageUnit] {
        guard try store.tableExists("frontage_units") else { return [] }
        return try store.query("""
            SELECT id, poi_id, name, kind, segment_id, side, from_m, to_m, depth_m, AsBinary(geom) AS g FROM frontage_units ORDER BY id
            """).map { r in
            try FrontageRows.unit([r["id"], r["poi_id"], r["name"], r["kind"], r["segment_id"], r["side"], r["from_m"], r["to_m"], r["depth_m"], r["g"]])
        }
    }
}

/// Frontage rows as both engines read and write them.
enum FrontageRows {
    /// Stored as a multipolygon (the column's type).
    static func multi(_ g: Geometry) -> Geometry {
        if case .polygon(let p) = g { return .multiPolygon(MultiPolygon([p])) }
        return g
    }

    /// A unit from the ten values of `SELECT id, poi_id, name, kind, segment_id, side, from_m, to_m, depth_m, geom (WKB)`;
    /// a one-polygon multipolygon comes back as the polygon.
    static func unit(_ v: [SQLValue?]) throws -> FrontageUnit {
        var g = try v[9]?.geometry() ?? .multiPolygon(MultiPolygon([]))
        if case .multiPolygon(let m) = g, m.polygons.count == 1 { g = .polygon(m.polygons[0]) }
        return FrontageUnit(id: v[0]?.string ?? "", poiID: v[1]?.string ?? "", name: v[2]?.string, kind: v[3]?.string,
                            segmentID: v[4]?.string ?? "", side: FrontageUnit.Side(rawValue: v[5]?.string ?? "") ?? .left,
                            fromMetres: v[6]?.double ?? 0, toMetres: v[7]?.double ?? 0, depthMetres: v[8]?.double ?? 0, geometry: g)
    }
}
