import Foundation
import SpatialCore
import UrbanModel

/// What one request needs to answer a query route: the lookup, vendor, hazard and station questions over one store
/// connection. The values read from the store (`SharedLayers`) are shared by every worker of a `QueryPool`; the
/// GEOS-backed locators and trees, the PROJ transforms and the connection are this worker's own. Used by one
/// request at a time (the pool decides).
final class QueryWorker {
    let store: any CityStore
    let frame: CityFrame
    let lookup: IndexedLookup
    let vendor: VendorQueries
    let hazards: HazardQueries
    let stations: StationQueries
    /// Who is on duty and the frontage units (`/lookup`'s responsibility keys).
    let duty: ResponsibilityLookup

    /// This worker's indexes over `shared` (read through `store` by the first worker that needs them).
    init(_ store: any CityStore, shared: SharedLayers) throws {
        let layers = try shared.layers(reading: store)
        self.store = store
        frame = layers.frame
        lookup = try IndexedLookup(grid: GridIndex(table: layers.grid), streets: layers.streets, frame: layers.frame)
        vendor = try VendorQueries(zones: VendorZoneIndex(table: layers.zones), protected: ProtectedPOIIndex(table: layers.protected),
                                   frame: layers.frame, holidays: shared.holidays)
        hazards = try HazardQueries(store, hazards: HazardIndex(records: layers.hazards), frame: layers.frame)
        stations = try StationQueries(store, stations: StationIndex(records: layers.stations), networks: layers.networks)
        duty = ResponsibilityLookup(roster: layers.roster, frontage: try FrontageIndex(layers.frontage))
    }

    /// The lookup JSON of one spot with its responsibility keys at `at` (now when nil), and its warnings.
    func lookupJSON(_ r: LookupRequest) throws -> [UInt8] {
        var out: [UInt8] = []
        let date = try r.at.map { try frame.parseTime($0) }
        try duty.annotate(try lookup.lookup(lon: r.spot.x, lat: r.spot.y), at: date).appendJSON(to: &out, warnings: r.warnings(frame))
        return out
    }

    /// Prepares the polygons and builds both street networks now (a service does this at start, so that no request
    /// pays for it).
    func warmUp() throws {
        try lookup.grid.preparePolygons()
        try vendor.zones.preparePolygons()
        for mode in TravelMode.allCases { _ = try stations.networks.network(mode, from: store) }
    }
}

/// The layers of a city as the query routes read them, read once for all the workers of a pool: plain values, no
/// C handle. The first worker to need them reads them (the others wait for it).
final class SharedLayers: @unchecked Sendable {  // `read` only under `lock`
    struct Layers: Sendable {
        let frame: CityFrame
        let grid: GridIndex.Table
        let streets: StreetIndex
        let zones: VendorZoneIndex.Table
        let protected: ProtectedPOIIndex.Table
        let hazards: [HazardRecord]
        let stations: [StationRecord]
        let networks: StreetNetworks
        let roster: DutyRoster
        let frontage: [FrontageUnit]
    }

    /// The public holidays of vendor zones' and chiefs' `PH` rules.
    let holidays: HolidayCalendar
    private let lock = NSLock()
    private var read: Layers?

    init(holidays: HolidayCalendar) { self.holidays = holidays }

    func layers(reading store: any CityStore) throws -> Layers {
        try lock.withLock {
            if let read { return read }
            let frame = try CityFrame(store)
            let layers = Layers(
                frame: frame, grid: try GridIndex.Table(store), streets: try StreetIndex(store, frame: frame),
                zones: try VendorZoneIndex.Table(store), protected: try ProtectedPOIIndex.Table(store, frame: frame),
                hazards: try HazardIndex.records(store, frame: frame), stations: try StationIndex.records(store, frame: frame),
                networks: StreetNetworks(frame: frame), roster: try DutyRoster(store, holidays: holidays),
                frontage: try (store as? any FrontageStore)?.frontageUnits() ?? [])
            read = layers
            return layers
        }
    }
}
