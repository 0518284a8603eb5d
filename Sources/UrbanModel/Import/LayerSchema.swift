/// How each layer is stored: its table, the attribute columns read from feature properties, and the
/// geometry kinds it accepts. Properties not named here are kept, as JSON, in the `props` column.
public struct LayerSchema: Sendable {
    public enum ColumnType: String, Sendable {
        case text, integer, real, boolean
        /// ISO 8601 date-time; without an offset it is local time in the database's time zone. Stored with its offset.
        case time
    }

    public struct Column: Sendable {
        public var name: String
        public var type: ColumnType
        public var required: Bool
        /// Accepted values (text columns), e.g. hazard status `open` / `resolved`.
        public var allowed: [String]?
        /// Other property names accepted for this column (e.g. `highway` for `class`).
        public var aliases: [String]
        /// The schema migration that added the column: 1 for the first tables, a later version for a column added by
        /// `ALTER TABLE` (the first migration creates only its own columns, so both paths give the same table).
        public var since: Int

        public init(_ name: String, _ type: ColumnType, required: Bool = false, allowed: [String]? = nil, aliases: [String] = [],
                    since: Int = 1) {
            self.name = name
            self.type = type
            self.required = required
            self.allowed = allowed
            self.aliases = aliases
            self.since = since
        }
    }

    public enum GeometryKind: String, Sendable {
        case point = "POINT", lineString = "LINESTRING", multiPolygon = "MULTIPOLYGON", any = "GEOMETRY", none
    }

    public var layer: UrbanModel.Layer
    public var table: String
    public var columns: [Column]
    public var geometry: GeometryKind

    public static func of(_ layer: UrbanModel.Layer) -> LayerSchema { all.first { $0.layer == layer }! }

    /// The column a time filter applies to (OGC API – Features' `datetime`): the first time column, a hazard's
    /// `reported_at`; nil for layers without one.
    public var timeColumn: String? { columns.first { $0.type == .time }?.name }

    /// The columns of the first migration's `CREATE TABLE` (`since` 1); later ones are added by their migration.
    public var firstColumns: [Column] { columns.filter { $0.since == 1 } }

    /// The columns a migration adds to existing tables, as `(table, column)`.
    public static func columnsAdded(by version: Int) -> [(table: String, column: Column)] {
        all.flatMap { s in s.columns.filter { $0.since == version }.map { (s.table, $0) } }
    }

    public static let all: [LayerSchema] = [
        LayerSchema(layer: .admin, table: "admin", columns: [
            Column("code", .text, required: true, aliases: ["adcode"]),
            Column("name", .text),
            Column("level", .text, required: true, allowed: ["district", "street", "community"]),
            Column("parent_code", .text, aliases: ["parent_adcode"]),
        ], geometry: .multiPolygon),
        LayerSchema(layer: .streets, table: "streets", columns: [
            Column("name", .text),
            Column("class", .text, aliases: ["highway"]),
            Column("oneway", .boolean),
            Column("drive", .boolean),
            Column("walk", .boolean),
            Column("from_node", .text),
            Column("to_node", .text),
        ], geometry: .lineString),
        LayerSchema(layer: .vendorZones, table: "vendor_zones", columns: [
            Column("name", .text),
            Column("kind", .text),
            Column("capacity", .integer, aliases: ["stalls", "摊位数"]),
            Column("status", .text, allowed: VendorZoneStatus.allCases.map(\.rawValue)),
            Column("hours", .text, aliases: ["opening_hours"]),
        ], geometry: .multiPolygon),
        LayerSchema(layer: .hazards, table: "hazards", columns: [
            // component (部件) or event (事件): which GB/T 30428.2 table the class code is of (部件/事件 accepted and
            // stored as component/event; inferred when not given, see `LayerImport`); added by migration 10
            Column("kind", .text, allowed: CaseWorkflow.Kind.allCases.map(\.rawValue), since: 10),
            Column("class_code", .text, required: true),
            // a grade of `SeverityGrade` (1–4, or 一般/较大/重大/紧急, low/medium/high/urgent), stored as its number
            Column("severity", .integer),
            Column("status", .text, required: true, allowed: ["open", "resolved"]),
            Column("reported_at", .time),
            Column("resolved_at", .time),
            Column("component_id", .text),
        ], geometry: .any),
        LayerSchema(layer: .stations, table: "stations", columns: [
            Column("name", .text),
            Column("kind", .text),
            Column("capacity", .integer),
            Column("hours", .text, aliases: ["opening_hours"]),
        ], geometry: .point),
        LayerSchema(layer: .pois, table: "pois", columns: [
            Column("name", .text),
            Column("kind", .text, required: true),
        ], geometry: .any),
        LayerSchema(layer: .demand, table: "demand", columns: [
            Column("weight", .real, required: true),
        ], geometry: .any),
        LayerSchema(layer: .chiefs, table: "chiefs", columns: [
            Column("name", .text, required: true),
            Column("phone", .text),
            Column("grid_code", .text),
            Column("segment_id", .text),
            // responsibility in time (migration 9): what the chief is, the AB角 who answers when the chief is off
            // duty, the hours on duty (opening_hours syntax, `PH` from the holiday calendar), and the POI whose
            // frontage (门前三包) a `frontage` duty holder keeps
            Column("role", .text, allowed: ChiefRole.allCases.map(\.rawValue), since: 9),
            Column("backup", .text, since: 9),
            Column("on_duty", .text, since: 9),
            Column("poi_id", .text, since: 9),
        ], geometry: .none),
        LayerSchema(layer: .grids, table: "grids", columns: [
            Column("code", .text, required: true),
            Column("community_code", .text),
            Column("area_m2", .real),
            Column("shape", .text),
        ], geometry: .multiPolygon),
    ]
}
