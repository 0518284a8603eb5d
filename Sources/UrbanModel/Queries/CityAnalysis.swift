public import Foundation
public import SpatialCore

/// What a city's analyses read with — coverage, siting inputs, service areas, audit rules: the store, the city's
/// frame, its street networks and the exclusion buffers around protected POIs. Each analysis reads the layers it
/// needs when it runs; the street networks and the lookup's indexes are kept for later analyses.
/// Not thread-safe (a store connection and a PROJ transform inside): give each worker its own.
public final class CityAnalysis {
    public let store: any CityStore
    public let frame: CityFrame
    public let networks: StreetNetworks
    /// Buffer radius in metres around POIs of each kind where vending is not allowed.
    public let exclusionMetres: [String: Double]
    let forward: CoordinateTransform
    private var indexedLookup: IndexedLookup?

    /// - Parameters:
    ///   - frame: the city's frame, read from `store` when not given.
    ///   - snapping: where points snap on the street networks.
    public init(_ store: any CityStore, frame: CityFrame? = nil, exclusionMetres: [String: Double] = ProtectedPOIIndex.defaultExclusionMetres,
                snapping: StreetNetwork.Snapping = .connected) throws {
        self.store = store
        let frame = try frame ?? CityFrame(store)
        self.frame = frame
        self.exclusionMetres = exclusionMetres
        networks = StreetNetworks(frame: frame, snapping: snapping)
        forward = try frame.forward()
    }

    var metricCRS: CRS { frame.metricCRS }

    /// The rows of one layer (`CityStore.features`).
    func rows(_ layer: UrbanModel.Layer, _ fields: [LayerRequest.Field], where conditions: [LayerRequest.Condition] = [],
              order: [String] = ["pk"]) throws -> [SQLRow] {
        try store.features(LayerRequest(layer, fields, where: conditions, order: order))
    }

    /// The street network of `mode` (`StreetNetworks`).
    public func streetNetwork(_ mode: TravelMode) throws -> StreetNetwork { try networks.network(mode, from: store) }

    /// Where a lon/lat spot meets `network`; throws when the network has no usable segment.
    func networkLocation(_ lonLat: Coordinate, _ network: StreetNetwork) throws -> NetworkLocation {
        try network.location(of: try forward.apply(lonLat))
    }

    /// Who is responsible for each spot: through the store for a few spots (`Lookups.forSpots`), else from the
    /// grid and street indexes (built once, then kept).
    func lookup(_ spots: [Coordinate]) throws -> [LookupResult] {
        guard !spots.isEmpty else { return [] }
        if let indexedLookup { return try indexedLookup.lookup(spots) }
        let lookup = try Lookups.forSpots(spots.count, store: store, frame: frame)
        if let indexed = lookup as? IndexedLookup { indexedLookup = indexed }
        return try lookup.lookup(spots)
    }
}
