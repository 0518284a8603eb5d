public import SpatialCore

extension CityQueries {
    /// The street network of `mode` built from the `streets` layer (in storage order) in the city's metric CRS
    /// (`metricCRS`), kept for later questions. Each segment's `oneway` (the line's own direction: a reversed OSM
    /// one-way is turned around at import), `class`, `drive` and `walk` decide where it may be used
    /// (see `StreetNetwork`); points snap as `networkSnapping` says.
    public func streetNetwork(_ mode: TravelMode) throws -> StreetNetwork {
        if let n = networkCache[mode] { return n }
        var input: [NetworkSegment] = []
        for r in try rows(.streets, ["id", "class", "oneway", "drive", "walk"].map(LayerRequest.Field.column) + [.geometry]) {
            guard let g = try r["g"]?.geometry() else { continue }
            let id = r["id"]?.string ?? ""
            guard case .lineString(let line) = try forward.apply(to: g), line.coordinates.count >= 2 else {
                throw ModelError.invalidArgument(name: "streets \(id)", reason: "a street segment must be a line string with two or more positions")
            }
            func flag(_ key: String) -> Bool? { r[key]?.int.map { $0 != 0 } }
            input.append(NetworkSegment(id: id, coordinates: line.coordinates, oneway: flag("oneway") ?? false,
                                        travelClass: r["class"]?.string, drive: flag("drive"), walk: flag("walk")))
        }
        let network = try StreetNetwork(input, mode: mode, snapping: networkSnapping)
        networkCache[mode] = network
        return network
    }

    /// Where a lon/lat spot meets the network of `mode`; throws when the network has no usable segment.
    func networkLocation(_ lonLat: Coordinate, _ network: StreetNetwork) throws -> NetworkLocation {
        guard let l = network.locate(try forward.apply(lonLat)) else {
            throw ModelError.invalidArgument(name: "network", reason: "the streets layer has no segment usable for \(network.mode.rawValue == "walk" ? "walking" : "driving")")
        }
        return l
    }
}
