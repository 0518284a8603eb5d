import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// Street-block grids (`GridBuilder.buildBlocks`). Communities and streets are drawn in the CGCS2000 GK
/// metres of `GridFixture` (CM 117°E, near 36.8°N) and converted to WGS84, so the expected areas are the
/// hand-computed metric ones.
@Suite("Block grids") struct BlockGridTests {
    typealias F = GridFixture

    /// A street line given in GK metres relative to (500 000, baseY), as WGS84.
    static func street(_ points: [(Double, Double)]) throws -> Geometry {
        let metric = Geometry.lineString(try LineString(points.map { Coordinate(500_000 + $0.0, F.baseY + $0.1) }))
        return try CoordinateTransform(from: F.gk, to: .wgs84).apply(to: metric)
    }

    static func build(_ db: UrbanDatabase, streets: [Geometry], targetArea: Double = 10_000,
                      minArea: Double? = nil) throws -> GridBuildResult {
        let result = try GridBuilder.buildBlocks(try db.gridAreas(), streets: streets, targetArea: targetArea, minArea: minArea)
        try db.replaceGrids(with: result)
        return result
    }

    /// The community tiles exactly and the audit finds nothing but missing chiefs.
    static func expectTiled(_ db: UrbanDatabase, _ result: GridBuildResult) throws {
        for c in result.communities {
            #expect(abs(c.cellsArea - c.communityArea) / c.communityArea < 1e-6, "\(c)")
        }
        let problems = try GridAudit.run(db).filter { $0.kind != .noChief }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let stored = try F.stored(db)
        #expect(stored.count == result.cells.count && Set(stored.map(\.code)).count == stored.count)
        #expect(stored.allSatisfy { $0.shape == "block" && (try? GridCode(parsing: $0.code)) != nil })
    }

