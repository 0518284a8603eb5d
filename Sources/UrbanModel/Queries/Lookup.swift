import Foundation
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
        Self.appendSpot(lon, lat, to: &out)
        appendPlace(to: &out)
        Self.appendSegment(segmentID, to: &out)
        JSONText.append(segmentDistanceMetres, decimals: 3, to: &out)
        out.append(0x7D)
    }

    /// `{"lon":…,"lat":…`
    static func appendSpot(_ lon: Double, _ lat: Double, to out: inout [UInt8]) {
        out.append(contentsOf: keys[0])
        JSONText.append(lon, to: &out)
        out.append(contentsOf: keys[1])
        JSONText.append(lat, to: &out)
    }

    /// `,"grid_code":…,"chief":…` — the same for every spot of a cell.
    func appendPlace(to out: inout [UInt8]) {
        for (k, v) in [gridCode, communityCode, streetCode, districtCode, chief].enumerated() {
            out.append(contentsOf: Self.keys[k + 2])
            JSONText.append(v, to: &out)
        }
    }

    /// `,"segment_id":…,"segment_distance_m":` — the distance follows.
    static func appendSegment(_ id: String?, to out: inout [UInt8]) {
        out.append(contentsOf: keys[7])
        JSONText.append(id, to: &out)
        out.append(contentsOf: keys[8])
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
        let g = try grids()
        let cell = try g.locator?.locate(c)
        let community = cell == nil ? try g.communityLocator?.locate(c) : nil
        return Self.answer(c, cell: cell, community: community, metric: try forward.apply(c), grids: g, streets: try streets())
    }

    /// The answer for a spot whose cell (or, outside every cell, admin community) is located and whose metric
    /// position is known: reads only, so batches call it from many threads.
    private static func answer(_ c: Coordinate, cell: Int?, community: Int?, metric: Coordinate, grids: Grids, streets: Streets) -> LookupResult {
        var r = LookupResult(lon: c.x, lat: c.y)
        if let k = cell {
            r.gridCode = grids.codes[k]
            r.communityCode = grids.communities[k] ?? (try? GridCode(parsing: grids.codes[k]))?.communityCode
            r.chief = grids.chiefs[grids.codes[k]]
        } else if let community {
            r.communityCode = grids.communityCodes[community]
        }
        if let community = r.communityCode, community.count >= 9 {
            r.streetCode = String(community.prefix(9))
            r.districtCode = String(community.prefix(6))
        }
        if let nearest = streets.nearest.nearest(metric) {
            r.segmentID = streets.ids[nearest.index]
            r.segmentDistanceMetres = nearest.distance
        }
        return r
    }

    /// Lookups for many spots, in input order: cells located and coordinates projected in bulk, the rest on every
    /// core.
    public func lookup(_ points: [Coordinate]) throws -> [LookupResult] {
        let batch = try Batch(self, points)
        var out: [LookupResult] = []
        out.reserveCapacity(points.count)
        try batch.run { range in range.map(batch.result) } write: { out.append(contentsOf: $0) }
        return out
    }

    /// Lookups for many spots written as one JSON array in input order, an object per line (the objects of
    /// `LookupResult.appendJSON`), in chunks of text handed to `write`. The per-spot work and the text are made on
    /// every core; memory stays at a few chunks whatever the number of spots.
    public func lookupJSONArray(_ points: [Coordinate], write: ([UInt8]) throws -> Void) throws {
        let batch = try Batch(self, points)
        guard !points.isEmpty else { return try write(Array("[]\n".utf8)) }
        try batch.run { range in
            var text: [UInt8] = []
            text.reserveCapacity(range.count * 240)
            for i in range {
                text.append(i == 0 ? 0x5B : 0x2C)
                batch.appendJSON(i, to: &text)
                text.append(0x0A)
            }
            if range.upperBound == points.count { text.append(contentsOf: [0x5D, 0x0A]) }
            return text
        } write: { try write($0) }
    }

    /// What a batch needs before its spots can be answered independently: the cells (and communities outside
    /// every cell) located, the spots projected, the indexes loaded. `result` only reads, so chunks run in parallel.
    private struct Batch {
        let points: [Coordinate]
        let cells: [Int32]?
        let communities: [Int32]
        let metric: [Coordinate]
        let grids: Grids
        let streets: Streets
        /// The JSON text of each cell's place (`,"grid_code":…,"chief":…`), of each admin community's (outside
        /// every cell), of no place, and of each segment (`,"segment_id":…,"segment_distance_m":`): made once, so a
        /// spot's object is a few copies and two numbers.
        let cellText: [[UInt8]], communityText: [[UInt8]], nowhereText: [UInt8], segmentText: [[UInt8]]

        init(_ q: CityQueries, _ points: [Coordinate]) throws {
            if let i = points.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && abs($0.x) <= 180 && abs($0.y) <= 90) }) {
                try CityQueries.checkCoordinate(lon: points[i].x, lat: points[i].y, field: "points[\(i)]")
            }
            self.points = points
            grids = try q.grids()
            streets = try q.streets()
            cells = try grids.locator?.locate(points)
            var communities = [Int32](repeating: -1, count: points.count)
            if let locator = grids.communityLocator {
                for i in points.indices where (cells?[i] ?? -1) < 0 { communities[i] = Int32(try locator.locate(points[i]) ?? -1) }
            }
            self.communities = communities
            var metric = points
            try q.forward.apply(&metric)
            self.metric = metric
            let (grids, streets) = (grids, streets)
            func place(cell: Int?, community: Int?) -> [UInt8] {
                var text: [UInt8] = []
                CityQueries.answer(.init(0, 0), cell: cell, community: community, metric: .init(.nan, .nan), grids: grids, streets: Streets())
                    .appendPlace(to: &text)
                return text
            }
            cellText = grids.codes.indices.map { place(cell: $0, community: nil) }
            communityText = grids.communityCodes.indices.map { place(cell: nil, community: $0) }
            nowhereText = place(cell: nil, community: nil)
            segmentText = streets.ids.map { id in
                var text: [UInt8] = []
                LookupResult.appendSegment(id, to: &text)
                return text
            }
        }

        /// `LookupResult.appendJSON` of `result(i)`, from the prepared pieces.
        func appendJSON(_ i: Int, to out: inout [UInt8]) {
            LookupResult.appendSpot(points[i].x, points[i].y, to: &out)
            if let cells, cells[i] >= 0 {
                out.append(contentsOf: cellText[Int(cells[i])])
            } else if communities[i] >= 0 {
                out.append(contentsOf: communityText[Int(communities[i])])
            } else {
                out.append(contentsOf: nowhereText)
            }
            if let nearest = streets.nearest.nearest(metric[i]) {
                out.append(contentsOf: segmentText[nearest.index])
                JSONText.append(nearest.distance, decimals: 3, to: &out)
            } else {
                LookupResult.appendSegment(nil, to: &out)
                out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
            }
            out.append(0x7D)
        }

        func result(_ i: Int) -> LookupResult {
            let cell = cells.flatMap { $0[i] >= 0 ? Int($0[i]) : nil }
            return CityQueries.answer(points[i], cell: cell, community: communities[i] >= 0 ? Int(communities[i]) : nil,
                                      metric: metric[i], grids: grids, streets: streets)
        }

        /// `make` over chunks of the spots on every core, `write` of each chunk's value in input order. The values
        /// of one window of chunks are written while the next window is made, so writing (a kernel copy of the
        /// output, as long as the making on this machine) overlaps the work instead of following it.
        func run<T>(_ make: (Range<Int>) -> T, write: (T) throws -> Void) throws {
            let chunk = 8192
            let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
            var start = 0
            var previous: [T?] = []
            while start < points.count {
                let ranges = (0..<threads).compactMap { t -> Range<Int>? in
                    let lo = start + t * chunk
                    return lo < points.count ? lo..<min(points.count, lo + chunk) : nil
                }
                var values = [T?](repeating: nil, count: ranges.count)
                try values.withUnsafeMutableBufferPointer { slots in
                    try withoutActuallyEscaping(make) { make in
                        // each worker writes its own slot; `make` only reads the batch; slots and `make` outlive the
                        // workers because this closure waits for them, also when a write throws
                        nonisolated(unsafe) let slots = slots
                        nonisolated(unsafe) let make = make
                        let done = DispatchGroup()
                        DispatchQueue.global().async(group: done) {
                            DispatchQueue.concurrentPerform(iterations: ranges.count) { t in slots[t] = make(ranges[t]) }
                        }
                        defer { done.wait() }
                        for v in previous { try write(v!) }
                    }
                }
                previous = values
                start = ranges.last!.upperBound
            }
            for v in previous { try write(v!) }
        }
    }
}
