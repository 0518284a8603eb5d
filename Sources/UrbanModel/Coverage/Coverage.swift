public import SpatialCore

/// One demand unit's coverage: its nearest facility and the straight-line distance to it.
public struct CoverageUnit: Sendable, Hashable {
    public var id: String
    public var weight: Double
    /// Where the unit lies (from the grid, or the admin communities outside every grid).
    public var communityCode: String?
    public var streetCode: String?
    public var facilityID: String?
    public var distanceMetres: Double?
    public var covered: Bool

    public var json: JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(id), "weight": .number(weight), "community_code": s(communityCode), "street_code": s(streetCode),
            "facility_id": s(facilityID), "distance_m": distanceMetres.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
            "covered": .bool(covered),
        ])
    }
}

/// Coverage of a demand layer by a facility layer within a radius (`urbangrid coverage`).
public struct CoverageReport: Sendable {
    public struct Total: Sendable, Hashable {
        public var key: String
        public var units: Int
        public var coveredWeight: Double
        public var totalWeight: Double
        public var coveragePercent: Double { totalWeight > 0 ? 100 * coveredWeight / totalWeight : 100 }
    }

    public var facilities: UrbanModel.Layer
    public var demand: UrbanModel.Layer
    public var radiusMetres: Double
    public var measure: CoverageMeasure
    /// "straight-line" or "network".
    public var distance: String
    /// The travel mode of network distances (nil for straight-line).
    public var network: TravelMode? = nil
    public var crs: String
    public var units: [CoverageUnit]

    public var coveredWeight: Double { units.filter(\.covered).reduce(0) { $0 + $1.weight } }
    public var totalWeight: Double { units.reduce(0) { $0 + $1.weight } }
    public var coveragePercent: Double { totalWeight > 0 ? 100 * coveredWeight / totalWeight : 100 }
    public var uncovered: [CoverageUnit] { units.filter { !$0.covered } }

    /// Totals per community or per street (units outside every community under the key "").
    public func totals(by street: Bool) -> [Total] {
        var t: [String: Total] = [:]
        for u in units {
            let key = (street ? u.streetCode : u.communityCode) ?? ""
            var x = t[key] ?? Total(key: key, units: 0, coveredWeight: 0, totalWeight: 0)
            x.units += 1
            x.totalWeight += u.weight
            if u.covered { x.coveredWeight += u.weight }
            t[key] = x
        }
        return t.values.sorted { $0.key < $1.key }
    }

    public var json: JSONValue {
        func totals(_ street: Bool) -> JSONValue {
            .array(self.totals(by: street).map { t in
                .object(["code": .string(t.key), "units": .int(Int64(t.units)), "covered_weight": .number(t.coveredWeight),
                         "total_weight": .number(t.totalWeight), "coverage_pct": .number((t.coveragePercent * 100).rounded() / 100)])
            })
        }
        return .object([
            "facilities": .string(facilities.rawValue), "demand": .string(demand.rawValue), "radius_m": .number(radiusMetres),
            "measure": .string(measure.rawValue), "distance": .string(distance),
            "network": network.map { .string($0.rawValue) } ?? .null, "crs": .string(crs),
            "covered_weight": .number(coveredWeight), "total_weight": .number(totalWeight),
            "coverage_pct": .number((coveragePercent * 100).rounded() / 100),
            "by_community": totals(false), "by_street": totals(true), "units": .array(units.map(\.json)),
        ])
    }
}

