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

    /// The object of `appendJSON` as a value (for callers that embed it in other JSON).
    public var json: JSONValue {
        var text: [UInt8] = []
        appendJSON(to: &text)
        return (try? JSONValue(parsing: String(decoding: text, as: UTF8.self))) ?? .null
    }

    /// The lookup's one JSON encoding, as the command-line contract names its keys (`lon`, `lat`, `grid_code`,
    /// `community_code`, `street_code`, `district_code`, `chief`, `segment_id`, `segment_distance_m` in metres to the
    /// millimetre): the CLI, the batch writer (from the same pieces) and both HTTP paths write it.
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
    ///
    /// The first `lookupThroughStoreLimit` spots (unless `warmUp` or a larger batch built the grid index first) are
    /// answered from the store's R*Trees (`lookupThroughStore`): a one-spot command on a city of 160,000 cells reads
    /// a few rows instead of indexing every cell. Both ways give the same answer.
    public func lookup(lon: Double, lat: Double) throws -> LookupResult {
        try Self.checkCoordinate(lon: lon, lat: lat)
        let c = Coordinate(lon, lat)
        if !isGridIndexLoaded, storeLookups < lookupThroughStoreLimit, let r = try lookupThroughStore(c) {
            storeLookups += 1
            return r
        }
        let g = try grids()
        let cell = try g.locator?.locate(c)
        let community = cell == nil ? try g.communityLocator?.locate(c) : nil
        return Self.answer(c, place: g.place(cell: cell, community: community), segment: try streets().nearestSegment(to: try forward.apply(c)))
    }

    /// The answer for a spot whose place and nearest segment are known: reads only, so batches call it from many
    /// threads.
    static func answer(_ c: Coordinate, place: Place, segment: (id: String, distance: Double)?) -> LookupResult {
        var r = LookupResult(lon: c.x, lat: c.y)
        r.gridCode = place.gridCode
        r.communityCode = place.communityCode
        r.chief = place.chief
        if let community = r.communityCode, community.count >= 9 {
            r.streetCode = String(community.prefix(9))
            r.districtCode = String(community.prefix(6))
        }
        r.segmentID = segment?.id
        r.segmentDistanceMetres = segment?.distance
        return r
    }

    /// One spot answered from the store, without reading whole layers: the grid cells whose R*Tree box holds the
    /// spot, in code order, asked of GEOS (`covers`) until one covers it (the lowest code, as the grid index
    /// answers); outside every cell the admin communities the same way; the nearest segment among the streets whose
    /// box meets a window around the spot, widened until the nearest found is no farther than the window reaches.
    /// Nil when a layer has no spatial index (the caller then builds its own).
    func lookupThroughStore(_ c: Coordinate) throws -> LookupResult? {
        guard try db.hasSpatialIndexes else { return nil }
        var place = Place()
        if let cell = try firstCovering(c, LayerRequest(.grids, [.column("code"), .column("community_code"), .geometry], order: ["code", "pk"])) {
            let code = cell["code"]?.string ?? ""
            place.gridCode = code
            place.communityCode = cell["community_code"]?.string ?? (try? GridCode(parsing: code))?.communityCode
            place.chief = try db.features(LayerRequest(.chiefs, [.column("name")], where: [.equals("grid_code", .text(code)), .notNull("name")], limit: 1))
                .first?["name"]?.string
        } else if let community = try firstCovering(c, LayerRequest(.admin, [.column("code"), .geometry], where: [.equals("level", .text("community"))], order: ["code", "pk"])) {
            place.communityCode = community["code"]?.string ?? ""
        }
        return Self.answer(c, place: place, segment: try nearestSegmentThroughStore(c))
    }

    /// The first row of `request` (in its order) whose box holds `c` and whose geometry covers it (GEOS).
    private func firstCovering(_ c: Coordinate, _ request: LayerRequest) throws -> SQLRow? {
        var request = request
        request.conditions.append(.boxContains(c))
        let spot = Geometry.point(Point(c))
        for row in try db.features(request) {
            if let g = try row["g"]?.geometry(), try g.covers(spot) { return row }
        }
        return nil
    }

    /// The nearest street segment to `c` (metric distance, ties to the lowest `pk`: what `NearestLineLocator` over the
    /// whole layer answers, the same formula over the same pieces), best first over the streets' R*Tree boxes in a
    /// lon/lat window around `c`.
    ///
    /// - A window of half-width `r` metres holds every segment at most `r` away: the metric CRS is transverse
    ///   Mercator (scale at least 0.9996), so a point `r` metres away in it is at most 1.0004·`r` away on the
    ///   ellipsoid, which is at most 1.0004·`r` / 110,574 m degrees of latitude and 1.0004·`r` / (111,319 m · cos φ)
    ///   of longitude (φ the largest latitude the window reaches); the window takes 1.25 times that.
    /// - A box's gaps to `c` in latitude and longitude give, the same way, a lower bound of the metric distance to
    ///   anything in it (0.99 × 0.9996 × the ellipsoid distance those gaps need, at the window's widest latitude).
    ///   Boxes are opened (the segment read, projected and measured) in order of that bound, until the bound
    ///   exceeds the nearest found.
    /// - Once the nearest found is at most `r` away, no segment outside the window is nearer. The window grows
    ///   fourfold from 100 m to 25.6 km; a spot with no segment that near, or whose window would cross the
    ///   antimeridian, is asked of the whole layer's index instead (an empty layer costs nothing).
    private func nearestSegmentThroughStore(_ c: Coordinate) throws -> (id: String, distance: Double)? {
        let metric = try forward.apply(c)
        if isStreetIndexLoaded { return try streets().nearestSegment(to: metric) }
        for r in [100.0, 400, 1600, 6400, 25_600] {
            let dLat = 1.25 * 1.0004 * r / 110_574
            let cosφ = cos(min(89.9, abs(c.y) + dLat) * .pi / 180)
            let dLon = 1.25 * 1.0004 * r / (111_319 * cosφ)
            // a window across the antimeridian (or a pole's neighbourhood) is not one R*Tree box: the layer's index
            if c.x + dLon > 180 || c.x - dLon < -180 { break }
            var candidates: [(bound: Double, pk: Int64)] = []
            let window = Envelope(minX: c.x - dLon, minY: c.y - dLat, maxX: c.x + dLon, maxY: c.y + dLat)
            for (pk, box) in try db.streetBoxes(meeting: window) {
                let (x0, x1, y0, y1) = (box.minX, box.maxX, box.minY, box.maxY)
                let gapLat = max(0, y0 - c.y, c.y - y1) * 110_574, gapLon = max(0, x0 - c.x, c.x - x1) * 111_319 * cosφ
                candidates.append((0.99 * 0.9996 * (gapLat * gapLat + gapLon * gapLon).squareRoot(), pk))
            }
            candidates.sort { ($0.bound, $0.pk) < ($1.bound, $1.pk) }
            var best: (pk: Int64, id: String, distance: Double)?
            for candidate in candidates {
                if let best, candidate.bound > best.distance { break }
                guard let row = try db.features(LayerRequest(.streets, [.column("id"), .geometry], where: [.equals("pk", .integer(candidate.pk))])).first, let g = try row["g"]?.geometry(),
                      let d = NearestLineLocator.nearest(metric, among: [try forward.apply(to: g)])?.distance else { continue }
                if best == nil || d < best!.distance || (d == best!.distance && candidate.pk < best!.pk) {
                    best = (candidate.pk, row["id"]?.string ?? "", d)
                }
            }
            if let best, best.distance <= r { return (best.id, best.distance) }
        }
        return try streets().nearestSegment(to: metric)
    }

    /// Lookups for many spots, in input order: cells located and coordinates projected in bulk, the rest on every
    /// core.
    public func lookup(_ points: [Coordinate]) throws -> [LookupResult] {
        guard !points.isEmpty else { return [] }
        if let few = try fewThroughStore(points) { return few }
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
        guard !points.isEmpty else { return try write(Array("[]\n".utf8)) }
        if let few = try fewThroughStore(points) {
            var text: [UInt8] = []
            Self.appendArrayLines(few.indices, of: few.count, to: &text) { few[$0].appendJSON(to: &$1) }
            return try write(text)
        }
        let batch = try Batch(self, points)
        try batch.run { range in
            var text: [UInt8] = []
            text.reserveCapacity(range.count * 240)
            Self.appendArrayLines(range, of: points.count, to: &text) { batch.appendJSON($0, to: &$1) }
            return text
        } write: { try write($0) }
    }

    /// Lines `range` of a JSON array of `count` objects, an object per line (written by `object`): "[" before the
    /// first, "," before the others, "]" after the last.
    private static func appendArrayLines(_ range: Range<Int>, of count: Int, to text: inout [UInt8],
                                         _ object: (Int, inout [UInt8]) -> Void) {
        for i in range {
            text.append(i == 0 ? 0x5B : 0x2C)
            object(i, &text)
            text.append(0x0A)
        }
        if range.upperBound == count { text.append(contentsOf: [0x5D, 0x0A]) }
    }

    /// Checks every spot of a batch like `checkCoordinate`, naming the first bad one `points[i]`.
    static func checkPoints(_ points: [Coordinate]) throws {
        if let i = points.firstIndex(where: { !($0.x.isFinite && $0.y.isFinite && abs($0.x) <= 180 && abs($0.y) <= 90) }) {
            try checkCoordinate(lon: points[i].x, lat: points[i].y, field: "points[\(i)]")
        }
    }

    /// The answers of a batch small enough to be answered from the store (`lookup(lon:lat:)`) before the grid index
    /// is built; nil for a batch that needs the index.
    private func fewThroughStore(_ points: [Coordinate]) throws -> [LookupResult]? {
        guard !isGridIndexLoaded, storeLookups + points.count <= lookupThroughStoreLimit else { return nil }
        try Self.checkPoints(points)
        return try points.map { try lookup(lon: $0.x, lat: $0.y) }
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
            try CityQueries.checkPoints(points)
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
                CityQueries.answer(.init(0, 0), place: grids.place(cell: cell, community: community), segment: nil).appendPlace(to: &text)
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
            let place = grids.place(cell: cell, community: communities[i] >= 0 ? Int(communities[i]) : nil)
            return CityQueries.answer(points[i], place: place, segment: streets.nearestSegment(to: metric[i]))
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
