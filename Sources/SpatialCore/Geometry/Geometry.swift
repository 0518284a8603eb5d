/// A position. `x` is longitude (degrees) or easting (metres), `y` is latitude or northing:
/// the order is always x, y at UrbanGrid's API, whatever the CRS's official axis order.
public struct Coordinate: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }
}

public struct Point: Hashable, Sendable {
    public var coordinate: Coordinate
    public init(_ coordinate: Coordinate) { self.coordinate = coordinate }
    public init(x: Double, y: Double) { coordinate = Coordinate(x, y) }
    public var x: Double { coordinate.x }
    public var y: Double { coordinate.y }
}

public struct LineString: Hashable, Sendable {
    public var coordinates: [Coordinate]
    /// A line string has zero (empty) or at least two positions.
    public init(_ coordinates: [Coordinate]) throws {
        guard coordinates.isEmpty || coordinates.count >= 2 else {
            throw SpatialError.invalidGeometry(reason: "a line string needs at least 2 positions, got \(coordinates.count)")
        }
        self.coordinates = coordinates
    }
    init(unchecked coordinates: [Coordinate]) { self.coordinates = coordinates }
}

/// A closed ring: first position equals the last, at least 4 positions.
public struct LinearRing: Hashable, Sendable {
    public var coordinates: [Coordinate]
    public init(_ coordinates: [Coordinate]) throws {
        guard coordinates.count >= 4 else {
            throw SpatialError.invalidGeometry(reason: "a linear ring needs at least 4 positions, got \(coordinates.count)")
        }
        guard coordinates.first == coordinates.last else {
            throw SpatialError.invalidGeometry(reason: "a linear ring must be closed (first position equals last)")
        }
        self.coordinates = coordinates
    }
    init(unchecked coordinates: [Coordinate]) { self.coordinates = coordinates }

    /// Twice the signed area (shoelace); positive for counter-clockwise rings.
    public var signedArea: Double {
        var s = 0.0
        let c = coordinates
        guard c.count > 2 else { return 0 }
        for i in 0..<(c.count - 1) {
            s += (c[i].x * c[i + 1].y - c[i + 1].x * c[i].y)
        }
        return s / 2
    }
    public var isCounterClockwise: Bool { signedArea > 0 }
    /// Negative signed area. A ring of zero area (degenerate, or a figure eight whose loops cancel) is neither
    /// clockwise nor counter-clockwise, and orienting leaves it as written.
    public var isClockwise: Bool { signedArea < 0 }
    public func reversed() -> LinearRing { LinearRing(unchecked: coordinates.reversed()) }
}

public struct Polygon: Hashable, Sendable {
    public var exterior: LinearRing
    public var holes: [LinearRing]
    public init(exterior: LinearRing, holes: [LinearRing] = []) {
        self.exterior = exterior
        self.holes = holes
    }
    /// The same polygon with RFC 7946 winding: exterior counter-clockwise, holes clockwise (rings of zero area
    /// stay as written, so orienting twice changes nothing).
    public func orientedRFC7946() -> Polygon {
        Polygon(
            exterior: exterior.isClockwise ? exterior.reversed() : exterior,
            holes: holes.map { $0.isCounterClockwise ? $0.reversed() : $0 })
    }
}

public struct MultiPoint: Hashable, Sendable {
    public var points: [Point]
    public init(_ points: [Point]) { self.points = points }
}

public struct MultiLineString: Hashable, Sendable {
    public var lineStrings: [LineString]
    public init(_ lineStrings: [LineString]) { self.lineStrings = lineStrings }
}

public struct MultiPolygon: Hashable, Sendable {
    public var polygons: [Polygon]
    public init(_ polygons: [Polygon]) { self.polygons = polygons }
}

