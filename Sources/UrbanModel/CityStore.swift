public import Foundation
public import SpatialCore

/// The storage engines a city can live in.
public enum StorageEngine: String, Sendable {
    /// One SpatiaLite file (`UrbanDatabase`): the embedded default.
    case spatiaLite = "SpatiaLite"
    /// A PostgreSQL database with PostGIS (the `UrbanStore` target's `PostGISDatabase`).
    case postGIS = "PostgreSQL/PostGIS"
}

/// What the domain asks of a city database, on either engine: its settings and counts, all-or-nothing imports
/// (rows made by `LayerImport`, so both engines store the same values), the class-code tables, the rows of a layer
/// (`LayerRequest`), and the few questions answered in the database. Every list comes in a defined order, text
/// compared byte by byte, so both engines give the same answers. The engines implement it (`UrbanDatabase`, and
/// `PostGISDatabase` in `UrbanStore`, which also opens a city by file path or URL).
public protocol CityStore: AnyObject {
    /// The database as it may be shown: a file path, or a URL whose password is `***`.
    var displayName: String { get }
    var engine: StorageEngine { get }
    /// IANA time zone for times written without an offset.
    var timeZone: String { get throws }
    /// The highest schema migration applied (the engines number them alike).
    var schemaVersion: Int { get throws }
    /// While set, a statement running past this instant stops with an error (the service's time limit).
    var deadline: ContinuousClock.Instant? { get set }
    /// Features in a layer.
    func count(_ layer: UrbanModel.Layer) throws -> Int
    /// All-or-nothing import of checked WGS84 features; returns the rows stored (see `UrbanDatabase.importFeatures`).
    @discardableResult
    func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String, noding: LayerImport.StreetNoding) throws -> Int
    /// The same import with the features read one at a time: `features` calls its argument with each feature of
    /// the file in order (and throws the file's errors). An engine may store rows while the file is still being
    /// read; the import is all or nothing all the same.
    @discardableResult
    func importFeatures(reading features: (_ body: (Feature) throws -> Void) throws -> Void, into layer: UrbanModel.Layer,
                        source: String, noding: LayerImport.StreetNoding) throws -> Int
    /// Replaces the class-code tables; returns the codes stored.
    @discardableResult
    func loadClassCodes(components: ClassCodeTable, events: ClassCodeTable) throws -> Int
    /// The stored class codes by (kind, code), with their Chinese names (empty when none were loaded).
    func classCatalog() throws -> ClassCatalog

    // MARK: Reading

    /// The rows of one layer the request asks for.
    func features(_ request: LayerRequest) throws -> [SQLRow]
    /// The extent of a layer as its spatial index keeps it (each feature's box rounded outwards to float
    /// precision, as SpatiaLite's R*Tree stores it); nil for an empty layer or one without geometry.
    func extent(_ layer: UrbanModel.Layer) throws -> Envelope?
    /// The envelope of every geometry of these layers together (nil when they hold none).
    func extent(of layers: [UrbanModel.Layer]) throws -> Envelope?
    /// Whether one-spot questions may use the layers' spatial indexes (`LayerRequest.Condition.boxContains`):
    /// false on a SpatiaLite file whose R*Trees are missing.
    var hasSpatialIndexes: Bool { get throws }
    /// The street segments whose bounding box meets `window`: their pk and box (in any order).
    func streetBoxes(meeting window: Envelope) throws -> [(pk: Int64, box: Envelope)]
    /// Open hazards counted per grid cell, segment or community with the size densities are taken per (km² of the
    /// cells, km of the segment), most first, ties by key, the first `top`.
    func openHazardCounts(by unit: HazardHotspot.Unit, top: Int) throws -> [(key: String, count: Int, size: Double?)]
    /// Segments no `chiefs` row names (`id`, `name`), in pk order.
    func streetsWithoutChief() throws -> [(id: String, name: String?)]
    /// The grid codes no `chiefs` row names, in code order, each once.
    func gridCodesWithoutChief() throws -> [String]

    // MARK: Grids

    /// The community polygons (admin level `community`) whose codes start with `code` (all when nil), in code order.
    func gridAreas(under code: String?) throws -> [GridArea]
    /// The street lines block grids follow, in pk order.
    func gridStreets() throws -> [Geometry]
    /// Replaces the grids of the communities built and relocates the hazards in the new cells, in one transaction;
    /// returns the cells removed.
    @discardableResult
    func replaceGrids(with result: GridBuildResult) throws -> Int
}

