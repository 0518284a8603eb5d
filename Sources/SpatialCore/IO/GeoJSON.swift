// GeoJSON (RFC 7946) values and their public reading and writing entry points.
//
// Reading is lenient where RFC 7946 says parsers should be (any polygon winding, foreign
// members, a third coordinate), strict about structure (every error names the JSON path).
// Writing follows RFC 7946: polygons right-hand-rule oriented, no `crs` member.

/// The `id` of a feature: a string or a number (integers kept exactly).
public enum FeatureID: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case number(Double)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }

    /// The id as text: the string itself, or the number as GeoJSON writes it.
    public var description: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .number(let d): JSONValue.number(d).jsonText
        }
    }
}

/// A GeoJSON Feature: an optional geometry with optional properties.
public struct Feature: Hashable, Sendable {
    public var id: FeatureID?
    /// nil is written as `"geometry": null` (an unlocated feature).
    public var geometry: Geometry?
    /// nil is written as `"properties": null`.
    public var properties: JSONObject?
    /// `[west, south, east, north]` if the input had one (a 3D bbox is read as its 2D part).
    public var bbox: [Double]?
    /// Other members of the feature object, kept as read. Writing skips the names GeoJSON
    /// reserves (`type`, `id`, `geometry`, `properties`, `bbox`, `coordinates`, `geometries`)
    /// and `crs`.
    public var foreignMembers: JSONObject

    public init(
        id: FeatureID? = nil, geometry: Geometry?, properties: JSONObject? = nil, bbox: [Double]? = nil,
        foreignMembers: JSONObject = [:]
    ) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
        self.bbox = bbox
        self.foreignMembers = foreignMembers
    }
}

/// A GeoJSON FeatureCollection.
public struct FeatureCollection: Hashable, Sendable {
    public var features: [Feature]
    /// `[west, south, east, north]` if the input had one.
    public var bbox: [Double]?
    /// Other members (`name`, `license`, a legacy `crs`...), kept as read. Writing skips `crs`
    /// and the names GeoJSON reserves.
    public var foreignMembers: JSONObject

    public init(_ features: [Feature] = [], bbox: [Double]? = nil, foreignMembers: JSONObject = [:]) {
        self.features = features
        self.bbox = bbox
        self.foreignMembers = foreignMembers
    }
}

/// Any GeoJSON text: a geometry, a feature or a feature collection.
public enum GeoJSON: Hashable, Sendable {
    case geometry(Geometry)
    case feature(Feature)
    case featureCollection(FeatureCollection)
}

// MARK: - Reading

extension GeoJSON {
    /// Parses a GeoJSON text (UTF-8).
    ///
    /// A third coordinate (altitude) is accepted and dropped; any polygon winding is accepted.
    /// An empty Point or Polygon (`"coordinates": []`) reads as the empty MultiPoint or
    /// MultiPolygon, because the model has no empty point or polygon.
    /// - Throws: `SpatialError.parse(format: "GeoJSON", location:, message:)`; `location` is the
    ///   JSON path (`features[12].geometry.coordinates[0][3]`, `$` for the root), followed by
    ///   `(line L, column C)` for JSON syntax errors.
    public init(data: [UInt8]) throws {
        self = try JSONReader.parseDocument(data, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.any)
        }
    }

    /// Parses a GeoJSON document from UTF-8 bytes and calls `body` with each of its features in order: a
    /// FeatureCollection's features one at a time as they are parsed (none is kept), a single Feature, or a bare
    /// geometry as a Feature without properties. Errors thrown by `body` pass through unchanged and stop the parse.
    /// - Throws: `SpatialError.parse(format: "GeoJSON", ...)` as `GeoJSON(data:)` does.
    public static func forEachFeature(in bytes: [UInt8], _ body: (Feature) throws -> Void) throws {
        var stopped: (any Error)?
        let document: GeoJSON
        do {
            document = try withoutActuallyEscaping(body) { body in
                try JSONReader.parseDocument(bytes, format: "GeoJSON") { r throws(JSONFailure) in
                    r.featureSink = { feature in
                        do {
                            try body(feature)
                            return true
                        } catch {
                            stopped = error
                            return false
                        }
                    }
                    return try r.parseGeoJSONObject(.any)
                }
            }
        } catch {
            throw stopped ?? error
        }
        switch document {
        case .featureCollection(let fc): for f in fc.features { try body(f) }  // empty: handed over while parsed
        case .feature(let f): try body(f)
        case .geometry(let g): try body(Feature(geometry: g))
        }
    }

    /// Parses a GeoJSON text.
    public init(string: String) throws {
        self = try JSONReader.parseDocument(string, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.any)
        }
    }
}