/// Any OGC simple-feature geometry (2D). Empty geometries are the empty collections
/// (`.geometryCollection([])`, `.multiPoint([])`, ...) or an empty line string.
public indirect enum Geometry: Hashable, Sendable {
    case point(Point)
    case lineString(LineString)
    case polygon(Polygon)
    case multiPoint(MultiPoint)
    case multiLineString(MultiLineString)
    case multiPolygon(MultiPolygon)
    case geometryCollection([Geometry])

    /// The OGC type name, as WKT and GeoJSON spell it.
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .polygon: "Polygon"
        case .multiPoint: "MultiPoint"
        case .multiLineString: "MultiLineString"
        case .multiPolygon: "MultiPolygon"
        case .geometryCollection: "GeometryCollection"
        }
    }

    public var isEmpty: Bool {
        switch self {
        case .point: false
        case .lineString(let l): l.coordinates.isEmpty
        case .polygon: false
        case .multiPoint(let m): m.points.isEmpty
        case .multiLineString(let m): m.lineStrings.allSatisfy { $0.coordinates.isEmpty }
        case .multiPolygon(let m): m.polygons.isEmpty
        case .geometryCollection(let g): g.allSatisfy(\.isEmpty)
        }
    }

    /// Every position, in order (rings closed).
    public var coordinates: [Coordinate] {
        var out: [Coordinate] = []
        forEachCoordinate { out.append($0) }
        return out
    }

    public func forEachCoordinate(_ body: (Coordinate) throws -> Void) rethrows {
        switch self {
        case .point(let p): try body(p.coordinate)
        case .lineString(let l): for c in l.coordinates { try body(c) }
        case .polygon(let p):
            for c in p.exterior.coordinates { try body(c) }
            for h in p.holes { for c in h.coordinates { try body(c) } }
        case .multiPoint(let m): for p in m.points { try body(p.coordinate) }
        case .multiLineString(let m): for l in m.lineStrings { for c in l.coordinates { try body(c) } }
        case .multiPolygon(let m):
            for p in m.polygons {
                for c in p.exterior.coordinates { try body(c) }
                for h in p.holes { for c in h.coordinates { try body(c) } }
            }
        case .geometryCollection(let g): for x in g { try x.forEachCoordinate(body) }
        }
    }

    /// The same geometry with every position replaced by `transform(position)`.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Geometry {
        func ring(_ r: LinearRing, _ f: (Coordinate) throws -> Coordinate) rethrows -> LinearRing {
            LinearRing(unchecked: try r.coordinates.map(f))
        }
        func poly(_ p: Polygon) throws -> Polygon {
            Polygon(exterior: try ring(p.exterior, transform), holes: try p.holes.map { try ring($0, transform) })
        }
        switch self {
        case .point(let p): return .point(Point(try transform(p.coordinate)))
        case .lineString(let l): return .lineString(LineString(unchecked: try l.coordinates.map(transform)))
        case .polygon(let p): return .polygon(try poly(p))
        case .multiPoint(let m): return .multiPoint(MultiPoint(try m.points.map { Point(try transform($0.coordinate)) }))
        case .multiLineString(let m):
            return .multiLineString(MultiLineString(try m.lineStrings.map { LineString(unchecked: try $0.coordinates.map(transform)) }))
        case .multiPolygon(let m): return .multiPolygon(MultiPolygon(try m.polygons.map(poly)))
        case .geometryCollection(let g): return .geometryCollection(try g.map { try $0.mapCoordinates(transform) })
        }
    }

    /// The bounding box, or nil when the geometry is empty.
    public var envelope: Envelope? {
        var e: Envelope?
        forEachCoordinate { c in
            if e == nil { e = Envelope(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y) } else { e!.expand(toInclude: c) }
        }
        return e
    }

    /// Polygons with RFC 7946 winding (exterior counter-clockwise, holes clockwise); other parts unchanged.
    public func orientedRFC7946() -> Geometry {
        switch self {
        case .polygon(let p): .polygon(p.orientedRFC7946())
        case .multiPolygon(let m): .multiPolygon(MultiPolygon(m.polygons.map { $0.orientedRFC7946() }))
        case .geometryCollection(let g): .geometryCollection(g.map { $0.orientedRFC7946() })
        default: self
        }
    }
}

extension Geometry {
    public init(_ p: Point) { self = .point(p) }
    public static func point(x: Double, y: Double) -> Geometry { .point(Point(x: x, y: y)) }
}
