import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

extension Bench {
    /// All shortest paths from the 953 candidate nodes of the siting instances over the Helsinki walking graph
    /// (5,262 nodes): the work of scipy's `csgraph.dijkstra(indices=candidates)`. Checksum: the sum of the finite
    /// distances, in metres.
    func networkMatrix() throws {
        let dir = "GeoData/anchors"
        let (graph, _) = try StreetGraph.readAnchorsCSV(nodes: dir + "/graph/helsinki_walk_nodes.csv", edges: dir + "/graph/helsinki_walk_edges.csv")
        let candidates = try String(contentsOfFile: dir + "/instances/helsinki_A_100m/candidates.csv", encoding: .utf8)
            .split(whereSeparator: \.isNewline).dropFirst().map { Int($0.split(separator: ",")[3])! }
        let all = Array(0..<graph.nodeCount)
        for threads in [1, 2] {
            var checksum = 0.0
            let m = measure {
                let d = graph.distanceMatrix(from: candidates, to: all, threads: threads)
                checksum = d.reduce(0) { $1.isFinite ? $0 + $1 : $0 }
            }
            emit("network_matrix", threads == 1 ? "urbangrid Dijkstra (1 thread)" : "urbangrid Dijkstra (2 threads)", m,
                 extra: ["checksum": (checksum * 1000).rounded() / 1000, "sources": candidates.count, "nodes": graph.nodeCount])
        }
    }

    /// The street network of a database's streets layer: building it (read, project, node, index) per mode, and
    /// a network coverage run of stations over grid cells (snapping + one labelled multi-source search + totals).
    func streetNetwork() throws {
        let database = try UrbanDatabase(path: db, readOnly: true)
        for mode in TravelMode.allCases {
            var size = (0, 0)
            let m = try measure {
                let n = try CityAnalysis(database).streetNetwork(mode)
                size = (n.segments.count, n.nodes.count)
            }
            emit("street_network_build", "urbangrid \(mode.rawValue)", m, extra: ["segments": size.0, "nodes": size.1])
        }
        for mode in TravelMode.allCases {
            let q = try CityAnalysis(database)
            _ = try q.streetNetwork(mode)
            _ = try q.coverage(facilities: .stations, demand: .grids, radiusMetres: 500)  // warm the other indexes
            var covered = 0.0
            let m = try measure { covered = try q.coverage(facilities: .stations, demand: .grids, radiusMetres: 500, network: mode).coveredWeight }
            emit("network_coverage", "urbangrid \(mode.rawValue), stations → grids, 500 m", m, extra: ["covered_weight": covered])
        }
    }
}
