public import Foundation
public import SpatialCore

/// The street networks of the city by travel mode, each built from the `streets` layer on first use and kept.
/// Networks are plain values: one `StreetNetworks` is shared by every worker (building is under a lock).
public final class StreetNetworks: @unchecked Sendable {  // `built` only under `lock`
    /// Where points snap (default: the largest connected part; see `StreetNetwork.Snapping`).
    public let snapping: StreetNetwork.Snapping
    public let frame: CityFrame
    private let lock = NSLock()
    private var built: [TravelMode: StreetNetwork] = [:]

    public init(frame: CityFrame, snapping: StreetNetwork.Snapping = .connected) {
        self.frame = frame
        self.snapping = snapping
    }

    /// The network of `mode`, read from `store` the first time: each segment (storage order) in the city's metric CRS
    /// with its `oneway` (the line's own direction: a reversed OSM one-way is turned around at import), `class`,
    /// `drive` and `walk` deciding where it may be used (see `StreetNetwork`).
    public func network(_ mode: TravelMode, from store: any CityStore) throws -> StreetNetwork {
        try lock.withLock {
            if let n = built[mode] { return n }
            let forward = try frame.forward()
            var input: [NetworkSegment] = []
            for r in try store.features(LayerRequest(.streets, ["id", "class", "oneway", "drive", "walk"].map(LayerRequest.Field.column) + [.geometry])) {
                guard let g = try r["g"]?.geometry() else { continue }
                let id = r["id"]?.string ?? ""
                guard case .lineString(let line) = try forward.apply(to: g), line.coordinates.count >= 2 else {
                    throw ModelError.invalidArgument(name: "streets \(id)", reason: "a street segment must be a line string with two or more positions")
                }
                func flag(_ key: String) -> Bool? { r[key]?.int.map { $0 != 0 } }
                input.append(NetworkSegment(id: id, coordinates: line.coordinates, oneway: flag("oneway") ?? false,
                                            travelClass: r["class"]?.string, drive: flag("drive"), walk: flag("walk")))
            }
            let network = try StreetNetwork(input, mode: mode, snapping: snapping)
            built[mode] = network
            return network
        }
    }
}

extension StreetNetwork {
    /// Where a metric position meets the network; throws when the network has no usable segment.
    public func location(of metric: Coordinate) throws -> NetworkLocation {
        guard let l = locate(metric) else {
            throw ModelError.invalidArgument(name: "network", reason: "the streets layer has no segment usable for \(mode.rawValue == "walk" ? "walking" : "driving")")
        }
        return l
    }
}
