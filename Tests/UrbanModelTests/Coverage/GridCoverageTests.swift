import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// Straight-line station coverage of grid cells on a hand-built case: 100 m cells whose centres lie 300 m and
/// 700 m north of a station, checked against PROJ's geodesic distance (the reference), radius 500 m.
@Suite struct GridCoverageTests {
    /// A database with one station at (24.94, 60.17) and square cells of `side` metres centred `north` metres
    /// north of it (degrees from metres on the meridian: 1″ of latitude at 60°N ≈ 30.94 m; the geodesic
    /// distance, not this conversion, is the expected value).
    func database(cellsNorth: [Double]) throws -> (UrbanDatabase, String, [Coordinate]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-cov-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try UrbanDatabase.create(path: dir + "/c.sqlite")
        let station = Coordinate(24.94, 60.17)
        try db.importFeatures(
            [Feature(id: "s1", geometry: .point(Point(station)), properties: ["name": "驿站"])], into: .stations, source: "test")
        let metresPerDegreeLat = 111_412.0, metresPerDegreeLon = 55_800.0  // near 60°N; only sizes the cells
        var cells: [Feature] = []
        var centres: [Coordinate] = []
        for (i, north) in cellsNorth.enumerated() {
            let c = Coordinate(station.x, station.y + north / metresPerDegreeLat)
            centres.append(c)
            let dx = 50 / metresPerDegreeLon, dy = 50 / metresPerDegreeLat
            let ring = try LinearRing([
                Coordinate(c.x - dx, c.y - dy), Coordinate(c.x + dx, c.y - dy), Coordinate(c.x + dx, c.y + dy),
                Coordinate(c.x - dx, c.y + dy), Coordinate(c.x - dx, c.y - dy),
            ])
            cells.append(Feature(
                id: .string("99990100100100\(i + 1)"), geometry: .polygon(Polygon(exterior: ring)),
                properties: ["code": .string("99990100100100\(i + 1)"), "community_code": "999901001001"]))
        }
        try db.importFeatures(cells, into: .grids, source: "test")
        return (db, dir, centres)
    }

    @Test func centroidDistancesAgainstTheGeodesic() throws {
        let (db, dir, centres) = try database(cellsNorth: [300, 700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try GridCoverage.run(db, radiusMetres: 500)
        #expect(c.crs == "EPSG:32635")  // UTM 35N for Helsinki
        #expect(c.units.map(\.gridCode) == ["999901001001001", "999901001001002"])
        #expect(c.units.map(\.covered) == [true, false])
        #expect(c.units.allSatisfy { $0.stationID == "s1" })
        for (u, centre) in zip(c.units, centres) {
            let reference = Geodesic.distanceMetres(Coordinate(24.94, 60.17), centre)
            // UTM scale error 2° from the central meridian is ~0.03 %: well under 0.5 m at 700 m
            #expect(abs(u.distanceMetres! - reference) < 0.5, "\(u.distanceMetres!) vs geodesic \(reference)")
        }
        #expect(c.coveredCount == 1 && c.coveragePercent == 50)
    }

    @Test func boundaryMeasureReachesTheNearestEdge() throws {
        let (db, dir, centres) = try database(cellsNorth: [300, 540, 700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // the cells' south edges are 250, 490 and 650 m away: within 500 m the first two
        let c = try GridCoverage.run(db, radiusMetres: 500, measure: .boundary)
        #expect(c.units.map(\.covered) == [true, true, false])
        let edge = Geodesic.distanceMetres(Coordinate(24.94, 60.17), Coordinate(24.94, centres[1].y - 50 / 111_412.0))
        #expect(abs(c.units[1].distanceMetres! - edge) < 0.5)
        #expect(try GridCoverage.run(db, radiusMetres: 500).units.map(\.covered) == [true, false, false])
    }

    @Test func noStationsMeansNothingCovered() throws {
        let (db, dir, _) = try database(cellsNorth: [300])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try db.store.run("DELETE FROM stations")
        let c = try GridCoverage.run(db, radiusMetres: 500)
        #expect(c.units.count == 1 && !c.units[0].covered && c.units[0].stationID == nil && c.units[0].distanceMetres == nil)
        #expect(throws: ModelError.self) { try GridCoverage.run(db, radiusMetres: -1) }
    }
}
