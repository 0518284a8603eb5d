// Building GeoJSON values straight from the bytes: member names are compared as bytes,
// coordinates are parsed into [Coordinate] with the depth the geometry type asks for, and only
// properties and foreign members become JSONValues.
//
// Members may come in any order. When a member arrives before "type" (rare), the reader skips
// it, remembers where it was, and reads it again once the type is known.

/// Which GeoJSON objects a position in the document accepts.
enum GeoJSONExpectation {
    case any, geometry, feature, featureCollection

    var objectDescription: String {
        switch self {
        case .any: "a GeoJSON object"
        case .geometry: "a geometry object"
        case .feature: "a Feature object"
        case .featureCollection: "a FeatureCollection object"
        }
    }
}

enum GeoJSONKind {
    case point, lineString, polygon, multiPoint, multiLineString, multiPolygon, geometryCollection
    case feature, featureCollection

    var isGeometry: Bool {
        switch self {
        case .feature, .featureCollection: false
        default: true
        }
    }
}

/// What the members of one object have contributed so far.
private struct GeoJSONObjectParts {
    var geometry: Geometry?  // the object's own geometry (geometry kinds)
    var featureGeometry: Geometry?  // a feature's "geometry" member
    var id: FeatureID?
    var properties: JSONObject?
    var bbox: [Double]?
    var features: [Feature]?
    var foreign = JSONObject()
}

extension JSONReader {
    /// A structural (non-syntax) failure; located by the path the callers add.
    @inline(__always)
    func structural(_ message: String) -> JSONFailure { JSONFailure(message: message, offset: nil) }

    /// The member name for paths and messages (invalid UTF-8 repaired, never fails).
    func name(_ t: StringToken) -> String {
        switch t {
        case .raw(let a, let b): String(decoding: UnsafeBufferPointer(rebasing: buf[a..<b]), as: UTF8.self)
        case .escaped: String(decoding: scratch, as: UTF8.self)
        }
    }

    /// Throws a syntax error if the value at `from` is not valid JSON, else `failure`.
    mutating func reject(from start: Int, _ failure: JSONFailure) throws(JSONFailure) -> Never {
        pos = start
        try skipValue()
        throw failure
    }

    /// Runs `body`, adding `component` to the path of any failure.
    @inline(__always)
    mutating func within<T>(_ component: @autoclosure () -> JSONFailure.Component, _ body: (inout JSONReader) throws(JSONFailure) -> T)
        throws(JSONFailure) -> T
    {
        do throws(JSONFailure) {
            return try body(&self)
        } catch {
            var e = error
            e.path.append(component())
            throw e
        }
    }

    // MARK: Objects

    mutating func parseGeoJSONObject(_ expect: GeoJSONExpectation) throws(JSONFailure) -> GeoJSON {
        guard peek() == 0x7B else {
            try reject(from: pos, structural("expected \(expect.objectDescription), found \(kindOfValue())"))
        }
        guard try objectStart() else { throw structural("missing 'type' member") }
        var kind: GeoJSONKind?
        var parts = GeoJSONObjectParts()
        var deferred: [Int] = []
        repeat {
            let keyAt = pos
            let key = try memberKey()
            if token(key, is: "type") {
                guard kind == nil else { throw JSONFailure(message: "duplicate 'type' member", offset: keyAt) }
                kind = try within(.key("type")) { r throws(JSONFailure) in try r.parseType(expect) }
            } else if let kind {
                try member(key, at: keyAt, of: kind, into: &parts)
            } else {
                deferred.append(keyAt)
                let k = name(key)
                try within(.key(k)) { r throws(JSONFailure) in try r.skipValue() }
            }
        } while try objectNext()
        guard let kind else { throw structural("missing 'type' member") }
        if !deferred.isEmpty {
            let resume = pos
            depth += 1
            for keyAt in deferred {
                pos = keyAt
                let key = try memberKey()
                try member(key, at: keyAt, of: kind, into: &parts)
            }
            depth -= 1
            pos = resume
        }
        switch kind {
        case .feature:
            return .feature(
                Feature(
                    id: parts.id, geometry: parts.featureGeometry, properties: parts.properties, bbox: parts.bbox,
                    foreignMembers: parts.foreign))
        case .featureCollection:
            guard let features = parts.features else { throw structural("missing 'features' member") }
            return .featureCollection(FeatureCollection(features, bbox: parts.bbox, foreignMembers: parts.foreign))
        case .geometryCollection:
            guard let g = parts.geometry else { throw structural("missing 'geometries' member") }
            return .geometry(g)
        default:
            guard let g = parts.geometry else { throw structural("missing 'coordinates' member") }
            return .geometry(g)
        }
    }

