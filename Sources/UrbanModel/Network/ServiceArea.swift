public import SpatialCore

/// How the area polygon of a service area is drawn around the reachable streets.
public enum ServiceAreaShape: Sendable, Hashable {
    /// GEOS buffer of the reachable lines by this many metres (round caps and joins, 8 segments per quarter circle).
    case buffer(metres: Double)
    /// GEOS concave hull (`GEOSConcaveHull_r`) of the reachable lines' vertices with this ratio (1 = convex hull).
    case concaveHull(ratio: Double)

    public var description: String {
        switch self {
        case .buffer(let m): "buffer of the reachable streets by \(NumberText.format(m)) m"
        case .concaveHull(let r): "concave hull (ratio \(NumberText.format(r))) of the reachable streets"
        }
    }
}

/// The streets reachable from a spot within a network distance, and an area around them (`urbangrid service-area`).
public struct ServiceArea: Sendable {
    public struct Part: Sendable, Hashable {
        public var segmentID: String
        /// Metres along the segment (from its first position) where the reachable piece starts and ends.
        public var fromMetres: Double
        public var toMetres: Double
        /// The whole segment is reachable.
        public var complete: Bool
        /// WGS84 lon/lat.
        public var line: LineString
        public var lengthMetres: Double { toMetres - fromMetres }
    }

    public var lon: Double
    public var lat: Double
    public var network: TravelMode
    public var radiusMetres: Double
    /// Where the spot meets the network: segment, its position (lon/lat) and the connector's length.
    public var snapSegmentID: String
    public var snapPosition: Coordinate
    public var connectorMetres: Double
    public var parts: [Part]
    /// The area around the reachable streets (WGS84), nil when nothing is reachable.
    public var area: Geometry?
    public var areaSquareMetres: Double
    public var shape: ServiceAreaShape
    public var crs: String

    public var reachedMetres: Double { parts.reduce(0) { $0 + $1.lengthMetres } }

    static func round3(_ v: Double) -> JSONValue { .number((v * 1000).rounded() / 1000) }

    /// The summary and the parts without geometry.
    public var json: JSONValue {
        .object([
            "lon": .number(lon), "lat": .number(lat), "network": .string(network.rawValue), "radius_m": .number(radiusMetres),
            "snap_segment_id": .string(snapSegmentID), "snap_lon": .number(snapPosition.x), "snap_lat": .number(snapPosition.y),
            "connector_m": Self.round3(connectorMetres), "reached_length_m": Self.round3(reachedMetres),
            "parts_count": .int(Int64(parts.count)), "area_m2": .number(areaSquareMetres.rounded()),
            "area_method": .string(shape.description), "crs": .string(crs),
            "parts": .array(parts.map { p in
                .object(["segment_id": .string(p.segmentID), "from_m": Self.round3(p.fromMetres), "to_m": Self.round3(p.toMetres),
                         "length_m": Self.round3(p.lengthMetres), "complete": .bool(p.complete)])
            }),
        ])
    }

    /// RFC 7946 features: one LineString per reachable part (`kind` "street"), the area polygon (`kind` "area"),
    /// and the spot (`kind` "origin").
    public var featureCollection: FeatureCollection {
        var features: [Feature] = parts.enumerated().map { k, p in
            Feature(id: .int(Int64(k + 1)), geometry: .lineString(p.line), properties: [
                "kind": .string("street"), "segment_id": .string(p.segmentID), "from_m": Self.round3(p.fromMetres),
                "to_m": Self.round3(p.toMetres), "length_m": Self.round3(p.lengthMetres), "complete": .bool(p.complete),
            ])
        }
        if let area {
            features.append(Feature(id: .string("area"), geometry: area, properties: [
                "kind": .string("area"), "area_m2": .number(areaSquareMetres.rounded()), "method": .string(shape.description),
                "network": .string(network.rawValue), "radius_m": .number(radiusMetres),
            ]))
        }
        features.append(Feature(id: .string("origin"), geometry: .point(x: lon, y: lat), properties: [
            "kind": .string("origin"), "snap_segment_id": .string(snapSegmentID), "connector_m": Self.round3(connectorMetres),
        ]))
        return FeatureCollection(features)
    }
}

extension CityAnalysis {
    /// The streets reachable from a spot within `radiusMetres` of network distance (`StreetNetwork.serviceArea`:
    /// the spot's connector to its snap position counts, segments are cut at the exact remaining distance) and an
    /// area around them.
    public func serviceArea(lon: Double, lat: Double, radiusMetres: Double, network mode: TravelMode,
                            shape: ServiceAreaShape = .buffer(metres: 25)) throws -> ServiceArea {
        try UserInput.checkCoordinate(lon: lon, lat: lat)
        try UserInput.checkDistance(radiusMetres, "radius")
        switch shape {
        case .buffer(let m): try UserInput.checkDistance(m, "area buffer")
        case .concaveHull(let r):
            guard r.isFinite, (0...1).contains(r) else { throw ModelError.invalidArgument(name: "hull ratio", reason: "\(r) is not in 0…1") }
        }
        let network = try streetNetwork(mode)
        let spot = try networkLocation(Coordinate(lon, lat), network)
        let reached = network.serviceArea(from: spot, maxMetres: radiusMetres)
        let inverse = try frame.inverse()
        var parts: [ServiceArea.Part] = []
        var metricLines: [LineString] = []
        for r in reached {
            let s = network.segments[r.segment]
            let metric = try LineString(r.coordinates)
            metricLines.append(metric)
            guard case .lineString(let lonLat) = try inverse.apply(to: .lineString(metric)) else { continue }
            parts.append(.init(segmentID: s.id, fromMetres: r.fromMetres, toMetres: r.toMetres,
                               complete: r.fromMetres == 0 && r.toMetres == s.lengthMetres, line: lonLat))
        }
        var area: Geometry?, areaM2 = 0.0
        if !metricLines.isEmpty {
            let lines = Geometry.multiLineString(MultiLineString(metricLines))
            let polygon: Geometry = switch shape {
            case .buffer(let m): try lines.buffered(by: m)
            case .concaveHull(let r): try lines.concaveHull(ratio: r)
            }
            areaM2 = try polygon.area()
            area = try inverse.apply(to: polygon)
        }
        return ServiceArea(lon: lon, lat: lat, network: mode, radiusMetres: radiusMetres, snapSegmentID: network.segments[spot.segment].id,
                           snapPosition: try inverse.apply(spot.position), connectorMetres: spot.connectorMetres, parts: parts,
                           area: area, areaSquareMetres: areaM2, shape: shape, crs: metricCRS.definition)
    }
}
