import SpatialCore
public import UrbanModel

/// The city's component and event class codes (GB/T 30428.2 tables, per city) kept in the database, so a
/// hazard's class is checked against the tables the city loaded, not against a list compiled in.
extension UrbanDatabase {
    static let classCodesMigration = Migration(version: 3, name: "class codes", sql: """
        CREATE TABLE class_codes(kind TEXT NOT NULL, code TEXT NOT NULL, major TEXT NOT NULL, name_zh TEXT NOT NULL,
                                 name_en TEXT, source_file TEXT, PRIMARY KEY (kind, code));
        """)

    /// Replaces the stored class codes by these tables (minor classes and major classes alike).
    /// - Returns: the number of codes stored.
    @discardableResult
    public func loadClassCodes(components: ClassCodeTable, events: ClassCodeTable) throws -> Int {
        try store.transaction {
            try store.execute("DELETE FROM class_codes")
            let insert = try store.prepare(
                "INSERT INTO class_codes(code, kind, major, name_zh, name_en, source_file) VALUES (?, ?, ?, ?, ?, ?)")
            var n = 0
            for (kind, table) in [("component", components), ("event", events)] {
                for e in table.majorClasses + table.minorClasses {
                    try insert.run([e.code, kind, e.major, e.nameZH, e.nameEN, table.file])  // codes are unique per table
                    n += 1
                }
            }
            return n
        }
    }

    /// Migration 10: hazards carry the kind of their class (`component` 部件 or `event` 事件), so the (kind, code) pair
    /// names a class. Existing hazards get the kind `LayerImport.classify` would infer: component when they carry a
    /// component ID, else the one stored table that has the code; a code in both tables (or none loaded) stays NULL.
    static let classKindsMigration = Migration(version: 10, name: "hazard class kinds", sql: """
        ALTER TABLE hazards ADD COLUMN kind TEXT;
        \(hazardKindBackfillSQL);
        """)

    /// The backfill of migration 10, the same text on both engines.
    static let hazardKindBackfillSQL = """
        UPDATE hazards SET kind = CASE
          WHEN component_id IS NOT NULL AND component_id <> '' THEN 'component'
          WHEN EXISTS (SELECT 1 FROM class_codes c WHERE c.kind = 'component' AND c.code = hazards.class_code)
           AND NOT EXISTS (SELECT 1 FROM class_codes c WHERE c.kind = 'event' AND c.code = hazards.class_code) THEN 'component'
          WHEN EXISTS (SELECT 1 FROM class_codes c WHERE c.kind = 'event' AND c.code = hazards.class_code)
           AND NOT EXISTS (SELECT 1 FROM class_codes c WHERE c.kind = 'component' AND c.code = hazards.class_code) THEN 'event'
        END
        """

    /// The SQL expression of the Chinese name of a row's class, looked up by (kind, code) in `class_codes`: NULL when
    /// the kind is unknown or the city's tables lack the class. `table` is the row's table (`hazards`, `cases`).
    static func classNameSQL(_ table: String) -> String {
        "(SELECT c.name_zh FROM class_codes c WHERE c.kind = \(table).kind AND c.code = \(table).class_code)"
    }

    /// The stored class codes by kind (the two tables number their classes independently: 0101 is both 上水井盖 and
    /// 私搭乱建). Empty when none were loaded: then hazard classes are not checked.
    public func classCatalog() throws -> ClassCatalog {
        ClassCatalog(try store.query("SELECT kind, code, name_zh FROM class_codes ORDER BY kind, code").compactMap { r in
            guard let kind = r["kind"]?.string.flatMap(CaseWorkflow.Kind.init(rawValue:)), let code = r["code"]?.string else { return nil }
            return ClassCatalog.Entry(kind: kind, code: code, nameZH: r["name_zh"]?.string ?? "")
        })
    }
}
