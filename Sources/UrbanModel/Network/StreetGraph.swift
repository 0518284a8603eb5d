import Foundation
public import SpatialCore

/// A street network for shortest paths: nodes 0..<nodeCount, arcs with lengths in metres, stored as compressed
/// adjacency (CSR). Walking graphs add every edge both ways; driving graphs respect one-way streets.
/// Immutable and free of C handles: share it between threads.
public struct StreetGraph: Sendable {
    public struct Edge: Sendable, Hashable {
        public var from: Int
        public var to: Int
        public var lengthMetres: Double
        /// Only `from` → `to` may be travelled.
        public var oneway: Bool

        public init(from: Int, to: Int, lengthMetres: Double, oneway: Bool = false) {
            self.from = from
            self.to = to
            self.lengthMetres = lengthMetres
            self.oneway = oneway
        }
    }

    public let nodeCount: Int
    let offsets: [Int32]
    let heads: [Int32]
    let lengths: [Double]

    /// - Throws: `ModelError.invalidArgument` for a node index out of range or a negative or non-finite length.
    public init(nodeCount: Int, edges: [Edge]) throws {
        var degree = [Int32](repeating: 0, count: nodeCount + 1)
        for (k, e) in edges.enumerated() {
            guard (0..<nodeCount).contains(e.from), (0..<nodeCount).contains(e.to) else {
                throw ModelError.invalidArgument(name: "edges[\(k)]", reason: "node \(e.from) or \(e.to) is not in 0..<\(nodeCount)")
            }
            guard e.lengthMetres.isFinite, e.lengthMetres >= 0 else {
                throw ModelError.invalidArgument(name: "edges[\(k)]", reason: "length \(e.lengthMetres) is not a distance in metres")
            }
            degree[e.from + 1] += 1
            if !e.oneway { degree[e.to + 1] += 1 }
        }
        for i in 0..<nodeCount { degree[i + 1] += degree[i] }
        var fill = degree
        var heads = [Int32](repeating: 0, count: Int(degree[nodeCount]))
        var lengths = [Double](repeating: 0, count: heads.count)
        for e in edges {
            heads[Int(fill[e.from])] = Int32(e.to)
            lengths[Int(fill[e.from])] = e.lengthMetres
            fill[e.from] += 1
            if !e.oneway {
                heads[Int(fill[e.to])] = Int32(e.from)
                lengths[Int(fill[e.to])] = e.lengthMetres
                fill[e.to] += 1
            }
        }
        self.nodeCount = nodeCount
        offsets = degree
        self.heads = heads
        self.lengths = lengths
    }

    /// Shortest-path lengths from `source` to every node (Dijkstra with a binary heap), `.infinity` where
    /// unreachable or farther than `maxMetres` (the search stops there: a radius-bounded service area).
    public func shortestPaths(from source: Int, maxMetres: Double = .infinity) -> [Double] {
        var dist = [Double](repeating: .infinity, count: nodeCount)
        var heap = MinHeap()
        shortestPaths(from: source, maxMetres: maxMetres, into: &dist, heap: &heap)
        return dist
    }

    func shortestPaths(from source: Int, maxMetres: Double, into dist: inout [Double], heap: inout MinHeap) {
        guard (0..<nodeCount).contains(source) else { return }
        dist[source] = 0
        heap.removeAll()
        heap.push(0, Int32(source))
        run(maxMetres: maxMetres, dist: &dist, heap: &heap)
    }

    /// Shortest-path lengths from several seeds at once: each seed is a node reached at a start distance (a point
    /// on a segment reaches both its ends). `.infinity` where unreachable or farther than `maxMetres`.
    public func shortestPaths(seeds: [(node: Int, metres: Double)], maxMetres: Double = .infinity) -> [Double] {
        var dist = [Double](repeating: .infinity, count: nodeCount)
        var heap = MinHeap()
        shortestPaths(seeds: seeds, maxMetres: maxMetres, into: &dist, heap: &heap)
        return dist
    }

    /// `shortestPaths(seeds:)` into a caller's buffers (all `.infinity` on entry), for workers that reuse them.
    func shortestPaths(seeds: [(node: Int, metres: Double)], maxMetres: Double, into dist: inout [Double], heap: inout MinHeap) {
        heap.removeAll()
        for s in seeds where (0..<nodeCount).contains(s.node) && s.metres <= maxMetres && s.metres < dist[s.node] {
            dist[s.node] = s.metres
            heap.push(s.metres, Int32(s.node))
        }
        run(maxMetres: maxMetres, dist: &dist, heap: &heap)
    }

