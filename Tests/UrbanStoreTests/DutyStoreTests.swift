import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
@testable import UrbanStore

/// Responsibility in time and 门前三包 on both engines: chiefs with roles, hours and backups (old chief rows keep
/// importing), frontage units built with GEOS in the metric CRS and stored, lookups that name who answers, and the
/// duty rules. Every expected value is worked out by hand from the layout below (metres east and north of a spot in
/// Zibo, in the CGCS2000 Gauss-Krüger zone the city's frame picks there).
///
/// One street segment runs from (0, 0) to (100, 0) m. Shops: p1 a point at (30, 12), p2 a point at (38, 15), p3 a
/// building from (60, −20) to (80, −10), p4 a point 200 m north (too far), p5 a school at (10, 8) (not a shop).
@Suite struct DutyStoreTests {
    static let origin = Coordinate(118.05, 36.81)
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    static func time(_ text: String) -> Date { ISOTime.date(text, in: zone)! }

    /// The metric CRS the city's frame picks around `origin`, and its transforms.
    static let metric = LocalMetricCRS.choose(for: Envelope(minX: origin.x, minY: origin.y, maxX: origin.x + 0.002, maxY: origin.y + 0.001)).crs

    static func wgs84(_ x: Double, _ y: Double) throws -> Coordinate {
        let o = try CoordinateTransform(from: .wgs84, to: metric).apply(origin)
        return try CoordinateTransform(from: metric, to: .wgs84).apply(Coordinate(o.x + x, o.y + y))
    }

    static func metres(_ c: Coordinate) throws -> Coordinate {
        let o = try CoordinateTransform(from: .wgs84, to: metric).apply(origin)
        let m = try CoordinateTransform(from: .wgs84, to: metric).apply(c)
        return Coordinate(m.x - o.x, m.y - o.y)
    }

    static func polygon(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) throws -> Geometry {
        .polygon(Polygon(exterior: try LinearRing([try wgs84(x0, y0), try wgs84(x1, y0), try wgs84(x1, y1), try wgs84(x0, y1), try wgs84(x0, y0)])))
    }

    static let cell = "370303001001001"

    /// A city with the segment, the shops, one grid cell over them all, and the chiefs.
    static func city(_ fresh: FreshLocation) throws -> any FrontageStore {
        let db = try #require(try City.create(fresh.location, timeZone: "Asia/Shanghai") as? any FrontageStore)
        let street = Feature(id: .string("s1"), geometry: .lineString(try LineString([try wgs84(0, 0), try wgs84(100, 0)])), properties: ["name": .string("纬一路")])
        try db.importFeatures([street], into: .streets, source: "streets.geojson")
        func shop(_ id: String, _ g: Geometry, kind: String = "shop") -> Feature {
            Feature(id: .string(id), geometry: g, properties: ["name": .string("店 \(id)"), "kind": .string(kind)])
        }
        try db.importFeatures([
            shop("p1", .point(Point(try wgs84(30, 12)))), shop("p2", .point(Point(try wgs84(38, 15)))),
            shop("p3", try polygon(60, -20, 80, -10)), shop("p4", .point(Point(try wgs84(50, 200)))),
            shop("p5", .point(Point(try wgs84(10, 8))), kind: "school"),
        ], into: .pois, source: "pois.geojson")
        try db.importFeatures([Feature(id: .string(cell), geometry: try polygon(-10, -50, 110, 50), properties: ["code": .string(cell)])],
                              into: .grids, source: "grids.geojson")
        try db.importFeatures([
            Feature(id: .string("g1"), geometry: nil, properties: [
                "name": "王A", "role": "grid_chief", "phone": "0533-1", "backup": "李B", "on_duty": "Mo-Fr 08:30-17:30; PH off", "grid_code": .string(cell)]),
            Feature(id: .string("r1"), geometry: nil, properties: [
                "name": "路长甲", "role": "road_chief", "phone": "0533-2", "on_duty": "Mo-Fr 08:00-18:00; PH off", "segment_id": "s1"]),
            Feature(id: .string("f1"), geometry: nil, properties: ["name": "店主1", "role": "frontage", "phone": "138", "poi_id": "p1"]),
            // a row as chief files had it before roles: kept as it was
            Feature(id: .string("c9"), geometry: nil, properties: ["name": "老片长", "phone": "12319", "grid_code": "370303001001002"]),
        ], into: .chiefs, source: "chiefs.csv")
        return db
    }

