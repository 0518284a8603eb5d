import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// The daily questions on a hand-built city: four 0.001° cells, two streets, one vendor zone with a school next
/// to it, hazards and stations at known offsets. Distances are checked against PROJ's geodesic (the reference).
@Suite struct QueriesTests {
    static let lon0 = 24.940, lat0 = 60.170
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) throws -> Geometry {
        .polygon(Polygon(exterior: try LinearRing([
            Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0),
        ])))
    }

    func city() throws -> (UrbanDatabase, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-q-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try UrbanDatabase.create(path: dir + "/q.sqlite")
        let (x, y) = (Self.lon0, Self.lat0)
        // cells 001 (SW), 002 (SE), 003 (NW), 004 (NE) of community 999901001001
        var cells: [Feature] = []
        for (i, (dx, dy)) in [(0.0, 0.0), (0.001, 0.0), (0.0, 0.001), (0.001, 0.001)].enumerated() {
            let code = "99990100100100\(i + 1)"
            cells.append(Feature(id: .string(code), geometry: try Self.square(x + dx, y + dy, x + dx + 0.001, y + dy + 0.001),
                                 properties: ["code": .string(code), "community_code": "999901001001"]))
        }
        try db.importFeatures(cells, into: .grids, source: "t")
        try db.importFeatures([Feature(id: "c1", geometry: nil, properties: ["name": "片长 甲", "grid_code": "999901001001002"])],
                              into: .chiefs, source: "t")
        // a west-east street along lat0 + 0.0005 and a north-south one along lon0 + 0.0015
        try db.importFeatures([
            Feature(id: "s-ew", geometry: .lineString(try LineString([Coordinate(x, y + 0.0005), Coordinate(x + 0.002, y + 0.0005)])), properties: [:]),
            Feature(id: "s-ns", geometry: .lineString(try LineString([Coordinate(x + 0.0015, y), Coordinate(x + 0.0015, y + 0.002)])), properties: [:]),
        ], into: .streets, source: "t")
        // the vendor zone: the west half of the SW cell, weekdays 08:00–18:00
        try db.importFeatures([Feature(id: "z1", geometry: try Self.square(x, y, x + 0.0005, y + 0.001),
                                       properties: ["name": "早市", "hours": "Mo-Fr 08:00-18:00"])], into: .vendorZones, source: "t")
        // a school at the zone's south-west corner, and a shop (no buffer)
        try db.importFeatures([
            Feature(id: "school-1", geometry: .point(x: x, y: y), properties: ["name": "小学", "kind": "school"]),
            Feature(id: "shop-1", geometry: .point(x: x + 0.0004, y: y + 0.0009), properties: ["kind": "shop"]),
        ], into: .pois, source: "t")
        try db.importFeatures([
            Feature(id: "h1", geometry: .point(x: x + 0.0002, y: y + 0.0002), properties: ["class_code": "0102", "status": "open"]),
            Feature(id: "h2", geometry: .point(x: x + 0.0012, y: y + 0.0002), properties: ["class_code": "0301", "status": "open"]),
            Feature(id: "h3", geometry: .point(x: x + 0.0013, y: y + 0.0003), properties: ["class_code": "0101", "status": "resolved"]),
        ], into: .hazards, source: "t")
        try db.importFeatures([
            Feature(id: "st-1", geometry: .point(x: x, y: y + 0.002), properties: ["name": "北站"]),
            Feature(id: "st-2", geometry: .point(x: x + 0.002, y: y), properties: ["name": "东站"]),
        ], into: .stations, source: "t")
        return (db, dir)
    }

    func date(_ text: String) -> Date { ISOTime.date(text, in: TimeZone(identifier: "Asia/Shanghai")!)! }

    @Test func lookupNamesCellChiefAndNearestSegment() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let q = try IndexedLookup(db, frame: try CityFrame(db))
        let r = try q.lookup(lon: Self.lon0 + 0.0013, lat: Self.lat0 + 0.0002)
        #expect(r.gridCode == "999901001001002" && r.communityCode == "999901001001")
        #expect(r.streetCode == "999901001" && r.districtCode == "999901" && r.chief == "片长 甲")
        // nearest segment: the north-south street 0.0002° of longitude east (≈ 11.1 m at 60.17°N), its southern
        // piece: the streets cross at (lon0 + 0.0015, lat0 + 0.0005) and are noded there on import
        #expect(r.segmentID == "s-ns-1")
        let reference = Geodesic.distanceMetres(Coordinate(Self.lon0 + 0.0013, Self.lat0 + 0.0002), Coordinate(Self.lon0 + 0.0015, Self.lat0 + 0.0002))
        #expect(abs(r.segmentDistanceMetres! - reference) < 0.05, "\(r.segmentDistanceMetres!) vs \(reference)")
        // outside: no grid, no community
        let out = try q.lookup(lon: Self.lon0 - 0.01, lat: Self.lat0)
        #expect(out.gridCode == nil && out.communityCode == nil && out.chief == nil)
        #expect(throws: ModelError.self) { try q.lookup(lon: 200, lat: 0) }
    }

    /// Edges and corners shared by cells go to the smallest code, whatever the order asked in, by both strategies.
    @Test func sharedEdgesGoToTheSmallestCode() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frame = try CityFrame(db)
        let mid = (Self.lon0 + 0.001, Self.lat0 + 0.001)
        for q: any SpotLookup in [try IndexedLookup(db, frame: frame), try StoreLookup(db, frame: frame)] {
            #expect(try q.lookup(lon: mid.0, lat: mid.1).gridCode == "999901001001001")  // the corner of all four
            #expect(try q.lookup(lon: mid.0, lat: Self.lat0 + 0.0015).gridCode == "999901001001003")  // 003 | 004
            #expect(try q.lookup(lon: Self.lon0 + 0.0015, lat: mid.1).gridCode == "999901001001002")  // 002 / 004
        }
    }

    /// Batch lookups (made in parallel chunks, written from text prepared per cell and segment) give, spot for spot
    /// and in input order, the answers of single lookups (checked above against GEOS and PROJ) — over several
    /// chunks, with spots outside every cell.
    @Test func batchLookupsAgreeWithSingleOnes() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let q = try IndexedLookup(db, frame: try CityFrame(db))
        var rng = SplitMix64(seed: 11)
        let points = (0..<20_000).map { _ in Coordinate(Self.lon0 - 0.001 + rng.nextUnit() * 0.004, Self.lat0 - 0.001 + rng.nextUnit() * 0.004) }
        let singles = try points.map { try q.lookup(lon: $0.x, lat: $0.y) }
        #expect(try q.lookup(points) == singles)
        var text: [UInt8] = []
        try q.lookupJSONArray(points) { text.append(contentsOf: $0) }
        #expect(try JSONValue(parsing: text).arrayValue?.count == points.count)
        // line i: "[" or "," and then the very text of the single answer's appendJSON
        let lines = text.split(separator: 0x0A)
        #expect(lines.count == points.count + 1 && lines.last == [0x5D])
        for (i, s) in singles.enumerated() {
            var one: [UInt8] = []
            s.appendJSON(to: &one)
            if Array(lines[i].dropFirst()) != one {
                Issue.record("spot \(i): \(String(decoding: lines[i], as: UTF8.self)) vs \(String(decoding: one, as: UTF8.self))")
                break
            }
        }
        #expect(singles.contains { $0.gridCode == nil } && singles.contains { $0.gridCode != nil })
        var empty: [UInt8] = []
        try q.lookupJSONArray([]) { empty.append(contentsOf: $0) }
        #expect(String(decoding: empty, as: UTF8.self) == "[]\n")
    }

    /// Thousands of random spots: the cell returned covers the spot (GEOS), and a spot with no cell is covered by none.
    @Test func randomSpotsLandInCellsThatCoverThem() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let q = try IndexedLookup(db, frame: try CityFrame(db))
        let cells = try db.store.query("SELECT code, AsBinary(geom) g FROM grids").map { ($0["code"]!.string!, try $0["g"]!.geometry()!) }
        var rng = SplitMix64(seed: 7)
        var inside = 0
        for _ in 0..<3000 {
            let p = Coordinate(Self.lon0 - 0.0005 + rng.nextUnit() * 0.003, Self.lat0 - 0.0005 + rng.nextUnit() * 0.003)
            let r = try q.lookup(lon: p.x, lat: p.y)
            let covering = try cells.filter { try $0.1.covers(.point(Point(p))) }.map(\.0)
            if let code = r.gridCode {
                inside += 1
                #expect(covering.contains(code) && code == covering.min(), "\(p): \(code) vs \(covering)")
            } else {
                #expect(covering.isEmpty, "\(p) has no grid but is covered by \(covering)")
            }
        }
        #expect(inside > 1000)
    }

    /// Spots answered from the store's R*Trees (`StoreLookup`) get, field for field, the answers of the grid index and the whole-layer nearest-segment index. On the
    /// Helsinki demo (4,612 street segments, a 100 m grid in UTM 35N with every seventh cell deleted, so spots fall
    /// to the admin communities): random spots over the city and around it, cell corners (shared by up to four
    /// cells), street vertices (distance 0, ties between segments meeting there), and spots 2–150 km out (the
    /// window widens, up to 25.6 km, then the whole layer is asked).
    @Test func storeLookupsAgreeWithTheIndexes() throws {
        let (db, dir) = try GridFixture.freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = Self.root.appendingPathComponent("GeoData/helsinki")
        for (layer, file) in [(UrbanModel.Layer.admin, "admin.geojson"), (.streets, "streets.geojson"), (.chiefs, "chiefs.csv")] {
            let features = try FeatureFile.read(data.appendingPathComponent(file).path, options: .init(requireGeometry: layer != .chiefs))
            try db.importFeatures(features, into: layer, source: file)
        }
        try db.replaceGrids(with: GridBuilder.build(try db.gridAreas(), shape: .square, cellSize: 100, minArea: 1))
        try db.store.run("DELETE FROM grids WHERE pk % 7 = 3")
        let cells = try db.store.query("SELECT AsBinary(geom) g FROM grids ORDER BY pk LIMIT 150").map { try $0["g"]!.geometry()! }
        let streets = try db.store.query("SELECT AsBinary(geom) g FROM streets ORDER BY pk LIMIT 150").map { try $0["g"]!.geometry()! }
        let all = try #require(Envelope.union(try db.store.query("SELECT AsBinary(geom) g FROM grids").map { try $0["g"]!.geometry()!.envelope }))
        var rng = SplitMix64(seed: 2026)
        var spots = (0..<1200).map { _ in
            Coordinate(all.minX - 0.2 * all.width + rng.nextUnit() * 1.4 * all.width, all.minY - 0.2 * all.height + rng.nextUnit() * 1.4 * all.height)
        }
        spots += cells.flatMap(\.coordinates) + streets.flatMap(\.coordinates)
        for km in [2.0, 10, 30, 150] {  // east and north of the grid, in degrees at 60°N
            spots += [Coordinate(all.maxX + km / 55.6, all.center.y), Coordinate(all.center.x, all.maxY + km / 111.3)]
        }
        let frame = try CityFrame(db)
        let store = try StoreLookup(db, frame: frame)
        let fromStore = try spots.map { try store.lookup(lon: $0.x, lat: $0.y) }
        let indexed = try IndexedLookup(db, frame: frame).lookup(spots)
        var differing = 0
        for (i, (a, b)) in zip(fromStore, indexed).enumerated() where a != b {
            differing += 1
            if differing <= 5 { Issue.record("spot \(i) \(spots[i]): store \(a.json.jsonText) vs index \(b.json.jsonText)") }
        }
        #expect(differing == 0, "\(differing) of \(spots.count) spots differ")
        // the set covers every branch: cells, communities outside cells, nowhere, chiefs, far spots, distance 0
        #expect(fromStore.contains { $0.gridCode != nil && $0.chief != nil })
        #expect(fromStore.contains { $0.gridCode == nil && $0.communityCode != nil })
        #expect(fromStore.contains { $0.communityCode == nil })
        #expect(fromStore.contains { ($0.segmentDistanceMetres ?? 0) > 30_000 })
        #expect(fromStore.contains { $0.segmentDistanceMetres == 0 })
    }

    /// Up to `Lookups.storeSpotLimit` spots go through the store, more through the indexes; a store whose layers
    /// have no spatial index always uses the indexes (and `StoreLookup` refuses it).
    @Test func lookupsPickTheStrategyByCount() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frame = try CityFrame(db)
        let spot = Coordinate(Self.lon0 + 0.0013, Self.lat0 + 0.0002)
        let few = try Lookups.forSpots(Lookups.storeSpotLimit, store: db, frame: frame)
        let many = try Lookups.forSpots(Lookups.storeSpotLimit + 1, store: db, frame: frame)
        #expect(few is StoreLookup && many is IndexedLookup)
        let first = try few.lookup(lon: spot.x, lat: spot.y)
        #expect(try many.lookup([spot, spot]) == [first, first])
        #expect(first.gridCode == "999901001001002" && first.segmentID == "s-ns-1")
        let (r, dir2) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir2) }
        try r.store.execute("SELECT DisableSpatialIndex('streets', 'geom'); DROP TABLE idx_streets_geom;")
        #expect(throws: ModelError.self) { try StoreLookup(r, frame: frame) }
        let fallback = try Lookups.forSpots(1, store: r, frame: frame)
        #expect(fallback is IndexedLookup)
        #expect(try fallback.lookup(lon: spot.x, lat: spot.y) == first)
    }

    @Test func vendorChecksEveryReason() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var q = try VendorQueries(db, frame: try CityFrame(db))
        let friday = date("2026-11-20T10:00")  // a Friday
        // in the zone, 0.0008° north of the school (≈ 89 m): inside the default 100 m buffer
        let near = try q.vendorCheck(lon: Self.lon0 + 0.0001, lat: Self.lat0 + 0.0008, at: friday)
        #expect(!near.permitted && near.reason == .exclusionBuffer && near.exclusionPOI == "school-1" && near.zoneID == "z1")
        let d = Geodesic.distanceMetres(Coordinate(Self.lon0 + 0.0001, Self.lat0 + 0.0008), Coordinate(Self.lon0, Self.lat0))
        #expect(abs(near.exclusionDistanceMetres! - d) < 0.1)
        // with a 50 m buffer it is allowed, and the zone is open on Friday at 10:00 until 18:00
        q = try VendorQueries(db, frame: try CityFrame(db), exclusionMetres: ["school": 50])
        let ok = try q.vendorCheck(lon: Self.lon0 + 0.0001, lat: Self.lat0 + 0.0008, at: friday)
        #expect(ok.permitted && ok.reason == nil && ok.open == true && ok.closesAt == "2026-11-20T18:00:00+08:00")
        // Saturday: closed until Monday 08:00
        let saturday = try q.vendorCheck(lon: Self.lon0 + 0.0001, lat: Self.lat0 + 0.0008, at: date("2026-11-21T10:00"))
        #expect(!saturday.permitted && saturday.reason == .zoneClosed && saturday.opensAt == "2026-11-23T08:00:00+08:00")
        // east half of the cell: no zone
        let outside = try q.vendorCheck(lon: Self.lon0 + 0.0008, lat: Self.lat0 + 0.0005, at: friday)
        #expect(!outside.permitted && outside.reason == .outsideZone && outside.zoneID == nil)
        let zones = try q.vendorZones(at: friday, near: Coordinate(Self.lon0 + 0.0008, Self.lat0 + 0.0005), radiusMetres: 20)
        // 0.0003° of longitude ≈ 16.6 m to the zone's east edge
        #expect(zones.map(\.zoneID) == ["z1"] && zones[0].open && abs(zones[0].distanceMetres! - 16.6) < 0.2)
        #expect(try q.vendorZones(at: friday, near: Coordinate(Self.lon0 + 0.0008, Self.lat0 + 0.0005), radiusMetres: 10).isEmpty)
    }

    @Test func hazardsNearAlongInGridAndHotspots() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let q = try HazardQueries(db, frame: try CityFrame(db))
        let spot = Coordinate(Self.lon0 + 0.0012, Self.lat0 + 0.0002)
        let near = try q.hazards(in: .near(spot, radiusMetres: 20))
        #expect(near.map(\.hazard.id) == ["h2", "h3"])  // h2 at 0 m, h3 ≈ 12.4 m; h1 ≈ 55.6 m is beyond 20 m
        let h3 = Geodesic.distanceMetres(spot, Coordinate(Self.lon0 + 0.0013, Self.lat0 + 0.0003))
        #expect(near[0].distanceMetres < 1e-6 && abs(near[1].distanceMetres - h3) < 0.05)
        #expect(try q.hazards(in: .near(spot, radiusMetres: 20), status: "open").map(\.hazard.id) == ["h2"])
        #expect(try q.hazards(in: .near(spot, radiusMetres: 100), classPrefix: "01").map(\.hazard.id) == ["h3", "h1"])
        // along the north-south street's southern piece (lon0 + 0.0015): h3 ≈ 11.1 m, h2 ≈ 16.7 m; h1 ≈ 72 m
        #expect(try q.hazards(in: .along(segmentID: "s-ns-1", bufferMetres: 20)).map(\.hazard.id) == ["h3", "h2"])
        #expect(try q.hazards(in: .inGrid(code: "999901001001002")).map(\.hazard.id).sorted() == ["h2", "h3"])
        #expect(throws: ModelError.self) { try q.hazards(in: .inGrid(code: "999901001001009")) }
        #expect(throws: ModelError.self) { try q.hazards(in: .along(segmentID: "nope", bufferMetres: 5)) }
        #expect(throws: ModelError.self) { try q.hazards(in: .near(spot, radiusMetres: -1)) }
        #expect(throws: ModelError.self) { try q.hazards(in: .near(spot, radiusMetres: 5), status: "broken") }
        // open hazards: h1 in cell 001, h2 in 002 (h3 is resolved)
        let byGrid = try HazardQueries.hotspots(db, by: .grid)
        #expect(byGrid.map(\.key) == ["999901001001001", "999901001001002"] && byGrid.allSatisfy { $0.openHazards == 1 })
        let community = try HazardQueries.hotspots(db, by: .community)
        #expect(community.map(\.key) == ["999901001001"] && community[0].openHazards == 2)
    }

    @Test func nearestStationsByStraightLine() throws {
        let (db, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let q = try StationQueries(db, frame: try CityFrame(db))
        let spot = Coordinate(Self.lon0 + 0.0018, Self.lat0 + 0.0002)
        let hits = try q.nearestStations(lon: spot.x, lat: spot.y, k: 2)
        #expect(hits.map(\.id) == ["st-2", "st-1"])
        for h in hits {
            let reference = Geodesic.distanceMetres(spot, Coordinate(h.lon, h.lat))
            #expect(abs(h.distanceMetres - reference) / reference < 5e-4, "\(h.id): \(h.distanceMetres) vs \(reference)")
        }
        #expect(throws: ModelError.self) { try q.nearestStations(lon: spot.x, lat: spot.y, k: 0) }
    }
}
