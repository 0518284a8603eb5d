public import Foundation
public import SpatialCore

/// Which features of a layer to read: all, those matching an SQL condition on the layer's columns, those
/// intersecting a lon/lat box, the one with a given id, any combination; optionally one page of them.
public struct LayerFilter: Sendable, Hashable {
    /// An SQL expression over the layer table's columns (`status = 'open' AND severity >= 3`). It runs on a
    /// read-only connection and must be one expression: anything else is rejected when prepared.
    /// Only for trusted callers (the command line): request text from the network never goes here.
    public var whereSQL: String?
    /// WGS84 lon/lat; features whose geometry intersects it (exactly, by GEOS through SpatiaLite).
    public var bbox: Envelope?
    /// Only the feature with this id (bound as a parameter, never spliced into SQL).
    public var featureID: String?
    /// At most this many features (in storage order) after skipping `offset`; nil: all. `count()` ignores it.
    public var limit: Int?
    /// Features skipped before the first one read (in storage order). `count()` ignores it.
    public var offset: Int
    /// Features whose time (the layer's first time column, `LayerSchema.timeColumn`: a hazard's `reported_at`) lies
    /// in this interval; bound as Unix seconds. Features without a time are not selected. A layer without a time
    /// column refuses it (`ModelError.invalidArgument` naming `datetime`).
    public var time: TimeRange?

    /// A closed time interval; a nil end is open (`..` in OGC API – Features' `datetime`).
    public struct TimeRange: Sendable, Hashable {
        public var start: Date?
        public var end: Date?
        public init(start: Date?, end: Date?) {
            self.start = start
            self.end = end
        }
    }

    public init(whereSQL: String? = nil, bbox: Envelope? = nil, featureID: String? = nil, limit: Int? = nil, offset: Int = 0,
                time: TimeRange? = nil) {
        self.whereSQL = whereSQL?.isEmpty == true ? nil : whereSQL
        self.bbox = bbox
        self.featureID = featureID
        self.limit = limit
        self.offset = offset
        self.time = time
    }

    /// Parses `W,S,E,N` (lon/lat degrees).
    public static func parseBBox(_ text: String) throws -> Envelope {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { NumberText.decimal($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let w = parts[0], let s = parts[1], let e = parts[2], let n = parts[3] else {
            throw ModelError.invalidArgument(name: "bbox", reason: "'\(text)' is not W,S,E,N (four numbers, lon/lat degrees)")
        }
        guard w.isFinite, s.isFinite, e.isFinite, n.isFinite, w <= e, s <= n,
              (-180...180).contains(w), (-180...180).contains(e), (-90...90).contains(s), (-90...90).contains(n) else {
            throw ModelError.invalidArgument(
                name: "bbox", reason: "'\(text)': need -180 ≤ W ≤ E ≤ 180 and -90 ≤ S ≤ N ≤ 90 (lon/lat degrees, west,south,east,north)")
        }
        return Envelope(minX: w, minY: s, maxX: e, maxY: n)
    }
}

/// A column as exported: a stored column of the layer (schema or derived), or a key of the extra
/// properties kept as JSON.
public struct ExportColumn: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case text, integer, real, boolean, time
        /// Mixed or nested JSON values of an extra property (written as JSON text where a type is needed).
        case json
    }

    public var name: String
    public var kind: Kind
    /// True for a key of `props` rather than a table column.
    public var isExtra: Bool

    public init(name: String, kind: Kind, isExtra: Bool) {
        self.name = name
        self.kind = kind
        self.isExtra = isExtra
    }
}

/// A feature as read from the database: its id, its values in the order of the reader's `columns`, and its
/// WGS84 geometry (nil for the chiefs table).
public struct StoredFeature: Sendable {
    public var id: String
    public var values: [JSONValue]
    public var geometry: Geometry?

    public init(id: String, values: [JSONValue], geometry: Geometry?) {
        self.id = id
        self.values = values
        self.geometry = geometry
    }
}

