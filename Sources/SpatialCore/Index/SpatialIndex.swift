internal import CGEOS

/// A query-only R-tree over geometries (GEOS STRtree), built once. Queries return **indices into
/// the input array**, so callers can join them to any parallel array of ids or attributes.
/// Not thread-safe; give each task or worker its own.
public final class SpatialIndex {
    public let count: Int
    let context: GEOSContext
    private let tree: OpaquePointer
    let items: [GEOSHandle]  // the tree does not own its geometries; we keep them alive
    /// How many items are in the tree (empty geometries are left out).
    private let indexed: Int

    /// - Parameter nodeCapacity: children per node (GEOS default 10).
    public init(_ geometries: [Geometry], nodeCapacity: Int = 10) throws {
        let ctx = GEOSContext()
        context = ctx
        count = geometries.count
        items = try geometries.map { try $0.geos(ctx) }
        guard let t = GEOSSTRtree_create_r(ctx.handle, max(2, nodeCapacity)) else { throw ctx.error("STRtree create") }
        tree = t
        var n = 0
        for (i, g) in items.enumerated() where GEOSisEmpty_r(ctx.handle, g.ptr) == 0 {
            // items are indices + 1 encoded as pointers: no allocation, and item 0 is not NULL
            GEOSSTRtree_insert_r(ctx.handle, tree, g.ptr, UnsafeMutableRawPointer(bitPattern: i + 1))
            n += 1
        }
        indexed = n
    }

    deinit { GEOSSTRtree_destroy_r(context.handle, tree) }

    private final class Collector {
        var hits: [Int] = []
    }

    /// Indices of the geometries whose envelopes intersect the envelope of the raw query geometry.
    func candidates(raw q: OpaquePointer) -> [Int] {
        let c = Collector()
        withExtendedLifetime(c) {
            GEOSSTRtree_query_r(context.handle, tree, q, { item, userdata in
                Unmanaged<Collector>.fromOpaque(userdata!).takeUnretainedValue().hits.append(Int(bitPattern: item) - 1)
            }, Unmanaged.passUnretained(c).toOpaque())
        }
        c.hits.sort()
        return c.hits
    }

    /// Indices whose envelope intersects `envelope` (bounding-box test only), ascending.
    public func query(_ envelope: Envelope) throws -> [Int] {
        let h = context.handle
        guard let box = GEOSGeom_createRectangle_r(h, envelope.minX, envelope.minY, envelope.maxX, envelope.maxY)
        else { throw context.error("query envelope") }
        defer { GEOSGeom_destroy_r(h, box) }
        return candidates(raw: box)
    }

    /// Indices `i` for which `predicate(geometry, input[i])` holds, ascending (Shapely's
    /// `STRtree.query(geometry, predicate=)`); without a predicate, the bounding-box candidates.
    public func query(_ geometry: Geometry, predicate: SpatialPredicate? = nil) throws -> [Int] {
        let q = try geometry.geos(context)
        if case .dwithin(let d) = predicate {
            guard let e = geometry.envelope else { return [] }
            let hits = try query(Envelope(minX: e.minX - d, minY: e.minY - d, maxX: e.maxX + d, maxY: e.maxY + d))
            let prepared = try PreparedGeometry(handle: q, geometry: geometry)
            return try hits.filter { try prepared.evaluate(.dwithin(d), raw: items[$0].ptr) }
        }
        let hits = candidates(raw: q.ptr)
        guard let predicate else { return hits }
        if predicate == .disjoint { throw SpatialError.geos(message: "disjoint cannot use an index: test all items instead") }
        let prepared = try PreparedGeometry(handle: q, geometry: geometry)
        return try hits.filter { try prepared.evaluate(predicate, raw: items[$0].ptr) }
    }

