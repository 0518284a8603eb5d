import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// Vendor-zone candidates on a hand-built city at 60.17°N (a degree of longitude ≈ 55.5 km, of latitude ≈ 111.4 km):
/// two grid cells 0.002° wide, the west one in street 999901001, the east one in street 999901002, and three
/// west-east segments each 0.0016° ≈ 88.8 m long:
/// - `res-w` (residential) in the west cell along lat0 + 0.0005,
/// - `main` (primary) in the east cell along lat0 + 0.0005: a main road, no candidates,
/// - `res-e` (residential) in the east cell along lat0 + 0.0015.
/// Spacing 20 m: ⌊88.8 / 20⌋ = 4 candidates per residential segment, at the middles of four 22.2 m pieces, i.e.
/// 0.0002°, 0.0006°, 0.0010°, 0.0014° of longitude from the segment's west end.
/// A school 0.0001° (11.1 m) north of the west end of `res-w`: with a 25 m buffer it is 15.7 m from `res-w/1` and
/// 35.1 m from `res-w/2`, so only `res-w/1` goes. 4 + 4 − 1 = 7 candidates.
/// An existing vendor zone (lon0 + 0.0031…0.0033, lat0 + 0.0017…0.0019) in the east street, 0.0002° (22.3 m) north
/// of `res-e/3` and 27.8 m from `res-e/2` and `res-e/4`.
@Suite struct VendorSitingTests {
    static let lon0 = 24.940, lat0 = 60.170

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) throws -> Geometry {
        .polygon(Polygon(exterior: try LinearRing([
            Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0),
        ])))
    }

    static func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) throws -> Geometry {
        .lineString(try LineString([Coordinate(x0, y0), Coordinate(x1, y1)]))
    }

    func city(exclusionMetres: [String: Double] = ["school": 25]) throws -> (CityAnalysis, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-vs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try UrbanDatabase.create(path: dir + "/v.sqlite")
        let (x, y) = (Self.lon0, Self.lat0)
        try db.importFeatures([
            Feature(id: "999901001001001", geometry: try Self.square(x, y, x + 0.002, y + 0.002),
                    properties: ["code": "999901001001001", "community_code": "999901001001"]),
            Feature(id: "999901002001001", geometry: try Self.square(x + 0.002, y, x + 0.004, y + 0.002),
                    properties: ["code": "999901002001001", "community_code": "999901002001"]),
        ], into: .grids, source: "t")
        try db.importFeatures([
            Feature(id: "res-w", geometry: try Self.line(x + 0.0002, y + 0.0005, x + 0.0018, y + 0.0005), properties: ["class": "residential"]),
            Feature(id: "main", geometry: try Self.line(x + 0.0022, y + 0.0005, x + 0.0038, y + 0.0005), properties: ["highway": "primary"]),
            Feature(id: "res-e", geometry: try Self.line(x + 0.0022, y + 0.0015, x + 0.0038, y + 0.0015), properties: ["class": "residential"]),
        ], into: .streets, source: "t")
        try db.importFeatures([
            Feature(id: "school-1", geometry: .point(x: x + 0.0002, y: y + 0.0006), properties: ["name": "小学", "kind": "school"]),
            Feature(id: "shop-1", geometry: .point(x: x + 0.0012, y: y + 0.0006), properties: ["kind": "shop"]),
        ], into: .pois, source: "t")
        try db.importFeatures([Feature(id: "z1", geometry: try Self.square(x + 0.0031, y + 0.0017, x + 0.0033, y + 0.0019),
                                       properties: ["name": "夜市", "hours": "Mo-Su 18:00-22:00"])], into: .vendorZones, source: "t")
        try db.importFeatures([
            Feature(id: "d-west", geometry: .point(x: x + 0.0012, y: y + 0.0006), properties: ["weight": 1]),
            Feature(id: "d-east", geometry: .point(x: x + 0.0032, y: y + 0.0014), properties: ["weight": 10]),
        ], into: .demand, source: "t")
        return (try CityAnalysis(db, exclusionMetres: exclusionMetres), dir)
    }

    func options(_ change: (inout VendorSitingOptions) -> Void = { _ in }) -> VendorSitingOptions {
        var o = VendorSitingOptions()
        o.spacingMetres = 20
        change(&o)
        return o
    }

    @Test func candidatesSkipMainRoadsAndSchoolBuffers() throws {
        let (q, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try q.vendorSitingInput(demand: .demand, options: options(), network: nil)
        #expect(input.candidates.map(\.id) == ["res-w/2", "res-w/3", "res-w/4", "res-e/1", "res-e/2", "res-e/3", "res-e/4"])
        #expect(input.candidates.map(\.segmentID) == ["res-w", "res-w", "res-w", "res-e", "res-e", "res-e", "res-e"])
        #expect(input.candidates.map(\.streetCode) == ["999901001", "999901001", "999901001", "999901002", "999901002", "999901002", "999901002"])
        #expect(input.mainRoadSegments.map(\.id) == ["main"] && input.mainRoadSegments.map(\.travelClass) == ["primary"])
        #expect(input.dropped.map(\.id) == ["res-w/1"])
        #expect(input.dropped.first?.reason.hasPrefix("school '小学' 15.") == true, "\(input.dropped)")
        // positions: the middles of the four pieces, 0.0002° + k·0.0004° east of the segment's west end (lon0 + 0.0002
        // for res-w, lon0 + 0.0022 for res-e), on its line
        let expectedLon = [0.0006, 0.0010, 0.0014, 0.0022, 0.0026, 0.0030, 0.0034].map { $0 + 0.0002 + Self.lon0 }
        for (c, lon) in zip(input.candidates, expectedLon) {
            #expect(abs(c.lonLat.x - lon) < 2e-7 && (abs(c.lonLat.y - (Self.lat0 + 0.0005)) < 1e-7 || abs(c.lonLat.y - (Self.lat0 + 0.0015)) < 1e-7),
                    "\(c.id) \(c.lonLat)")
        }
        // the pieces are a quarter of the segment, ≈ 22.2 m: at least the spacing
        let w = input.candidates.filter { $0.segmentID == "res-w" }
        #expect(abs((w[1].offsetMetres - w[0].offsetMetres) - 22.2) < 0.2)
        // the demand: two points, straight-line distances
        #expect(input.demandIDs == ["d-west", "d-east"] && input.weights == [1, 10])
        #expect(input.distances.count == 2 * 7)
        #expect(abs(input.distances[1] - 11.14) < 0.05, "\(input.distances[1])")  // d-west is 0.0001° north of res-w/3
    }

    @Test func requiredStreetsFollowTheExistingZones() throws {
        let (q, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let uncovered = try q.vendorSitingInput(demand: .demand, options: options(), network: nil)
        #expect(uncovered.streetsWithZones == ["999901002"])
        #expect(uncovered.requiredStreets == ["999901001"])
        #expect(uncovered.candidatesByRequiredStreet == [[0, 1, 2]])
        let all = try q.vendorSitingInput(demand: .demand, options: options { $0.requirement = .all }, network: nil)
        #expect(all.requiredStreets == ["999901001", "999901002"])
        #expect(all.candidatesByRequiredStreet == [[0, 1, 2], [3, 4, 5, 6]])
        let none = try q.vendorSitingInput(demand: .demand, options: options { $0.requirement = .none }, network: nil)
        #expect(none.requiredStreets.isEmpty)
    }

    @Test func classesSpacingAndZoneDistanceAreOptions() throws {
        let (q, dir) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // no class excluded: the main road gets its 4 candidates too
        let everyClass = try q.vendorSitingInput(demand: .demand, options: options { $0.excludedClasses = [] }, network: nil)
        #expect(everyClass.candidates.count == 11 && everyClass.mainRoadSegments.isEmpty)
        // 40 m: ⌊88.8 / 40⌋ = 2 per segment, at 22.2 m and 66.6 m (0.0004°, 0.0012°); the school is 24.8 m from
        // res-w/1: inside a 25 m buffer, outside a 20 m one
        let wide = try q.vendorSitingInput(demand: .demand, options: options { $0.spacingMetres = 40 }, network: nil)
        #expect(wide.candidates.map(\.id) == ["res-w/2", "res-e/1", "res-e/2"])
        let narrow = try CityAnalysis(q.store, exclusionMetres: ["school": 20]).vendorSitingInput(demand: .demand, options: options { $0.spacingMetres = 40 }, network: nil)
        #expect(narrow.candidates.map(\.id) == ["res-w/1", "res-w/2", "res-e/1", "res-e/2"])
        // longer than the segment: one candidate at its middle
        let one = try q.vendorSitingInput(demand: .demand, options: options { $0.spacingMetres = 500 }, network: nil)
        #expect(one.candidates.map(\.id) == ["res-w/1", "res-e/1"])
        // 25 m from the existing zone: res-e/3 (22.3 m) goes, res-e/2 and res-e/4 (27.8 m) stay
        let near = try q.vendorSitingInput(demand: .demand, options: options { $0.minDistanceToZoneMetres = 25 }, network: nil)
        #expect(near.dropped.map(\.id) == ["res-w/1", "res-e/3"])
        #expect(near.dropped.last?.reason.hasPrefix("vendor zone 'z1' 22.") == true, "\(near.dropped)")
        #expect(throws: ModelError.self) { try q.vendorSitingInput(demand: .demand, options: options { $0.spacingMetres = 0 }, network: nil) }
        // 2 demand units × 7 candidates = 14 pairs: a limit of 13 refuses before any distance is measured
        #expect(throws: ModelError.invalidArgument(name: "spacing", reason: "2 demand units × 7 candidates are 14 pairs, more than the 13 a distance matrix may hold here (8 bytes each): use a larger spacing or coarser demand")) {
            try q.vendorSitingInput(demand: .demand, options: options { $0.maxPairs = 13 }, network: nil)
        }
    }
}
