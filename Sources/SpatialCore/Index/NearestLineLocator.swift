/// Finds, for many points, the nearest of a set of lines (street segments) and the distance to it, in a planar
/// (projected) CRS.
///
/// A hot path a benchmark proved GEOS too slow for (`Tools/bench/lookup_bench.py`: a GEOS STRtree nearest query costs
/// a geometry per point, two tree walks and a callback per candidate). The lines are cut into their straight
/// pieces, which a uniform bucket grid indexes by envelope; a query visits rings of buckets outwards until no
/// unvisited bucket can hold anything nearer. The point-to-piece distance is GEOS's own formula
/// (`geos::algorithm::Distance::pointToSegment`), so distances agree with GEOS to the last bit; ties go to the
/// lowest line index, as `SpatialIndex.nearest` breaks them. The tests compare it with GEOS point by point.
/// Immutable after init and free of C handles: safe to share between threads.
public final class NearestLineLocator: Sendable {
    public let count: Int
    private let ax: [Double], ay: [Double], bx: [Double], by: [Double]
    private let owner: [Int32]
    private let x0: Double, y0: Double, size: Double
    private let nx: Int, ny: Int
    private let offsets: [Int32], items: [Int32]

    /// - Parameter lines: LineStrings or MultiLineStrings (other kinds are skipped: they are never nearest).
    public init(_ lines: [Geometry], bucketsPerPiece: Double = 1) {
        count = lines.count
        var ax: [Double] = [], ay: [Double] = [], bx: [Double] = [], by: [Double] = [], owner: [Int32] = []
        func add(_ cs: [Coordinate], _ k: Int) {
            if cs.count == 1 { ax.append(cs[0].x); ay.append(cs[0].y); bx.append(cs[0].x); by.append(cs[0].y); owner.append(Int32(k)) }
            for i in cs.indices.dropFirst() {
                ax.append(cs[i - 1].x); ay.append(cs[i - 1].y); bx.append(cs[i].x); by.append(cs[i].y); owner.append(Int32(k))
            }
        }
        for (k, g) in lines.enumerated() {
            switch g {
            case .lineString(let l): add(l.coordinates, k)
            case .multiLineString(let m): for l in m.lineStrings { add(l.coordinates, k) }
            default: continue
            }
        }
        var e = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for i in ax.indices {
            e.expand(toInclude: Coordinate(ax[i], ay[i]))
            e.expand(toInclude: Coordinate(bx[i], by[i]))
        }
        let n = ax.count
        if n == 0 { e = Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1) }
        // square buckets, about `bucketsPerPiece` per piece, at most 4M
        let area = max(e.width * e.height, 1e-12)
        let target = min(4_000_000, max(1, Double(n) * bucketsPerPiece))
        var size = (area / target).squareRoot()
        if size <= 0 || !size.isFinite { size = max(e.width, e.height, 1) }
        let nx = max(1, Int((e.width / size).rounded(.up))), ny = max(1, Int((e.height / size).rounded(.up)))
        var counts = [Int32](repeating: 0, count: nx * ny + 1)
        func cell(_ x: Double, _ y: Double) -> (Int, Int) {
            (min(nx - 1, max(0, Int((x - e.minX) / size))), min(ny - 1, max(0, Int((y - e.minY) / size))))
        }
        for i in 0..<n {
            let (c0, r0) = cell(min(ax[i], bx[i]), min(ay[i], by[i])), (c1, r1) = cell(max(ax[i], bx[i]), max(ay[i], by[i]))
            for r in r0...r1 { for c in c0...c1 { counts[r * nx + c + 1] += 1 } }
        }
        for b in 0..<(nx * ny) { counts[b + 1] += counts[b] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts[nx * ny]))
        for i in 0..<n {
            let (c0, r0) = cell(min(ax[i], bx[i]), min(ay[i], by[i])), (c1, r1) = cell(max(ax[i], bx[i]), max(ay[i], by[i]))
            for r in r0...r1 {
                for c in c0...c1 {
                    items[Int(fill[r * nx + c])] = Int32(i)
                    fill[r * nx + c] += 1
                }
            }
        }
        (self.ax, self.ay, self.bx, self.by, self.owner) = (ax, ay, bx, by, owner)
        (x0, y0, self.size, self.nx, self.ny) = (e.minX, e.minY, size, nx, ny)
        offsets = counts
        self.items = items
    }

    /// GEOS's `Distance::pointToSegment`, operation for operation.
    @inline(__always)
    private func distance(_ px: Double, _ py: Double, _ i: Int) -> Double {
        let (ax, ay, bx, by) = (ax[i], ay[i], bx[i], by[i])
        if ax == bx && ay == by { return ((px - ax) * (px - ax) + (py - ay) * (py - ay)).squareRoot() }
        let len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
        let r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
        if r <= 0 { return ((px - ax) * (px - ax) + (py - ay) * (py - ay)).squareRoot() }  // Coordinate::distance
        if r >= 1 { return ((px - bx) * (px - bx) + (py - by) * (py - by)).squareRoot() }
        let s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
        return abs(s) * len2.squareRoot()
    }

    /// The nearest line (lowest index among equals) and its distance; nil when there are no lines.
    public func nearest(_ p: Coordinate) -> (index: Int, distance: Double)? {
        guard !ax.isEmpty, p.x.isFinite, p.y.isFinite else { return nil }
        // the bucket holding p, clamped to the grid
        let fc = (p.x - x0) / size, fr = (p.y - y0) / size
        let c = min(nx - 1, max(0, Int(fc.rounded(.down)))), r = min(ny - 1, max(0, Int(fr.rounded(.down))))
        var best = Double.infinity, bestOwner = Int32.max
        var ring = 0
        while true {
            let r0 = r - ring, r1 = r + ring, c0 = c - ring, c1 = c + ring
            if max(0, r0) <= min(ny - 1, r1) && max(0, c0) <= min(nx - 1, c1) {
                for rr in max(0, r0)...min(ny - 1, r1) {
                    for cc in max(0, c0)...min(nx - 1, c1) where max(abs(rr - r), abs(cc - c)) == ring {  // the ring's new buckets
                        let b = rr * nx + cc
                        for k in Int(offsets[b])..<Int(offsets[b + 1]) {
                            let i = Int(items[k])
                            let d = distance(p.x, p.y, i)
                            if d < best || (d == best && owner[i] < bestOwner) {
                                best = d
                                bestOwner = owner[i]
                            }
                        }
                    }
                }
            }
            // anything in a bucket outside this ring is at least `ring` buckets from p's bucket edge
            let lx = p.x - (x0 + Double(c) * size), ly = p.y - (y0 + Double(r) * size)
            let inner = min(lx, size - lx, ly, size - ly)
            let reach = Double(ring) * size + max(0, inner)
            if best < .infinity && best < reach { break }
            if r0 <= 0 && c0 <= 0 && r1 >= ny - 1 && c1 >= nx - 1 { break }
            ring += 1
        }
        return best < .infinity ? (Int(bestOwner), best) : nil
    }
}
