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
    /// The straight pieces, one record each (one cache line holds the piece and its line).
    private struct Piece {
        var ax: Double, ay: Double, bx: Double, by: Double
        var owner: Int32
    }
    private let pieces: [Piece]
    private let x0: Double, y0: Double, size: Double
    private let nx: Int, ny: Int
    private let offsets: [Int32], items: [Int32]
    /// Per bucket, every piece that can be nearest to some point of the bucket (see `candidateLists`); a bucket
    /// whose list would be long holds the single entry -1 and is searched ring by ring instead.
    private let candidateOffsets: [Int32], candidates: [Int32]

    /// - Parameter lines: LineStrings or MultiLineStrings (other kinds are skipped: they are never nearest).
    public convenience init(_ lines: [Geometry], bucketsPerPiece: Double = 1) {
        let pieces = Self.pieces(of: lines)
        var e = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for p in pieces {
            e.expand(toInclude: Coordinate(p.ax, p.ay))
            e.expand(toInclude: Coordinate(p.bx, p.by))
        }
        let n = pieces.count
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
        func cells(_ p: Piece) -> (Int, Int, Int, Int) {
            let (c0, r0) = cell(min(p.ax, p.bx), min(p.ay, p.by)), (c1, r1) = cell(max(p.ax, p.bx), max(p.ay, p.by))
            return (c0, r0, c1, r1)
        }
        for p in pieces {
            let (c0, r0, c1, r1) = cells(p)
            for r in r0...r1 { for c in c0...c1 { counts[r * nx + c + 1] += 1 } }
        }
        for b in 0..<(nx * ny) { counts[b + 1] += counts[b] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts[nx * ny]))
        for (i, p) in pieces.enumerated() {
            let (c0, r0, c1, r1) = cells(p)
            for r in r0...r1 {
                for c in c0...c1 {
                    items[Int(fill[r * nx + c])] = Int32(i)
                    fill[r * nx + c] += 1
                }
            }
        }
        self.init(count: lines.count, pieces: pieces, x0: e.minX, y0: e.minY, size: size, nx: nx, ny: ny, offsets: counts, items: items)
    }

    /// The straight pieces of `lines` (a one-point line is a piece of zero length), each with its line's index.
    private static func pieces(of lines: [Geometry]) -> [Piece] {
        var pieces: [Piece] = []
        func add(_ cs: [Coordinate], _ k: Int) {
            if cs.count == 1 { pieces.append(Piece(ax: cs[0].x, ay: cs[0].y, bx: cs[0].x, by: cs[0].y, owner: Int32(k))) }
            for i in cs.indices.dropFirst() {
                pieces.append(Piece(ax: cs[i - 1].x, ay: cs[i - 1].y, bx: cs[i].x, by: cs[i].y, owner: Int32(k)))
            }
        }
        for (k, g) in lines.enumerated() {
            switch g {
            case .lineString(let l): add(l.coordinates, k)
            case .multiLineString(let m): for l in m.lineStrings { add(l.coordinates, k) }
            default: continue
            }
        }
        return pieces
    }

    /// The nearest of `lines` to `p` (lowest index among equals) and its distance, every piece measured: what
    /// `NearestLineLocator(lines).nearest(p)` answers, without building an index (one point, a few hundred lines).
    public static func nearest(_ p: Coordinate, among lines: [Geometry]) -> (index: Int, distance: Double)? {
        guard p.x.isFinite, p.y.isFinite else { return nil }
        var best = Double.infinity, bestOwner = Int32.max
        for piece in pieces(of: lines) {
            let d = distance(p.x, p.y, piece)
            if d < best || (d == best && piece.owner < bestOwner) {
                best = d
                bestOwner = piece.owner
            }
        }
        return best < .infinity ? (Int(bestOwner), best) : nil
    }

    /// `lists` nil: made here, with a locator that searches ring by ring.
    private init(count: Int, pieces: [Piece], x0: Double, y0: Double, size: Double, nx: Int, ny: Int,
                 offsets: [Int32], items: [Int32], lists: ([Int32], [Int32])? = nil) {
        (self.count, self.pieces, self.x0, self.y0, self.size, self.nx, self.ny) = (count, pieces, x0, y0, size, nx, ny)
        (self.offsets, self.items) = (offsets, items)
        (candidateOffsets, candidates) = lists ?? NearestLineLocator(
            count: count, pieces: pieces, x0: x0, y0: y0, size: size, nx: nx, ny: ny, offsets: offsets, items: items,
            lists: ([], [])).candidateLists()
    }

    /// For each bucket B, the pieces that can be nearest to a point of B. Any point p of B is within
    /// `U = min over pieces q of (largest distance from a corner of B to q)` of some piece (distance to a segment is
    /// convex, so its largest value on a rectangle is at a corner), so its nearest piece — and every piece tied
    /// with it — lies within U of B. The list keeps the pieces whose distance to B is at most U (plus a rounding
    /// margin), found among the pieces near B's centre; a query then scans one short list.
    private func candidateLists(limit: Int = 96) -> ([Int32], [Int32]) {
        var offsets: [Int32] = [0], out: [Int32] = []
        offsets.reserveCapacity(nx * ny + 1)
        var seen = [Int32](repeating: -1, count: pieces.count)
        var gathered: [Int32] = []
        let half = size / 2, halfDiagonal = size * 2.0.squareRoot() / 2
        for r in 0..<ny {
            for c in 0..<nx {
                let b = r * nx + c
                let minX = x0 + Double(c) * size, minY = y0 + Double(r) * size, maxX = minX + size, maxY = minY + size
                guard let centre = nearest(Coordinate(minX + half, minY + half)) else { break }
                // every piece within reach of the bucket: distance to the centre at most d + half diagonal
                let reach = centre.distance + halfDiagonal
                let rings = Int((reach / size).rounded(.up)) + 1
                gathered.removeAll(keepingCapacity: true)
                var u = Double.infinity
                for rr in max(0, r - rings)...min(ny - 1, r + rings) {
                    for cc in max(0, c - rings)...min(nx - 1, c + rings) {
                        let bb = rr * nx + cc
                        for k in Int(self.offsets[bb])..<Int(self.offsets[bb + 1]) {
                            let i = Int(items[k])
                            guard seen[i] != Int32(b) else { continue }
                            seen[i] = Int32(b)
                            let piece = pieces[i]
                            // a cheap test first: the piece's envelope within reach of the bucket
                            let dx = max(0, min(piece.ax, piece.bx) - maxX, minX - max(piece.ax, piece.bx))
                            let dy = max(0, min(piece.ay, piece.by) - maxY, minY - max(piece.ay, piece.by))
                            guard (dx * dx + dy * dy).squareRoot() <= reach + halfDiagonal else { continue }
                            gathered.append(Int32(i))
                            let corners = max(Self.distance(minX, minY, piece), Self.distance(maxX, minY, piece),
                                              Self.distance(minX, maxY, piece), Self.distance(maxX, maxY, piece))
                            u = min(u, corners)
                        }
                    }
                }
                let bound = u * (1 + 1e-9) + 1e-9
                let start = out.count
                for i in gathered where Self.distance(piece: pieces[Int(i)], minX, minY, maxX, maxY) <= bound {
                    out.append(i)
                }
                if out.count - start > limit {
                    out.removeSubrange(start...)
                    out.append(-1)
                }
                offsets.append(Int32(out.count))
            }
        }
        if offsets.count != nx * ny + 1 { return ([Int32](repeating: 0, count: nx * ny + 1), []) }  // no pieces
        return (offsets, out)
    }

    /// The distance between a piece and a rectangle: 0 when the piece crosses it, else the least of its ends'
    /// distances to the rectangle and the corners' distances to the piece.
    private static func distance(piece p: Piece, _ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> Double {
        // Liang-Barsky: does the piece meet the rectangle?
        var t0 = 0.0, t1 = 1.0, meets = true
        let dx = p.bx - p.ax, dy = p.by - p.ay
        for (q, v) in [(-dx, p.ax - minX), (dx, maxX - p.ax), (-dy, p.ay - minY), (dy, maxY - p.ay)] {
            if q == 0 {
                if v < 0 { meets = false }
            } else {
                let t = v / q
                if q < 0 { if t > t1 { meets = false } else { t0 = max(t0, t) } } else { if t < t0 { meets = false } else { t1 = min(t1, t) } }
            }
        }
        if meets && t0 <= t1 { return 0 }
        func toRect(_ x: Double, _ y: Double) -> Double {
            let ex = max(0, minX - x, x - maxX), ey = max(0, minY - y, y - maxY)
            return (ex * ex + ey * ey).squareRoot()
        }
        return min(toRect(p.ax, p.ay), toRect(p.bx, p.by), distance(minX, minY, p), distance(maxX, minY, p),
                   distance(minX, maxY, p), distance(maxX, maxY, p))
    }

    /// GEOS's `Distance::pointToSegment`, operation for operation.
    @inline(__always)
    private static func distance(_ px: Double, _ py: Double, _ piece: Piece) -> Double {
        let (ax, ay, bx, by) = (piece.ax, piece.ay, piece.bx, piece.by)
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
        guard !pieces.isEmpty, p.x.isFinite, p.y.isFinite else { return nil }
        return pieces.withUnsafeBufferPointer { pieces in
            offsets.withUnsafeBufferPointer { offsets in
                items.withUnsafeBufferPointer { items in
                    nearest(p, pieces, offsets, items)
                }
            }
        }
    }

    @inline(__always)
    private func nearest(_ p: Coordinate, _ pieces: UnsafeBufferPointer<Piece>, _ offsets: UnsafeBufferPointer<Int32>,
                         _ items: UnsafeBufferPointer<Int32>) -> (index: Int, distance: Double)? {
        let (nx, ny, size) = (nx, ny, size)
        // the bucket holding p, clamped to the grid
        let fc = (p.x - x0) / size, fr = (p.y - y0) / size
        let c = min(nx - 1, max(0, Int(fc.rounded(.down)))), r = min(ny - 1, max(0, Int(fr.rounded(.down))))
        if candidateOffsets.count > nx * ny, fc >= 0, fr >= 0, fc < Double(nx), fr < Double(ny) {  // p in its bucket's rectangle: its list
            let b = r * nx + c
            let lo = Int(candidateOffsets[b]), hi = Int(candidateOffsets[b + 1])
            if lo < hi, candidates[lo] >= 0 {
                return candidates.withUnsafeBufferPointer { list in
                    var best = Double.infinity, bestOwner = Int32.max
                    for k in lo..<hi {
                        let piece = pieces[Int(list[k])]
                        let d = Self.distance(p.x, p.y, piece)
                        if d < best || (d == best && piece.owner < bestOwner) {
                            best = d
                            bestOwner = piece.owner
                        }
                    }
                    return (Int(bestOwner), best)
                }
            }
        }
        // anything in a bucket outside ring k is at least k buckets plus this from p
        let lx = p.x - (x0 + Double(c) * size), ly = p.y - (y0 + Double(r) * size)
        let inner = max(0, min(lx, size - lx, ly, size - ly))
        var best = Double.infinity, bestOwner = Int32.max
        func visit(_ b: Int) {
            for k in Int(offsets[b])..<Int(offsets[b + 1]) {
                let piece = pieces[Int(items[k])]
                let d = Self.distance(p.x, p.y, piece)
                if d < best || (d == best && piece.owner < bestOwner) {
                    best = d
                    bestOwner = piece.owner
                }
            }
        }
        var ring = 0
        while true {
            let r0 = r - ring, r1 = r + ring, c0 = c - ring, c1 = c + ring
            if ring == 0 {
                visit(r * nx + c)
            } else {
                // the ring's buckets: its top and bottom rows whole, then the left and right columns between them
                let cl = max(0, c0), ch = min(nx - 1, c1)
                if cl <= ch {
                    if r0 >= 0 { for cc in cl...ch { visit(r0 * nx + cc) } }
                    if r1 < ny { for cc in cl...ch { visit(r1 * nx + cc) } }
                }
                let rl = max(0, r0 + 1), rh = min(ny - 1, r1 - 1)
                if rl <= rh {
                    if c0 >= 0 { for rr in rl...rh { visit(rr * nx + c0) } }
                    if c1 < nx { for rr in rl...rh { visit(rr * nx + c1) } }
                }
            }
            if best < .infinity && best < Double(ring) * size + inner { break }
            if r0 <= 0 && c0 <= 0 && r1 >= ny - 1 && c1 >= nx - 1 { break }
            ring += 1
        }
        return best < .infinity ? (Int(bestOwner), best) : nil
    }
}
