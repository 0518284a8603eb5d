import Foundation
public import SpatialCore

/// The walking network as the map matcher needs it: every walkable segment (`StreetNetwork`, walk mode) with its
/// ends, an adjacency list that knows which segment joins two nodes (for the route between two fixes), and a grid of
/// the segments' straight pieces for "every segment within r metres" (the candidates of a fix).
/// Plain values, immutable: one is shared by every worker.
public struct PatrolNetwork: Sendable {
    public let network: StreetNetwork
    /// Per node, its arcs in `arcSegment`/`arcHead` from `arcStart[n]` to `arcStart[n + 1]`.
    let arcStart: [Int32]
    let arcSegment: [Int32]
    let arcHead: [Int32]

    /// Straight pieces of every segment: segment index, start, end (metric).
    struct Piece: Sendable {
        var segment: Int32
        var piece: Int32
        var ax, ay, bx, by: Double
    }
    let pieces: [Piece]
    let cellSize: Double
    let originX: Double, originY: Double
    let columns: Int, rows: Int
    /// Pieces per grid cell (CSR).
    let cellStart: [Int32]
    let cellPieces: [Int32]

    /// - Parameter cellSize: grid cell size in metres (about the search radius).
    public init(_ network: StreetNetwork, cellSize: Double = 50) {
        self.network = network
        let segments = network.segments
        var degree = [Int32](repeating: 0, count: network.nodes.count + 1)
        for s in segments { degree[s.from + 1] += 1; degree[s.to + 1] += 1 }
        for i in 0..<network.nodes.count { degree[i + 1] += degree[i] }
        var fill = degree
        var arcSegment = [Int32](repeating: 0, count: Int(degree.last ?? 0)), arcHead = arcSegment
        for (k, s) in segments.enumerated() {
            arcSegment[Int(fill[s.from])] = Int32(k); arcHead[Int(fill[s.from])] = Int32(s.to); fill[s.from] += 1
            arcSegment[Int(fill[s.to])] = Int32(k); arcHead[Int(fill[s.to])] = Int32(s.from); fill[s.to] += 1
        }
        arcStart = degree
        self.arcSegment = arcSegment
        self.arcHead = arcHead

        var pieces: [Piece] = []
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for (k, s) in segments.enumerated() {
            for i in s.coordinates.indices.dropFirst() {
                let a = s.coordinates[i - 1], b = s.coordinates[i]
                pieces.append(Piece(segment: Int32(k), piece: Int32(i - 1), ax: a.x, ay: a.y, bx: b.x, by: b.y))
                minX = min(minX, a.x, b.x); minY = min(minY, a.y, b.y); maxX = max(maxX, a.x, b.x); maxY = max(maxY, a.y, b.y)
            }
        }
        if pieces.isEmpty { (minX, minY, maxX, maxY) = (0, 0, 0, 0) }
        self.pieces = pieces
        self.cellSize = cellSize
        originX = minX
        originY = minY
        let cols = max(1, Int(((maxX - minX) / cellSize).rounded(.down)) + 1)
        let rws = max(1, Int(((maxY - minY) / cellSize).rounded(.down)) + 1)
        columns = cols
        rows = rws
        let x0 = minX, y0 = minY
        func cells(_ p: Piece, _ body: (Int) -> Void) {
            let c0 = max(0, Int(((min(p.ax, p.bx) - x0) / cellSize).rounded(.down))), c1 = min(cols - 1, Int(((max(p.ax, p.bx) - x0) / cellSize).rounded(.down)))
            let r0 = max(0, Int(((min(p.ay, p.by) - y0) / cellSize).rounded(.down))), r1 = min(rws - 1, Int(((max(p.ay, p.by) - y0) / cellSize).rounded(.down)))
            guard c0 <= c1, r0 <= r1 else { return }
            for r in r0...r1 { for c in c0...c1 { body(r * cols + c) } }
        }
        var counts = [Int32](repeating: 0, count: cols * rws + 1)
        for p in pieces { cells(p) { counts[$0 + 1] += 1 } }
        for i in 0..<(cols * rws) { counts[i + 1] += counts[i] }
        var cellFill = counts
        var cellPieces = [Int32](repeating: 0, count: Int(counts.last ?? 0))
        for (i, p) in pieces.enumerated() { cells(p) { cellPieces[Int(cellFill[$0])] = Int32(i); cellFill[$0] += 1 } }
        cellStart = counts
        self.cellPieces = cellPieces
    }

    /// A segment near a fix: where the fix projects on it and how far it is.
    public struct Candidate: Sendable, Hashable {
        public var segment: Int
        public var offset: Double
        public var distance: Double
        public var position: Coordinate
    }

