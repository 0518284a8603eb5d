public import Foundation
public import SpatialCore

/// A hazard found by a query, with its distance in metres from what was asked about.
public struct HazardHit: Sendable, Hashable {
    public var hazard: HazardRecord
    public var distanceMetres: Double

    public var json: JSONValue {
        let h = hazard
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(h.id), "kind": s(h.kind?.rawValue), "class_code": .string(h.classCode), "class_name": s(h.className),
            "severity": h.severity.map { .int(Int64($0)) } ?? .null,
            "status": .string(h.status), "reported_at": s(h.reportedAt), "resolved_at": s(h.resolvedAt),
            "segment_id": s(h.segmentID), "grid_code": s(h.gridCode),
            "distance_m": .number((distanceMetres * 10).rounded() / 10), "lon": .number(h.lonLat.x), "lat": .number(h.lonLat.y),
        ])
    }

    /// As a GeoJSON Feature (the point, the other members as properties).
    public var feature: Feature {
        var props = json.objectValue ?? [:]
        _ = props.removeValue(forKey: "lon")
        _ = props.removeValue(forKey: "lat")
        _ = props.removeValue(forKey: "id")
        return Feature(id: .string(hazard.id), geometry: .point(Point(hazard.lonLat)), properties: props)
    }
}

/// Where to look for hazards.
public enum HazardArea: Sendable, Hashable {
    /// Within `radiusMetres` of a lon/lat spot; distance to the spot.
    case near(Coordinate, radiusMetres: Double)
    /// Within `bufferMetres` of a street segment; distance to the segment.
    case along(segmentID: String, bufferMetres: Double)
    /// In a grid cell (the cell each hazard was located in, kept current when grids are rebuilt); distance to
    /// the cell's centroid.
    case inGrid(code: String)
}

/// Counts of open hazards per grid cell, street segment or community (`urbangrid hazards hotspots`).
public struct HazardHotspot: Sendable, Hashable {
    public enum Unit: String, Sendable, CaseIterable { case grid, segment, community }
    public var unit: Unit
    public var key: String
    public var openHazards: Int
    /// Per km² for grids and communities (the cells' area), per km for segments (their length).
    public var density: Double?
    public var densityUnit: String

    public var json: JSONValue {
        .object([
            "by": .string(unit.rawValue), "key": .string(key), "open_hazards": .int(Int64(openHazards)),
            "density": density.map { .number(($0 * 1000).rounded() / 1000) } ?? .null, "density_unit": .string(densityUnit),
        ])
    }
}

/// Hazards near a spot, along a segment or in a grid cell, and where open hazards gather (`urbangrid hazards`).
/// Reads the hazards once (`HazardIndex`); a segment or cell asked about is read from the store.
public final class HazardQueries {
    public let hazards: HazardIndex
    public let frame: CityFrame
    private let store: any CityStore
    private let forward: CoordinateTransform

    public convenience init(_ store: any CityStore, frame: CityFrame) throws {
        try self.init(store, hazards: HazardIndex(store, frame: frame), frame: frame)
    }

    public init(_ store: any CityStore, hazards: HazardIndex, frame: CityFrame) throws {
        self.store = store
        self.hazards = hazards
        self.frame = frame
        forward = try frame.forward()
    }

    /// Hazards in the area, nearest first (ties by id), filtered by class code (a prefix: `01` is every manhole
    /// cover class, `0102` sewage covers), kind (component or event: with a class, `0101` of the components is 上水井盖
    /// and not 私搭乱建), status, and a least severity (a `SeverityGrade`: hazards without a severity are left out).
    /// - Throws: `ModelError.invalidArgument` for a bad radius, buffer, class or status, or an unknown segment or
    ///   grid (naming the id).
    public func hazards(in area: HazardArea, classPrefix: String? = nil, kind: CaseWorkflow.Kind? = nil, status: String? = nil,
                        minSeverity: SeverityGrade? = nil) throws -> [HazardHit] {
        if let status, !["open", "resolved"].contains(status) {
            throw ModelError.invalidArgument(name: "status", reason: "'\(status)' is not one of open, resolved")
        }
        if let c = classPrefix, c.isEmpty || !c.allSatisfy(\.isASCII) || !c.allSatisfy(\.isNumber) {
            throw ModelError.invalidArgument(name: "class", reason: "'\(c)' is not a class code (digits, e.g. 01 or 0102)")
        }
        func keep(_ h: HazardRecord) -> Bool {
            (classPrefix.map { h.classCode.hasPrefix($0) } ?? true) && (kind.map { h.kind == $0 } ?? true) && (status.map { h.status == $0 } ?? true)
                && (minSeverity.map { least in h.severity.map { $0 >= least.rawValue } ?? false } ?? true)
        }
        var hits: [HazardHit] = []
        let records = hazards.records
        switch area {
        case .near(let c, let radius):
            try UserInput.checkCoordinate(lon: c.x, lat: c.y, field: "near")
            try UserInput.checkDistance(radius, "radius")
            for h in try hazards.within(radius, of: .point(Point(try forward.apply(c)))) where keep(records[h.index]) {
                hits.append(HazardHit(hazard: records[h.index], distanceMetres: h.distance))
            }
        case .along(let id, let buffer):
            try UserInput.checkDistance(buffer, "buffer")
            guard let row = try store.features(LayerRequest(.streets, [.geometry], where: [.equals("id", .text(id))], order: ["pk"], limit: 1)).first,
                  let line = try row["g"]?.geometry() else {
                throw ModelError.invalidArgument(name: "along", reason: "no street segment with id '\(id)'")
            }
            for h in try hazards.within(buffer, of: try forward.apply(to: line)) where keep(records[h.index]) {
                hits.append(HazardHit(hazard: records[h.index], distanceMetres: h.distance))
            }
        case .inGrid(let code):
            guard let row = try store.features(LayerRequest(.grids, [.geometry], where: [.equals("code", .text(code))], order: ["pk"], limit: 1)).first,
                  let cell = try row["g"]?.geometry() else {
                throw ModelError.invalidArgument(name: "in-grid", reason: "no grid cell with code '\(code)'")
            }
            let centroid = try forward.apply(to: cell).centroid()
            for h in records where h.gridCode == code && keep(h) {
                hits.append(HazardHit(hazard: h, distanceMetres: try centroid.distance(to: .point(Point(h.metric)))))
            }
        }
        return hits.sorted { ($0.distanceMetres, $0.hazard.id) < ($1.distanceMetres, $1.hazard.id) }
    }