    /// Multi-source shortest paths labelled by the source: for every node the distance to its nearest seed and
    /// that seed's label (`-1` where unreachable). One Dijkstra run for all sources; on equal distances the smaller
    /// label wins, so the answer does not depend on the order of the seeds.
    public func nearestSeeds(_ seeds: [(node: Int, metres: Double, label: Int)], maxMetres: Double = .infinity) -> (metres: [Double], labels: [Int]) {
        var dist = [Double](repeating: .infinity, count: nodeCount)
        var label = [Int](repeating: -1, count: nodeCount)
        var heap = MinHeap()
        for s in seeds where (0..<nodeCount).contains(s.node) && s.metres <= maxMetres {
            if s.metres < dist[s.node] || (s.metres == dist[s.node] && s.label < label[s.node]) {
                dist[s.node] = s.metres
                label[s.node] = s.label
                heap.push(s.metres, Int32(s.node))
            }
        }
        while let (du, u) = heap.pop() {
            let ui = Int(u)
            if du > dist[ui] { continue }  // a stale entry
            let lu = label[ui]
            for k in Int(offsets[ui])..<Int(offsets[ui + 1]) {
                let nd = du + lengths[k]
                let v = Int(heads[k])
                guard nd <= maxMetres else { continue }
                if nd < dist[v] {
                    dist[v] = nd
                    label[v] = lu
                    heap.push(nd, Int32(v))
                } else if nd == dist[v] && lu < label[v] {
                    label[v] = lu  // same distance: the smaller label (its successors are settled later with it)
                    heap.push(nd, Int32(v))
                }
            }
        }
        return (dist, label)
    }

    /// The same graph with every arc turned around: shortest paths on it from a node are the distances *to*
    /// that node on this graph (the same graph for walking, where every edge goes both ways).
    public func reversed() -> StreetGraph {
        var degree = [Int32](repeating: 0, count: nodeCount + 1)
        for k in heads.indices { degree[Int(heads[k]) + 1] += 1 }
        for i in 0..<nodeCount { degree[i + 1] += degree[i] }
        var fill = degree
        var rh = [Int32](repeating: 0, count: heads.count), rl = [Double](repeating: 0, count: heads.count)
        for u in 0..<nodeCount {
            for k in Int(offsets[u])..<Int(offsets[u + 1]) {
                let v = Int(heads[k])
                rh[Int(fill[v])] = Int32(u)
                rl[Int(fill[v])] = lengths[k]
                fill[v] += 1
            }
        }
        return StreetGraph(nodeCount: nodeCount, offsets: degree, heads: rh, lengths: rl)
    }

    private init(nodeCount: Int, offsets: [Int32], heads: [Int32], lengths: [Double]) {
        self.nodeCount = nodeCount
        self.offsets = offsets
        self.heads = heads
        self.lengths = lengths
    }