    static func area(_ g: Geometry) throws -> Double {
        try CoordinateTransform(from: .wgs84, to: metric).apply(to: g).area()
    }

    @Test(arguments: Engine.allCases)
    func frontageUnitsAreBuiltStoredAndReplaced(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try Self.city(fresh)
        defer { (db as? PostGISDatabase)?.close() }
        let frame = try CityFrame(db)
        #expect(frame.metricCRS == Self.metric)
        var options = FrontageBuild.Options()
        options.kinds = ["shop"]
        let built = try FrontageBuild.build(db, frame: frame, options: options)
        #expect(built.units.map(\.id) == ["p1", "p2", "p3"])
        #expect(built.skipped.map(\.id) == ["p4"] && built.skipped[0].reason == "no street segment within 50 m")
        let (p1, p2, p3) = (built.units[0], built.units[1], built.units[2])
        // p1: 10 m centred on x = 30 → 25…35; p2: 33…43; they overlap on 33…35 and are cut at 34
        #expect(p1.side == .left && abs(p1.fromMetres - 25) < 1e-6 && abs(p1.toMetres - 34) < 1e-6)
        #expect(p2.side == .left && abs(p2.fromMetres - 34) < 1e-6 && abs(p2.toMetres - 43) < 1e-6)
        // p3: its footprint projects onto 60…80, south of the segment (right of its direction)
        #expect(p3.side == .right && abs(p3.fromMetres - 60) < 1e-6 && abs(p3.toMetres - 80) < 1e-6 && p3.segmentID == "s1")
        // strips 5 m deep from the building line: 9 × 5, 9 × 5, 20 × 5 m²
        #expect(abs(try Self.area(p1.geometry) - 45) < 0.01)
        #expect(abs(try Self.area(p2.geometry) - 45) < 0.01)
        #expect(abs(try Self.area(p3.geometry) - 100) < 0.01)

        #expect(try db.replaceFrontageUnits(built.units) == 3)
        let stored = try db.frontageUnits()
        #expect(stored.map(\.id) == ["p1", "p2", "p3"] && stored.map(\.poiID) == ["p1", "p2", "p3"])
        #expect(stored.map(\.side) == [.left, .left, .right] && stored[2].name == "店 p3" && stored[2].kind == "shop")
        for (s, b) in zip(stored, built.units) {
            #expect(abs(s.fromMetres - b.fromMetres) < 1e-9 && abs(s.toMetres - b.toMetres) < 1e-9 && s.depthMetres == 5)
            #expect(abs(try Self.area(s.geometry) - Self.area(b.geometry)) < 1e-6)
        }
        // a second build replaces the first (one transaction)
        #expect(try db.replaceFrontageUnits([built.units[1]]) == 1)
        #expect(try db.frontageUnits().map(\.id) == ["p2"])
    }

