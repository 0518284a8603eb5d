public import SpatialCore

/// POIs around which vending is not allowed (schools, kindergartens, hospitals by default) with the buffer in
/// metres of each kind, and an STRtree over their metric positions. `table` is shared between workers; the tree is
/// GEOS-backed and belongs to one (`ProtectedPOIIndex(table:)` builds another's).
public final class ProtectedPOIIndex {
    /// The POI kinds with a default exclusion buffer (metres) around them: schools, kindergartens, hospitals.
    public static let defaultExclusionMetres: [String: Double] = ["school": 100, "kindergarten": 100, "hospital": 100]

    public struct POI: Sendable, Hashable {
        public var id: String, name: String?, kind: String
        /// The position in the city's metric CRS.
        public var metric: Coordinate
    }

    public struct Table: Sendable {
        /// Buffer radius in metres around POIs of each kind.
        public let exclusionMetres: [String: Double]
        public let pois: [POI]

        /// Reads the `pois` layer's POIs of the kinds of `exclusionMetres` (storage order, a point on each surface).
        public init(_ store: any CityStore, frame: CityFrame, exclusionMetres: [String: Double] = ProtectedPOIIndex.defaultExclusionMetres) throws {
            self.exclusionMetres = exclusionMetres
            let kinds = exclusionMetres.keys.sorted()
            var pois: [POI] = []
            if !kinds.isEmpty {
                let forward = try frame.forward()
                for r in try store.features(LayerRequest(.pois, [.column("id"), .column("name"), .column("kind"), .pointOnSurface], where: [.isIn("kind", kinds)])) {
                    guard let kind = r["kind"]?.string, let x = r["x"]?.double, let y = r["y"]?.double else { continue }
                    pois.append(POI(id: r["id"]?.string ?? "", name: r["name"]?.string, kind: kind, metric: try forward.apply(Coordinate(x, y))))
                }
            }
            self.pois = pois
        }
    }

    /// The protected POI nearest to a spot among those whose buffer holds it.
    public struct Hit: Sendable, Hashable {
        public var id: String, name: String?, kind: String
        public var distance: Double
        public var buffer: Double
    }

    public let table: Table
    private let tree: SpatialIndex?

    public convenience init(_ store: any CityStore, frame: CityFrame, exclusionMetres: [String: Double] = ProtectedPOIIndex.defaultExclusionMetres) throws {
        try self.init(table: Table(store, frame: frame, exclusionMetres: exclusionMetres))
    }

    public init(table: Table) throws {
        self.table = table
        tree = table.pois.isEmpty ? nil : try SpatialIndex(table.pois.map { .point(Point($0.metric)) })
    }

    /// The nearest protected POI whose buffer holds the metric point.
    public func nearestHolding(_ p: Point) throws -> Hit? {
        guard let tree, let widest = table.exclusionMetres.values.max() else { return nil }
        var best: Hit?
        for hit in try tree.nearest(to: .point(p), k: 64, maxDistance: widest) {
            let poi = table.pois[hit.index]
            guard let buffer = table.exclusionMetres[poi.kind], hit.distance <= buffer else { continue }
            if best == nil || hit.distance < best!.distance { best = Hit(id: poi.id, name: poi.name, kind: poi.kind, distance: hit.distance, buffer: buffer) }
        }
        return best
    }
}
