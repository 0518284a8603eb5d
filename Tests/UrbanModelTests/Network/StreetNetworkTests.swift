import Foundation
import SpatialCore
import Testing
@testable import UrbanModel

/// Snapping at the projected position, network distances between points and service areas on a network small
/// enough to solve by hand (metric coordinates, exact numbers), and the anchors' `D_network` where their rule
/// (points standing on graph nodes) coincides with ours.
///
/// ```
///                 D(100,100) ───s3 (footway)─── (200,100)
///                  │                                │
///                  s2 (two-way, 3 vertices)          │
///                  │                                │
///  A(0,0) ──s0── B(100,0) ──s1 (one-way B→C)────── C(200,0)
/// ```
/// s0 100 m two-way, s1 100 m one-way, s2 100 m two-way, s3 200 m footway (walk only).
@Suite struct StreetNetworkTests {
    static let segments: [NetworkSegment] = [
        .init(id: "s0", coordinates: [.init(0, 0), .init(100, 0)], travelClass: "residential"),
        .init(id: "s1", coordinates: [.init(100, 0), .init(200, 0)], oneway: true, travelClass: "residential"),
        .init(id: "s2", coordinates: [.init(100, 0), .init(100, 50), .init(100, 100)], travelClass: "service"),
        .init(id: "s3", coordinates: [.init(100, 100), .init(200, 100), .init(200, 0)], travelClass: "footway"),
    ]

    static func network(_ mode: TravelMode) throws -> StreetNetwork { try StreetNetwork(segments, mode: mode) }

