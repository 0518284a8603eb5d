public import SpatialCore

/// How a network is travelled: on foot (every usable segment both ways) or by car (one-way streets respected,
/// footways and the like left out).
public enum TravelMode: String, Sendable, CaseIterable {
    case walk, drive
}

extension TravelMode {
    /// The `network` member of a station-coverage rule or audit (rules files, batch plans): absent or null for
    /// straight-line distances, else "walk" or "drive", which measure to the centroid only.
    public static func ofStationCoverage(_ v: JSONValue?, measure: CoverageMeasure, at: String,
                                  fail: (String, String) -> ModelError) throws -> TravelMode? {
        guard let v, v != .null else { return nil }
        guard let t = v.stringValue, let mode = TravelMode(rawValue: t) else {
            throw fail("\(at).network", "expected \"walk\" or \"drive\" (or no member: straight-line), found \(v.jsonText)")
        }
        guard measure == .centroid else { throw fail("\(at).measure", "network distances are measured to the centroid; use \"centroid\"") }
        return mode
    }
}

/// A street segment as the network takes it: planar coordinates in metres (a local metric CRS), its one-way flag
/// (travel only from the first to the last coordinate), its class (OSM `highway`) and the explicit `drive` / `walk`
/// permissions when the data has them.
public struct NetworkSegment: Sendable, Hashable {
    public var id: String
    public var coordinates: [Coordinate]
    public var oneway: Bool
    public var travelClass: String?
    public var drive: Bool?
    public var walk: Bool?
    /// The edge length in metres; nil: the planar length of `coordinates`. (Positions along the segment are
    /// scaled to it, so a given length and the geometry never disagree.)
    public var lengthMetres: Double?
    /// Explicit node identities of the two ends (e.g. a source graph's node ids); nil: the end's position decides.
    public var fromKey: String?
    public var toKey: String?

    public init(id: String, coordinates: [Coordinate], oneway: Bool = false, travelClass: String? = nil,
                drive: Bool? = nil, walk: Bool? = nil, lengthMetres: Double? = nil, fromKey: String? = nil, toKey: String? = nil) {
        self.fromKey = fromKey
        self.toKey = toKey
        self.id = id
        self.coordinates = coordinates
        self.oneway = oneway
        self.travelClass = travelClass
        self.drive = drive
        self.walk = walk
        self.lengthMetres = lengthMetres
    }
}

/// Where a point meets the network: the nearest usable segment, the position along it (metres from its first
/// coordinate) of the point's projection, and the straight connector from the point to that position.
public struct NetworkLocation: Sendable, Hashable {
    /// Index into `StreetNetwork.segments`.
    public var segment: Int
    public var offsetMetres: Double
    public var connectorMetres: Double
    /// The projected position (metric CRS).
    public var position: Coordinate
}

/// A reachable piece of a segment, `fromMetres`…`toMetres` along it, with its planar coordinates.
public struct ReachedPart: Sendable, Hashable {
    public var segment: Int
    public var fromMetres: Double
    public var toMetres: Double
    public var coordinates: [Coordinate]
}

/// A street network for distances between arbitrary points (`StreetGraph` underneath).
///
/// **Graph.** Nodes are the segments' end points; ends closer than `snapToleranceMetres` (2 cm) are one node (the
/// first end seen, in segment order, stands for the node), so streets stored from different files meet where their
/// ends coincide up to rounding (7 decimals of a degree are about 1 cm). An end with an explicit key
/// (`NetworkSegment.fromKey`/`toKey`) is the node of that key instead, whatever its position. Segments meet only at their ends: import
/// nodes each file (`LayerImport.StreetNoding`), and a crossing without a shared end (a bridge) is no junction.
/// An edge's length is the segment's planar length in the metric CRS.
///
/// **Modes.** `walk` uses every segment both ways except those marked `walk = false` (or, without that column, of
/// a class in `nonWalkingClasses`); `drive` uses segments not marked `drive = false` (without that column: not of
/// a class in `nonDrivingClasses`) and one-way ones only forwards.
///
/// **Distance between two points** (`distance(from:to:)`): each point snaps to the nearest usable segment at its
/// projected position (`locate`); the distance is the source's connector + the network distance between the two
/// positions + the target's connector. The network part leaves the source position towards both ends of its
/// segment (only forwards on a one-way segment when driving), travels the graph, and enters the target's segment
/// from either end (again respecting one-way); when both snap to the same segment the direct way along it counts
/// too. Points whose positions are not connected are `.infinity` apart.
public struct StreetNetwork: Sendable {
    /// Which segments a point may snap to.
    public enum Snapping: String, Sendable, CaseIterable {
        /// The nearest usable segment.
        case nearest
        /// The nearest usable segment of the largest connected part of the network (most segment length, edges
        /// taken both ways): pieces cut off by the data's edge or mapped without a junction would otherwise strand
        /// the points next to them. The connector shows how far a point had to go.
        case connected
    }

