public import SpatialCore

/// A station as the queries see it.
public struct StationRecord: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var lonLat: Coordinate
    /// The position in the city's metric CRS.
    public var metric: Coordinate
}

/// The stations (a point on each surface) and an STRtree over their metric positions. `records` are shared between
/// workers; the tree is GEOS-backed and belongs to one (`StationIndex(records:)` builds another's).
public final class StationIndex {
    public let records: [StationRecord]
    private let tree: SpatialIndex?

    /// Reads the `stations` layer (storage order), projected into `frame`'s metric CRS.
    public convenience init(_ store: any CityStore, frame: CityFrame) throws {
        try self.init(records: Self.records(store, frame: frame))
    }

    /// The `stations` layer's records (storage order, a point on each surface) in `frame`'s metric CRS: what
    /// workers share.
    public static func records(_ store: any CityStore, frame: CityFrame) throws -> [StationRecord] {
        let forward = try frame.forward()
        var records: [StationRecord] = []
        for r in try store.features(LayerRequest(.stations, [.column("id"), .column("name"), .pointOnSurface])) {
            guard let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            records.append(StationRecord(id: r["id"]?.string ?? "", name: r["name"]?.string, lonLat: Coordinate(x, y),
                                         metric: try forward.apply(Coordinate(x, y))))
        }
        return records
    }

    public init(records: [StationRecord]) throws {
        self.records = records
        tree = records.isEmpty ? nil : try SpatialIndex(records.map { .point(Point($0.metric)) })
    }

    /// The `k` stations nearest to a metric position (indexes into `records`, ties by storage order).
    public func nearest(to metric: Coordinate, k: Int) throws -> [(index: Int, distance: Double)] {
        guard let tree else { return [] }
        return try tree.nearest(to: .point(Point(metric)), k: k).map { ($0.index, $0.distance) }
    }
}
