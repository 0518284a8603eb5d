import Foundation
import SpatialCore

/// One inspector's stay on one street segment, from the map-matched track: when the segment was entered and left,
/// and which share of its length was walked (the span between the farthest positions reached on it).
public struct PatrolTraversal: Sendable, Hashable {
    public var inspector: String
    public var segmentID: String
    /// Seconds since 1970.
    public var enteredAt: Double
    public var leftAt: Double
    /// 0…1 of the segment's length.
    public var fraction: Double
    public var metres: Double

    public init(inspector: String, segmentID: String, enteredAt: Double, leftAt: Double, fraction: Double, metres: Double) {
        self.inspector = inspector
        self.segmentID = segmentID
        self.enteredAt = enteredAt
        self.leftAt = leftAt
        self.fraction = fraction
        self.metres = metres
    }
}

/// Turns the stretches one inspector walked, in time order, into traversals: consecutive stretches on the same
/// segment are one stay (a turn on the segment included); a stay that walked nothing is dropped.
struct TraversalBuilder {
    let inspector: String
    let network: StreetNetwork
    var current: (segment: Int, low: Double, high: Double, entered: Double, left: Double)?

    mutating func fix(segment: Int, offset: Double, time: Double, _ out: (PatrolTraversal) throws -> Void) throws {
        if let c = current, c.segment == segment { current!.low = min(c.low, offset); current!.high = max(c.high, offset); current!.left = time; return }
        try close(out)
        current = (segment, offset, offset, time, time)
    }

    mutating func walk(_ s: WalkedStretch, _ out: (PatrolTraversal) throws -> Void) throws {
        let lo = min(s.fromOffset, s.toOffset), hi = max(s.fromOffset, s.toOffset)
        if let c = current, c.segment == s.segment {
            current = (c.segment, min(c.low, lo), max(c.high, hi), c.entered, s.toTime)
            return
        }
        guard hi > lo else { return }  // touching a segment at a node is no stay on it
        try close(out)
        current = (s.segment, lo, hi, s.fromTime, s.toTime)
    }

    mutating func close(_ out: (PatrolTraversal) throws -> Void) throws {
        guard let c = current else { return }
        current = nil
        let length = network.segments[c.segment].lengthMetres
        let metres = c.high - c.low
        guard metres > 0 || length == 0 else { return }
        // whole seconds: what both engines keep the same way
        try out(PatrolTraversal(inspector: inspector, segmentID: network.segments[c.segment].id, enteredAt: c.entered.rounded(), leftAt: c.left.rounded(),
                                fraction: length > 0 ? min(1, metres / length) : 1, metres: metres))
    }
}

/// Map-matches a track file fix by fix (one `TraceMatcher` per inspector, so files mixing inspectors work too) and
/// hands out every fix as matched and every traversal as soon as it is decided. Memory stays flat in the number of
/// fixes: what is held is the undecided stretch of each inspector's track and a bounded table of node distances.
public struct PatrolMatching {
    public let network: PatrolNetwork
    public let frame: CityFrame
    public let parameters: MatchParameters

    public init(network: PatrolNetwork, frame: CityFrame, parameters: MatchParameters = MatchParameters()) {
        self.network = network
        self.frame = frame
        self.parameters = parameters
    }

    /// The walking network of a city, every walkable segment a candidate (not only the largest connected part).
    public static func network(of store: any CityStore, frame: CityFrame, parameters: MatchParameters = MatchParameters()) throws -> PatrolNetwork {
        let n = try StreetNetworks(frame: frame, snapping: .nearest).network(.walk, from: store)
        guard !n.segments.isEmpty else {
            throw ModelError.invalidArgument(name: "DB", reason: "the streets layer has no walkable segment: import streets before patrol tracks")
        }
        return PatrolNetwork(n, cellSize: parameters.searchRadius)
    }

    /// Reads and matches every fix of `reader`'s file.
    /// - Parameters:
    ///   - onFix: each fix as matched, in file order per inspector (inspectors' fixes may interleave).
    ///   - onTraversal: each traversal, in time order per inspector.
    /// - Throws: the reader's errors, a fix farther than `offNetworkLimit` from every street (bad input), and
    ///   whatever the callbacks throw.
    public func run(_ reader: TrackReader, onFix: (MatchedFix) throws -> Void = { _ in },
                    onTraversal: (PatrolTraversal) throws -> Void = { _ in }) throws {
        let forward = try frame.forward()
        let distances = NodeDistances(network, radius: parameters.routeRadius)
        var matchers: [String: TraceMatcher] = [:]
        var builders: [String: TraversalBuilder] = [:]
        var order: [String] = []
        let params = parameters
        let net = network
        let path = reader.path
        try withoutActuallyEscaping(onFix) { onFix in
            try withoutActuallyEscaping(onTraversal) { onTraversal in
                defer {  // the matchers hold the callbacks: let go of them before the callbacks' scope ends
                    for m in matchers.values { m.onFix = { _, _ in }; m.onPieceEnd = {} }
                    matchers.removeAll()
                }
                func matcher(_ name: String) -> TraceMatcher {
                    if let m = matchers[name] { return m }
                    let m = TraceMatcher(inspector: name, network: net, parameters: params, distances: distances)
                    builders[name] = TraversalBuilder(inspector: name, network: net.network)
                    m.onFix = { matched, walked in
                        for s in walked { try builders[name]!.walk(s, onTraversal) }
                        if let c = matched.candidate { try builders[name]!.fix(segment: c.segment, offset: c.offset, time: matched.fix.time, onTraversal) }
                        try onFix(matched)
                    }
                    m.onPieceEnd = { try builders[name]!.close(onTraversal) }
                    matchers[name] = m
                    order.append(name)
                    return m
                }
                try reader.read { fix in
                    let metric: Coordinate
                    do { metric = try forward.apply(Coordinate(fix.lon, fix.lat)) } catch {
                        throw ModelError.malformedRecord(.init(file: path, line: fix.line, field: "lon/lat"), reason: "point \(fix.index): \(error)")
                    }
                    if net.candidates(near: metric, radius: params.searchRadius, limit: 1).isEmpty,
                       let d = net.network.locate(metric)?.connectorMetres, d > params.offNetworkLimit {
                        throw ModelError.malformedRecord(.init(file: path, line: fix.line, field: "lon/lat"), reason: """
                            point \(fix.index): (\(fix.lon), \(fix.lat)) is \(Int(d.rounded())) m from the nearest street (more than \
                            \(Int(params.offNetworkLimit)) m): latitude and longitude swapped, or a wrong --crs?
                            """)
                    }
                    try matcher(fix.inspector).add(fix, metric: metric)
                }
                for name in order { try matchers[name]!.finish() }
            }
        }
    }
}

/// The store of matched patrol traversals (`patrol import`), on both engines.
public protocol PatrolStore: CityStore {
    /// Stores the traversals `produce` hands to its sink, all in one transaction: when `produce` throws, nothing is
    /// stored. `source` (the file name) is kept with each row. - Returns: the number stored.
    func importTraversals(source: String, _ produce: ((PatrolTraversal) throws -> Void) throws -> Void) throws -> Int
    /// Every traversal that was on a segment during [from, to) (seconds since 1970), by inspector then time.
    func traversals(from: Double, to: Double) throws -> [PatrolTraversal]
}