    public struct Segment: Sendable, Hashable {
        public var id: String
        public var coordinates: [Coordinate]
        /// Cumulative planar length at each coordinate (the first is 0).
        var along: [Double]
        public var lengthMetres: Double
        public var from: Int
        public var to: Int
        /// Travel only from `from` to `to` (in this network's mode).
        public var oneway: Bool
    }

    /// Ends closer than this are one node.
    public static let snapToleranceMetres = 0.02
    /// OSM `highway` classes a car may not use (when the segment has no `drive` value).
    public static let nonDrivingClasses: Set<String> = [
        "footway", "path", "steps", "pedestrian", "cycleway", "bridleway", "trail", "corridor", "elevator", "platform",
    ]
    /// OSM `highway` classes nobody walks on (when the segment has no `walk` value).
    public static let nonWalkingClasses: Set<String> = ["motorway", "motorway_link"]

    public let mode: TravelMode
    /// The segments usable in this mode, in input order.
    public let segments: [Segment]
    /// For each usable segment its index in the input.
    public let inputIndex: [Int]
    /// Node positions (metric CRS).
    public let nodes: [Coordinate]
    public let graph: StreetGraph
    /// Arcs turned around (distances *to* a node); the same graph when walking.
    let reverse: StreetGraph
    let locator: NearestLineLocator
    /// Usable segments points snap to (indices into `segments`), in the locator's order.
    let snappable: [Int]
    public let snapping: Snapping

