public import SpatialCore

/// The grid cells in code order with their communities and chiefs, and the admin areas for spots outside every
/// cell (communities, then streets, then districts: the deepest level that covers a spot answers): where a spot lies
/// and who is responsible for it.
///
/// `Table` holds the values read from the store (shared between workers); the locators are GEOS-backed and belong
/// to one worker: `GridIndex(table:)` builds another worker's from the same table without reading the store again.
/// A spot on the edge shared by two cells (or a corner shared by more) is in the cell with the smallest code
/// (cells cover their boundary, GEOS `covers`); outside every cell, the admin community the same way.
public final class GridIndex {
    public struct Table: Sendable {
        public var codes: [String] = [], communities: [String?] = [], geometries: [Geometry] = []
        public var indexByCode: [String: Int] = [:]
        /// The admin areas for spots outside every cell: communities (code order), then streets, then districts, so
        /// that the first covering one is the deepest level covering the spot.
        public var communityCodes: [String] = [], communityGeometries: [Geometry] = []
        /// The level of each admin area (`community`, `street`, `district`).
        public var communityLevels: [String] = []
        /// The first chief (storage order) naming each cell.
        public var chiefs: [String: String] = [:]

        /// Reads the `grids` layer (code order), the admin layer's communities (code order) and the chiefs.
        public init(_ store: any CityStore) throws {
            for r in try store.features(LayerRequest(.grids, [.column("code"), .column("community_code"), .geometry], order: ["code", "pk"])) {
                guard let geometry = try r["g"]?.geometry() else { continue }
                codes.append(r["code"]?.string ?? "")
                communities.append(r["community_code"]?.string)
                geometries.append(geometry)
            }
            indexByCode = Dictionary(codes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for level in AdminLevel.deepestFirst {
                let request = LayerRequest(.admin, [.column("code"), .geometry], where: [.equals("level", .text(level))], order: ["code", "pk"])
                for r in try store.features(request) {
                    guard let geometry = try r["g"]?.geometry() else { continue }
                    communityCodes.append(r["code"]?.string ?? "")
                    communityGeometries.append(geometry)
                    communityLevels.append(level)
                }
            }
            for r in try store.features(LayerRequest(.chiefs, [.column("grid_code"), .column("name")], where: [.notNull("grid_code")])) {
                if let code = r["grid_code"]?.string, chiefs[code] == nil { chiefs[code] = r["name"]?.string }
            }
        }

        /// The place of cell `cell`, or (outside every cell) of admin community `community`.
        public func place(cell: Int?, community: Int?) -> SpotPlace {
            var p = SpotPlace()
            if let k = cell {
                p.gridCode = codes[k]
                p.communityCode = communities[k] ?? (try? GridCode(parsing: codes[k]))?.communityCode
                p.chief = chiefs[codes[k]]
            } else if let community {
                p = SpotPlace(admin: communityCodes[community], level: communityLevels[community])
            }
            return p
        }
    }

    public let table: Table
    private let cells: PolygonLocator?
    private let communities: PolygonLocator?

    public convenience init(_ store: any CityStore) throws { try self.init(table: Table(store)) }

    /// This worker's locators over `table`'s polygons.
    public init(table: Table) throws {
        self.table = table
        cells = table.geometries.isEmpty ? nil : try PolygonLocator(table.geometries, semantics: .covers)
        communities = table.communityGeometries.isEmpty ? nil : try PolygonLocator(table.communityGeometries, semantics: .covers)
    }

    /// Prepares every polygon for GEOS now (a service does this at start, so that no request pays for it).
    public func preparePolygons() throws {
        try cells?.preparePolygons()
        try communities?.preparePolygons()
    }

    /// The cell covering `c`, else the admin community covering it (indexes into `table`).
    public func locate(_ c: Coordinate) throws -> (cell: Int?, community: Int?) {
        if let cell = try cells?.locate(c) { return (cell, nil) }
        return (nil, try communities?.locate(c))
    }

    /// `locate` for many spots (cells located in bulk); -1 where none.
    public func locate(_ points: [Coordinate]) throws -> (cells: [Int32], communities: [Int32]) {
        let cells = try self.cells?.locate(points) ?? [Int32](repeating: -1, count: points.count)
        var communities = [Int32](repeating: -1, count: points.count)
        if let locator = self.communities {
            for i in points.indices where cells[i] < 0 { communities[i] = Int32(try locator.locate(points[i]) ?? -1) }
        }
        return (cells, communities)
    }

    /// The place of a spot: its cell's code, community and chief, or the admin community only.
    public func place(of c: Coordinate) throws -> SpotPlace {
        let (cell, community) = try locate(c)
        return table.place(cell: cell, community: community)
    }
}

/// Where a spot lies: its cell's code, community and chief, or (outside every cell) the deepest admin area covering
/// it: a community, else a street, else a district (the levels below it stay nil).
public struct SpotPlace: Sendable, Hashable {
    public var gridCode: String?, communityCode: String?, chief: String?
    /// Set when the deepest admin area covering the spot is a street or a district (no community covers it).
    public var streetCode: String?, districtCode: String?
    public init(gridCode: String? = nil, communityCode: String? = nil, chief: String? = nil) {
        self.gridCode = gridCode
        self.communityCode = communityCode
        self.chief = chief
    }

    /// The place of an admin area of `level` (`community`, `street`, `district`) with `code`.
    public init(admin code: String, level: String) {
        switch level {
        case "community": communityCode = code
        case "street":
            streetCode = code
            if code.count >= 6 { districtCode = String(code.prefix(6)) }
        default: districtCode = code
        }
    }
}

/// The admin layer's levels.
public enum AdminLevel {
    /// Community, street, district: the order in which an area answers for a spot outside every grid cell.
    public static let deepestFirst = ["community", "street", "district"]
}
