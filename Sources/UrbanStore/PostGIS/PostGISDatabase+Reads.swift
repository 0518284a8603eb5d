import Foundation
public import SpatialCore
public import UrbanModel

// The reads of `CityStore` on PostGIS: the same rows as SpatiaLite's, in the same order (text columns are
// `COLLATE "C"`, byte order, as SQLite compares), geometries as ISO WKB, times as ISO 8601 text in the city's zone.

extension PostGISDatabase {
    public var deadline: ContinuousClock.Instant? {
        get { connection.deadline }
        set { connection.deadline = newValue }
    }

    public func features(_ request: LayerRequest) throws -> [SQLRow] {
        try request.check()
        let schema = LayerSchema.of(request.layer)
        let timeColumns = Set(schema.columns.filter { $0.type == .time }.map(\.name))
        var parameters: [SQLValue] = []
        func bind(_ v: SQLValue) -> String {
            parameters.append(v)
            return "$\(parameters.count)"
        }
        var names: [String] = [], fields: [String] = []
        let missing = try request.columnsMissing(atVersion: { try schemaVersion })
        for f in request.fields {
            switch f {
            case .column(let c) where missing.contains(c):
                fields.append("NULL")
                names.append(c)
            case .column(let c) where timeColumns.contains(c):
                fields.append("extract(epoch FROM \(c))::float8")
                names.append(c)
            case .column(let c) where schema.columns.first(where: { $0.name == c })?.type == .boolean:
                fields.append("\(c)::int")
                names.append(c)
            case .column(let c):
                fields.append(c)
                names.append(c)
            case .geometry:
                fields.append("ST_AsBinary(geom)")
                names.append("g")
            case .pointOnSurface:
                fields += ["ST_X(ST_PointOnSurface(geom))", "ST_Y(ST_PointOnSurface(geom))"]
                names += ["x", "y"]
            case .property(let key, let name):
                // SQLite's json_extract: numbers and text as their text, booleans as 1/0, null as null
                let k = bind(.text(key))
                fields.append("CASE json_typeof(props->\(k)) WHEN 'boolean' THEN (CASE WHEN props->>\(k) = 'true' THEN '1' ELSE '0' END) WHEN 'null' THEN NULL ELSE props->>\(k) END")
                names.append(name)
            }
        }
        var conditions: [String] = []
        for c in request.conditions {
            switch c {
            case .equals(let column, let value): conditions.append("\(column) = \(bind(value))")
            case .isIn(let column, let values): conditions.append("\(column) = ANY(\(bind(.text(Self.arrayLiteral(values))))::text[])")
            case .notNull(let column): conditions.append("\(column) IS NOT NULL")
            case .hasPrefix(let column, let prefix): conditions.append("left(\(column), \(bind(.integer(Int64(prefix.count))))::int) = \(bind(.text(prefix)))")
            case .boxContains(let p):
                conditions.append("geom && ST_SetSRID(ST_MakePoint(\(bind(.real(p.x))), \(bind(.real(p.y)))), 4326)")
            }
        }
        var sql = "SELECT \(fields.joined(separator: ", ")) FROM \(schema.table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !request.order.isEmpty { sql += " ORDER BY " + request.order.joined(separator: ", ") }
        if let limit = request.limit { sql += " LIMIT \(bind(.integer(Int64(limit))))" }
        let zone = timeColumns.isEmpty ? nil : TimeZone(identifier: try timeZone)
        return try connection.query(sql, parameters).map { values in
            var values = values
            if let zone {
                for (i, n) in names.enumerated() where timeColumns.contains(n) {
                    if let text = Self.isoTime(values[i], in: zone) { values[i] = .text(text) }
                }
            }
            return SQLRow(columnNames: names, values: values)
        }
    }