    @Test(arguments: Engine.allCases)
    func lookupsNameWhoAnswersAtAMoment(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try Self.city(fresh)
        defer { (db as? PostGISDatabase)?.close() }
        let frame = try CityFrame(db)
        var options = FrontageBuild.Options()
        options.kinds = ["shop"]
        try db.replaceFrontageUnits(try FrontageBuild.build(db, frame: frame, options: options).units)
        // the old row: no role stored, read as a grid chief
        #expect(try fresh.scalar("SELECT role FROM chiefs WHERE id = 'c9'") == .null)
        #expect(try fresh.scalar("SELECT on_duty FROM chiefs WHERE id = 'g1'").string == "Mo-Fr 08:30-17:30; PH off")
        let duty = try ResponsibilityLookup(db, holidays: .china)
        #expect(duty.roster.gridChief("370303001001002")?.name == "老片长")
        let lookup = try IndexedLookup(db, frame: frame)
        func ask(_ x: Double, _ y: Double, _ at: String) throws -> Responsibility {
            let spot = try Self.wgs84(x, y)
            return try #require(try duty.annotate(try lookup.lookup(lon: spot.x, lat: spot.y), at: Self.time(at)).responsibility)
        }
        // Friday 2026-10-09 10:00, on the pavement in front of p1 (9.5 m north of the centre line: inside 7…12)
        let friday = try ask(30, 9.5, "2026-10-09T10:00+08:00")
        #expect(friday.at == "2026-10-09T10:00:00+08:00" && friday.onDuty == true && friday.responsible == "王A" && friday.phone == "0533-1")
        #expect(friday.roadChief == "路长甲" && friday.roadChiefOnDuty == true && friday.roadResponsible == "路长甲")
        #expect(friday.frontageUnit == "p1" && friday.frontageHolder == "店主1" && friday.frontageHolderPhone == "138")
        // National Day (Thursday 2026-10-01, PH off): the backup answers the cell; the road chief has none
        let holiday = try ask(30, 9.5, "2026-10-01T10:00+08:00")
        #expect(holiday.onDuty == false && holiday.responsible == "李B" && holiday.dutyNote == "王A is off duty: the backup 李B answers")
        #expect(holiday.roadChiefOnDuty == false && holiday.roadResponsible == nil)
        // in the road (3 m from the centre line, nearer than p1's strip reaches) and across the street from p1
        #expect(try ask(30, 3, "2026-10-09T10:00+08:00").frontageUnit == nil)
        #expect(try ask(30, -9, "2026-10-09T10:00+08:00").frontageUnit == nil)
        // in front of the building p3, which has no holder
        let p3 = try ask(70, -7, "2026-10-09T10:00+08:00")
        #expect(p3.frontageUnit == "p3" && p3.frontageHolder == nil)
    }

    @Test(arguments: Engine.allCases)
    func theDutyRulesAndTheGridAudit(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try Self.city(fresh)
        defer { (db as? PostGISDatabase)?.close() }
        var options = FrontageBuild.Options()
        options.kinds = ["shop"]
        try db.replaceFrontageUnits(try FrontageBuild.build(db, frame: try CityFrame(db), options: options).units)
        let rules = try RuleSet(parsing: Array("""
            {"rules": [{"id": "D1", "kind": "no-one-on-duty"}, {"id": "D2", "kind": "segment-without-road-chief"}, {"id": "D3", "kind": "frontage-unassigned"}]}
            """.utf8), path: "duty.json")
        let analysis = try CityAnalysis(db)
        let holiday = try analysis.audit(rules, at: Self.time("2026-10-01T10:00+08:00"))
        // the cell has a backup; the segment's road chief is off on the holiday and has none
        #expect(holiday[0].kind == "no-one-on-duty" && holiday[0].checked == 2 && holiday[0].offenders.map(\.id) == ["s1"])
        #expect(holiday[0].offenders[0].detail == "segment: no one on duty: 路长甲 is off duty and has no backup at 2026-10-01T10:00:00+08:00")
        #expect(holiday[1].kind == "segment-without-road-chief" && holiday[1].passed && holiday[1].checked == 1)
        #expect(holiday[2].kind == "frontage-unassigned" && holiday[2].checked == 3 && holiday[2].offenders.map(\.id) == ["p2", "p3"])
        #expect(try analysis.audit(rules, at: Self.time("2026-10-09T10:00+08:00"))[0].passed)
        // the grid audit: the same at that moment
        let findings = try GridAudit.run(db, at: Self.time("2026-10-01T10:00+08:00"), holidays: .china)
        #expect(findings.filter { $0.kind == .noOneOnDuty }.map(\.code) == ["s1"])
        #expect(findings.filter { $0.kind == .frontageUnassigned }.map(\.code) == ["p2", "p3"])
        #expect(findings.filter { $0.kind == .noRoadChief }.isEmpty)
    }