    /// Builds the network of `mode` from segments in a metric CRS.
    /// - Throws: `ModelError.invalidArgument` for a segment with fewer than two coordinates or a non-finite one.
    public init(_ input: [NetworkSegment], mode: TravelMode, snapping: Snapping = .nearest) throws {
        self.mode = mode
        self.snapping = snapping
        var segments: [Segment] = [], inputIndex: [Int] = []
        var nodes: [Coordinate] = []
        // ends → nodes: a hash grid of cells `snapToleranceMetres` wide; a new end joins the first node within the
        // tolerance in its 3 × 3 cells
        let tol = Self.snapToleranceMetres
        var cells: [SIMD2<Int64>: [Int32]] = [:]
        var keyed: [String: Int] = [:]
        func node(_ c: Coordinate, _ key: String?) -> Int {
            if let key {
                if let n = keyed[key] { return n }
                nodes.append(c)
                keyed[key] = nodes.count - 1
                return nodes.count - 1
            }
            let cx = Int64((c.x / tol).rounded(.down)), cy = Int64((c.y / tol).rounded(.down))
            var best = -1, bestD = Double.infinity
            for dx in -1...1 {
                for dy in -1...1 {
                    for n in cells[SIMD2(cx + Int64(dx), cy + Int64(dy))] ?? [] {
                        let p = nodes[Int(n)]
                        let d = ((p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y)).squareRoot()
                        if d <= tol && (d < bestD || (d == bestD && Int(n) < best)) { (best, bestD) = (Int(n), d) }
                    }
                }
            }
            if best >= 0 { return best }
            nodes.append(c)
            cells[SIMD2(cx, cy), default: []].append(Int32(nodes.count - 1))
            return nodes.count - 1
        }
        var edges: [StreetGraph.Edge] = []
        for (k, s) in input.enumerated() {
            guard s.coordinates.count >= 2, s.coordinates.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
                throw ModelError.invalidArgument(name: "segment \(s.id)", reason: "needs at least two finite coordinates")
            }
            let usable: Bool = switch mode {
            case .walk: s.walk ?? !Self.nonWalkingClasses.contains(s.travelClass ?? "")
            case .drive: s.drive ?? !Self.nonDrivingClasses.contains(s.travelClass ?? "")
            }
            guard usable else { continue }
            var along = [0.0]
            along.reserveCapacity(s.coordinates.count)
            for i in s.coordinates.indices.dropFirst() {
                let a = s.coordinates[i - 1], b = s.coordinates[i]
                along.append(along[i - 1] + ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot())
            }
            if let given = s.lengthMetres {
                guard given.isFinite, given >= 0 else {
                    throw ModelError.invalidArgument(name: "segment \(s.id)", reason: "length \(given) is not a distance in metres")
                }
                let planar = along.last!
                along = along.map { planar > 0 ? $0 * (given / planar) : 0 }
                along[along.count - 1] = given
            }
            let from = node(s.coordinates.first!, s.fromKey), to = node(s.coordinates.last!, s.toKey)
            let oneway = mode == .drive && s.oneway
            segments.append(Segment(id: s.id, coordinates: s.coordinates, along: along, lengthMetres: along.last!,
                                    from: from, to: to, oneway: oneway))
            inputIndex.append(k)
            edges.append(.init(from: from, to: to, lengthMetres: along.last!, oneway: oneway))
        }
        self.segments = segments
        self.inputIndex = inputIndex
        self.nodes = nodes
        graph = try StreetGraph(nodeCount: nodes.count, edges: edges)
        reverse = mode == .walk ? graph : graph.reversed()
        var snappable = Array(segments.indices)
        if snapping == .connected, !segments.isEmpty {
            var parent = Array(0..<nodes.count)
            func root(_ a: Int) -> Int {
                var a = a
                while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
                return a
            }
            for s in segments { let (a, b) = (root(s.from), root(s.to)); if a != b { parent[max(a, b)] = min(a, b) } }
            var length: [Int: Double] = [:]
            for s in segments { length[root(s.from), default: 0] += s.lengthMetres }
            let best = length.max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key
            snappable = segments.indices.filter { root(segments[$0].from) == best }
        }
        self.snappable = snappable
        locator = NearestLineLocator(try snappable.map { k in .lineString(try LineString(segments[k].coordinates)) })
    }

    // MARK: Snapping

    /// The nearest usable segment to `p` (of the largest connected part with `.connected`; lowest index among
    /// equally near ones) and the position of `p`'s
    /// projection on it; nil when the network is empty.
    public func locate(_ p: Coordinate) -> NetworkLocation? {
        guard let hit = locator.nearest(p) else { return nil }
        let index = snappable[hit.index]
        let s = segments[index]
        // the piece of the segment nearest p (first among equals) and the projection factor on it, clamped
        var best = Double.infinity, at = 0.0, position = s.coordinates[0]
        for i in s.coordinates.indices.dropFirst() {
            let a = s.coordinates[i - 1], b = s.coordinates[i]
            let dx = b.x - a.x, dy = b.y - a.y
            let len2 = dx * dx + dy * dy
            let r = len2 > 0 ? min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0
            let q = r == 0 ? a : r == 1 ? b : Coordinate(a.x + r * dx, a.y + r * dy)
            let d = ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()
            if d < best {
                best = d
                at = s.along[i - 1] + r * (s.along[i] - s.along[i - 1])
                position = q
            }
        }
        return NetworkLocation(segment: index, offsetMetres: at, connectorMetres: hit.distance, position: position)
    }

    // MARK: Distances

    /// The graph nodes a search from `l` starts at, and at what distance (connector included): the segment's end
    /// ahead always, the one behind unless the segment is one-way (or `l` stands on that end).
    func departures(_ l: NetworkLocation) -> [(node: Int, metres: Double)] {
        let s = segments[l.segment]
        var out = [(s.to, l.connectorMetres + (s.lengthMetres - l.offsetMetres))]
        if !s.oneway || l.offsetMetres == 0 { out.append((s.from, l.connectorMetres + l.offsetMetres)) }
        return out
    }

    /// The graph nodes a search towards `l` (on the reversed graph) starts at: the ends `l` can be entered from.
    func arrivals(_ l: NetworkLocation) -> [(node: Int, metres: Double)] {
        let s = segments[l.segment]
        var out = [(s.from, l.connectorMetres + l.offsetMetres)]
        if !s.oneway || l.offsetMetres == s.lengthMetres { out.append((s.to, l.connectorMetres + (s.lengthMetres - l.offsetMetres))) }
        return out
    }

    /// Distance to `target` given node distances `dist` of a forward search.
    func arrive(at target: NetworkLocation, _ dist: [Double]) -> Double {
        var best = Double.infinity
        for (n, m) in arrivals(target) { best = min(best, dist[n] + m) }
        return best
    }

    /// Distance from `source` given node distances `toward` of a search on the reversed graph.
    func depart(from source: NetworkLocation, _ toward: [Double]) -> Double {
        var best = Double.infinity
        for (n, m) in departures(source) { best = min(best, toward[n] + m) }
        return best
    }

    /// The way along one segment when both locations lie on it (connectors included), else `.infinity`.
    func direct(_ a: NetworkLocation, _ b: NetworkLocation) -> Double {
        guard a.segment == b.segment else { return .infinity }
        let s = segments[a.segment]
        guard b.offsetMetres >= a.offsetMetres || !s.oneway else { return .infinity }
        return a.connectorMetres + abs(b.offsetMetres - a.offsetMetres) + b.connectorMetres
    }

    /// The network distance from `source` to `target` (see the type's documentation).
    public func distance(from source: NetworkLocation, to target: NetworkLocation) -> Double {
        let dist = graph.shortestPaths(seeds: departures(source))
        return min(direct(source, target), arrive(at: target, dist))
    }

    /// Distances from one source to many targets, `.infinity` beyond `maxMetres` (the search stops there).
    public func distances(from source: NetworkLocation, to targets: [NetworkLocation], maxMetres: Double = .infinity) -> [Double] {
        let dist = graph.shortestPaths(seeds: departures(source), maxMetres: maxMetres)
        return targets.map { t in
            let d = min(direct(source, t), arrive(at: t, dist))
            return d <= maxMetres ? d : .infinity
        }
    }

    /// Distances from many sources to one target (one search on the reversed graph), `.infinity` beyond `maxMetres`.
    public func distances(from sources: [NetworkLocation], to target: NetworkLocation, maxMetres: Double = .infinity) -> [Double] {
        let toward = reverse.shortestPaths(seeds: arrivals(target), maxMetres: maxMetres)
        return sources.map { s in
            let d = min(direct(s, target), depart(from: s, toward))
            return d <= maxMetres ? d : .infinity
        }
    }

    /// For each target its nearest source (index into `sources`, smaller index on a tie) and the distance from it:
    /// one multi-source search labelled by source, plus the direct ways of sources on the target's own segment.
    /// nil for a target no source reaches within `maxMetres`.
    public func nearestSource(_ sources: [NetworkLocation], to targets: [NetworkLocation], maxMetres: Double = .infinity) -> [(source: Int, metres: Double)?] {
        var seeds: [(node: Int, metres: Double, label: Int)] = []
        var onSegment: [Int: [Int]] = [:]
        for (k, s) in sources.enumerated() {
            for d in departures(s) { seeds.append((d.node, d.metres, k)) }
            onSegment[s.segment, default: []].append(k)
        }
        let (dist, label) = graph.nearestSeeds(seeds, maxMetres: maxMetres)
        return targets.map { t in
            var best: (source: Int, metres: Double)?
            func consider(_ k: Int, _ d: Double) {
                guard d <= maxMetres, d.isFinite else { return }
                if best == nil || d < best!.metres || (d == best!.metres && k < best!.source) { best = (k, d) }
            }
            for (n, m) in arrivals(t) where label[n] >= 0 { consider(label[n], dist[n] + m) }
            for k in onSegment[t.segment] ?? [] { consider(k, direct(sources[k], t)) }
            return best
        }
    }

    /// Distances from every source to every target, row-major (`sources.count` × `targets.count`), `.infinity`
    /// beyond `maxMetres`; one bounded search per source, shared among `threads` workers.
    public func matrix(from sources: [NetworkLocation], to targets: [NetworkLocation], maxMetres: Double = .infinity, threads: Int = 1) -> [Double] {
        let n = targets.count
        var bySegment: [Int: [Int]] = [:]
        for (j, t) in targets.enumerated() { bySegment[t.segment, default: []].append(j) }
        return graph.rows(seeds: sources.map(departures), columns: n, maxMetres: maxMetres, threads: threads) { s, dist, row in
            for (j, t) in targets.enumerated() {
                let d = arrive(at: t, dist)
                row[j] = d <= maxMetres ? d : .infinity
            }
            for j in bySegment[sources[s].segment] ?? [] {
                let d = direct(sources[s], targets[j])
                if d < row[j] && d <= maxMetres { row[j] = d }
            }
        }
    }

    // MARK: Service areas

    /// The parts of the network reachable from `source` within `maxMetres` (connector included): every segment
    /// piece whose points are all at most `maxMetres` away, cut at the exact remaining distance, in segment order
    /// (pieces of one segment in order along it). Empty when even the connector is longer.
    public func serviceArea(from source: NetworkLocation, maxMetres: Double) -> [ReachedPart] {
        let dist = graph.shortestPaths(seeds: departures(source), maxMetres: maxMetres)
        var parts: [ReachedPart] = []
        for (k, s) in segments.enumerated() {
            var spans: [(Double, Double)] = []
            let L = s.lengthMetres
            if dist[s.from] <= maxMetres { spans.append((0, min(L, maxMetres - dist[s.from]))) }
            if !s.oneway, dist[s.to] <= maxMetres { spans.append((max(0, L - (maxMetres - dist[s.to])), L)) }
            if k == source.segment, source.connectorMetres <= maxMetres {
                let left = maxMetres - source.connectorMetres
                spans.append((s.oneway ? source.offsetMetres : max(0, source.offsetMetres - left), min(L, source.offsetMetres + left)))
            }
            guard !spans.isEmpty else { continue }
            spans.sort { $0.0 < $1.0 }
            var merged: [(Double, Double)] = []
            for sp in spans {
                if let last = merged.last, sp.0 <= last.1 { merged[merged.count - 1].1 = max(last.1, sp.1) } else { merged.append(sp) }
            }
            for (a, b) in merged where b > a {
                parts.append(ReachedPart(segment: k, fromMetres: a, toMetres: b, coordinates: substring(k, a, b)))
            }
        }
        return parts
    }

    /// The coordinates of segment `k` between `a` and `b` metres along it (a ≤ b).
    public func substring(_ k: Int, _ a: Double, _ b: Double) -> [Coordinate] {
        let s = segments[k]
        func point(_ m: Double) -> (Coordinate, Int) {  // the position and the index of the piece it lies on
            var i = 1
            while i < s.along.count - 1 && s.along[i] < m { i += 1 }
            let span = s.along[i] - s.along[i - 1]
            let r = span > 0 ? min(1, max(0, (m - s.along[i - 1]) / span)) : 0
            let p = s.coordinates[i - 1], q = s.coordinates[i]
            let c = r == 0 ? p : r == 1 ? q : Coordinate(p.x + r * (q.x - p.x), p.y + r * (q.y - p.y))
            return (c, i)
        }
        let (start, i) = point(a), (end, j) = point(b)
        var out = [start]
        if i < j { for v in i..<j where s.coordinates[v] != out.last! { out.append(s.coordinates[v]) } }
        if end != out.last! || out.count == 1 { out.append(end) }
        return out
    }
}
