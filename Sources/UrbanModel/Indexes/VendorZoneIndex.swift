public import SpatialCore

/// The vendor zones in id order with their opening hours, and a locator of the zone covering a spot. `table` is
/// shared between workers; the locator is GEOS-backed and belongs to one (`VendorZoneIndex(table:)` builds another's).
/// A spot on the border of two zones is in the one with the smallest id.
public final class VendorZoneIndex {
    public struct Zone: Sendable {
        public var id: String, name: String?
        public var hours: OpeningHours?
        /// The `opening_hours` text as stored.
        public var hoursText: String?
        /// active (trading by its hours), suspended or closed (no trading at any hour); none stored: active.
        public var status: VendorZoneStatus = .active
        /// The number of stalls (摊位数, the layer's `capacity`), when recorded.
        public var stalls: Int?
    }

    public struct Table: Sendable {
        public var zones: [Zone] = []
        public var geometries: [Geometry] = []

        /// Reads the `vendor_zones` layer in id order; hours that do not parse are an error naming the text.
        public init(_ store: any CityStore) throws {
            let columns: [LayerRequest.Field] = [.column("id"), .column("name"), .column("hours"), .column("status"), .column("capacity"), .geometry]
            for r in try store.features(LayerRequest(.vendorZones, columns, order: ["id"])) {
                guard let geometry = try r["g"]?.geometry() else { continue }
                let text = r["hours"]?.string
                let id = r["id"]?.string ?? ""
                var status = VendorZoneStatus.active
                if let s = r["status"]?.string, !s.isEmpty {
                    guard let known = VendorZoneStatus(rawValue: s) else {
                        throw ModelError.invalidArgument(name: "status", reason: "vendor zone \(id): '\(s)' is not one of active, suspended, closed")
                    }
                    status = known
                }
                zones.append(Zone(id: id, name: r["name"]?.string, hours: try text.map { try OpeningHours($0) }, hoursText: text,
                                  status: status, stalls: r["capacity"]?.int))
                geometries.append(geometry)
            }
        }
    }

    public let table: Table
    private let locator: PolygonLocator?

    public convenience init(_ store: any CityStore) throws { try self.init(table: Table(store)) }

    public init(table: Table) throws {
        self.table = table
        locator = table.geometries.isEmpty ? nil : try PolygonLocator(table.geometries, semantics: .covers)
    }

    /// Prepares every polygon for GEOS now (a service does this at start).
    public func preparePolygons() throws { try locator?.preparePolygons() }

    /// The zone covering a lon/lat spot (index into `table.zones`).
    public func locate(_ c: Coordinate) throws -> Int? { try locator?.locate(c) }
}

/// A vendor zone's standing (挂牌管理): `active` zones trade by their hours; `suspended` (暂停) and `closed` (取缔) ones
/// not at all, whatever their hours say.
public enum VendorZoneStatus: String, Sendable, CaseIterable {
    case active, suspended, closed
}
