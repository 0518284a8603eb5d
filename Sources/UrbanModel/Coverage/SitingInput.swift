public import SpatialCore

/// A siting instance read from database layers (`urbangrid site DB …`): demand weights, candidate ids and the
/// demand × candidate distance matrix, for the `Siting` models.
public struct SitingInput: Sendable {
    public var demandIDs: [String]
    public var weights: [Double]
    /// The candidates kept (those in no exclusion buffer), then the fixed facilities.
    public var candidateIDs: [String]
    /// Row-major `demandIDs.count × candidateIDs.count`, metres; `.infinity` where the network does not connect
    /// a site to a demand unit (or, bounded by `maxMetres`, farther).
    public var distances: [Double]
    /// Indices (into `candidateIDs`) of the fixed facilities.
    public var fixed: [Int]
    /// Candidates dropped because they lie within the exclusion buffer, with the excluding feature's id.
    public var dropped: [(id: String, near: String)]
    /// "straight-line" or "network".
    public var distance: String
    public var network: TravelMode?
    public var crs: String
}

extension CityAnalysis {
    /// Reads a siting instance from layers, in the city's metric CRS.
    ///
    /// - demand: every feature of `demand`, at its point (a point) or its centroid (lines, polygons: grid cells);
    ///   its weight is `weightField` (a column of the layer or a property kept in `props`), by default the `demand`
    ///   layer's `weight` column and 1 for other layers. A missing, negative or non-numeric weight is an error.
    /// - candidates: every feature of `candidates` at its point (a point on the surface for other geometries),
    ///   except those within `excludeBufferMetres` (straight-line) of a feature of `exclude`.
    /// - fixed: every feature of `fixed` (existing facilities), appended after the candidates and kept open.
    /// - distances: straight-line between the points, or with `network` along the streets from the site to the
    ///   demand unit (`StreetNetwork`), one search per site bounded by `maxMetres`, over `threads` workers.
    /// - only: when given, the candidates are only the features of `candidates` with these ids (those a
    ///   `--candidates-where` condition selected).
    public func sitingInput(demand: UrbanModel.Layer, weightField: String? = nil, candidates: UrbanModel.Layer, only: Set<String>? = nil,
                            fixed: UrbanModel.Layer? = nil, exclude: UrbanModel.Layer? = nil, excludeBufferMetres: Double = 0,
                            network mode: TravelMode? = nil, maxMetres: Double = .infinity, threads: Int = 1) throws -> SitingInput {
        try UserInput.checkDistance(excludeBufferMetres, "exclude-buffer")
        for (name, layer) in [("demand", demand), ("candidates", candidates)] + (fixed.map { [("fixed", $0)] } ?? []) + (exclude.map { [("exclude", $0)] } ?? [])
        where LayerSchema.of(layer).geometry == .none {
            throw ModelError.invalidArgument(name: name, reason: "layer \(layer.rawValue) has no geometry")
        }
        if let fixed, fixed == candidates {
            throw ModelError.invalidArgument(name: "fixed", reason: "the fixed facilities must be another layer than the candidates (\(fixed.rawValue))")
        }
        let (demandIDs, weights, demandPoints) = try sitingDemand(demand, weightField: weightField)
        // sites
        func sites(_ layer: UrbanModel.Layer) throws -> [(id: String, point: Coordinate)] {
            try rows(layer, [.column("id"), .pointOnSurface]).compactMap { r in
                guard let x = r["x"]?.double, let y = r["y"]?.double else { return nil }
                return (r["id"]?.string ?? "", try forward.apply(Coordinate(x, y)))
            }
        }
        var kept = try sites(candidates)
        if let only { kept = kept.filter { only.contains($0.id) } }
        var dropped: [(id: String, near: String)] = []
        if let exclude {
            let zones = try layerGeometries(exclude)
            if !zones.isEmpty {
                let index = try SpatialIndex(try zones.map { try forward.apply(to: $0.geometry) })
                kept = try kept.filter { c in
                    guard let hit = try index.nearest(to: .point(Point(c.point)), maxDistance: excludeBufferMetres).first else { return true }
                    dropped.append((c.id, zones[hit.index].id))
                    return false
                }
            }
        }
        let fixedSites = try fixed.map(sites) ?? []
        let keptIDs = Set(kept.map(\.id))
        if let clash = fixedSites.first(where: { keptIDs.contains($0.id) }) {
            throw ModelError.invalidArgument(name: "fixed", reason: "feature '\(clash.id)' of \(fixed!.rawValue) has the id of a candidate; ids must tell them apart")
        }
        let all = kept + fixedSites
        let n = all.count
        let distances = try sitingDistances(sites: all, demandIDs: demandIDs, demandPoints: demandPoints, network: mode,
                                            maxMetres: maxMetres, threads: threads)
        return SitingInput(demandIDs: demandIDs, weights: weights, candidateIDs: all.map(\.id), distances: distances,
                           fixed: Array(kept.count..<n), dropped: dropped, distance: mode == nil ? "straight-line" : "network",
                           network: mode, crs: metricCRS.definition)
    }

