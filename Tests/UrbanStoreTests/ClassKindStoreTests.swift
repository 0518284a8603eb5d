import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// Hazard classes as (kind, code) on both engines: kinds given (部件/事件 too) or inferred at import, ambiguous or
/// wrong classes refused with nothing stored, grades stored as numbers, class names (GB/T 30428.2 names of
/// GeoData/codes, checked by hand) read with every row, and migration 10's backfill of hazards stored before it.
@Suite struct ClassKindStoreTests {
    func city(_ engine: Engine) throws -> (FreshLocation, any CityStore) {
        let fresh = try FreshLocation(engine)
        let db = try City.create(fresh.location, timeZone: "Asia/Shanghai")
        let (components, events) = try DemoData.classCodes()
        try db.loadClassCodes(components: components, events: events)
        return (fresh, db)
    }

    static let hazards: [Feature] = [
        Feature(id: "h1", geometry: .point(x: 118.0, y: 36.8), properties: ["class_code": "0118", "status": "open", "severity": "较大"]),
        Feature(id: "h2", geometry: .point(x: 118.001, y: 36.8), properties: ["class_code": "0505", "status": "open", "severity": "high"]),
        Feature(id: "h3", geometry: .point(x: 118.002, y: 36.8), properties: ["class_code": "0101", "kind": "事件", "status": "open", "severity": 4]),
        Feature(id: "h4", geometry: .point(x: 118.003, y: 36.8),
                properties: ["class_code": "0101", "status": "resolved", "component_id": "3705030101000001", "severity": "一般"]),
        Feature(id: "h5", geometry: .point(x: 118.004, y: 36.8), properties: ["class_code": "0101", "kind": "component", "status": "open"]),
    ]

    /// (id, kind, class_code, class_name, severity) of every hazard, in storage order, read as exports read them.
    func classes(_ db: any CityStore) throws -> [[String]] {
        let reader = try LayerReader(db, layer: .hazards)
        let names = reader.columns.map(\.name)
        var out: [[String]] = []
        try reader.forEach { f in
            func v(_ n: String) -> String {
                switch f.values[names.firstIndex(of: n)!] {
                case .string(let s): s
                case .int(let i): String(i)
                default: "-"
                }
            }
            out.append([f.id, v("kind"), v("class_code"), v("class_name"), v("severity")])
        }
        return out
    }

    @Test(arguments: Engine.allCases)
    func kindsGivenOrInferredAndClassNames(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        #expect(try db.importFeatures(Self.hazards, into: .hazards, source: "h.geojson", noding: .auto) == 5)
        #expect(try classes(db) == [
            ["h1", "component", "0118", "路灯", "2"],        // only a component class
            ["h2", "event", "0505", "机动车乱停放", "3"],     // only an event class
            ["h3", "event", "0101", "私搭乱建", "4"],         // 事件 given
            ["h4", "component", "0101", "上水井盖", "1"],     // a component ID: a component
            ["h5", "component", "0101", "上水井盖", "-"],
        ])
        #expect(try HazardFacts.read("h3", from: db)?.kind == .event)
        #expect(try db.classCatalog().name(kind: .event, code: "0101") == "私搭乱建")
    }

    @Test(arguments: Engine.allCases)
    func unclearClassesRefuseTheFile(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let ok = Self.hazards[0]
        func refused(_ properties: JSONObject, field: String, reason: String) {
            let bad = Feature(id: "bad", geometry: .point(x: 118.01, y: 36.8), properties: properties)
            #expect(throws: ModelError.malformedRecord(.init(file: "h.geojson", field: "features[1].properties.\(field)"), reason: reason)) {
                try db.importFeatures([ok, bad], into: .hazards, source: "h.geojson", noding: .auto)
            }
        }
        refused(["class_code": "0101", "status": "open"], field: "kind",
                reason: "missing, and class code '0101' is in both tables (component 上水井盖, event 私搭乱建): give kind component (部件) or event (事件)")
        refused(["class_code": "0601", "kind": "event", "status": "open"], field: "class_code",
                reason: "unknown class code '0601' for kind event: not in the event (事件) table loaded into this database (it is a component class, 重大危险源: is kind wrong?)")
        refused(["class_code": "0101", "kind": "thing", "status": "open"], field: "kind", reason: "'thing' is not component (部件) or event (事件)")
        refused(["class_code": "7777", "status": "open"], field: "class_code",
                reason: "unknown class code '7777': not in the component or event tables loaded into this database")
        refused(["class_code": "0118", "status": "open", "severity": "huge"], field: "severity",
                reason: "\"huge\" is not a grade: 1–4 or 一般/low, 较大/medium, 重大/high, 紧急/urgent")
        refused(["class_code": "0118", "status": "open", "severity": 5], field: "severity",
                reason: "5 is not a grade: 1–4 or 一般/low, 较大/medium, 重大/high, 紧急/urgent")
        #expect(try db.count(.hazards) == 0)  // all or nothing
    }

    /// Without code tables nothing is checked: a kind given is kept, a component ID makes a component, else null.
    @Test(arguments: Engine.allCases)
    func withoutTablesNothingIsInferredFromCodes(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        let db = try City.create(fresh.location, timeZone: "Asia/Shanghai")
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        try db.importFeatures(Self.hazards, into: .hazards, source: "h.geojson", noding: .auto)
        #expect(try classes(db).map { [$0[0], $0[1], $0[3]] } == [["h1", "-", "-"], ["h2", "-", "-"], ["h3", "event", "-"], ["h4", "component", "-"],
                                                                   ["h5", "component", "-"]])
    }

    /// A city whose hazards were stored before migration 10 (the column dropped and the migration's record deleted,
    /// as a database of schema 9 has them): opening it applies 10, and the backfill
    /// infers what import would, leaving a code of both tables null.
    @Test(arguments: Engine.allCases)
    func migrationTenBackfillsKinds(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        try db.importFeatures(Self.hazards, into: .hazards, source: "h.geojson", noding: .auto)
        let undo = ["ALTER TABLE hazards DROP COLUMN kind", "DELETE FROM schema_migrations WHERE version = 10"]
        switch db {
        case let d as UrbanDatabase: for s in undo { try d.store.execute(s) }
        case let d as PostGISDatabase: for s in undo { try d.connection.execute(s) }
        default: Issue.record("no engine")
        }
        (db as? PostGISDatabase)?.close()
        defer { fresh.remove() }
        #expect(try fresh.scalar("SELECT max(version) FROM schema_migrations").int == 9)
        let reopened = try City.open(fresh.location)
        defer { (reopened as? PostGISDatabase)?.close() }
        #expect(try reopened.schemaVersion == 10)
        #expect(try classes(reopened).map { [$0[0], $0[1], $0[3]] } == [
            ["h1", "component", "路灯"], ["h2", "event", "机动车乱停放"], ["h3", "-", "-"], ["h4", "component", "上水井盖"], ["h5", "-", "-"],
        ])
    }
}
