public import SpatialCore
public import UrbanModel

extension UrbanDatabase {
    /// The areas to grid under `code` (a district, street or community code; nil for all), in code order: the
    /// community polygons of the `admin` layer, or with none the deepest level there is (`GridArea.fromAdminRows`).
    /// - Throws: `invalidArgument` when `code` is not all digits or no admin area lies under it.
    public func gridAreas(under code: String? = nil) throws -> [GridArea] {
        try GridArea.check(code)
        let rows = try features(LayerRequest(.admin, [.column("code"), .column("level"), .geometry],
                                               where: [.hasPrefix("code", code ?? "")], order: ["code"]))
        return try GridArea.fromAdminRows(rows, under: code)
    }

    /// The street lines of the `streets` layer (every class), in WGS84, for block grids.
    public func gridStreets() throws -> [Geometry] {
        try store.query("SELECT AsBinary(geom) AS g FROM streets WHERE geom IS NOT NULL ORDER BY pk").compactMap { try $0["g"]?.geometry() }
    }

    /// The grid codes no `chiefs` row names, in code order, each once (the responsibility rule of `GridAudit` and
    /// of the `grid-chief` audit rule).
    public func gridCodesWithoutChief() throws -> [String] {
        try store.query(Self.gridCodesWithoutChiefSQL).compactMap { $0["code"]?.string }
    }

    public static let gridCodesWithoutChiefSQL =
        "SELECT DISTINCT code FROM grids WHERE code NOT IN (SELECT grid_code FROM chiefs WHERE grid_code IS NOT NULL) ORDER BY code"

    /// Replaces the grids of the communities in `result` by its cells, in one transaction: the old cells
    /// of those communities (by `community_code`, or by a code starting with the community code) are
    /// deleted, then the new ones inserted with `id` = `code`. Grids of other communities are untouched.
    /// - Returns: how many old cells were deleted.
    @discardableResult
    public func replaceGrids(with result: GridBuildResult) throws -> Int {
        try store.transaction {
            var deleted = 0
            for c in result.communities {
                deleted += try store.run(
                    "DELETE FROM grids WHERE community_code = ? OR substr(code, 1, ?) = ?", c.code, c.code.count, c.code)
            }
            try withBulkSpatialIndex(table: "grids", rows: result.cells.count) {
                let insert = try store.prepare(
                    "INSERT INTO grids(id, code, community_code, area_m2, shape, geom) VALUES (?, ?, ?, ?, ?, GeomFromWKB(?, 4326))")
                for cell in result.cells {
                    try insert.run([cell.code, cell.code, cell.communityCode, cell.areaSquareMetres, cell.shape.rawValue, cell.geometry])
                }
            }
            try reassignHazardGrids()  // hazards keep naming the cell they lie in
            try refreshPropertyKeys(.grids)
            return deleted
        }
    }
}