    /// A PostgreSQL array literal of texts, every element quoted (bound as one parameter, never spliced into SQL).
    static func arrayLiteral(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    /// The envelope of every geometry of these layers together, exact (each geometry's own box, as SpatiaLite's
    /// `MbrMinX`… give it). Each layer's extent is kept in `meta` (`extent:<layer>`: the layer's highest pk and the
    /// box, or only the pk when no geometry has one) by every write that changes it, in the write's transaction, and
    /// read in one round trip; a layer without it, or whose highest pk is no longer the one kept (written by an
    /// UrbanGrid that did not keep extents), is scanned.
    public func extent(of layers: [UrbanModel.Layer]) throws -> Envelope? {
        let layers = layers.filter { LayerSchema.of($0).geometry != .none }
        guard !layers.isEmpty else { return nil }
        let sql = layers.map { layer in
            "SELECT (SELECT max(pk) FROM \(LayerSchema.of(layer).table)), (SELECT value FROM meta WHERE key = '\(Self.extentKey(layer))')"
        }.joined(separator: " UNION ALL ")
        let kept = try connection.query(sql)
        var extent: Envelope?
        for (layer, row) in zip(layers, kept) {
            let box: Envelope?
            if let k = row[1].string.flatMap(Self.keptExtent), k.maxPK == row[0].int.map(Int64.init) {
                box = k.box
            } else {
                box = try scanExtent(layer)
            }
            extent = Envelope.union([extent, box])
        }
        return extent
    }

    static func extentKey(_ layer: UrbanModel.Layer) -> String { "extent:\(layer.rawValue)" }

    /// A kept extent: `maxPK` (empty for an empty layer) then the box's four numbers, or none, space-separated.
    static func keptExtent(_ text: String) -> (maxPK: Int64?, box: Envelope?)? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || parts.count == 5 else { return nil }
        let pk: Int64? = parts[0].isEmpty ? nil : Int64(parts[0])
        if !parts[0].isEmpty, pk == nil { return nil }
        guard parts.count == 5 else { return (pk, nil) }
        let v = parts[1...].compactMap(Double.init)
        guard v.count == 4 else { return nil }
        return (pk, Envelope(minX: v[0], minY: v[1], maxX: v[2], maxY: v[3]))
    }

    /// The exact envelope of a layer's geometries, from every row.
    func scanExtent(_ layer: UrbanModel.Layer) throws -> Envelope? {
        let r = try connection.query("""
            SELECT min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), max(ST_YMax(geom)) FROM \(LayerSchema.of(layer).table)
            """)
        guard let row = r.first, let a = row[0].double, let b = row[1].double, let c = row[2].double, let d = row[3].double else { return nil }
        return Envelope(minX: a, minY: b, maxX: c, maxY: d)
    }

