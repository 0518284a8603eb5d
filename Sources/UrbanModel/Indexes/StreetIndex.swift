public import SpatialCore

/// The street segments in the city's metric CRS and the nearest segment to a point (GEOS's distance formula,
/// without a GEOS call per point). Plain values: one index is shared by every worker.
public final class StreetIndex: Sendable {
    public let ids: [String]
    public let indexByID: [String: Int]
    /// Each segment in the metric CRS (storage order).
    public let metric: [Geometry]
    private let nearest: NearestLineLocator

    /// Reads the `streets` layer (storage order) and projects it into `frame`'s metric CRS.
    public init(_ store: any CityStore, frame: CityFrame) throws {
        let forward = try frame.forward()
        var ids: [String] = [], metric: [Geometry] = []
        for r in try store.features(LayerRequest(.streets, [.column("id"), .geometry])) {
            guard let geometry = try r["g"]?.geometry() else { continue }
            ids.append(r["id"]?.string ?? "")
            metric.append(try forward.apply(to: geometry))
        }
        self.ids = ids
        self.metric = metric
        indexByID = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        nearest = NearestLineLocator(metric)
    }

    /// The nearest segment (index into `ids`) to a metric position and the distance to it in metres; ties to the
    /// first in storage order.
    public func nearestIndex(to metric: Coordinate) -> (index: Int, distance: Double)? {
        nearest.nearest(metric).map { ($0.index, $0.distance) }
    }

    /// The nearest segment's id and the distance to it in metres.
    public func nearestSegment(to metric: Coordinate) -> (id: String, distance: Double)? {
        nearest.nearest(metric).map { (ids[$0.index], $0.distance) }
    }
}