extension Geometry {
    /// Parses a GeoJSON geometry object (not a Feature).
    /// - Throws: `SpatialError.parse(format: "GeoJSON", ...)`, see `GeoJSON(data:)`.
    public init(geoJSON text: String) throws {
        self = try JSONReader.parseDocument(text, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.geometry).geometryValue
        }
    }

    /// Parses a GeoJSON geometry object from UTF-8 bytes.
    public init(geoJSON bytes: [UInt8]) throws {
        self = try JSONReader.parseDocument(bytes, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.geometry).geometryValue
        }
    }
}

extension Feature {
    /// Parses a GeoJSON Feature object.
    public init(geoJSON text: String) throws {
        self = try JSONReader.parseDocument(text, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.feature).featureValue
        }
    }
}

extension FeatureCollection {
    /// Parses a GeoJSON FeatureCollection from UTF-8 bytes, building the features directly from
    /// the bytes (no intermediate JSON tree).
    /// - Throws: `SpatialError.parse(format: "GeoJSON", ...)`, also when the text is valid
    ///   GeoJSON of another type.
    public init(geoJSON bytes: [UInt8]) throws {
        self = try JSONReader.parseDocument(bytes, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.featureCollection).featureCollectionValue
        }
    }

    /// Parses a GeoJSON FeatureCollection.
    public init(geoJSON text: String) throws {
        self = try JSONReader.parseDocument(text, format: "GeoJSON") { r throws(JSONFailure) in
            try r.parseGeoJSONObject(.featureCollection).featureCollectionValue
        }
    }
}

extension GeoJSON {
    // Unwrapping after parseGeoJSONObject(kind), which only returns that kind.
    var geometryValue: Geometry {
        if case .geometry(let g) = self { return g }
        preconditionFailure("parseGeoJSONObject(.geometry) returned \(self)")
    }

    var featureValue: Feature {
        if case .feature(let f) = self { return f }
        preconditionFailure("parseGeoJSONObject(.feature) returned \(self)")
    }

    var featureCollectionValue: FeatureCollection {
        if case .featureCollection(let c) = self { return c }
        preconditionFailure("parseGeoJSONObject(.featureCollection) returned \(self)")
    }
}

// MARK: - Writing

extension Geometry {
    /// RFC 7946 GeoJSON text: polygon exteriors counter-clockwise and holes clockwise, 2D.
    /// - Parameter precision: decimals per coordinate (rounded, trailing zeros trimmed; RFC 7946
    ///   suggests 6, at most 7); nil writes the shortest text that reads back to the same double.
    ///   Non-finite coordinates, which JSON cannot hold, are written as `null`.
    public func geoJSON(precision: Int? = nil) -> String {
        var out: [UInt8] = []
        GeoJSONEncoder(precision: precision).append(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension Feature {
    /// RFC 7946 GeoJSON text of the feature; see `Geometry.geoJSON(precision:)`. Properties are
    /// written exactly (precision applies to coordinates and bbox only).
    public func geoJSON(precision: Int? = nil) -> String {
        var out: [UInt8] = []
        GeoJSONEncoder(precision: precision).append(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension FeatureCollection {
    /// RFC 7946 GeoJSON text, one feature per line; see `Geometry.geoJSON(precision:)`.
    public func geoJSON(precision: Int? = nil) -> String {
        var out: [UInt8] = []
        GeoJSONEncoder(precision: precision).append(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension GeoJSON {
    /// RFC 7946 GeoJSON text; see `Geometry.geoJSON(precision:)`.
    public func geoJSON(precision: Int? = nil) -> String {
        var out: [UInt8] = []
        let e = GeoJSONEncoder(precision: precision)
        switch self {
        case .geometry(let g): e.append(g, to: &out)
        case .feature(let f): e.append(f, to: &out)
        case .featureCollection(let c): e.append(c, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
