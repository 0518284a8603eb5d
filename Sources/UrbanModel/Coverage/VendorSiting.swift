public import SpatialCore

/// Which streets (街道, the admin unit) must get at least one new vendor zone (`urbangrid vendor site
/// --require-per-street`).
public enum StreetRequirement: String, Sendable, CaseIterable {
    /// Every street that has candidates.
    case all
    /// Every street that has candidates and no existing vendor zone (the default).
    case uncovered
    /// No street: plain MCLP.
    case none
}

/// A candidate vendor-zone site on a street segment.
public struct VendorCandidate: Sendable, Hashable {
    /// `SEGMENT/k`: the k-th point (from 1) along the segment.
    public var id: String
    public var segmentID: String
    /// Metres along the segment from its first position.
    public var offsetMetres: Double
    /// The street (9-digit code) it lies in, from the grid cell or admin community (nil outside every one).
    public var streetCode: String?
    public var lonLat: Coordinate
    /// In the city's metric CRS.
    public var metric: Coordinate
}

/// The options of vendor-zone candidate generation.
public struct VendorSitingOptions: Sendable {
    /// Distance in metres between candidates along a segment.
    public var spacingMetres: Double = 50
    /// OSM `highway` classes (the streets' `class`) that get no candidates: main roads.
    public var excludedClasses: Set<String> = VendorSitingOptions.mainRoadClasses
    /// Candidates within this many metres of an existing vendor zone are dropped (nil: none is).
    public var minDistanceToZoneMetres: Double?
    public var requirement: StreetRequirement = .uncovered
    /// Measure the existing vendor zones too (at a point on each one's surface), as sites that are already open:
    /// demand they cover is not counted again for a new site.
    public var countExistingZones = false
    /// The most demand × site pairs the (dense) distance matrix may have: 10⁸ pairs are 800 MB.
    public var maxPairs = 100_000_000

    /// motorway, trunk, primary and their links.
    public static let mainRoadClasses: Set<String> = ["motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"]

    public init() {}
}

/// The instance of vendor-zone siting (`urbangrid vendor site`): demand, the candidates generated along the
/// streets, the distance matrix, and the streets that must get a site.
public struct VendorSitingInput: Sendable {
    public var demandIDs: [String]
    public var weights: [Double]
    public var candidates: [VendorCandidate]
    /// Existing vendor zones measured as open sites (`countExistingZones`; else empty): id and a point on the zone's
    /// surface (WGS84).
    public var existingZones: [(id: String, lonLat: Coordinate)]
    /// Row-major `demandIDs.count × (candidates.count + existingZones.count)`: the candidates' columns, then the
    /// existing zones'; metres, `.infinity` where the network does not connect the pair or (bounded by `maxMetres`)
    /// farther.
    public var distances: [Double]
    /// Segments without candidates because of their class: (segment id, class).
    public var mainRoadSegments: [(id: String, travelClass: String)]
    /// Candidates dropped: (candidate id, why: "school 'X' 38.2 m" or "vendor zone 'Z' 12.0 m").
    public var dropped: [(id: String, reason: String)]
    /// Streets with an existing vendor zone (the street of a point on the zone's surface), sorted.
    public var streetsWithZones: [String]
    /// Streets that must get at least one site, sorted; each has candidates.
    public var requiredStreets: [String]
    /// "straight-line" or "network".
    public var distance: String
    public var network: TravelMode?
    public var crs: String

    /// Candidate indices by required street, in `requiredStreets` order.
    public var candidatesByRequiredStreet: [[Int]] {
        var at: [String: Int] = [:]
        for (k, s) in requiredStreets.enumerated() { at[s] = k }
        var out = [[Int]](repeating: [], count: requiredStreets.count)
        for (j, c) in candidates.enumerated() { if let s = c.streetCode, let k = at[s] { out[k].append(j) } }
        return out
    }
}