extension CityStore {
    /// Reads every feature first, then imports them (`importFeatures(_:into:source:noding:)`).
    @discardableResult
    public func importFeatures(reading features: (_ body: (Feature) throws -> Void) throws -> Void, into layer: UrbanModel.Layer,
                               source: String, noding: LayerImport.StreetNoding) throws -> Int {
        var all: [Feature] = []
        try features { all.append($0) }
        return try importFeatures(all, into: layer, source: source, noding: noding)
    }

    /// Imports with street noding `.auto`.
    @discardableResult
    public func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String) throws -> Int {
        try importFeatures(features, into: layer, source: source, noding: .auto)
    }
}

/// Which rows and fields of a layer to read. Results are `SQLRow`s whose columns are named after the fields:
/// a column by its name, the geometry `g` (WKB), a point on its surface `x` and `y`, a property of `props` by the
/// name given (its JSON value as an integer, real or text).
public struct LayerRequest: Sendable {
    public enum Field: Sendable, Hashable {
        case column(String)
        case geometry
        case pointOnSurface
        case property(String, as: String)
    }

    public enum Condition: Sendable {
        /// `column = value`.
        case equals(String, SQLValue)
        /// `column` is one of the texts.
        case isIn(String, [String])
        /// `column` is not null.
        case notNull(String)
        /// The text `column` starts with `prefix`.
        case hasPrefix(String, String)
        /// The feature's bounding box (through the spatial index) holds the point.
        case boxContains(Coordinate)
    }

    public var layer: UrbanModel.Layer
    public var fields: [Field]
    public var conditions: [Condition]
    /// Column names, ascending; text compared byte by byte.
    public var order: [String]
    public var limit: Int?

    public init(_ layer: UrbanModel.Layer, _ fields: [Field], where conditions: [Condition] = [], order: [String] = ["pk"], limit: Int? = nil) {
        self.layer = layer
        self.fields = fields
        self.conditions = conditions
        self.order = order
        self.limit = limit
    }

    /// The stored columns a request may name (checked before any SQL is written).
    public static func storedColumns(_ layer: UrbanModel.Layer) -> Set<String> {
        Set(["pk"] + LayerImport.columns(of: layer).filter { $0 != "geom" })
    }

    /// The columns this request reads that a database of schema `version` does not have yet (added by a later
    /// migration: `LayerSchema.Column.since`), to be read as NULL from an older database opened read-only. `version` is
    /// asked only when the request names such a column.
    public func columnsMissing(atVersion version: () throws -> Int) throws -> Set<String> {
        let added = LayerSchema.of(layer).columns.filter { $0.since > 1 }
        guard !added.isEmpty else { return [] }
        let named = Set(fields.compactMap { f -> String? in if case .column(let c) = f { return c } else { return nil } })
        guard added.contains(where: { named.contains($0.name) }) else { return [] }
        let v = try version()
        return Set(added.filter { $0.since > v && named.contains($0.name) }.map(\.name))
    }

    /// Refuses a column the layer does not store (a programming error, never user input).
    public func check() throws {
        let known = Self.storedColumns(layer)
        var names: [String] = order
        for f in fields { if case .column(let c) = f { names.append(c) } }
        for c in conditions {
            switch c {
            case .equals(let n, _), .isIn(let n, _), .notNull(let n), .hasPrefix(let n, _): names.append(n)
            case .boxContains: break
            }
        }
        if let bad = names.first(where: { !known.contains($0) }) {
            throw ModelError.invalidArgument(name: "column", reason: "layer \(layer.rawValue) has no column '\(bad)'")
        }
    }
}

extension CityStore {
    /// The city's time zone (`timeZone`), UTC+8 when it names none the system knows.
    public var cityTimeZone: TimeZone {
        get throws { TimeZone(identifier: try timeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)! }
    }
}