    /// Items within `maxDistance` of `geometry`, nearest first, with their distances.
    /// Without `maxDistance`, the nearest item(s): every item tied at the smallest distance.
    public func nearest(to geometry: Geometry, maxDistance: Double? = nil) throws -> [(index: Int, distance: Double)] {
        guard count > 0, let env = geometry.envelope else { return [] }
        let q = try geometry.geos(context)
        var radius: Double
        if let maxDistance {
            radius = maxDistance
        } else {
            guard let best = try nearestOne(q) else { return [] }
            radius = try distance(q, best)
        }
        return try within(radius, of: q, envelope: env).found
    }

    /// The `k` nearest items (ties broken by index), optionally no farther than `maxDistance`.
    public func nearest(to geometry: Geometry, k: Int, maxDistance: Double? = nil) throws -> [(index: Int, distance: Double)] {
        guard k > 0, indexed > 0, let env = geometry.envelope else { return [] }
        // grow a search box until it holds k items within its inscribed radius, or every indexed item
        var radius = max(env.width, env.height, 1e-9)
        if let maxDistance { radius = min(radius, maxDistance) }
        let q = try geometry.geos(context)
        while true {
            // with every item in the box, its corners count too: nothing else is left to find
            let (found, candidates) = try within(radius, of: q, envelope: env, limit: { all in all ? (maxDistance ?? .infinity) : radius })
            let capped = maxDistance.map { radius >= $0 } ?? false
            if found.count >= k || capped || candidates == indexed {
                return Array(found.prefix(k))
            }
            radius *= 2
            if let maxDistance { radius = min(radius, maxDistance) }
        }
    }

    /// Items in the box `radius` around `q`'s envelope that lie within `limit` (default `radius`; it is
    /// told whether the box holds every indexed item), nearest first (ties by index), and how many
    /// index candidates the box held.
    private func within(_ radius: Double, of q: GEOSHandle, envelope env: Envelope, limit: ((Bool) -> Double)? = nil) throws
        -> (found: [(index: Int, distance: Double)], candidates: Int) {
        let hits = try query(Envelope(minX: env.minX - radius, minY: env.minY - radius, maxX: env.maxX + radius, maxY: env.maxY + radius))
        let maxD = limit?(hits.count == indexed) ?? radius
        var found: [(index: Int, distance: Double)] = []
        for i in hits {
            let d = try distance(q, i)
            if d <= maxD { found.append((i, d)) }
        }
        found.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }
        return (found, hits.count)
    }

    private func distance(_ q: GEOSHandle, _ i: Int) throws -> Double {
        try context.double("distance") { GEOSDistance_r(context.handle, q.ptr, items[i].ptr, $0) }
    }

    private final class NearestBox {
        let items: [GEOSHandle]
        let query: OpaquePointer
        let h: GEOSContextHandle_t
        init(items: [GEOSHandle], query: OpaquePointer, h: GEOSContextHandle_t) {
            self.items = items
            self.query = query
            self.h = h
        }
        func geometry(_ item: UnsafeRawPointer?) -> OpaquePointer {
            let i = Int(bitPattern: item) - 1
            return i < 0 ? query : items[i].ptr
        }
    }

    /// GEOS's branch-and-bound nearest neighbour; the query item is encoded as index -1.
    private func nearestOne(_ q: GEOSHandle) throws -> Int? {
        let box = NearestBox(items: items, query: q.ptr, h: context.handle)
        let r = withExtendedLifetime(box) {
            GEOSSTRtree_nearest_generic_r(context.handle, tree, UnsafeRawPointer(bitPattern: UInt(0)), q.ptr, { a, b, dist, ud in
                let box = Unmanaged<NearestBox>.fromOpaque(ud!).takeUnretainedValue()
                return GEOSDistance_r(box.h, box.geometry(a), box.geometry(b), dist)  // 1 ok, 0 exception
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        guard let r else {
            if context.lastError != nil { throw context.error("nearest failed") }
            return nil
        }
        return Int(bitPattern: r) - 1
    }
}
