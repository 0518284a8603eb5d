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
    }

    public struct Table: Sendable {
        public var zones: [Zone] = []
        public var geometries: [Geometry] = []

        /// Reads the `vendor_zones` layer in id order; hours that do not parse are an error naming the text.
        public init(_ store: any CityStore) throws {
            for r in try store.features(LayerRequest(.vendorZones, [.column("id"), .column("name"), .column("hours"), .geometry], order: ["id"])) {
                guard let geometry = try r["g"]?.geometry() else { continue }
                let text = r["hours"]?.string
                zones.append(Zone(id: r["id"]?.string ?? "", name: r["name"]?.string, hours: try text.map { try OpeningHours($0) }, hoursText: text))
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