extension CityAnalysis {
    /// Each unit of `demand` with its nearest unit of `facilities` (straight-line, in the city's metric CRS) and
    /// whether it lies within `radiusMetres`. A unit is measured at its centroid (a point at itself), or with
    /// `.boundary` at its nearest point; its weight is the `demand` layer's `weight` column, 1 for other layers.
    /// Its community and street come from the grid cell (or admin community) that covers its representative point.
    ///
    /// With `network`, distances are street-network distances of that mode (`StreetNetwork`) from the facility
    /// (its point, or a point on its surface) to the unit's centroid, travelled from the facility to the unit;
    /// one multi-source search labelled by facility finds every unit's nearest facility. Units the network does
    /// not connect to any facility have none (not covered). `.boundary` is straight-line only.
    /// `only`: when given, the facilities are only the features of `facilities` with these ids (those a
    /// `--facilities-where` condition selected).
    public func coverage(facilities: UrbanModel.Layer, demand: UrbanModel.Layer, radiusMetres: Double,
                         measure: CoverageMeasure = .centroid, network mode: TravelMode? = nil, only: Set<String>? = nil) throws -> CoverageReport {
        try UserInput.checkDistance(radiusMetres, "radius")
        if mode != nil, measure == .boundary {
            throw ModelError.invalidArgument(name: "measure", reason: "boundary distances are straight-line only; network distances are measured to the centroid")
        }
        for (name, layer) in [("facilities", facilities), ("demand", demand)] where LayerSchema.of(layer).geometry == .none {
            throw ModelError.invalidArgument(name: name, reason: "layer \(layer.rawValue) has no geometry")
        }
        func units(_ layer: UrbanModel.Layer, weight: Bool) throws -> [(id: String, weight: Double, geometry: Geometry, point: Coordinate)] {
            let weighted = weight && layer == .demand
            return try self.rows(layer, [.column("id"), .geometry, .pointOnSurface] + (weighted ? [.column("weight")] : [])).compactMap { r in
                guard let g = try r["g"]?.geometry(), let px = r["x"]?.double, let py = r["y"]?.double else { return nil }
                return (r["id"]?.string ?? "", weighted ? r["weight"]?.double ?? 1 : 1, g, Coordinate(px, py))
            }
        }
        let facilityRows = try units(facilities, weight: false).filter { only?.contains($0.id) ?? true }
        let demandRows = try units(demand, weight: true)
        let places = try lookup(demandRows.map(\.point))
        if let mode {
            let network = try streetNetwork(mode)
            let sources = try facilityRows.map { try networkLocation($0.point, network) }
            let targets = try demandRows.map { d -> NetworkLocation in
                let metric = try forward.apply(to: d.geometry)
                let c: Geometry = if case .point = metric { metric } else { try metric.centroid() }
                guard case .point(let p) = c, let l = network.locate(p.coordinate) else {
                    throw ModelError.invalidArgument(name: "demand \(d.id)", reason: "has no centroid to measure from")
                }
                return l
            }
            let nearest = sources.isEmpty ? targets.map { _ in nil } : network.nearestSource(sources, to: targets)
            let units = demandRows.enumerated().map { k, d in
                CoverageUnit(id: d.id, weight: d.weight, communityCode: places[k].communityCode, streetCode: places[k].streetCode,
                             facilityID: nearest[k].map { facilityRows[$0.source].id }, distanceMetres: nearest[k]?.metres,
                             covered: nearest[k].map { $0.metres <= radiusMetres } ?? false)
            }
            return CoverageReport(facilities: facilities, demand: demand, radiusMetres: radiusMetres, measure: measure,
                                  distance: "network", network: mode, crs: metricCRS.definition, units: units)
        }
        let index = facilityRows.isEmpty ? nil : try SpatialIndex(facilityRows.map { try forward.apply(to: $0.geometry) })
        var units: [CoverageUnit] = []
        units.reserveCapacity(demandRows.count)
        for (k, d) in demandRows.enumerated() {
            let metric = try forward.apply(to: d.geometry)
            let target: Geometry = switch measure {
            case .centroid: if case .point = metric { metric } else { try metric.centroid() }
            case .boundary: metric
            }
            var u = CoverageUnit(id: d.id, weight: d.weight, communityCode: places[k].communityCode, streetCode: places[k].streetCode,
                                 facilityID: nil, distanceMetres: nil, covered: false)
            if let index, let hit = try index.nearest(to: target).first {
                u.facilityID = facilityRows[hit.index].id
                u.distanceMetres = hit.distance
                u.covered = hit.distance <= radiusMetres
            }
            units.append(u)
        }
        return CoverageReport(facilities: facilities, demand: demand, radiusMetres: radiusMetres, measure: measure,
                              distance: "straight-line", crs: metricCRS.definition, units: units)
    }
}
