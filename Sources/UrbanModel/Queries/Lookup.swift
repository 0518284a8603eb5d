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

    /// The same object as `json`, appended as JSON text: the fast path for batch output.
    public func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: Self.keys[0])
        JSONText.append(lon, to: &out)
        out.append(contentsOf: Self.keys[1])
        JSONText.append(lat, to: &out)
        for (k, v) in [gridCode, communityCode, streetCode, districtCode, chief, segmentID].enumerated() {
            out.append(contentsOf: Self.keys[k + 2])
            JSONText.append(v, to: &out)
        }
        out.append(contentsOf: Self.keys[8])
        JSONText.append(segmentDistanceMetres, decimals: 3, to: &out)
        out.append(0x7D)
    }

    private static let keys: [[UInt8]] = ["lon", "lat", "grid_code", "community_code", "street_code", "district_code", "chief", "segment_id", "segment_distance_m"]
        .enumerated().map { i, k in Array(((i == 0 ? "{" : ",") + "\"" + k + "\":").utf8) }
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
        let cell = try grids().locator?.locate(c)
        return try lookup(c, cell: cell, metric: try forward.apply(c))
    }

    /// Lookups for many spots, in input order: cells located and coordinates projected in bulk.
    public func lookup(_ points: [Coordinate]) throws -> [LookupResult] {
        if let i = points.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && abs($0.x) <= 180 && abs($0.y) <= 90) }) {
            try Self.checkCoordinate(lon: points[i].x, lat: points[i].y, field: "points[\(i)]")
        }
        let cells = try grids().locator?.locate(points)
        var metric = points
        try forward.apply(&metric)
        return try points.indices.map { i in
            try lookup(points[i], cell: cells.flatMap { $0[i] >= 0 ? Int($0[i]) : nil }, metric: metric[i])
        }
    }

    private func lookup(_ c: Coordinate, cell: Int?, metric: Coordinate) throws -> LookupResult {
        var r = LookupResult(lon: c.x, lat: c.y)
        let g = try grids()
        if let i = cell {
            r.gridCode = g.codes[i]
            r.communityCode = g.communities[i] ?? (try? GridCode(parsing: g.codes[i]))?.communityCode
            r.chief = g.chiefs[g.codes[i]]
        } else if let locator = g.communityLocator, let i = try locator.locate(c) {
            r.communityCode = g.communityCodes[i]
        }
        if let community = r.communityCode, community.count >= 9 {
            r.streetCode = String(community.prefix(9))
            r.districtCode = String(community.prefix(6))
        }
        let streets = try streets()
        if let nearest = streets.nearest.nearest(metric) {
            r.segmentID = streets.ids[nearest.index]
            r.segmentDistanceMetres = nearest.distance
        }
        return r
    }
}