extension CityAnalysis {
    /// Candidate vendor-zone sites along the `streets` layer and the demand around them, for MCLP with one site per
    /// street.
    ///
    /// - candidates: on each segment not of an excluded class (`options.excludedClasses`, the `class` column, OSM
    ///   `highway`), of planar length L in the city's metric CRS, n = max(1, ⌊L / spacing⌋) points at the middles of
    ///   n equal pieces, (k + ½)·L/n from the first position (GEOS interpolation): at least `spacing` apart, never
    ///   on a junction. A candidate within the exclusion buffer of a protected POI (`exclusionMetres` by kind, as
    ///   `vendorCheck`) or within `minDistanceToZoneMetres` of a vendor zone is dropped. Its street is the one
    ///   `lookup` gives (grid cell, else admin community), else the admin street polygon that covers it.
    /// - demand: as `sitingInput` (points or centroids, `weightField`).
    /// - distances: straight-line, or along the streets of `network` from the candidate (`sitingDistances`); with
    ///   `countExistingZones` also from a point on each existing vendor zone's surface (extra columns).
    /// - required streets: `options.requirement` over the streets that have candidates.
    public func vendorSitingInput(demand: UrbanModel.Layer, weightField: String? = nil, options: VendorSitingOptions = VendorSitingOptions(),
                                  network mode: TravelMode? = .walk, maxMetres: Double = .infinity, threads: Int = 1) throws -> VendorSitingInput {
        guard options.spacingMetres.isFinite, options.spacingMetres > 0 else {
            throw ModelError.invalidArgument(name: "spacing", reason: "\(options.spacingMetres) is not a distance in metres (> 0)")
        }
        if let m = options.minDistanceToZoneMetres { try UserInput.checkDistance(m, "min-distance-to-zone") }
        if LayerSchema.of(demand).geometry == .none {
            throw ModelError.invalidArgument(name: "demand", reason: "layer \(demand.rawValue) has no geometry")
        }
        let (demandIDs, weights, demandPoints) = try sitingDemand(demand, weightField: weightField)
        let inverse = try frame.inverse()

        // candidates along the segments
        var candidates: [VendorCandidate] = []
        var mainRoads: [(id: String, travelClass: String)] = []
        for r in try rows(.streets, [.column("id"), .column("class"), .geometry]) {
            guard let g = try r["g"]?.geometry() else { continue }
            let id = r["id"]?.string ?? ""
            if let c = r["class"]?.string, options.excludedClasses.contains(c) {
                mainRoads.append((id, c))
                continue
            }
            let line = try forward.apply(to: g)
            let length = try line.length()
            guard length > 0 else { continue }
            let n = max(1, Int((length / options.spacingMetres).rounded(.down)))
            for k in 0..<n {
                let offset = (Double(k) + 0.5) * length / Double(n)
                guard case .point(let p) = try line.interpolate(distance: offset) else { continue }
                candidates.append(VendorCandidate(id: "\(id)/\(k + 1)", segmentID: id, offsetMetres: offset, streetCode: nil,
                                                  lonLat: try inverse.apply(p.coordinate), metric: p.coordinate))
            }
        }

        // exclusion buffers around protected POIs, distance to existing zones
        var dropped: [(id: String, reason: String)] = []
        let zones = try VendorZoneIndex.Table(store)
        let zoneIndex = zones.geometries.isEmpty ? nil : try SpatialIndex(try zones.geometries.map { try forward.apply(to: $0) })
        let protected = try ProtectedPOIIndex(store, frame: frame, exclusionMetres: exclusionMetres)
        candidates = try candidates.filter { c in
            if let hit = try protected.nearestHolding(Point(c.metric)) {
                dropped.append((c.id, "\(hit.kind) '\(hit.name ?? hit.id)' \(NumberText.format(hit.distance, precision: 1)) m (buffer \(NumberText.format(hit.buffer)) m)"))
                return false
            }
            if let m = options.minDistanceToZoneMetres, let zoneIndex, let hit = try zoneIndex.nearest(to: .point(Point(c.metric)), maxDistance: m).first {
                dropped.append((c.id, "vendor zone '\(zones.zones[hit.index].id)' \(NumberText.format(hit.distance, precision: 1)) m"))
                return false
            }
            return true
        }

        // streets of candidates and of existing zones
        let streets = try streetCodes(of: candidates.map(\.lonLat))
        for k in candidates.indices { candidates[k].streetCode = streets[k] }
        var zonePoints: [Coordinate] = [], zoneIDs: [String] = []
        for r in try rows(.vendorZones, [.column("id"), .pointOnSurface], order: ["id"]) {
            if let x = r["x"]?.double, let y = r["y"]?.double {
                zonePoints.append(Coordinate(x, y))
                zoneIDs.append(r["id"]?.string ?? "")
            }
        }
        let streetsWithZones = Set(try streetCodes(of: zonePoints).compactMap { $0 })
        let withCandidates = Set(candidates.compactMap(\.streetCode))
        let required: Set<String> = switch options.requirement {
        case .all: withCandidates
        case .uncovered: withCandidates.subtracting(streetsWithZones)
        case .none: []
        }

        let pairs = demandIDs.count * (candidates.count + (options.countExistingZones ? zoneIDs.count : 0))
        guard pairs <= options.maxPairs else {
            throw ModelError.invalidArgument(
                name: "spacing",
                reason: "\(demandIDs.count) demand units × \(candidates.count) candidates are \(pairs) pairs, more than the \(options.maxPairs) a distance matrix may hold here (8 bytes each): use a larger spacing or coarser demand")
        }
        let existing = options.countExistingZones ? Array(zip(zoneIDs, zonePoints)).map { (id: $0, lonLat: $1) } : []
        let sites: [(id: String, point: Coordinate)] = try candidates.map { ($0.id, $0.metric) } + existing.map { ("vendor zone \($0.id)", try forward.apply($0.lonLat)) }
        let distances = try sitingDistances(sites: sites, demandIDs: demandIDs, demandPoints: demandPoints,
                                            network: mode, maxMetres: maxMetres, threads: threads)
        return VendorSitingInput(demandIDs: demandIDs, weights: weights, candidates: candidates, existingZones: existing, distances: distances,
                                 mainRoadSegments: mainRoads, dropped: dropped, streetsWithZones: streetsWithZones.sorted(),
                                 requiredStreets: required.sorted(), distance: mode == nil ? "straight-line" : "network",
                                 network: mode, crs: metricCRS.definition)
    }

    /// The street (街道) code of each lon/lat spot: `lookup`'s (grid cell, else admin community), else the code of
    /// the admin street polygon that covers it; nil outside all of them.
    func streetCodes(of spots: [Coordinate]) throws -> [String?] {
        guard !spots.isEmpty else { return [] }
        var codes = try lookup(spots).map(\.streetCode)
        guard codes.contains(nil) else { return codes }
        var streetIDs: [String] = [], polygons: [Geometry] = []
        for r in try rows(.admin, [.column("code"), .geometry], where: [.equals("level", .text("street"))], order: ["code"]) {
            guard let g = try r["g"]?.geometry() else { continue }
            streetIDs.append(r["code"]?.string ?? "")
            polygons.append(g)
        }
        guard !polygons.isEmpty else { return codes }
        let locator = try PolygonLocator(polygons, semantics: .covers)
        for k in codes.indices where codes[k] == nil {
            if let i = try locator.locate(spots[k]) { codes[k] = streetIDs[i] }
        }
        return codes
    }
}