    /// The demand units of a siting instance: ids, weights and metric points (a point, or the centroid of lines and
    /// polygons). The weight is `weightField` (a column or a property kept in `props`), by default the `demand`
    /// layer's `weight` column and 1 for other layers; a missing, negative or non-numeric weight is an error.
    func sitingDemand(_ demand: UrbanModel.Layer, weightField: String?) throws -> (ids: [String], weights: [Double], points: [Coordinate]) {
        let schema = LayerSchema.of(demand)
        let weight: LayerRequest.Field?  // nil: 1 for every unit
        switch weightField {
        case nil: weight = demand == .demand ? .column("weight") : nil
        case let f? where schema.columns.contains(where: { $0.name == f }): weight = .column(f)
        case let f?: weight = .property(f, as: "w")
        }
        var demandIDs: [String] = [], weights: [Double] = [], demandPoints: [Coordinate] = []
        for r in try rows(demand, [.column("id"), .geometry] + (weight.map { [$0] } ?? [])) {
            let id = r["id"]?.string ?? ""
            let value: SQLValue? = switch weight {
            case nil: .real(1)
            case .column(let c)?: r[c]
            default: r["w"]
            }
            guard let w = value?.double, w.isFinite, w >= 0 else {
                throw ModelError.invalidArgument(name: "\(demand.rawValue) \(id)", reason: "weight '\(weightField ?? "weight")' is \(value?.string.map { "'\($0)'" } ?? "missing"): expected a number ≥ 0")
            }
            guard let g = try r["g"]?.geometry() else { continue }
            let metric = try forward.apply(to: g)
            let c: Geometry = if case .point = metric { metric } else { try metric.centroid() }
            guard case .point(let p) = c else {
                throw ModelError.invalidArgument(name: "\(demand.rawValue) \(id)", reason: "has no centroid (empty geometry)")
            }
            demandIDs.append(id)
            weights.append(w)
            demandPoints.append(p.coordinate)
        }
        return (demandIDs, weights, demandPoints)
    }

    /// The demand × sites distance matrix (row-major, metres): straight-line, or along the streets of `mode` from
    /// the site to the demand point (one search per site bounded by `maxMetres`); `.infinity` where not connected or
    /// farther than `maxMetres`.
    func sitingDistances(sites all: [(id: String, point: Coordinate)], demandIDs: [String], demandPoints: [Coordinate],
                         network mode: TravelMode?, maxMetres: Double, threads: Int) throws -> [Double] {
        let n = all.count
        var distances = [Double](repeating: .infinity, count: demandPoints.count * n)
        if let mode {
            let net = try streetNetwork(mode)
            func locate(_ p: Coordinate, _ what: String) throws -> NetworkLocation {
                guard let l = net.locate(p) else {
                    throw ModelError.invalidArgument(name: "network", reason: "the streets layer has no segment usable for \(mode == .walk ? "walking" : "driving") (\(what))")
                }
                return l
            }
            let sources = try all.map { try locate($0.point, "site \($0.id)") }
            let targets = try demandPoints.enumerated().map { try locate($1, "demand \(demandIDs[$0])") }
            let bySite = net.matrix(from: sources, to: targets, maxMetres: maxMetres, threads: threads)
            for j in 0..<n { for i in 0..<targets.count { distances[i * n + j] = bySite[j * targets.count + i] } }
        } else {
            for (i, p) in demandPoints.enumerated() {
                for (j, s) in all.enumerated() {
                    let d = ((p.x - s.point.x) * (p.x - s.point.x) + (p.y - s.point.y) * (p.y - s.point.y)).squareRoot()
                    distances[i * n + j] = d <= maxMetres ? d : .infinity
                }
            }
        }
        return distances
    }
}

/// A chosen site as answers show it: its id, the layer it comes from, its name when the layer has one, and where it
/// is (its point, or a point on its surface; WGS84).
public struct SiteLocation: Sendable, Hashable {
    public var id: String
    public var layer: UrbanModel.Layer
    public var name: String?
    public var lon: Double, lat: Double
    /// An existing facility kept open (`--fixed`), not a new site.
    public var fixed: Bool

    public var json: JSONValue {
        .object(["id": .string(id), "layer": .string(layer.rawValue), "name": name.map(JSONValue.string) ?? .null,
                 "lon": .number(lon), "lat": .number(lat), "fixed": .bool(fixed)])
    }

    public var feature: Feature {
        Feature(id: .string(id), geometry: .point(x: lon, y: lat),
                properties: ["layer": .string(layer.rawValue), "name": name.map(JSONValue.string) ?? .null, "fixed": .bool(fixed)])
    }
}

extension CityAnalysis {
    /// The features with `ids` of `layers` (the first layer holding an id answers), in the order of `ids`; `fixed`
    /// marks the ids of existing facilities.
    public func siteLocations(_ ids: [String], layers: [UrbanModel.Layer], fixed: Set<String> = []) throws -> [SiteLocation] {
        var found: [String: SiteLocation] = [:]
        let wanted = Set(ids)
        for layer in layers {
            let hasName = LayerSchema.of(layer).columns.contains { $0.name == "name" }
            for r in try rows(layer, [.column("id"), .pointOnSurface] + (hasName ? [.column("name")] : [])) {
                guard let id = r["id"]?.string, wanted.contains(id), found[id] == nil, let x = r["x"]?.double, let y = r["y"]?.double else { continue }
                found[id] = SiteLocation(id: id, layer: layer, name: hasName ? r["name"]?.string : nil, lon: x, lat: y, fixed: fixed.contains(id))
            }
        }
        return ids.compactMap { found[$0] }
    }
}