    static func at(_ n: StreetNetwork, _ x: Double, _ y: Double) throws -> NetworkLocation { try #require(n.locate(Coordinate(x, y))) }

    @Test func graphAndModes() throws {
        let walk = try Self.network(.walk), drive = try Self.network(.drive)
        #expect(walk.segments.map(\.id) == ["s0", "s1", "s2", "s3"] && walk.nodes.count == 4)
        #expect(drive.segments.map(\.id) == ["s0", "s1", "s2"] && drive.inputIndex == [0, 1, 2])  // no footway
        #expect(walk.segments.map(\.lengthMetres) == [100, 100, 100, 200])
        #expect(walk.segments.map(\.oneway) == [false, false, false, false] && drive.segments[1].oneway)
        // explicit drive/walk values win over the class
        let marked = try StreetNetwork([.init(id: "f", coordinates: [.init(0, 0), .init(1, 0)], travelClass: "footway", drive: true),
                                        .init(id: "m", coordinates: [.init(0, 0), .init(0, 1)], travelClass: "motorway", walk: true),
                                        .init(id: "r", coordinates: [.init(0, 0), .init(0, -1)], travelClass: "residential", walk: false)], mode: .walk)
        #expect(marked.segments.map(\.id) == ["f", "m"])
        #expect(try StreetNetwork([.init(id: "f", coordinates: [.init(0, 0), .init(1, 0)], travelClass: "footway", drive: true)], mode: .drive).segments.count == 1)
        #expect(throws: ModelError.self) { try StreetNetwork([.init(id: "x", coordinates: [.init(0, 0)])], mode: .walk) }
    }

    /// A stray piece 2 m from P takes it with `.nearest`; `.connected` keeps to the largest connected part.
    @Test func snappingToTheConnectedNetwork() throws {
        let stray = Self.segments + [.init(id: "stray", coordinates: [.init(25, 12), .init(40, 12)])]
        let nearest = try StreetNetwork(stray, mode: .walk)
        let p = try Self.at(nearest, 30, 10)
        #expect(nearest.segments[p.segment].id == "stray" && p.connectorMetres == 2)
        #expect(nearest.distance(from: p, to: try Self.at(nearest, 150, -5)) == .infinity)
        let connected = try StreetNetwork(stray, mode: .walk, snapping: .connected)
        let q = try Self.at(connected, 30, 10)
        #expect(connected.segments[q.segment].id == "s0" && q.connectorMetres == 10)
        #expect(connected.distance(from: q, to: try Self.at(connected, 150, -5)) == 135)
    }

    @Test func endsWithinTwoCentimetresAreOneNode() throws {
        let n = try StreetNetwork([
            .init(id: "a", coordinates: [.init(0, 0), .init(10, 0)]),
            .init(id: "b", coordinates: [.init(10.015, 0), .init(20, 0)]),  // 1.5 cm: joined
            .init(id: "c", coordinates: [.init(20.03, 0), .init(30, 0)]),  // 3 cm: not joined
        ], mode: .walk)
        #expect(n.nodes.count == 5)
        #expect(n.segments[0].to == n.segments[1].from && n.segments[1].to != n.segments[2].from)
        let p = try Self.at(n, 0, 0), q = try Self.at(n, 15, 0), r = try Self.at(n, 25, 0)
        #expect(abs(n.distance(from: p, to: q) - 14.985) < 1e-9)  // 10 + (15 − 10.015)
        #expect(n.distance(from: p, to: r) == .infinity)
    }

    @Test func snapsAtTheProjectedPosition() throws {
        let walk = try Self.network(.walk)
        let p = try Self.at(walk, 30, 10)
        #expect(p.segment == 0 && p.offsetMetres == 30 && p.connectorMetres == 10 && p.position == Coordinate(30, 0))
        let r = try Self.at(walk, 190, 60)  // on the footway's second piece, 140 m along it
        #expect(walk.segments[r.segment].id == "s3" && r.offsetMetres == 140 && r.connectorMetres == 10)
        let rd = try Self.at(try Self.network(.drive), 190, 60)  // driving: the nearest drivable segment, s1 at x = 190
        #expect(rd.segment == 1 && rd.offsetMetres == 90 && rd.connectorMetres == 60)
        let v = try Self.at(walk, 110, 70)  // the middle vertex of s2 is no node: 70 m along it
        #expect(walk.segments[v.segment].id == "s2" && v.offsetMetres == 70 && v.connectorMetres == 10)
    }

    @Test func distancesByHand() throws {
        let walk = try Self.network(.walk), drive = try Self.network(.drive)
        // P (30,10) on s0, Q (150,−5) on s1: 10 + 70 + 50 + 5 either way on foot
        let (pw, qw) = (try Self.at(walk, 30, 10), try Self.at(walk, 150, -5))
        #expect(walk.distance(from: pw, to: qw) == 135 && walk.distance(from: qw, to: pw) == 135)
        let (pd, qd) = (try Self.at(drive, 30, 10), try Self.at(drive, 150, -5))
        #expect(drive.distance(from: pd, to: qd) == 135)
        #expect(drive.distance(from: qd, to: pd) == .infinity)  // s1 is one-way into C, a dead end for cars
        // R (190,60): walking via B, C and back up the footway 60 m: 10 + 70 + 100 + 60 + 10; driving it snaps to s1
        #expect(walk.distance(from: pw, to: try Self.at(walk, 190, 60)) == 250)
        #expect(drive.distance(from: pd, to: try Self.at(drive, 190, 60)) == 230)  // 10 + 70 + 90 + 60
        // both on one segment: directly along it (against the one-way only on foot)
        #expect(walk.distance(from: try Self.at(walk, 20, 5), to: try Self.at(walk, 60, -3)) == 48)
        let (t1, t2) = (try Self.at(drive, 180, 2), try Self.at(drive, 120, 1))
        #expect(drive.distance(from: t2, to: t1) == 63 && drive.distance(from: t1, to: t2) == .infinity)
        #expect(walk.distance(from: try Self.at(walk, 180, 2), to: try Self.at(walk, 120, 1)) == 63)
        // a point standing on a one-way segment's start may leave through that node (B, then s0 back to A)
        let onB = NetworkLocation(segment: 1, offsetMetres: 0, connectorMetres: 0, position: Coordinate(100, 0))
        #expect(drive.distance(from: onB, to: try Self.at(drive, 0, 0)) == 100)
        #expect(drive.distance(from: NetworkLocation(segment: 1, offsetMetres: 1, connectorMetres: 0, position: Coordinate(101, 0)),
                                to: try Self.at(drive, 0, 0)) == .infinity)
        // one-to-many, many-to-one (reversed graph), the matrix and the labelled multi-source search agree
        let sources = [pw, qw], targets = [try Self.at(walk, 60, -3), try Self.at(walk, 190, 60)]
        #expect(walk.matrix(from: sources, to: targets, threads: 2) == [43, 250, 98, 125])
        #expect(walk.distances(from: pw, to: targets) == [43, 250])
        #expect(walk.distances(from: sources, to: targets[1]) == [250, 125])
        #expect(walk.matrix(from: sources, to: targets, maxMetres: 100) == [43, .infinity, 98, .infinity])
        let nearest = walk.nearestSource(sources, to: targets)
        #expect(nearest.map { $0?.source } == [0, 1] && nearest.map { $0?.metres } == [43, 125])
        let dTargets = [try Self.at(drive, 60, -3), try Self.at(drive, 190, 60)]
        let dn = drive.nearestSource([pd, qd], to: dTargets)
        #expect(dn.map { $0?.source } == [0, 1] && dn.map { $0?.metres } == [43, 105])
        #expect(drive.distances(from: [pd, qd], to: dTargets[0]) == [43, .infinity])
        #expect(drive.matrix(from: [pd, qd], to: dTargets) == [43, 230, .infinity, 105])
        #expect(drive.nearestSource([qd], to: [dTargets[0]]).map { $0 == nil } == [true])
    }

    @Test func serviceAreasByHand() throws {
        func summary(_ n: StreetNetwork, _ x: Double, _ y: Double, _ r: Double) throws -> [String] {
            n.serviceArea(from: try Self.at(n, x, y), maxMetres: r).map { p in
                "\(n.segments[p.segment].id) \(NumberText.format(p.fromMetres))-\(NumberText.format(p.toMetres))"
            }
        }
        let walk = try Self.network(.walk), drive = try Self.network(.drive)
        // from P (30,10): 90 m left at the snap position; A at 40, B at 80
        #expect(try summary(walk, 30, 10, 100) == ["s0 0-100", "s1 0-20", "s2 0-20"])
        #expect(try summary(drive, 30, 10, 100) == ["s0 0-100", "s1 0-20", "s2 0-20"])
        // from Q (150,−5): driving only forwards to the dead end C
        #expect(try summary(drive, 150, -5, 100) == ["s1 50-100"])
        // on foot both ways: B and C at 55, 45 m left from each
        #expect(try summary(walk, 150, -5, 100) == ["s0 55-100", "s1 0-100", "s2 0-45", "s3 155-200"])
        #expect(try summary(walk, 30, 10, 5).isEmpty)  // the connector alone is longer
        // the cut part's coordinates: s2 from B for 60 m passes its middle vertex
        let cut = walk.serviceArea(from: try Self.at(walk, 100, -20), maxMetres: 80)
        let s2 = try #require(cut.first { walk.segments[$0.segment].id == "s2" })
        #expect(s2.coordinates == [Coordinate(100, 0), Coordinate(100, 50), Coordinate(100, 60)])
    }

    /// The anchors' `D_network[i][j]` = demand i's straight-line snap to its nearest node + the shortest path from
    /// that node to candidate j's node. Placing each source on its snap node and each target on its candidate node,
    /// our snapping and distances must give `D_network − snap_dist_m` (segments drawn straight between the nodes,
    /// with the edge lengths of the file; node identities from the file, since two nodes share a position).
    @Test(arguments: ["helsinki_A_100m", "helsinki_B_50m"])
    func agreesWithTheAnchorsWherePointsStandOnNodes(instance: String) throws {
        let anchors = StreetGraphTests.root.appendingPathComponent("GeoData/anchors")
        let nodes = try StreetGraphTests.csv(anchors.appendingPathComponent("graph/helsinki_walk_nodes.csv").path).dropFirst().map {
            Coordinate(Double($0[2])!, Double($0[3])!)
        }
        let edges = try StreetGraphTests.csv(anchors.appendingPathComponent("graph/helsinki_walk_edges.csv").path).dropFirst()
        let network = try StreetNetwork(edges.enumerated().map { k, e in
            let (u, v) = (Int(e[0])!, Int(e[1])!)
            return NetworkSegment(id: "e\(k)", coordinates: [nodes[u], nodes[v]], lengthMetres: Double(e[2])!, fromKey: "\(u)", toKey: "\(v)")
        }, mode: .walk)
        // positions held by more than one node are ambiguous for any point-snapping rule: left out
        var count: [Coordinate: Int] = [:]
        for n in nodes { count[n, default: 0] += 1 }
        let dir = anchors.appendingPathComponent("instances/\(instance)").path
        let demand = try StreetGraphTests.csv(dir + "/demand.csv")
        let (si, di) = (demand[0].firstIndex(of: "snap_node")!, demand[0].firstIndex(of: "snap_dist_m")!)
        let candidates = try StreetGraphTests.csv(dir + "/candidates.csv")
        let ni = candidates[0].firstIndex(of: "node")!
        let candidateNodes = candidates.dropFirst().map { Int($0[ni])! }
        let reference = try StreetGraphTests.csv(dir + "/D_network.csv.gz")
        let rows = demand.dropFirst().enumerated().filter { count[nodes[Int($0.element[si])!]] == 1 }
        let columns = candidateNodes.enumerated().filter { count[nodes[$0.element]] == 1 }
        let sources = try rows.map { try #require(network.locate(nodes[Int($0.element[si])!])) }
        let targets = try columns.map { try #require(network.locate(nodes[$0.element])) }
        #expect(sources.allSatisfy { $0.connectorMetres == 0 } && targets.allSatisfy { $0.connectorMetres == 0 })
        let matrix = network.matrix(from: sources, to: targets, threads: 2)
        var worst = 0.0, compared = 0
        for (a, row) in rows.enumerated() {
            let snap = Double(row.element[di])!
            for (b, column) in columns.enumerated() {
                let expected = Double(reference[row.offset][column.offset])! - snap
                worst = max(worst, abs(matrix[a * targets.count + b] - expected))
                compared += 1
            }
        }
        #expect(compared > 100_000 && rows.count >= demand.count - 3, "\(compared) pairs, \(rows.count) rows")
        #expect(worst <= 0.0011, "largest difference \(worst) m")  // two values rounded to the mm each
    }
}