    /// Open hazards counted per grid cell, street segment or community, most first (ties by key), the top `n`.
    /// Densities: per km² of the cells (a community's cells together), per km of a segment's length.
    public static func hotspots(_ store: any CityStore, by unit: HazardHotspot.Unit, top n: Int = 10) throws -> [HazardHotspot] {
        guard n > 0 else { throw ModelError.invalidArgument(name: "top", reason: "\(n) is not a positive count") }
        let densityUnit = unit == .segment ? "per km" : "per km²"
        return try store.openHazardCounts(by: unit, top: n).map { r in
            let (count, size) = (r.count, r.size)
            return HazardHotspot(unit: unit, key: r.key, openHazards: count,
                                 density: size.flatMap { $0 > 0 ? Double(count) / $0 : nil }, densityUnit: densityUnit)
        }
    }
}

/// A station found by `StationQueries.nearestStations`.
public struct StationHit: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var lon: Double
    public var lat: Double
    public var distanceMetres: Double
    /// "straight-line" or "network".
    public var distance: String
    /// The travel mode of a network distance (nil for straight-line).
    public var network: TravelMode? = nil

    public var json: JSONValue {
        .object([
            "id": .string(id), "name": name.map(JSONValue.string) ?? .null, "lon": .number(lon), "lat": .number(lat),
            "distance_m": .number((distanceMetres * 10).rounded() / 10), "distance": .string(distance),
            "network": network.map { .string($0.rawValue) } ?? .null,
        ])
    }
}

/// The stations nearest to a spot, straight-line or along the streets (`urbangrid stations nearest`).
public final class StationQueries {
    public let stations: StationIndex
    public let networks: StreetNetworks
    private let store: any CityStore
    private let forward: CoordinateTransform

    public convenience init(_ store: any CityStore, frame: CityFrame, snapping: StreetNetwork.Snapping = .connected) throws {
        try self.init(store, stations: StationIndex(store, frame: frame), networks: StreetNetworks(frame: frame, snapping: snapping))
    }

    public init(_ store: any CityStore, stations: StationIndex, networks: StreetNetworks) throws {
        self.store = store
        self.stations = stations
        self.networks = networks
        forward = try networks.frame.forward()
    }

    /// The `k` stations nearest to the spot by straight-line distance, or with `network` by street-network
    /// distance (`StreetNetwork`: travelled from the station to the spot, which matters for one-way streets when
    /// driving; stations the network does not connect to the spot are left out). Ties by storage order.
    public func nearestStations(lon: Double, lat: Double, k: Int = 1, network mode: TravelMode? = nil) throws -> [StationHit] {
        try UserInput.checkCoordinate(lon: lon, lat: lat)
        guard k > 0 else { throw ModelError.invalidArgument(name: "k", reason: "\(k) is not a positive count") }
        let records = stations.records
        if let mode {
            guard !records.isEmpty else { return [] }
            let network = try networks.network(mode, from: store)
            let spot = try network.location(of: try forward.apply(Coordinate(lon, lat)))
            let sources = try records.map { try network.location(of: $0.metric) }
            let d = network.distances(from: sources, to: spot)
            let order = d.indices.filter { d[$0].isFinite }.sorted { (d[$0], $0) < (d[$1], $1) }
            return order.prefix(k).map { i in
                let s = records[i]
                return StationHit(id: s.id, name: s.name, lon: s.lonLat.x, lat: s.lonLat.y, distanceMetres: d[i], distance: "network", network: mode)
            }
        }
        return try stations.nearest(to: try forward.apply(Coordinate(lon, lat)), k: k).map { hit in
            let s = records[hit.index]
            return StationHit(id: s.id, name: s.name, lon: s.lonLat.x, lat: s.lonLat.y, distanceMetres: hit.distance, distance: "straight-line")
        }
    }
}