    /// Every segment with a point within `radius` of `p`, at its nearest point, nearest first (ties by segment),
    /// at most `limit`.
    public func candidates(near p: Coordinate, radius: Double, limit: Int) -> [Candidate] {
        var best: [Int: Candidate] = [:]
        let c0 = max(0, Int(((p.x - radius - originX) / cellSize).rounded(.down))), c1 = min(columns - 1, Int(((p.x + radius - originX) / cellSize).rounded(.down)))
        let r0 = max(0, Int(((p.y - radius - originY) / cellSize).rounded(.down))), r1 = min(rows - 1, Int(((p.y + radius - originY) / cellSize).rounded(.down)))
        guard c0 <= c1, r0 <= r1 else { return [] }
        let segments = network.segments
        for r in r0...r1 {
            for c in c0...c1 {
                let cell = r * columns + c
                for k in Int(cellStart[cell])..<Int(cellStart[cell + 1]) {
                    let piece = pieces[Int(cellPieces[k])]
                    let dx = piece.bx - piece.ax, dy = piece.by - piece.ay
                    let len2 = dx * dx + dy * dy
                    let t = len2 > 0 ? min(1, max(0, ((p.x - piece.ax) * dx + (p.y - piece.ay) * dy) / len2)) : 0
                    let qx = piece.ax + t * dx, qy = piece.ay + t * dy
                    let d = ((p.x - qx) * (p.x - qx) + (p.y - qy) * (p.y - qy)).squareRoot()
                    guard d <= radius else { continue }
                    let s = Int(piece.segment)
                    if let old = best[s], old.distance <= d { continue }
                    let along = segments[s].along
                    let i = Int(piece.piece)
                    let offset = along[i] + t * (along[i + 1] - along[i])
                    best[s] = Candidate(segment: s, offset: offset, distance: d, position: Coordinate(qx, qy))
                }
            }
        }
        var out = Array(best.values)
        out.sort { ($0.distance, $0.segment) < ($1.distance, $1.segment) }
        if out.count > limit { out.removeLast(out.count - limit) }
        return out
    }

    /// Where `p` projects on segment `s` (its nearest point).
    public func project(_ p: Coordinate, onto s: Int) -> Candidate {
        let seg = network.segments[s]
        var best = Candidate(segment: s, offset: 0, distance: .infinity, position: seg.coordinates[0])
        for i in seg.coordinates.indices.dropFirst() {
            let a = seg.coordinates[i - 1], b = seg.coordinates[i]
            let dx = b.x - a.x, dy = b.y - a.y
            let len2 = dx * dx + dy * dy
            let t = len2 > 0 ? min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0
            let q = Coordinate(a.x + t * dx, a.y + t * dy)
            let d = ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()
            if d < best.distance { best = Candidate(segment: s, offset: seg.along[i - 1] + t * (seg.along[i] - seg.along[i - 1]), distance: d, position: q) }
        }
        return best
    }

    /// The metric position `offset` metres along segment `s`.
    public func position(segment s: Int, offset: Double) -> Coordinate { Self.point(of: network.segments[s], at: offset) }
}

/// Shortest walking distances from single nodes, each search bounded by `radius` metres and kept (the transitions of
/// a trace come back to the same few nodes again and again, as FMM's precomputed table does; ours is filled on demand
/// and emptied when it holds `capacity` trees, so memory stays flat). Not thread-safe: one per worker.
final class NodeDistances {
    struct Tree {
        /// node → (distance, segment used to reach it, -1 at the root)
        var reached: [Int32: (Double, Int32)]
    }
    let net: PatrolNetwork
    let radius: Double
    let capacity: Int
    private var trees: [Int32: Tree] = [:]
    private var dist: [Double]
    private var via: [Int32]
    private var touched: [Int32] = []
    private var heap = MinHeap()
    private(set) var searches = 0

    init(_ net: PatrolNetwork, radius: Double, capacity: Int = 4096) {
        self.net = net
        self.radius = radius
        self.capacity = capacity
        dist = [Double](repeating: .infinity, count: net.network.nodes.count)
        via = [Int32](repeating: -1, count: net.network.nodes.count)
    }

    func tree(_ node: Int) -> Tree {
        let key = Int32(node)
        if let t = trees[key] { return t }
        if trees.count >= capacity { trees.removeAll(keepingCapacity: true) }
        searches += 1
        heap.removeAll()
        dist[node] = 0
        via[node] = -1
        touched.append(key)
        heap.push(0, key)
        while let (du, u) = heap.pop() {
            let ui = Int(u)
            if du > dist[ui] { continue }
            for k in Int(net.arcStart[ui])..<Int(net.arcStart[ui + 1]) {
                let v = Int(net.arcHead[k]), s = Int(net.arcSegment[k])
                let nd = du + net.network.segments[s].lengthMetres
                if nd < dist[v] && nd <= radius {
                    if dist[v] == .infinity { touched.append(Int32(v)) }
                    dist[v] = nd
                    via[v] = Int32(s)
                    heap.push(nd, Int32(v))
                }
            }
        }
        var reached: [Int32: (Double, Int32)] = [:]
        reached.reserveCapacity(touched.count)
        for n in touched {
            reached[n] = (dist[Int(n)], via[Int(n)])
            dist[Int(n)] = .infinity
            via[Int(n)] = -1
        }
        touched.removeAll(keepingCapacity: true)
        let t = Tree(reached: reached)
        trees[key] = t
        return t
    }

    /// The node path from `root` to `node` as the segments walked, in order (empty when node == root); nil when
    /// `node` is beyond the radius.
    func segments(from root: Int, to node: Int) -> [Int]? {
        let t = tree(root)
        guard t.reached[Int32(node)] != nil else { return nil }
        var out: [Int] = []
        var n = node
        var guardCount = 0
        while n != root, let (_, s) = t.reached[Int32(n)], s >= 0, guardCount < 100_000 {
            out.append(Int(s))
            let seg = net.network.segments[Int(s)]
            n = seg.from == n ? seg.to : seg.from
            guardCount += 1
        }
        return out.reversed()
    }
}
