import Foundation
import SpatialCore
import UrbanModel

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
}