    private mutating func parseType(_ expect: GeoJSONExpectation) throws(JSONFailure) -> GeoJSONKind {
        guard peek() == 0x22 else { try reject(from: pos, structural("'type' must be a string, found \(kindOfValue())")) }
        let t = try scanString()
        let kind: GeoJSONKind? =
            if token(t, is: "Feature") {
                .feature
            } else if token(t, is: "Point") {
                .point
            } else if token(t, is: "LineString") {
                .lineString
            } else if token(t, is: "Polygon") {
                .polygon
            } else if token(t, is: "MultiPoint") {
                .multiPoint
            } else if token(t, is: "MultiLineString") {
                .multiLineString
            } else if token(t, is: "MultiPolygon") {
                .multiPolygon
            } else if token(t, is: "GeometryCollection") {
                .geometryCollection
            } else if token(t, is: "FeatureCollection") {
                .featureCollection
            } else {
                nil
            }
        let found = name(t)
        switch expect {
        case .any:
            guard let kind else { throw structural("unknown GeoJSON type '\(found)'") }
            return kind
        case .geometry:
            guard let kind else { throw structural("unknown geometry type '\(found)'") }
            guard kind.isGeometry else { throw structural("expected a geometry, found '\(found)'") }
            return kind
        case .feature:
            guard kind == .feature else { throw structural("expected 'Feature', found '\(found)'") }
            return .feature
        case .featureCollection:
            guard kind == .featureCollection else { throw structural("expected 'FeatureCollection', found '\(found)'") }
            return .featureCollection
        }
    }

    /// Reads the value of member `key` (its name at `keyAt`, its value at `pos`) of an object of
    /// type `kind`.
    private mutating func member(_ key: StringToken, at keyAt: Int, of kind: GeoJSONKind, into parts: inout GeoJSONObjectParts)
        throws(JSONFailure)
    {
        switch kind {
        case .feature:
            if token(key, is: "geometry") {
                parts.featureGeometry = try within(.key("geometry")) { r throws(JSONFailure) in try r.parseFeatureGeometry() }
            } else if token(key, is: "properties") {
                parts.properties = try within(.key("properties")) { r throws(JSONFailure) in try r.parseProperties() }
            } else if token(key, is: "id") {
                parts.id = try within(.key("id")) { r throws(JSONFailure) in try r.parseFeatureID() }
            } else if token(key, is: "bbox") {
                parts.bbox = try within(.key("bbox")) { r throws(JSONFailure) in try r.parseBBox() }
            } else {
                let k = try makeString(key, at: keyAt)
                parts.foreign[k] = try within(.key(k)) { r throws(JSONFailure) in try r.parseValue() }
            }
        case .featureCollection:
            if token(key, is: "features") {
                parts.features = try within(.key("features")) { r throws(JSONFailure) in try r.parseFeatures() }
            } else if token(key, is: "bbox") {
                parts.bbox = try within(.key("bbox")) { r throws(JSONFailure) in try r.parseBBox() }
            } else {
                let k = try makeString(key, at: keyAt)
                parts.foreign[k] = try within(.key(k)) { r throws(JSONFailure) in try r.parseValue() }
            }
        case .geometryCollection:
            if token(key, is: "geometries") {
                parts.geometry = try within(.key("geometries")) { r throws(JSONFailure) in try r.parseGeometries() }
            } else {  // bbox, foreign members: dropped
                let k = name(key)
                try within(.key(k)) { r throws(JSONFailure) in try r.skipValue() }
            }
        default:
            if token(key, is: "coordinates") {
                parts.geometry = try within(.key("coordinates")) { r throws(JSONFailure) in try r.parseCoordinates(kind) }
            } else {  // bbox, foreign members: dropped
                let k = name(key)
                try within(.key(k)) { r throws(JSONFailure) in try r.skipValue() }
            }
        }
    }

