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
    /// Who answers for the spot at one moment (`ResponsibilityLookup`): its keys follow the others when set.
    public var responsibility: Responsibility?

    /// The object of `appendJSON` as a value (for callers that embed it in other JSON).
    public var json: JSONValue {
        var text: [UInt8] = []
        appendJSON(to: &text)
        return (try? JSONValue(parsing: String(decoding: text, as: UTF8.self))) ?? .null
    }

    /// The lookup's one JSON encoding, as the command-line contract names its keys (`lon`, `lat`, `grid_code`,
    /// `community_code`, `street_code`, `district_code`, `chief`, `segment_id`, `segment_distance_m` in metres to the
    /// millimetre): both strategies, the batch writer (from the same pieces) and both HTTP paths write it.
    public func appendJSON(to out: inout [UInt8]) {
        Self.appendSpot(lon, lat, to: &out)
        appendPlace(to: &out)
        Self.appendSegment(segmentID, to: &out)
        JSONText.append(segmentDistanceMetres, decimals: 3, to: &out)
        responsibility?.appendJSON(to: &out)
        out.append(0x7D)
    }

    /// `appendJSON`, then `"warnings"` (an array of texts) before the closing brace when there are any.
    public func appendJSON(to out: inout [UInt8], warnings: [String]) {
        appendJSON(to: &out)
        guard !warnings.isEmpty else { return }
        out.removeLast()
        out.append(contentsOf: Array(",\"warnings\":".utf8))
        out.append(contentsOf: Array(JSONValue.array(warnings.map(JSONValue.string)).jsonText.utf8))
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

/// Who is responsible for spots: the grid cell, its community, street and district, its chief, and the nearest
/// street segment. Two strategies give the same answers: `StoreLookup` asks the store's spatial indexes (R*Tree or
/// GiST) for each spot and suits a few spots; `IndexedLookup` builds the grid and street indexes in memory and suits
/// batches and the service. `Lookups.forSpots` picks one for a number of spots.
///
/// A spot on the edge shared by two cells (or on a corner shared by more) belongs to the cell with the smallest grid
/// code: cells cover their boundary (GEOS `covers`), and the lowest code wins, so the answer never depends on storage
/// order. Outside every grid, the community comes from the admin layer's community polygons (same rule); street and
/// district codes are the community code's 9- and 6-digit prefixes. Outside every community, the deepest admin level
/// covering the spot answers: its street (and the district as its 6-digit prefix), else its district. The nearest segment is measured in the city's
/// metric CRS, ties to the first in storage order.
public protocol SpotLookup: AnyObject {
    /// The answer for one spot (already checked).
    func answer(_ spot: Coordinate) throws -> LookupResult
    /// The answers for many spots, in input order.
    func lookup(_ spots: [Coordinate]) throws -> [LookupResult]
    /// The answers for many spots written as one JSON array in input order, an object per line (the objects of
    /// `LookupResult.appendJSON`), in chunks of text handed to `write`.
    func lookupJSONArray(_ spots: [Coordinate], write: ([UInt8]) throws -> Void) throws
}

extension SpotLookup {
    /// The answer for the spot at `lon`, `lat` (WGS84), checked first.
    public func lookup(lon: Double, lat: Double) throws -> LookupResult {
        try UserInput.checkCoordinate(lon: lon, lat: lat)
        return try answer(Coordinate(lon, lat))
    }

    public func lookup(_ spots: [Coordinate]) throws -> [LookupResult] {
        try UserInput.checkPoints(spots)
        return try spots.map(answer)
    }

    public func lookupJSONArray(_ spots: [Coordinate], write: ([UInt8]) throws -> Void) throws {
        let results = try lookup(spots)
        guard !results.isEmpty else { return try write(Array("[]\n".utf8)) }
        var text: [UInt8] = []
        LookupResult.appendArrayLines(results.indices, of: results.count, to: &text) { results[$0].appendJSON(to: &$1) }
        try write(text)
    }
}

/// Picks the lookup strategy.
public enum Lookups {
    /// At most this many spots are answered through the store: one spot through the R*Trees costs about as much as a
    /// few hundred indexed ones, while building the indexes reads and indexes every cell and segment.
    public static let storeSpotLimit = 100

    /// `StoreLookup` for up to `storeSpotLimit` spots on a store with spatial indexes, else `IndexedLookup`.
    public static func forSpots(_ count: Int, store: any CityStore, frame: CityFrame) throws -> any SpotLookup {
        if count <= storeSpotLimit, try store.hasSpatialIndexes { return try StoreLookup(store, frame: frame) }
        return try IndexedLookup(store, frame: frame)
    }
}

extension LookupResult {
    /// The answer for a spot whose place and nearest segment are known.
    init(_ c: Coordinate, place: SpotPlace, segment: (id: String, distance: Double)?) {
        self.init(lon: c.x, lat: c.y)
        gridCode = place.gridCode
        communityCode = place.communityCode
        chief = place.chief
        if let community = communityCode, community.count >= 9 {
            streetCode = String(community.prefix(9))
            districtCode = String(community.prefix(6))
            // a cell over a street or district without communities: its missing levels are zeros, not codes
            if GridArea.isPadded(community) {
                communityCode = nil
                if streetCode!.hasSuffix("000") { streetCode = nil }
            }
        } else {  // outside every community: the street or district covering the spot
            streetCode = place.streetCode
            districtCode = place.districtCode
        }
        segmentID = segment?.id
        segmentDistanceMetres = segment?.distance
    }

    /// Lines `range` of a JSON array of `count` objects, an object per line (written by `object`): "[" before the
    /// first, "," before the others, "]" after the last.
    public static func appendArrayLines(_ range: Range<Int>, of count: Int, to text: inout [UInt8], _ object: (Int, inout [UInt8]) -> Void) {
        for i in range {
            text.append(i == 0 ? 0x5B : 0x2C)
            object(i, &text)
            text.append(0x0A)
        }
        if range.upperBound == count { text.append(contentsOf: [0x5D, 0x0A]) }
    }
}

/// Lookups from the grid and street indexes in memory (`GridIndex`, `StreetIndex`). The street index is shared
/// between workers; the grid index and the transform belong to one. Batches are answered on every core.
public final class IndexedLookup: SpotLookup {
    public let grid: GridIndex
    public let streets: StreetIndex
    private let forward: CoordinateTransform

    public convenience init(_ store: any CityStore, frame: CityFrame) throws {
        try self.init(grid: GridIndex(store), streets: StreetIndex(store, frame: frame), frame: frame)
    }

    public init(grid: GridIndex, streets: StreetIndex, frame: CityFrame) throws {
        self.grid = grid
        self.streets = streets
        forward = try frame.forward()
    }

    public func answer(_ c: Coordinate) throws -> LookupResult {
        LookupResult(c, place: try grid.place(of: c), segment: streets.nearestSegment(to: try forward.apply(c)))
    }

    public func lookup(_ points: [Coordinate]) throws -> [LookupResult] {
        guard !points.isEmpty else { return [] }
        let batch = try Batch(self, points)
        var out: [LookupResult] = []
        out.reserveCapacity(points.count)
        try batch.run { range in range.map(batch.result) } write: { out.append(contentsOf: $0) }
        return out
    }

    /// The per-spot work and the text are made on every core; memory stays at a few chunks whatever the number of
    /// spots.
    public func lookupJSONArray(_ points: [Coordinate], write: ([UInt8]) throws -> Void) throws {
        guard !points.isEmpty else { return try write(Array("[]\n".utf8)) }
        let batch = try Batch(self, points)
        try batch.run { range in
            var text: [UInt8] = []
            text.reserveCapacity(range.count * 240)
            LookupResult.appendArrayLines(range, of: points.count, to: &text) { batch.appendJSON($0, to: &$1) }
            return text
        } write: { try write($0) }
    }

    /// What a batch needs before its spots can be answered independently: the cells (and communities outside
    /// every cell) located in bulk, the spots projected. `result` only reads, so chunks run in parallel.
    private struct Batch {
        let points: [Coordinate]
        let cells: [Int32], communities: [Int32]
        let metric: [Coordinate]
        let grid: GridIndex.Table
        let streets: StreetIndex
        /// The JSON text of each cell's place (`,"grid_code":…,"chief":…`), of each admin community's (outside
        /// every cell), of no place, and of each segment (`,"segment_id":…,"segment_distance_m":`): made once, so a
        /// spot's object is a few copies and two numbers.
        let cellText: [[UInt8]], communityText: [[UInt8]], nowhereText: [UInt8], segmentText: [[UInt8]]

        init(_ lookup: IndexedLookup, _ points: [Coordinate]) throws {
            try UserInput.checkPoints(points)
            self.points = points
            grid = lookup.grid.table
            streets = lookup.streets
            (cells, communities) = try lookup.grid.locate(points)
            var metric = points
            try lookup.forward.apply(&metric)
            self.metric = metric
            let grid = self.grid
            func place(cell: Int?, community: Int?) -> [UInt8] {
                var text: [UInt8] = []
                LookupResult(.init(0, 0), place: grid.place(cell: cell, community: community), segment: nil).appendPlace(to: &text)
                return text
            }
            cellText = grid.codes.indices.map { place(cell: $0, community: nil) }
            communityText = grid.communityCodes.indices.map { place(cell: nil, community: $0) }
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
            if cells[i] >= 0 {
                out.append(contentsOf: cellText[Int(cells[i])])
            } else if communities[i] >= 0 {
                out.append(contentsOf: communityText[Int(communities[i])])
            } else {
                out.append(contentsOf: nowhereText)
            }
            if let nearest = streets.nearestIndex(to: metric[i]) {
                out.append(contentsOf: segmentText[nearest.index])
                JSONText.append(nearest.distance, decimals: 3, to: &out)
            } else {
                LookupResult.appendSegment(nil, to: &out)
                out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
            }
            out.append(0x7D)
        }

        func result(_ i: Int) -> LookupResult {
            let place = grid.place(cell: cells[i] >= 0 ? Int(cells[i]) : nil, community: communities[i] >= 0 ? Int(communities[i]) : nil)
            return LookupResult(points[i], place: place, segment: streets.nearestSegment(to: metric[i]))
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

/// Lookups answered from the store without reading whole layers: for each spot, the grid cells whose R*Tree (GiST)
/// box holds it, in code order, asked of GEOS (`covers`) until one covers it (the lowest code, as `IndexedLookup`
/// answers); outside every cell the admin communities the same way; the nearest segment among the streets whose box
/// meets a window around the spot, widened until the nearest found is no farther than the window reaches. A one-spot
/// command on a city of 160,000 cells reads a few rows instead of indexing every cell.
public final class StoreLookup: SpotLookup {
    private let store: any CityStore
    private let frame: CityFrame
    private let forward: CoordinateTransform
    /// The whole streets layer's index, built only for a spot with no segment within 25.6 km (or whose window would
    /// cross the antimeridian), then used for every later spot.
    private var streets: StreetIndex?

    /// - Throws: `ModelError.invalidArgument` when the store has no spatial indexes (use `IndexedLookup`).
    public init(_ store: any CityStore, frame: CityFrame) throws {
        guard try store.hasSpatialIndexes else {
            throw ModelError.invalidArgument(name: "lookup", reason: "the database has no spatial indexes to look spots up with")
        }
        self.store = store
        self.frame = frame
        forward = try frame.forward()
    }

    public func answer(_ c: Coordinate) throws -> LookupResult {
        var place = SpotPlace()
        if let cell = try firstCovering(c, LayerRequest(.grids, [.column("code"), .column("community_code"), .geometry], order: ["code", "pk"])) {
            let code = cell["code"]?.string ?? ""
            place.gridCode = code
            place.communityCode = cell["community_code"]?.string ?? (try? GridCode(parsing: code))?.communityCode
            place.chief = try store.features(LayerRequest(.chiefs, [.column("name")], where: [.equals("grid_code", .text(code)), .notNull("name")], limit: 1))
                .first?["name"]?.string
        } else {
            for level in AdminLevel.deepestFirst {
                let request = LayerRequest(.admin, [.column("code"), .geometry], where: [.equals("level", .text(level))], order: ["code", "pk"])
                if let area = try firstCovering(c, request) {
                    place = SpotPlace(admin: area["code"]?.string ?? "", level: level)
                    break
                }
            }
        }
        return LookupResult(c, place: place, segment: try nearestSegment(c))
    }

    /// The first row of `request` (in its order) whose box holds `c` and whose geometry covers it (GEOS).
    private func firstCovering(_ c: Coordinate, _ request: LayerRequest) throws -> SQLRow? {
        var request = request
        request.conditions.append(.boxContains(c))
        let spot = Geometry.point(Point(c))
        for row in try store.features(request) {
            if let g = try row["g"]?.geometry(), try g.covers(spot) { return row }
        }
        return nil
    }

    /// The nearest street segment to `c` (metric distance, ties to the lowest `pk`: what `StreetIndex` over the
    /// whole layer answers, the same formula over the same pieces), best first over the streets' boxes in a
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
    private func nearestSegment(_ c: Coordinate) throws -> (id: String, distance: Double)? {
        let metric = try forward.apply(c)
        if let streets { return streets.nearestSegment(to: metric) }
        for r in [100.0, 400, 1600, 6400, 25_600] {
            let dLat = 1.25 * 1.0004 * r / 110_574
            let cosφ = cos(min(89.9, abs(c.y) + dLat) * .pi / 180)
            let dLon = 1.25 * 1.0004 * r / (111_319 * cosφ)
            // a window across the antimeridian (or a pole's neighbourhood) is not one R*Tree box: the layer's index
            if c.x + dLon > 180 || c.x - dLon < -180 { break }
            var candidates: [(bound: Double, pk: Int64)] = []
            let window = Envelope(minX: c.x - dLon, minY: c.y - dLat, maxX: c.x + dLon, maxY: c.y + dLat)
            for (pk, box) in try store.streetBoxes(meeting: window) {
                let (x0, x1, y0, y1) = (box.minX, box.maxX, box.minY, box.maxY)
                let gapLat = max(0, y0 - c.y, c.y - y1) * 110_574, gapLon = max(0, x0 - c.x, c.x - x1) * 111_319 * cosφ
                candidates.append((0.99 * 0.9996 * (gapLat * gapLat + gapLon * gapLon).squareRoot(), pk))
            }
            candidates.sort { ($0.bound, $0.pk) < ($1.bound, $1.pk) }
            var best: (pk: Int64, id: String, distance: Double)?
            for candidate in candidates {
                if let best, candidate.bound > best.distance { break }
                guard let row = try store.features(LayerRequest(.streets, [.column("id"), .geometry], where: [.equals("pk", .integer(candidate.pk))])).first, let g = try row["g"]?.geometry(),
                      let d = NearestLineLocator.nearest(metric, among: [try forward.apply(to: g)])?.distance else { continue }
                if best == nil || d < best!.distance || (d == best!.distance && candidate.pk < best!.pk) {
                    best = (candidate.pk, row["id"]?.string ?? "", d)
                }
            }
            if let best, best.distance <= r { return (best.id, best.distance) }
        }
        let index = try StreetIndex(store, frame: frame)
        streets = index
        return index.nearestSegment(to: metric)
    }
}
