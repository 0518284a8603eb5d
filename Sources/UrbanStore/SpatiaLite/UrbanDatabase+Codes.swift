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

    /// The stored class codes, components and events together (the two tables number their classes
    /// independently: 0101 is both 上水井盖 and 私搭乱建, so a code is accepted if either table has it).
    /// Empty when none were loaded: then hazard classes are not checked.
    func classCodes() throws -> Set<String> {
        Set(try store.query("SELECT code FROM class_codes").compactMap { $0["code"]?.string })
    }
}
