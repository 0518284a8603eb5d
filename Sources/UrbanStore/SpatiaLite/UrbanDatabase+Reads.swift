import Foundation
public import SpatialCore
public import UrbanModel

// The reads of `CityStore` on SpatiaLite.

extension UrbanDatabase {
    public var deadline: ContinuousClock.Instant? {
        get { store.deadline }
        set { store.deadline = newValue }
    }

    public func features(_ request: LayerRequest) throws -> [SQLRow] {
        try request.check()
        let table = LayerSchema.of(request.layer).table
        let missing = try request.columnsMissing(atVersion: { try schemaVersion })
        let fields = request.fields.map { f -> String in
            switch f {
            case .column(let c) where missing.contains(c): "NULL AS \(c)"
            case .column(let c): c
            case .geometry: "AsBinary(geom) AS g"
            case .pointOnSurface: "ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y"
            case .property(_, let name): "json_extract(props, ?) AS \"\(name.replacingOccurrences(of: "\"", with: ""))\""
            }
        }
        var parameters: [(any SQLBindable)?] = request.fields.compactMap { f in
            if case .property(let key, _) = f { return "$.\"\(key.replacingOccurrences(of: "\"", with: ""))\"" }
            return nil
        }
        var conditions: [String] = []
        for c in request.conditions {
            switch c {
            case .equals(let column, let value):
                conditions.append("\(column) = ?")
                parameters.append(value)
            case .isIn(let column, let values):
                conditions.append("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))")
                parameters += values.map { $0 as (any SQLBindable)? }
            case .notNull(let column):
                conditions.append("\(column) IS NOT NULL")
            case .hasPrefix(let column, let prefix):
                conditions.append("substr(\(column), 1, ?) = ?")
                parameters += [prefix.count, prefix]
            case .boxContains(let c):
                conditions.append("pk IN (SELECT pkid FROM idx_\(table)_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)")
                parameters += [c.x, c.x, c.y, c.y]
            }
        }
        var sql = "SELECT \(fields.joined(separator: ", ")) FROM \(table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !request.order.isEmpty { sql += " ORDER BY " + request.order.joined(separator: ", ") }
        if let limit = request.limit {
            sql += " LIMIT ?"
            parameters.append(limit)
        }
        let st = try store.prepare(sql)
        try st.bind(parameters)
        return try st.rows()
    }

    public func extent(of layers: [UrbanModel.Layer]) throws -> Envelope? {
        var extent: Envelope?
        for layer in layers where LayerSchema.of(layer).geometry != .none {
            let r = try store.query("SELECT min(MbrMinX(geom)) a, min(MbrMinY(geom)) b, max(MbrMaxX(geom)) c, max(MbrMaxY(geom)) d FROM \(LayerSchema.of(layer).table)")
            if let row = r.first, let a = row["a"]?.double, let b = row["b"]?.double, let c = row["c"]?.double, let d = row["d"]?.double {
                extent = Envelope.union([extent, Envelope(minX: a, minY: b, maxX: c, maxY: d)])
            }
        }
        return extent
    }

    public var hasSpatialIndexes: Bool {
        get throws {
            for table in ["grids", "admin", "streets"] where try !store.tableExists("idx_\(table)_geom") { return false }
            return true
        }
    }

    public func streetBoxes(meeting window: Envelope) throws -> [(pk: Int64, box: Envelope)] {
        let st = try store.prepare("SELECT pkid, xmin, xmax, ymin, ymax FROM idx_streets_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?")
        try st.bind([window.maxX, window.minX, window.maxY, window.minY])
        var boxes: [(pk: Int64, box: Envelope)] = []
        try st.forEach { b in
            guard let pk = try b.int64(0), let x0 = try b.double(1), let x1 = try b.double(2),
                  let y0 = try b.double(3), let y1 = try b.double(4) else { return }
            boxes.append((pk, Envelope(minX: x0, minY: y0, maxX: x1, maxY: y1)))
        }
        return boxes
    }

    public func openHazardCounts(by unit: HazardHotspot.Unit, top: Int) throws -> [(key: String, count: Int, size: Double?)] {
        try store.query(Self.hazardCountSQL[unit]! + " ORDER BY n DESC, k LIMIT ?", top).map { r in
            (r["k"]?.string ?? "", r["n"]?.int ?? 0, r["size"]?.double)
        }
    }

    /// Open hazards per unit (`k`, `n`, `size`): standard SQL both engines run as written.
    public static let hazardCountSQL: [HazardHotspot.Unit: String] = [
        .grid: """
            SELECT h.grid_code AS k, count(*) AS n, g.area_m2 / 1e6 AS size FROM hazards h LEFT JOIN grids g ON g.code = h.grid_code
            WHERE h.status = 'open' AND h.grid_code IS NOT NULL GROUP BY h.grid_code, g.area_m2
            """,
        .segment: """
            SELECT h.segment_id AS k, count(*) AS n, s.length_m / 1e3 AS size FROM hazards h LEFT JOIN streets s ON s.id = h.segment_id
            WHERE h.status = 'open' AND h.segment_id IS NOT NULL GROUP BY h.segment_id, s.length_m
            """,
        .community: """
            SELECT c.community_code AS k, sum(c.n) AS n, sum(c.area) / 1e6 AS size FROM (
              SELECT g.community_code, g.area_m2 AS area, (SELECT count(*) FROM hazards h WHERE h.grid_code = g.code AND h.status = 'open') AS n
              FROM grids g) AS c WHERE c.community_code IS NOT NULL GROUP BY c.community_code HAVING sum(c.n) > 0
            """,
    ]

    public func streetsWithoutChief() throws -> [(id: String, name: String?)] {
        try store.query(Self.streetsWithoutChiefSQL).map { ($0["id"]?.string ?? "", $0["name"]?.string) }
    }

    public static let streetsWithoutChiefSQL =
        "SELECT id, name FROM streets WHERE id NOT IN (SELECT segment_id FROM chiefs WHERE segment_id IS NOT NULL) ORDER BY pk"
}
