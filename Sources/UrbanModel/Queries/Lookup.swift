public import SpatialCore

/// Who is responsible for a spot (`urbangrid lookup`).
public struct LookupResult: Sendable, Hashable {
    public var lon: Double
    public var lat: Double
    /// The grid cell covering the spot; nil outside every grid.
    public var gridCode: String?
    public var communityCode: String?
    public var streetCode: String?
    public var districtCode: String?
    /// The chief (片长/网格长) of the cell.
    public var chief: String?
    /// The nearest street segment and the distance to it in metres.
    public var segmentID: String?
    public var segmentDistanceMetres: Double?

    /// The JSON object of ../shared/reference/cli.md (`grid_code` … `segment_distance_m`), with the spot.
    public var json: JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object([
            "lon": .number(lon), "lat": .number(lat), "grid_code": s(gridCode), "community_code": s(communityCode),
            "street_code": s(streetCode), "district_code": s(districtCode), "chief": s(chief), "segment_id": s(segmentID),
            "segment_distance_m": segmentDistanceMetres.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
        ])
    }
}

extension CityQueries {
    /// The grid cell, its community, street and district, its chief, and the nearest street segment.
    ///
    /// A spot on the edge shared by two cells (or on a corner shared by more) belongs to the cell with the
    /// smallest grid code: cells cover their boundary (GEOS `covers`), and the lowest code wins, so the answer never
    /// depends on storage order. Outside every grid, the community comes from the admin layer's community
    /// polygons (same rule); street and district codes are the community code's 9- and 6-digit prefixes.
    public func lookup(lon: Double, lat: Double) throws -> LookupResult {
        try Self.checkCoordinate(lon: lon, lat: lat)
        let c = Coordinate(lon, lat)
        var r = LookupResult(lon: lon, lat: lat)
        if let locator = gridLocator, let i = try locator.locate(c) {
            r.gridCode = gridCodes[i]
            r.communityCode = gridCommunities[i] ?? (try? GridCode(parsing: gridCodes[i]))?.communityCode
            r.chief = chiefsByGrid[gridCodes[i]]
        } else if let locator = communityLocator, let i = try locator.locate(c) {
            r.communityCode = communityCodes[i]
        }
        if let community = r.communityCode, community.count >= 9 {
            r.streetCode = String(community.prefix(9))
            r.districtCode = String(community.prefix(6))
        }
        if let index = segmentIndex, let nearest = try index.nearest(to: .point(Point(try forward.apply(c)))).first {
            r.segmentID = segmentIDs[nearest.index]
            r.segmentDistanceMetres = nearest.distance
        }
        return r
    }

    /// Lookups for many spots, in input order.
    public func lookup(_ points: [Coordinate]) throws -> [LookupResult] {
        try points.map { try lookup(lon: $0.x, lat: $0.y) }
    }
}
