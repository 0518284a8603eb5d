public import Foundation
public import SpatialCore

/// A 门前三包 frontage unit: the pavement strip in front of one POI or building, along its nearest street segment.
public struct FrontageUnit: Sendable, Hashable {
    public enum Side: String, Sendable, Hashable {
        /// Left of the segment seen along its direction (from its first to its last point).
        case left, right
    }

    /// The unit's id: the POI's.
    public var id: String
    public var poiID: String
    public var name: String?
    public var kind: String?
    public var segmentID: String
    public var side: Side
    /// The stretch of the segment the unit runs along, in metres from the segment's start.
    public var fromMetres: Double
    public var toMetres: Double
    /// How deep the strip is, in metres, from the building line towards the street's centre line.
    public var depthMetres: Double
    /// The strip (WGS84 polygon or multipolygon).
    public var geometry: Geometry

    public init(id: String, poiID: String, name: String?, kind: String?, segmentID: String, side: Side, fromMetres: Double, toMetres: Double,
                depthMetres: Double, geometry: Geometry) {
        self.id = id
        self.poiID = poiID
        self.name = name
        self.kind = kind
        self.segmentID = segmentID
        self.side = side
        self.fromMetres = fromMetres
        self.toMetres = toMetres
        self.depthMetres = depthMetres
        self.geometry = geometry
    }
}

/// Where frontage units are kept: both engines (table `frontage_units`, schema version 9).
public protocol FrontageStore: CityStore {
    /// Replaces every stored unit with `units`, in one transaction; returns the units stored.
    @discardableResult
    func replaceFrontageUnits(_ units: [FrontageUnit]) throws -> Int
    /// The stored units in id order (none on a database older than version 9).
    func frontageUnits() throws -> [FrontageUnit]
}

/// Builds frontage units (门前三包责任区) from a layer's POIs or buildings and the streets layer.
///
/// In the city's metric CRS (`CityFrame`), for each feature:
/// 1. its street is the nearest segment (GEOS distance through an STRtree; ties to the first in storage order),
///    no farther than `maxDistanceMetres`; features farther from every segment get no unit (`skipped`);
/// 2. its frontage is the stretch of that segment its geometry projects onto (GEOS `project` of every vertex; a
///    point, or a footprint narrower than 1 m along the street, gets `pointWidthMetres` centred on its projection);
/// 3. on each side of each segment, neighbouring frontages (in order along it) that overlap are cut at the middle
///    of the overlap (unless one lies wholly inside the other), and
///    a gap of at most `gapMetres` between them is shared half and half (the building-line rule: the boundary lies
///    half way to the neighbour);
/// 4. the unit is the strip along that stretch on the feature's side of the segment, from the building line (the
///    feature's distance to the segment's centre line) `depthMetres` towards the centre line, and never past it:
///    the difference of two single-sided GEOS buffers of the stretch. A feature on the centre line itself gets
///    the strip of `depthMetres` on the segment's left.
public enum FrontageBuild {
    public struct Options: Sendable {
        public var layer: UrbanModel.Layer = .pois
        /// Only features of these `kind`s (all when nil).
        public var kinds: [String]?
        public var depthMetres: Double = 5
        public var pointWidthMetres: Double = 10
        public var maxDistanceMetres: Double = 50
        public var gapMetres: Double = 10
        public init() {}
    }

    public struct Result: Sendable {
        public var units: [FrontageUnit]
        /// Features that got no unit, with the reason.
        public var skipped: [(id: String, reason: String)]
    }

