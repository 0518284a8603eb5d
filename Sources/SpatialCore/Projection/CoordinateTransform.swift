internal import CPROJ
internal import Dispatch

/// Transforms coordinates between two CRS, always x = lon/easting, y = lat/northing on both sides
/// (PROJ's `proj_normalize_for_visualization`). GCJ02 / BD09 are chained through WGS84.
/// Creating one can cost tens of milliseconds (PROJ searches its database): create once, reuse.
/// Not thread-safe; give each task or worker its own.
public final class CoordinateTransform {
    public let source: CRS
    public let target: CRS
    private let context: PROJContext
    private let pj: OpaquePointer?  // nil: no PROJ step (same CRS, or only offsets around WGS84)

    public init(from source: CRS, to target: CRS) throws {
        self.source = source
        self.target = target
        context = PROJContext()
        let src = source.offsetSystem == nil ? source : .wgs84
        let dst = target.offsetSystem == nil ? target : .wgs84
        if src.sameDefinition(as: dst) {
            pj = nil
            return
        }
        guard let raw = proj_create_crs_to_crs(context.ctx, src.definition, dst.definition, nil) else {
            throw context.error("no transformation from \(source) to \(target)")
        }
        defer { proj_destroy(raw) }
        guard let norm = proj_normalize_for_visualization(context.ctx, raw) else {
            throw context.error("cannot normalise axis order from \(source) to \(target)")
        }
        pj = norm
    }

    deinit {
        if let pj { proj_destroy(pj) }  // before the context goes
    }

    /// The PROJ pipeline chosen, e.g. "+proj=pipeline +step ... +proj=tmerc ...".
    public var pipeline: String? {
        guard let pj else { return nil }
        return proj_as_proj_string(context.ctx, pj, PJ_PROJ_5, nil).map { String(cString: $0) }
    }

    /// Transforms one coordinate.
    public func apply(_ c: Coordinate) throws -> Coordinate {
        var one = [c]
        try apply(&one)
        return one[0]
    }

    /// Transforms coordinates in place, in bulk (`proj_trans_generic` over the whole array).
    /// - Parameter threads: above 1, large arrays are split into that many slices, each transformed by
    ///   its own copy of the PROJ object in its own PROJ context (PROJ objects are not thread-safe).
    /// - Throws: `transformFailed` naming the first coordinate PROJ could not map.
    public func apply(_ coords: inout [Coordinate], threads: Int = 1) throws {
        if let o = source.offsetSystem { for i in coords.indices { coords[i] = o.toWGS84(coords[i]) } }
        if let pj, !coords.isEmpty {
            let original = coords
            let n = coords.count
            let slices = n >= 65_536 ? max(1, threads) : 1
            try coords.withUnsafeMutableBufferPointer { buf in
                try buf.withMemoryRebound(to: Double.self) { d in
                    guard slices > 1 else {
                        Self.transform(pj, d.baseAddress!, n)
                        return
                    }
                    nonisolated(unsafe) let base = d.baseAddress!
                    nonisolated(unsafe) let source = pj
                    let clones = try (0..<slices).map { _ in try Clone(of: source) }
                    DispatchQueue.concurrentPerform(iterations: slices) { k in
                        let lo = n * k / slices, hi = n * (k + 1) / slices
                        Self.transform(clones[k].pj, base + 2 * lo, hi - lo)
                    }
                }
            }
            try check(coords, original)
        }
        if let o = target.offsetSystem { for i in coords.indices { coords[i] = o.fromWGS84(coords[i]) } }
    }

    /// Transforms separate x and y arrays in place (same length).
    public func apply(x xs: inout [Double], y ys: inout [Double]) throws {
        precondition(xs.count == ys.count, "x and y arrays differ in length")
        var coords = zip(xs, ys).map { Coordinate($0, $1) }
        try apply(&coords)
        for i in coords.indices {
            xs[i] = coords[i].x
            ys[i] = coords[i].y
        }
    }

    /// Transforms every position of a geometry.
    public func apply(to geometry: Geometry) throws -> Geometry {
        var coords = geometry.coordinates
        try apply(&coords)
        var i = 0
        return geometry.mapCoordinates { _ in
            defer { i += 1 }
            return coords[i]
        }
    }

    /// One proj_trans_generic call over interleaved x0,y0,x1,y1,...: x at base, y at base+1, strides in bytes.
    private static func transform(_ pj: OpaquePointer, _ base: UnsafeMutablePointer<Double>, _ n: Int) {
        _ = proj_trans_generic(pj, PJ_FWD, base, 16, n, base + 1, 16, n, nil, 0, 0, nil, 0, 0)
    }

    /// A copy of a PROJ object in a context of its own, for one worker thread.
    private final class Clone: @unchecked Sendable {  // used by exactly one worker, then freed
        let context = PROJContext()
        let pj: OpaquePointer
        init(of source: OpaquePointer) throws {
            guard let c = proj_clone(context.ctx, source) else { throw context.error("cloning the transformation") }
            pj = c
        }
        deinit { proj_destroy(pj) }
    }

    private func check(_ out: [Coordinate], _ original: [Coordinate]) throws {
        // PROJ marks failures with HUGE_VAL
        if let i = out.firstIndex(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            let msg = context.lastMessage ?? proj_context_errno_string(context.ctx, proj_errno(pj)).map { String(cString: $0) } ?? "outside the projection's domain"
            throw SpatialError.transformFailed(index: i, x: original[i].x, y: original[i].y, message: msg)
        }
    }
}
