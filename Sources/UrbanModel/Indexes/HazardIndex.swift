public import SpatialCore

/// A hazard as the queries see it.
public struct HazardRecord: Sendable, Hashable {
    public var id: String
    /// component (部件) or event (事件): the table `classCode` is of; nil when the file gave none and it could not be told.
    public var kind: CaseWorkflow.Kind?
    public var classCode: String
    /// The class's Chinese name from the city's code tables, by (kind, code); nil when either is unknown.
    public var className: String?
    /// A grade of `SeverityGrade` (1–4).
    public var severity: Int?
    public var status: String
    public var reportedAt: String?
    public var resolvedAt: String?
    public var segmentID: String?
    public var gridCode: String?
    public var lonLat: Coordinate
    /// The position in the city's metric CRS.
    public var metric: Coordinate
}

/// The hazards (a point on each surface) and an STRtree over their metric positions. `records` are shared between
/// workers; the tree is GEOS-backed and belongs to one (`HazardIndex(records:)` builds another's).
public final class HazardIndex {
    public let records: [HazardRecord]
    private let tree: SpatialIndex?

    /// Reads the `hazards` layer (storage order), projected into `frame`'s metric CRS.
    public convenience init(_ store: any CityStore, frame: CityFrame) throws {
        try self.init(records: Self.records(store, frame: frame))
    }

    /// The `hazards` layer's records (storage order), projected into `frame`'s metric CRS: what workers share.
    public static func records(_ store: any CityStore, frame: CityFrame) throws -> [HazardRecord] {
        let forward = try frame.forward()
        let columns = ["id", "kind", "class_code", "severity", "status", "reported_at", "resolved_at", "segment_id", "grid_code"]
        let catalog = try store.classCatalog()
        var records: [HazardRecord] = []
        for r in try store.features(LayerRequest(.hazards, columns.map(LayerRequest.Field.column) + [.pointOnSurface])) {
            guard let x = r["x"]?.double, let y = r["y"]?.double else { continue }
            let lonLat = Coordinate(x, y)
            let kind = r["kind"]?.string.flatMap(CaseWorkflow.Kind.init(rawValue:)), code = r["class_code"]?.string ?? ""
            records.append(HazardRecord(
                id: r["id"]?.string ?? "", kind: kind, classCode: code, className: kind.flatMap { catalog.name(kind: $0, code: code) },
                severity: r["severity"]?.int,
                status: r["status"]?.string ?? "", reportedAt: r["reported_at"]?.string, resolvedAt: r["resolved_at"]?.string,
                segmentID: r["segment_id"]?.string, gridCode: r["grid_code"]?.string, lonLat: lonLat,
                metric: try forward.apply(lonLat)))
        }
        return records
    }

    public init(records: [HazardRecord]) throws {
        self.records = records
        tree = records.isEmpty ? nil : try SpatialIndex(records.map { .point(Point($0.metric)) })
    }

    /// Hazards within `maxDistance` metres of a metric geometry, nearest first (indexes into `records`).
    public func within(_ maxDistance: Double, of metric: Geometry) throws -> [(index: Int, distance: Double)] {
        guard let tree else { return [] }
        return try tree.nearest(to: metric, maxDistance: maxDistance).map { ($0.index, $0.distance) }
    }
}