    private mutating func parseFeatureGeometry() throws(JSONFailure) -> Geometry? {
        switch peek() {
        case 0x6E:
            try literal("null")
            return nil
        case 0x7B:
            return try parseGeoJSONObject(.geometry).geometryValue
        default:
            try reject(from: pos, structural("geometry must be an object or null, found \(kindOfValue())"))
        }
    }

    private mutating func parseProperties() throws(JSONFailure) -> JSONObject? {
        switch peek() {
        case 0x6E:
            try literal("null")
            return nil
        case 0x7B:
            return try parseObject()
        default:
            try reject(from: pos, structural("properties must be an object or null, found \(kindOfValue())"))
        }
    }

    private mutating func parseFeatureID() throws(JSONFailure) -> FeatureID? {
        let c = peek()
        if c == 0x22 { return .string(try parseString()) }
        if Self.isNumberStart(c) {
            switch try parseNumber() {
            case .int(let i): return .int(i)
            case .double(let d): return .number(d)
            }
        }
        if c == 0x6E {  // tolerated: a null id is no id
            try literal("null")
            return nil
        }
        try reject(from: pos, structural("id must be a string or number, found \(kindOfValue())"))
    }

    /// `[w, s, e, n]`, or `[w, s, zmin, e, n, zmax]` read as its 2D part.
    private mutating func parseBBox() throws(JSONFailure) -> [Double] {
        let start = pos
        let failure = structural("bbox must be an array of 4 or 6 numbers")
        guard peek() == 0x5B else { try reject(from: start, failure) }
        var v: [Double] = []
        if try arrayStart() {
            repeat {
                guard Self.isNumberStart(peek()) else { try reject(from: start, failure) }
                v.append(try parseNumber().double)
            } while try arrayNext()
        }
        switch v.count {
        case 4: return v
        case 6: return [v[0], v[1], v[3], v[4]]
        default: throw failure
        }
    }

    private mutating func parseFeatures() throws(JSONFailure) -> [Feature] {
        guard peek() == 0x5B else { try reject(from: pos, structural("features must be an array, found \(kindOfValue())")) }
        var features: [Feature] = []
        try forEachElement { r throws(JSONFailure) in
            let feature = try r.parseGeoJSONObject(.feature).featureValue
            if let sink = r.featureSink {
                guard sink(feature) else { throw JSONFailure(message: "stopped", offset: nil) }
            } else {
                features.append(feature)
            }
        }
        return features
    }

    private mutating func parseGeometries() throws(JSONFailure) -> Geometry {
        guard peek() == 0x5B else { try reject(from: pos, structural("geometries must be an array, found \(kindOfValue())")) }
        guard collectionDepth < Self.maxCollectionDepth else {
            throw structural("geometry collections nested deeper than \(Self.maxCollectionDepth) levels")
        }
        collectionDepth += 1
        defer { collectionDepth -= 1 }
        var geometries: [Geometry] = []
        guard try arrayStart() else { return .geometryCollection([]) }
        var i = 0
        repeat {
            geometries.append(try within(.index(i)) { r throws(JSONFailure) in try r.parseGeoJSONObject(.geometry).geometryValue })
            i += 1
        } while try arrayNext()
        return .geometryCollection(geometries)
    }

    // MARK: Coordinates