    /// Keeps `box` as the layer's extent (in the caller's transaction, after its writes to the layer).
    func keepExtent(_ layer: UrbanModel.Layer, _ box: Envelope?) throws {
        let table = LayerSchema.of(layer).table
        let maxPK = try connection.scalar("SELECT max(pk) FROM \(table)").int.map(String.init) ?? ""
        let text = box.map { b in "\(maxPK) \(b.minX) \(b.minY) \(b.maxX) \(b.maxY)" } ?? maxPK
        try connection.execute("""
            INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, [.text(Self.extentKey(layer)), .text(text)])
    }

    /// After an import added rows whose geometries span `added`: the layer's kept extent grown by it (the layer was
    /// empty, or its extent was kept), or scanned anew.
    func updateExtent(_ layer: UrbanModel.Layer, wasEmpty: Bool, added: Envelope?) throws {
        guard LayerSchema.of(layer).geometry != .none else { return }
        var box: Envelope?
        if wasEmpty {
            box = added
        } else if let text = try connection.scalar("SELECT value FROM meta WHERE key = $1", [.text(Self.extentKey(layer))]).string,
                  let kept = Self.keptExtent(text), kept.maxPK != nil {
            // kept before this import's rows (whose pks are all higher): still the extent of the other rows
            box = Envelope.union([kept.box, added])
        } else {
            box = try scanExtent(layer)
        }
        try keepExtent(layer, box)
    }

    /// Keeps the layer's extent scanned from its rows (after a write that may have shrunk it).
    func refreshExtent(_ layer: UrbanModel.Layer) throws {
        guard LayerSchema.of(layer).geometry != .none else { return }
        try keepExtent(layer, try scanExtent(layer))
    }

    public var hasSpatialIndexes: Bool { get throws { true } }

    public func streetBoxes(meeting window: Envelope) throws -> [(pk: Int64, box: Envelope)] {
        try connection.query("""
            SELECT pk, ST_XMin(geom), ST_XMax(geom), ST_YMin(geom), ST_YMax(geom) FROM streets
            WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
            """, [.real(window.minX), .real(window.minY), .real(window.maxX), .real(window.maxY)]).compactMap { r in
            guard case .integer(let pk) = r[0], let x0 = r[1].double, let x1 = r[2].double, let y0 = r[3].double, let y1 = r[4].double else { return nil }
            return (pk, Envelope(minX: x0, minY: y0, maxX: x1, maxY: y1))
        }
    }

    public func openHazardCounts(by unit: HazardHotspot.Unit, top: Int) throws -> [(key: String, count: Int, size: Double?)] {
        let sql = "SELECT k, n::bigint, size::float8 FROM (\(UrbanDatabase.hazardCountSQL[unit]!)) AS counts ORDER BY n DESC, k LIMIT $1"
        return try connection.query(sql, [.integer(Int64(top))]).map { r in (r[0].string ?? "", r[1].int ?? 0, r[2].double) }
    }

    public func streetsWithoutChief() throws -> [(id: String, name: String?)] {
        try connection.query(UrbanDatabase.streetsWithoutChiefSQL).map { ($0[0].string ?? "", $0[1].string) }
    }

    public func gridCodesWithoutChief() throws -> [String] {
        try connection.query(UrbanDatabase.gridCodesWithoutChiefSQL).compactMap { $0.first?.string }
    }

    // MARK: Grids

    public func gridAreas(under code: String?) throws -> [GridArea] {
        try GridArea.check(code)
        let rows = try features(LayerRequest(.admin, [.column("code"), .column("level"), .geometry],
                                               where: [.hasPrefix("code", code ?? "")], order: ["code"]))
        return try GridArea.fromAdminRows(rows, under: code)
    }

    public func gridStreets() throws -> [Geometry] {
        try features(LayerRequest(.streets, [.geometry])).compactMap { try $0["g"]?.geometry() }
    }

    /// As `UrbanDatabase.replaceGrids`: one transaction, the cells of the communities built replaced, hazards located
    /// in the new cells, the grids' property keys refreshed.
    @discardableResult
    public func replaceGrids(with result: GridBuildResult) throws -> Int {
        try connection.transaction {
            try connection.execute("LOCK TABLE grids IN SHARE ROW EXCLUSIVE MODE")
            var deleted = 0
            for c in result.communities {
                deleted += try connection.query("""
                    WITH gone AS (DELETE FROM grids WHERE community_code = $1 OR left(code, $2::int) = $1 RETURNING 1) SELECT count(*) FROM gone
                    """, [.text(c.code), .integer(Int64(c.code.count))]).first?.first?.int ?? 0
            }
            let columns = ["id", "code", "community_code", "area_m2", "shape", "geom"].map { name in
                StoredColumn(name: name, kind: name == "geom" ? .geometry : name == "area_m2" ? .real : .text)
            }
            var lines: [UInt8] = []
            for cell in result.cells {
                let values: [SQLValue] = [.text(cell.code), .text(cell.code), (cell.communityCode as String?).map(SQLValue.text) ?? .null,
                                          .real(cell.areaSquareMetres), .text(cell.shape.rawValue), .blob(try cell.geometry.wkb)]
                try CopyText.append(values, columns, to: &lines)
            }
            if !lines.isEmpty { try connection.copy(into: "grids", columns: columns.map(\.name), lines: lines) }
            // hazards keep naming the cell they lie in
            let cells = try existingLines().grids
            let located = try HazardLocation.gridCodes(
                of: try features(LayerRequest(.hazards, [.column("pk"), .geometry])).compactMap { r in
                    guard case .integer(let pk) = r[0] else { return nil }
                    return (pk, try r["g"]?.geometry())
                }, in: cells)
            var updates: [UInt8] = []
            let updateColumns = [StoredColumn(name: "pk", kind: .key), StoredColumn(name: "grid_code", kind: .text)]
            for (pk, code) in located { try CopyText.append([.integer(pk), code.map(SQLValue.text) ?? .null], updateColumns, to: &updates) }
            if !updates.isEmpty {
                try connection.execute("CREATE TEMPORARY TABLE hazard_cells(pk bigint PRIMARY KEY, grid_code text) ON COMMIT DROP")
                try connection.copy(into: "hazard_cells", columns: ["pk", "grid_code"], lines: updates)
                try connection.execute("UPDATE hazards h SET grid_code = c.grid_code FROM hazard_cells c WHERE h.pk = c.pk")
            }
            for statement in Self.propertyKeyStatements(.grids) { try connection.execute(statement) }
            try refreshExtent(.grids)
            return deleted
        }
    }
}

extension PostGISDatabase {
    /// A `timestamptz` read as `extract(epoch FROM …)::float8`, as ISO 8601 text in `zone` (nil for NULL).
    static func isoTime(_ epoch: SQLValue, in zone: TimeZone) -> String? {
        epoch.double.map { ISOTime.string(Date(timeIntervalSince1970: $0), in: zone) }
    }
}