    @Test func twoCrossingStreetsMakeFourBlocks() throws {
        let (db, dir) = try F.freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try F.addCommunity(db, code: "370303001001", try F.rectangle(x0: 0, y0: 0, x1: 300, y1: 200))
        // N-S street through x = 150 and E-W street through y = 100, both running past the community
        let streets = [try Self.street([(150, -30), (150, 230)]), try Self.street([(-30, 100), (330, 100)])]
        let result = try Self.build(db, streets: streets)
        #expect(result.shape == .block && result.crs == .epsg(4548))
        let c = try #require(result.communities.first)
        #expect(abs(c.communityArea - 60_000) < 1e-3)
        #expect(c.cellCount == 4)
        // 150 m × 100 m each; numbered NW, NE, SW, SE
        for cell in result.cells { #expect(abs(cell.areaSquareMetres - 15_000) < 1e-3, "\(cell.code): \(cell.areaSquareMetres)") }
        #expect(result.cells.map(\.code) == (1...4).map { "370303001001\(String(format: "%03d", $0))" })
        let metric = try CoordinateTransform(from: .wgs84, to: F.gk)
        guard case .point(let nw) = try metric.apply(to: result.cells[0].geometry).centroid() else {
            Issue.record("no centroid"); return
        }
        #expect(abs(nw.coordinate.x - 500_075) < 1e-3 && abs(nw.coordinate.y - (F.baseY + 150)) < 1e-3)
        try Self.expectTiled(db, result)
    }

    @Test func aCommunityWithoutStreetsIsOneBlockOrSplitCells() throws {
        let (db, dir) = try F.freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 80 × 100 = 8 000 m² ≤ 4 × 10 000: one block
        try F.addCommunity(db, code: "370303001001", try F.rectangle(x0: 0, y0: 0, x1: 80, y1: 100))
        // 300 × 200 = 60 000 m² > 40 000: cut by the 100 m lattice (√10 000) into six 100 m squares
        try F.addCommunity(db, code: "370303001002", try F.rectangle(x0: 100, y0: 0, x1: 400, y1: 200))
        let result = try Self.build(db, streets: [])
        #expect(result.communities.map(\.cellCount) == [1, 6])
        #expect(abs(result.cells[0].areaSquareMetres - 8_000) < 1e-3)
        for cell in result.cells.dropFirst() { #expect(abs(cell.areaSquareMetres - 10_000) < 1e-3, "\(cell.code)") }
        try Self.expectTiled(db, result)
    }

    @Test func aDeadEndCutsNothing() throws {
        let (db, dir) = try F.freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try F.addCommunity(db, code: "370303001001", try F.rectangle(x0: 0, y0: 0, x1: 300, y1: 200))
        let streets = [
            try Self.street([(150, -30), (150, 230)]),  // through street
            try Self.street([(-30, 100), (100, 100)]),  // enters from the west, ends inside
            try Self.street([(200, 50), (260, 150)]),  // wholly inside, touching nothing
            try Self.street([(1000, 1000), (1100, 1000)]),  // far away
        ]
        let result = try Self.build(db, streets: streets)
        #expect(result.cells.count == 2)
        for cell in result.cells { #expect(abs(cell.areaSquareMetres - 30_000) < 1e-3, "\(cell.code): \(cell.areaSquareMetres)") }
        try Self.expectTiled(db, result)
    }

    @Test func smallBlocksMergeIntoTheLongestSharedBoundary() throws {
        let (db, dir) = try F.freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try F.addCommunity(db, code: "370303001001", try F.rectangle(x0: 0, y0: 0, x1: 300, y1: 200))
        // x = 5 cuts two 5 × 100 strips (500 m²) off; each shares 100 m with the 295 × 100 block east of it
        let streets = [try Self.street([(5, -30), (5, 230)]), try Self.street([(-30, 100), (330, 100)])]
        let result = try Self.build(db, streets: streets, targetArea: 20_000)  // min area 4 000, split above 80 000
        let c = try #require(result.communities.first)
        #expect(c.cellCount == 2 && c.mergedSlivers >= 2)
        for cell in result.cells { #expect(abs(cell.areaSquareMetres - 30_000) < 1e-3, "\(cell.code): \(cell.areaSquareMetres)") }
        try Self.expectTiled(db, result)
        // with --min-area 0 the strips stay
        let kept = try Self.build(db, streets: streets, targetArea: 20_000, minArea: 0)
        #expect(kept.cells.count == 4)
        try Self.expectTiled(db, kept)
    }

    @Test func badArguments() throws {
        let area = GridArea(code: "370303001001", geometry: try F.rectangle(x0: 0, y0: 0, x1: 10, y1: 10))
        #expect(throws: ModelError.self) { try GridBuilder.buildBlocks([area], streets: [], targetArea: 0) }
        #expect(throws: ModelError.self) { try GridBuilder.buildBlocks([area], streets: [], minArea: -1) }
        #expect(throws: ModelError.self) { try GridBuilder.build([area], shape: .block) }
    }

    @Test func helsinkiBlocksTileEveryCommunity() throws {
        let (db, dir) = try F.freshDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = F.root.appendingPathComponent("GeoData/helsinki")
        try db.importFeatures(try FeatureFile.read(data.appendingPathComponent("admin.geojson").path), into: .admin, source: "admin.geojson")
        try db.importFeatures(try FeatureFile.read(data.appendingPathComponent("streets.geojson").path), into: .streets, source: "streets.geojson")
        let result = try Self.build(db, streets: try db.gridStreets())  // speed is the benchmark's business, not a test's
        #expect(result.crs == .epsg(32635))
        #expect(result.communities.count == 4)
        for c in result.communities {
            #expect(c.cellCount > 10, "\(c)")
            let measured = try MetricMeasure(crs: result.crs).areaSquareMetres(
                try #require(try db.gridAreas(under: c.code).first).geometry)
            #expect(abs(c.cellsArea - measured) / measured < 1e-6, "\(c.code): cells \(c.cellsArea) m², community \(measured) m²")
        }
        try Self.expectTiled(db, result)
    }
}