    @Test(arguments: Engine.allCases)
    func badChiefRowsStoreNothing(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try Self.city(fresh)
        defer { (db as? PostGISDatabase)?.close() }
        let good = Feature(id: .string("ok"), geometry: nil, properties: ["name": "好", "role": "street_chief", "grid_code": .string(Self.cell)])
        let cases: [(JSONObject, String)] = [
            (["name": "X", "role": "mayor"], "features[1].properties.role"),
            (["name": "X", "on_duty": "Mo-Fr 25:00-26:00"], "features[1].properties.on_duty"),
        ]
        for (properties, field) in cases {
            do {
                try db.importFeatures([good, Feature(id: .string("bad"), geometry: nil, properties: properties)], into: .chiefs, source: "chiefs.csv")
                Issue.record("imported \(properties)")
            } catch ModelError.malformedRecord(let at, _) {
                #expect("\(at)".contains(field), "\(at)")
            }
        }
        #expect(try db.count(.chiefs) == 4)
    }
}

/// `copy` carries the duty columns and the frontage units to the other engine, and reads a source of schema version
/// 8 (no duty columns yet) with those columns empty.
@Suite struct DutyCopyTests {
    @Test(arguments: Engine.allCases)
    func copyCarriesDutyAndFrontage(_ engine: Engine) throws {
        let source = try FreshLocation(engine), target = try FreshLocation(engine == .spatiaLite ? .postGIS : .spatiaLite)
        defer { source.remove(); target.remove() }
        do {
            let db = try DutyStoreTests.city(source)
            defer { (db as? PostGISDatabase)?.close() }
            var options = FrontageBuild.Options()
            options.kinds = ["shop"]
            try db.replaceFrontageUnits(try FrontageBuild.build(db, frame: try CityFrame(db), options: options).units)
        }
        try CityCopy.copy(from: source.location, to: target.location)
        let copy = try #require(try City.open(target.location, readOnly: true) as? any FrontageStore)
        defer { (copy as? PostGISDatabase)?.close() }
        let units = try copy.frontageUnits()
        #expect(units.map(\.id) == ["p1", "p2", "p3"] && units.map(\.side) == [.left, .left, .right])
        #expect(abs(try DutyStoreTests.area(units[2].geometry) - 100) < 0.01)
        let roster = try DutyRoster(copy, holidays: .china)
        #expect(roster.gridChief(DutyStoreTests.cell)?.backup == "李B" && roster.roadChief("s1")?.name == "路长甲" && roster.frontageHolder("p1")?.phone == "138")
        #expect(roster.gridChief(DutyStoreTests.cell)?.onDuty == (try OpeningHours("Mo-Fr 08:30-17:30; PH off")))
    }

    @Test func copyFromASchemaOlderThanTheDutyColumns() throws {
        let source = try FreshLocation(.spatiaLite), target = try FreshLocation(.spatiaLite)
        defer { source.remove(); target.remove() }
        let path = source.folder.appendingPathComponent("city.sqlite").path
        do {
            let db = try UrbanDatabase.create(path: path)
            try db.importFeatures([Feature(id: .string("c1"), geometry: nil, properties: ["name": "老片长", "grid_code": .string(DutyStoreTests.cell)])],
                                  into: .chiefs, source: "chiefs.csv")
            // back to version 8: no duty columns, no frontage table (nor migration 10's hazard kinds)
            for sql in ["ALTER TABLE chiefs DROP COLUMN role", "ALTER TABLE chiefs DROP COLUMN backup", "ALTER TABLE chiefs DROP COLUMN on_duty",
                        "ALTER TABLE chiefs DROP COLUMN poi_id", "ALTER TABLE hazards DROP COLUMN kind", "DELETE FROM schema_migrations WHERE version >= 9"] {
                _ = try db.store.run(sql)
            }
            try db.store.close()
        }
        let old = try UrbanDatabase(path: path, readOnly: true)
        #expect(try old.schemaVersion == 8)
        #expect(try DutyRoster(old, holidays: .china).gridChief(DutyStoreTests.cell)?.name == "老片长")
        try old.store.close()
        try CityCopy.copy(from: source.location, to: target.location)
        let copy = try UrbanDatabase(path: target.folder.appendingPathComponent("city.sqlite").path, readOnly: true)
        #expect(try copy.count(.chiefs) == 1 && copy.store.query("SELECT role FROM chiefs").first?["role"] == .null)
    }
}