    public static func build(_ store: any CityStore, frame: CityFrame, options: Options) throws -> Result {
        guard options.depthMetres > 0, options.depthMetres.isFinite else {
            throw ModelError.invalidArgument(name: "depth", reason: "\(options.depthMetres) is not a depth in metres greater than 0")
        }
        let schema = LayerSchema.of(options.layer)
        guard schema.geometry != .none else {
            throw ModelError.invalidArgument(name: "from-layer", reason: "layer \(options.layer.rawValue) has no geometry")
        }
        let hasKind = schema.columns.contains { $0.name == "kind" }, hasName = schema.columns.contains { $0.name == "name" }
        if options.kinds != nil, !hasKind {
            throw ModelError.invalidArgument(name: "kinds", reason: "layer \(options.layer.rawValue) has no kind column")
        }
        let forward = try frame.forward(), inverse = try frame.inverse()
        let streets = try store.features(LayerRequest(.streets, [.column("id"), .geometry])).compactMap { r -> (id: String, line: [Coordinate])? in
            guard case .lineString(let l)? = try r["g"]?.geometry(), case .lineString(let m) = try forward.apply(to: .lineString(l)) else { return nil }
            return (r["id"]?.string ?? "", m.coordinates)
        }
        var fields: [LayerRequest.Field] = [.column("id"), .geometry]
        if hasKind { fields.append(.column("kind")) }
        if hasName { fields.append(.column("name")) }
        let rows = try store.features(LayerRequest(options.layer, fields, where: options.kinds.map { [.isIn("kind", $0)] } ?? []))
        var skipped: [(String, String)] = []
        guard !streets.isEmpty else {
            return Result(units: [], skipped: rows.map { ($0["id"]?.string ?? "", "the streets layer is empty") })
        }
        let lines = try streets.map { Geometry.lineString(try LineString($0.line)) }
        let index = try SpatialIndex(lines)

        struct Draft {
            var id: String, name: String?, kind: String?
            var segment: Int, side: FrontageUnit.Side, distance: Double
            var from: Double, to: Double
        }
        var drafts: [Draft] = []
        for r in rows {
            let id = r["id"]?.string ?? ""
            guard let g = try r["g"]?.geometry() else { continue }
            let m = try forward.apply(to: g)
            guard let hit = try index.nearest(to: m, maxDistance: options.maxDistanceMetres).min(by: { ($0.distance, $0.index) < ($1.distance, $1.index) }) else {
                skipped.append((id, "no street segment within \(NumberText.format(options.maxDistanceMetres)) m"))
                continue
            }
            let line = lines[hit.index], length = try line.length()
            guard length > 0 else { skipped.append((id, "its nearest segment has no length")); continue }
            let along = try m.coordinates.map { try line.project(.point(Point($0))) }
            var from = along.min()!, to = along.max()!
            if to - from < 1 {
                let middle = (from + to) / 2
                from = middle - options.pointWidthMetres / 2
                to = middle + options.pointWidthMetres / 2
            }
            from = max(0, from)
            to = min(length, to)
            guard to > from else { skipped.append((id, "its frontage along the segment is empty")); continue }
            // the side: the feature's nearest point seen from the segment's nearest point, against the segment's direction there
            let (onFeature, onLine) = try m.nearestPoints(to: line)
            let s = try line.project(.point(Point(onLine)))
            let dir = direction(streets[hit.index].line, at: s)
            let cross = dir.x * (onFeature.y - onLine.y) - dir.y * (onFeature.x - onLine.x)
            let onCentre = hit.distance < 0.01
            drafts.append(Draft(id: id, name: r["name"]?.string, kind: r["kind"]?.string, segment: hit.index,
                                side: onCentre || cross >= 0 ? .left : .right, distance: onCentre ? options.depthMetres : hit.distance,
                                from: from, to: to))
        }

        // neighbours on one side of one segment: overlaps cut in the middle, small gaps shared
        let groups = Dictionary(grouping: drafts.indices) { "\(drafts[$0].segment)|\(drafts[$0].side.rawValue)" }
        for (_, members) in groups {
            let order = members.sorted { (drafts[$0].from, drafts[$0].to, drafts[$0].id) < (drafts[$1].from, drafts[$1].to, drafts[$1].id) }
            for (a, b) in zip(order, order.dropFirst()) {
                let end = drafts[a].to, start = drafts[b].from
                guard end > start || start - end <= options.gapMetres else { continue }
                // a frontage lying wholly inside its neighbour's keeps its overlap (no middle to cut at)
                let cut = (end + start) / 2
                if cut > drafts[a].from, cut < drafts[b].to {
                    drafts[a].to = cut
                    drafts[b].from = cut
                }
            }
        }

        var units: [FrontageUnit] = []
        for d in drafts {
            let stretch = Geometry.lineString(try LineString(substring(streets[d.segment].line, from: d.from, to: d.to)))
            let sign: Double = d.side == .left ? 1 : -1
            var strip = try stretch.buffered(by: sign * d.distance, capStyle: .flat, singleSided: true)
            let inner = d.distance - options.depthMetres
            if inner > 0.01 { strip = try strip.difference(with: try stretch.buffered(by: sign * inner, capStyle: .flat, singleSided: true)) }
            let polygons = polygonsOf(strip)
            guard !polygons.isEmpty else { skipped.append((d.id, "its frontage strip is empty")); continue }
            let wgs84 = try inverse.apply(to: polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(MultiPolygon(polygons)))
            units.append(FrontageUnit(id: d.id, poiID: d.id, name: d.name, kind: d.kind, segmentID: streets[d.segment].id, side: d.side,
                                      fromMetres: d.from, toMetres: d.to, depthMetres: min(options.depthMetres, d.distance), geometry: wgs84))
        }
        units.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        return Result(units: units, skipped: skipped.map { (id: $0.0, reason: $0.1) })
    }

    /// The polygons of a geometry (a collection's too); empty ones left out.
    static func polygonsOf(_ g: Geometry) -> [Polygon] {
        switch g {
        case .polygon(let p): [p]
        case .multiPolygon(let m): m.polygons
        case .geometryCollection(let c): c.flatMap(polygonsOf)
        default: []
        }
    }

    /// The unit direction of a polyline at `s` metres along it (the piece `s` lies on).
    static func direction(_ line: [Coordinate], at s: Double) -> Coordinate {
        var walked = 0.0
        for (a, b) in zip(line, line.dropFirst()) {
            let l = hypot(b.x - a.x, b.y - a.y)
            guard l > 0 else { continue }
            if walked + l >= s - 1e-9 { return Coordinate((b.x - a.x) / l, (b.y - a.y) / l) }
            walked += l
        }
        let (a, b) = (line[line.count - 2], line[line.count - 1])
        let l = max(hypot(b.x - a.x, b.y - a.y), 1e-12)
        return Coordinate((b.x - a.x) / l, (b.y - a.y) / l)
    }

    /// The part of a polyline from `from` to `to` metres along it (at least two points).
    static func substring(_ line: [Coordinate], from: Double, to: Double) -> [Coordinate] {
        func at(_ s: Double) -> Coordinate {
            var walked = 0.0
            for (a, b) in zip(line, line.dropFirst()) {
                let l = hypot(b.x - a.x, b.y - a.y)
                if walked + l >= s, l > 0 {
                    let t = (s - walked) / l
                    return Coordinate(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
                }
                walked += l
            }
            return line[line.count - 1]
        }
        var out = [at(from)]
        var walked = 0.0
        for (a, b) in zip(line, line.dropFirst()) {
            walked += hypot(b.x - a.x, b.y - a.y)
            if walked > from, walked < to, b != out.last { out.append(b) }
        }
        let end = at(to)
        if end != out.last { out.append(end) }
        if out.count < 2 { out.append(end) }
        return out
    }
}