    private mutating func parseCoordinates(_ kind: GeoJSONKind) throws(JSONFailure) -> Geometry {
        switch kind {
        case .point:
            if emptyArrayAhead() { return .multiPoint(MultiPoint([])) }
            return .point(Point(try parsePosition()))
        case .lineString:
            return .lineString(LineString(unchecked: try parseLineString()))
        case .polygon:
            guard let p = try parsePolygon() else { return .multiPolygon(MultiPolygon([])) }
            return .polygon(p)
        case .multiPoint:
            return .multiPoint(MultiPoint(try parsePositions().map(Point.init)))
        case .multiLineString:
            var lines: [LineString] = []
            try parseArray("an array of line strings") { r, i throws(JSONFailure) in
                lines.append(LineString(unchecked: try r.within(.index(i)) { r throws(JSONFailure) in try r.parseLineString() }))
            }
            return .multiLineString(MultiLineString(lines))
        case .multiPolygon:
            var polygons: [Polygon] = []
            try parseArray("an array of polygons") { r, i throws(JSONFailure) in
                let p = try r.within(.index(i)) { r throws(JSONFailure) in
                    guard let p = try r.parsePolygon() else { throw r.structural("polygon has no rings, needs an exterior ring") }
                    return p
                }
                polygons.append(p)
            }
            return .multiPolygon(MultiPolygon(polygons))
        case .geometryCollection, .feature, .featureCollection:
            preconditionFailure("no coordinates for \(kind)")
        }
    }

    /// Whether the value at `pos` is `[]` (consumed if so).
    private mutating func emptyArrayAhead() -> Bool {
        guard peek() == 0x5B else { return false }
        var p = pos + 1
        while p < end, buf[p] == 0x20 || buf[p] == 0x0A || buf[p] == 0x0D || buf[p] == 0x09 { p += 1 }
        guard p < end, buf[p] == 0x5D else { return false }
        pos = p + 1
        return true
    }

    /// Calls `element(reader, index)` for each element of the array at `pos`.
    @inline(__always)
    private mutating func parseArray(_ what: String, _ element: (inout JSONReader, Int) throws(JSONFailure) -> Void)
        throws(JSONFailure)
    {
        guard peek() == 0x5B else { try reject(from: pos, structural("expected \(what)")) }
        guard try arrayStart() else { return }
        var i = 0
        repeat {
            try element(&self, i)
            i += 1
        } while try arrayNext()
    }

    /// `[x, y]` or `[x, y, z]` (z dropped).
    @inline(__always)
    mutating func parsePosition() throws(JSONFailure) -> Coordinate {
        let start = pos
        if peek() == 0x5B {
            pos += 1
            skipWS()
            if Self.isNumberStart(peek()) {
                let x = try parseNumber().double
                skipWS()
                if peek() == 0x2C {
                    pos += 1
                    skipWS()
                    if Self.isNumberStart(peek()) {
                        let y = try parseNumber().double
                        skipWS()
                        var c = peek()
                        if c == 0x2C {
                            pos += 1
                            skipWS()
                            if Self.isNumberStart(peek()) {
                                _ = try parseNumber()
                                skipWS()
                                c = peek()
                            } else {
                                c = 0
                            }
                        }
                        if c == 0x5D {
                            pos += 1
                            return Coordinate(x, y)
                        }
                    }
                }
            }
        }
        try reject(from: start, structural("expected a position of 2 or 3 numbers"))
    }

    private mutating func parsePositions() throws(JSONFailure) -> [Coordinate] {
        guard peek() == 0x5B else { try reject(from: pos, structural("expected an array of positions")) }
        var cs: [Coordinate] = []
        try forEachElement { r throws(JSONFailure) in cs.append(try r.parsePosition()) }
        return cs
    }

    private mutating func parseLineString() throws(JSONFailure) -> [Coordinate] {
        let cs = try parsePositions()
        if cs.count == 1 { throw structural("line string has 1 position, needs 2") }
        return cs
    }

    private mutating func parseRing() throws(JSONFailure) -> LinearRing {
        let cs = try parsePositions()
        if cs.count < 4 { throw structural("ring has \(cs.count) position\(cs.count == 1 ? "" : "s"), needs 4") }
        if cs[0] != cs[cs.count - 1] { throw structural("ring not closed") }
        return LinearRing(unchecked: cs)
    }

    /// nil for `[]` (no rings).
    private mutating func parsePolygon() throws(JSONFailure) -> Polygon? {
        var rings: [LinearRing] = []
        try parseArray("an array of linear rings") { r, i throws(JSONFailure) in
            rings.append(try r.within(.index(i)) { r throws(JSONFailure) in try r.parseRing() })
        }
        guard let exterior = rings.first else { return nil }
        return Polygon(exterior: exterior, holes: Array(rings.dropFirst()))
    }
}