    /// Dijkstra from whatever `heap` and `dist` hold.
    @inline(__always)
    private func run(maxMetres: Double, dist: inout [Double], heap: inout MinHeap) {
        offsets.withUnsafeBufferPointer { off in
            heads.withUnsafeBufferPointer { hd in
                lengths.withUnsafeBufferPointer { len in
                    dist.withUnsafeMutableBufferPointer { d in
                        while let (du, u) = heap.pop() {
                            let ui = Int(u)
                            if du > d[ui] { continue }  // a stale entry
                            for k in Int(off[ui])..<Int(off[ui + 1]) {
                                let nd = du + len[k]
                                let v = Int(hd[k])
                                if nd < d[v] && nd <= maxMetres {
                                    d[v] = nd
                                    heap.push(nd, Int32(v))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Shortest-path lengths from each source to each target, row-major (`sources.count` × `targets.count`),
    /// `.infinity` where unreachable or beyond `maxMetres`; the sources are shared among `threads` workers.
    public func distanceMatrix(from sources: [Int], to targets: [Int], maxMetres: Double = .infinity, threads: Int = 1) -> [Double] {
        rows(seeds: sources.map { [(node: $0, metres: 0)] }, columns: targets.count, maxMetres: maxMetres, threads: threads) { _, dist, row in
            for (j, t) in targets.enumerated() { row[j] = dist[t] }
        }
    }
}

extension StreetGraph {
    /// One bounded multi-seed search per row, shared among `threads` workers; `fill(row, dist, out)` turns the
    /// node distances into the row's `columns` values. Returns the rows, row-major.
    func rows(seeds: [[(node: Int, metres: Double)]], columns: Int, maxMetres: Double, threads: Int,
              fill: (Int, [Double], UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        var out = [Double](repeating: .infinity, count: seeds.count * columns)
        let workers = max(1, min(threads, seeds.count))
        withoutActuallyEscaping(fill) { fill in
            out.withUnsafeMutableBufferPointer { buf in
                let base = UnsafeMutableSendablePointer(buf.baseAddress)
                let work = UncheckedSendable(fill)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var dist = [Double](repeating: .infinity, count: nodeCount)
                    var heap = MinHeap()
                    var s = w
                    while s < seeds.count {
                        shortestPaths(seeds: seeds[s], maxMetres: maxMetres, into: &dist, heap: &heap)
                        if let p = base.pointer { work.value(s, dist, UnsafeMutableBufferPointer(start: p + s * columns, count: columns)) }
                        for i in dist.indices { dist[i] = .infinity }
                        s += workers
                    }
                }
            }
        }
        return out
    }
}

/// A value the row workers share read-only (the fill closure reads immutable inputs and writes disjoint rows).
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// A pointer the workers of `distanceMatrix` write disjoint rows through.
private struct UnsafeMutableSendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>?
    init(_ p: UnsafeMutablePointer<Double>?) { pointer = p }
}

/// A binary min-heap of (distance, node) for Dijkstra; stale entries are skipped by the caller.
struct MinHeap {
    private var keys: [Double] = []
    private var values: [Int32] = []

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    mutating func push(_ key: Double, _ value: Int32) {
        keys.append(key)
        values.append(value)
        var i = keys.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            guard keys[p] > keys[i] else { break }
            keys.swapAt(p, i)
            values.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> (Double, Int32)? {
        guard let top = keys.first else { return nil }
        let v = values[0]
        let lastKey = keys.removeLast(), lastValue = values.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey
            values[0] = lastValue
            var i = 0
            let n = keys.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && keys[l] < keys[m] { m = l }
                if r < n && keys[r] < keys[m] { m = r }
                if m == i { break }
                keys.swapAt(m, i)
                values.swapAt(m, i)
                i = m
            }
        }
        return (top, v)
    }
}

extension StreetGraph {
    /// Reads a graph in the anchors' format (`../shared/anchors/FORMAT.md`): `nodes.csv` (`idx,osm_id,x,y,degree`)
    /// and `edges.csv` (`u_idx,v_idx,length_m`, undirected). Returns the graph and each node's coordinate.
    public static func readAnchorsCSV(nodes: String, edges: String) throws -> (graph: StreetGraph, nodes: [Coordinate]) {
        func records(_ path: String) throws -> [CSVText.Record] {
            guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.unreadableFile(path: path, reason: "cannot open") }
            do { return try CSVText.records([UInt8](data)) } catch {
                throw ModelError.malformedRecord(.init(file: path, line: error.line), reason: error.reason)
            }
        }
        var coordinates: [Coordinate] = []
        for r in try records(nodes).dropFirst() {
            guard r.fields.count >= 4, let i = Int(r.fields[0]), i == coordinates.count, let x = Double(r.fields[2]), let y = Double(r.fields[3]) else {
                throw ModelError.malformedRecord(.init(file: nodes, line: r.line), reason: "expected idx (in order),osm_id,x,y,…")
            }
            coordinates.append(Coordinate(x, y))
        }
        var list: [Edge] = []
        for r in try records(edges).dropFirst() {
            guard r.fields.count >= 3, let u = Int(r.fields[0]), let v = Int(r.fields[1]), let l = Double(r.fields[2]) else {
                throw ModelError.malformedRecord(.init(file: edges, line: r.line), reason: "expected u_idx,v_idx,length_m")
            }
            list.append(Edge(from: u, to: v, lengthMetres: l))
        }
        return (try StreetGraph(nodeCount: coordinates.count, edges: list), coordinates)
    }
}
