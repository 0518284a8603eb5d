import Foundation
import Testing
@testable import SpatialCore

/// One point of `Vectors/proj.json` (pyproj 3.7.2 / PROJ 9.5.1, always_xy; see Vectors/README.md).
/// Projected pairs are [easting, northing] metres; epsg4490 is [lon, lat] degrees.
struct ProjectionVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Zone: Decodable, Sendable {
        let epsg: Int
        let xy: [Double]
    }
    let name: String
    let lon: Double
    let lat: Double
    let epsg3857: [Double]
    let utm: Zone
    let epsg4490: [Double]
    let cgcs2000Gk3: Zone?
    let epsg3067: [Double]?

    var testDescription: String { name }
    var wgs84: Coordinate { Coordinate(lon, lat) }

    static func load() throws -> [ProjectionVector] {
        struct File: Decodable { let points: [ProjectionVector] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(File.self, from: Data(contentsOf: TestData.vector("proj.json"))).points
    }
}

/// The file's suggested tolerances: 1 mm projected, 1e-9 degree geographic.
private let metres = 0.001
private let degrees = 1e-9

private func within(_ c: Coordinate, _ e: [Double], _ tol: Double) -> Bool {
    abs(c.x - e[0]) <= tol && abs(c.y - e[1]) <= tol
}

private func coord(_ p: [Double]) -> Coordinate { Coordinate(p[0], p[1]) }

/// Transforms made once per test: creating one costs up to ~40 ms (PROJ searches its database),
/// so the tests that visit every point reuse them. Not shared between tests (not thread-safe).
private final class Transforms {
    private var made: [String: CoordinateTransform] = [:]
    func callAsFunction(_ source: CRS, _ target: CRS) throws -> CoordinateTransform {
        let key = "\(source.definition) -> \(target.definition)"
        if let t = made[key] { return t }
        let t = try CoordinateTransform(from: source, to: target)
        made[key] = t
        return t
    }
}

/// The first error thrown, as a SpatialError (nil when nothing or something else was thrown).
private func spatialError(_ body: () throws -> Void) -> SpatialError? {
    do {
        try body()
        return nil
    } catch {
        return error as? SpatialError
    }
}

@Suite struct ProjectionVectorTests {
    @Test func fileHasTwentySixPoints() throws {
        let points = try ProjectionVector.load()
        #expect(points.count == 26)
        #expect(points.filter { $0.cgcs2000Gk3 != nil }.count == 21)
        #expect(points.filter { $0.epsg3067 != nil }.count == 5)
    }

    // MARK: Forward, per point

    @Test(arguments: try ProjectionVector.load())
    func webMercator(_ p: ProjectionVector) throws {
        let t = try CoordinateTransform(from: .wgs84, to: .webMercator)
        let xy = try t.apply(p.wgs84)
        #expect(within(xy, p.epsg3857, metres), "\(p.name): \(xy) vs \(p.epsg3857)")
    }

    @Test(arguments: try ProjectionVector.load())
    func utmZone(_ p: ProjectionVector) throws {
        let crs = LocalMetricCRS.utm(for: p.wgs84)
        #expect(crs == .epsg(p.utm.epsg))
        #expect(crs.definition == "EPSG:\(p.utm.epsg)")
        let xy = try CoordinateTransform(from: .wgs84, to: crs).apply(p.wgs84)
        #expect(within(xy, p.utm.xy, metres), "\(p.name): \(xy) vs \(p.utm.xy)")
    }

    @Test func cgcs2000Geographic() throws {
        let t = try CoordinateTransform(from: .wgs84, to: .epsg(4490))
        for p in try ProjectionVector.load() {
            let ll = try t.apply(p.wgs84)
            #expect(within(ll, p.epsg4490, degrees), "\(p.name): \(ll) vs \(p.epsg4490)")
            #expect(within(ll, [p.lon, p.lat], degrees), "\(p.name): the ballpark transformation leaves lon/lat unchanged")
        }
    }

    @Test func cgcs2000GaussKruger() throws {
        let transforms = Transforms()
        let points = try ProjectionVector.load().filter { $0.cgcs2000Gk3 != nil }
        #expect(points.count == 21)
        for p in points {
            let gk = try #require(p.cgcs2000Gk3)
            let crs = try LocalMetricCRS.cgcs2000GaussKruger3(for: p.wgs84)
            #expect(crs == .epsg(gk.epsg), "\(p.name)")
            let xy = try transforms(.wgs84, crs).apply(p.wgs84)
            #expect(within(xy, gk.xy, metres), "\(p.name): \(xy) vs \(gk.xy)")
            // [easting, northing] whatever the EPSG axis order: easting near the 500 km false easting
            #expect(abs(xy.x - 500_000) < 200_000 && xy.y > 2_000_000, "\(p.name): axis order")
            // from CGCS2000 itself (no datum step) the same values
            let fromCGCS = try transforms(.epsg(4490), crs).apply(coord(p.epsg4490))
            #expect(within(fromCGCS, gk.xy, metres), "\(p.name) from EPSG:4490")
        }
    }

    @Test(arguments: try ProjectionVector.load().filter { $0.epsg3067 != nil })
    func tm35fin(_ p: ProjectionVector) throws {
        let expected = try #require(p.epsg3067)
        let xy = try CoordinateTransform(from: .wgs84, to: .epsg(3067)).apply(p.wgs84)
        #expect(within(xy, expected, metres), "\(p.name): \(xy) vs \(expected)")
        // TM35FIN is UTM zone 35 on GRS80: within a few millimetres of WGS 84 / UTM 35N here
        #expect(within(xy, p.utm.xy, 0.01))
    }

    // MARK: Inverse

    @Test func inverseRoundTrips() throws {
        let transforms = Transforms()
        for p in try ProjectionVector.load() {
            var targets: [(CRS, [Double])] = [(.webMercator, p.epsg3857), (.epsg(p.utm.epsg), p.utm.xy), (.epsg(4490), p.epsg4490)]
            if let gk = p.cgcs2000Gk3 { targets.append((.epsg(gk.epsg), gk.xy)) }
            if let tm = p.epsg3067 { targets.append((.epsg(3067), tm)) }
            for (crs, xy) in targets {
                // from the reference value back to lon/lat
                let back = try transforms(crs, .wgs84).apply(coord(xy))
                #expect(within(back, [p.lon, p.lat], degrees), "\(p.name) from \(crs): \(back)")
                // and there and back again
                let again = try transforms(crs, .wgs84).apply(try transforms(.wgs84, crs).apply(p.wgs84))
                #expect(within(again, [p.lon, p.lat], degrees), "\(p.name) via \(crs): \(again)")
            }
        }
    }

    // MARK: Bulk and geometry forms

    @Test func bulkEqualsSinglePoint() throws {
        let points = try ProjectionVector.load()
        for crs in [CRS.webMercator, .epsg(3067), .epsg(32650), .epsg(4547), .epsg(4490)] {
            let t = try CoordinateTransform(from: .wgs84, to: crs)
            let singles = try points.map { try t.apply($0.wgs84) }
            var bulk = points.map(\.wgs84)
            try t.apply(&bulk)
            #expect(bulk == singles, "bulk vs single to \(crs)")
            var xs = points.map(\.lon), ys = points.map(\.lat)
            try t.apply(x: &xs, y: &ys)
            #expect(xs == singles.map(\.x) && ys == singles.map(\.y), "x/y arrays vs single to \(crs)")
        }
        let t = try CoordinateTransform(from: .wgs84, to: .webMercator)
        let bulk = points.map(\.wgs84)
        var xs = points.map(\.lon), ys = points.map(\.lat)
        try t.apply(x: &xs, y: &ys)
        for (i, p) in points.enumerated() {
            #expect(within(Coordinate(xs[i], ys[i]), p.epsg3857, metres), "\(p.name)")
        }
        var empty: [Coordinate] = []
        try t.apply(&empty)
        #expect(empty.isEmpty)
        #expect(bulk.count == 26)
    }

    @Test func geometryTransformKeepsStructure() throws {
        let helsinki = try ProjectionVector.load().filter { $0.epsg3067 != nil }
        let t = try CoordinateTransform(from: .wgs84, to: .epsg(3067))
        let c = helsinki.map(\.wgs84)
        let e = helsinki.map { coord($0.epsg3067!) }

        let line = Geometry.lineString(try LineString(c))
        #expect(geometriesMatch(try t.apply(to: line), .lineString(try LineString(e)), tolerance: metres))

        let ring = try LinearRing([c[0], c[1], c[3], c[4], c[0]])
        let projectedRing = try LinearRing([e[0], e[1], e[3], e[4], e[0]])
        let hole = try LinearRing([c[2], c[1], c[3], c[2]])
        let projectedHole = try LinearRing([e[2], e[1], e[3], e[2]])
        let polygon = Geometry.polygon(Polygon(exterior: ring, holes: [hole]))
        let expectedPolygon = Geometry.polygon(Polygon(exterior: projectedRing, holes: [projectedHole]))
        #expect(geometriesMatch(try t.apply(to: polygon), expectedPolygon, tolerance: metres))

        let collection = Geometry.geometryCollection([
            .point(Point(c[0])), .multiPoint(MultiPoint(c.map { Point($0) })), polygon,
            .multiPolygon(MultiPolygon([Polygon(exterior: ring)])), .multiLineString(MultiLineString([try LineString(c)])),
        ])
        let expectedCollection = Geometry.geometryCollection([
            .point(Point(e[0])), .multiPoint(MultiPoint(e.map { Point($0) })), expectedPolygon,
            .multiPolygon(MultiPolygon([Polygon(exterior: projectedRing)])), .multiLineString(MultiLineString([try LineString(e)])),
        ])
        #expect(geometriesMatch(try t.apply(to: collection), expectedCollection, tolerance: metres))
        #expect(try t.apply(to: .geometryCollection([])) == .geometryCollection([]))
    }

    // MARK: CRS parsing

    /// `projinfo EPSG:3067 -o WKT2_2019 --single-line` (PROJ 9.1.1), taken when the test was written.
    static let tm35finWKT = """
        PROJCRS["ETRS89 / TM35FIN(E,N)",BASEGEOGCRS["ETRS89",ENSEMBLE["European Terrestrial Reference System 1989 ensemble",\
        MEMBER["European Terrestrial Reference Frame 1989"],MEMBER["European Terrestrial Reference Frame 1990"],\
        MEMBER["European Terrestrial Reference Frame 1991"],MEMBER["European Terrestrial Reference Frame 1992"],\
        MEMBER["European Terrestrial Reference Frame 1993"],MEMBER["European Terrestrial Reference Frame 1994"],\
        MEMBER["European Terrestrial Reference Frame 1996"],MEMBER["European Terrestrial Reference Frame 1997"],\
        MEMBER["European Terrestrial Reference Frame 2000"],MEMBER["European Terrestrial Reference Frame 2005"],\
        MEMBER["European Terrestrial Reference Frame 2014"],ELLIPSOID["GRS 1980",6378137,298.257222101,LENGTHUNIT["metre",1]],\
        ENSEMBLEACCURACY[0.1]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4258]],\
        CONVERSION["TM35FIN",METHOD["Transverse Mercator",ID["EPSG",9807]],PARAMETER["Latitude of natural origin",0,\
        ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8801]],PARAMETER["Longitude of natural origin",27,\
        ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8802]],PARAMETER["Scale factor at natural origin",0.9996,\
        SCALEUNIT["unity",1],ID["EPSG",8805]],PARAMETER["False easting",500000,LENGTHUNIT["metre",1],ID["EPSG",8806]],\
        PARAMETER["False northing",0,LENGTHUNIT["metre",1],ID["EPSG",8807]]],CS[Cartesian,2],AXIS["(E)",east,ORDER[1],\
        LENGTHUNIT["metre",1]],AXIS["(N)",north,ORDER[2],LENGTHUNIT["metre",1]],USAGE[SCOPE["Engineering survey, topographic mapping."],\
        AREA["Finland - onshore and offshore."],BBOX[58.84,19.08,70.09,31.59]],ID["EPSG",3067]]
        """

    @Test func parsesEPSGCodes() throws {
        let a = try CRS("EPSG:4326")
        #expect(a.definition == "EPSG:4326" && a.offsetSystem == nil)
        #expect(a.isGeographic)
        #expect(try CRS("4326") == .wgs84)
        #expect(try CRS("  EPSG:3067 \n").definition == "EPSG:3067")
        #expect(try !CRS("3067").isGeographic)
        #expect(try CRS("EPSG:3067").name == "ETRS89 / TM35FIN(E,N)")
        #expect(try CRS("EPSG:4547").name == "CGCS2000 / 3-degree Gauss-Kruger CM 114E")
    }

    @Test func parsesPROJStringAndWKT() throws {
        let helsinki = try ProjectionVector.load().filter { $0.epsg3067 != nil }
        // the file's pipeline for EPSG:3067 is exactly this projection
        let projString = try CRS("+proj=utm +zone=35 +ellps=GRS80")
        #expect(!projString.isGeographic)
        let wkt = try CRS(Self.tm35finWKT)
        #expect(wkt.name == "ETRS89 / TM35FIN(E,N)")
        #expect(!wkt.isGeographic)
        for crs in [projString, wkt] {
            let t = try CoordinateTransform(from: .wgs84, to: crs)
            for p in helsinki {
                let xy = try t.apply(p.wgs84)
                #expect(within(xy, p.epsg3067!, metres), "\(p.name) with \(crs.definition.prefix(30))")
            }
        }
    }

    @Test func parsesChineseOffsetSystems() throws {
        let g = try CRS("GCJ02")
        #expect(g == .gcj02 && g.offsetSystem == .gcj02 && g.definition == "GCJ02" && g.isGeographic)
        let b = try CRS("bd-09")
        #expect(b == .bd09 && b.offsetSystem == .bd09 && b.isGeographic)
    }

    @Test func unknownCodeAndGarbageThrowUnknownCRS() {
        for text in ["EPSG:999999", "999999", "this is not a CRS", "", "+proj=nonsense", "PROJCRS[\"broken\""] {
            let error = spatialError { _ = try CRS(text) }
            guard case .unknownCRS = error else {
                Issue.record("'\(text)': expected unknownCRS, got \(String(describing: error))")
                continue
            }
        }
        // a coordinate operation is not a CRS
        guard case .unknownCRS = spatialError({ _ = try CRS("+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad") }) else {
            Issue.record("a pipeline must not parse as a CRS")
            return
        }
    }

    // MARK: Failures

    @Test func transformOutsideTheDomainFailsWithIndex() throws {
        let t = try CoordinateTransform(from: .wgs84, to: .epsg(32635))
        // PROJ's utm rejects latitudes beyond ±90° ("Invalid latitude")
        var coords = [Coordinate(25, 60), Coordinate(24.9, 60.2), Coordinate(25, 95), Coordinate(25, 61), Coordinate(26, 96)]
        let error = spatialError { try t.apply(&coords) }
        guard case .transformFailed(let index, let x, let y, let message) = error else {
            Issue.record("expected transformFailed, got \(String(describing: error))")
            return
        }
        #expect(index == 2)
        #expect(x == 25 && y == 95, "the failing input, not PROJ's output")
        #expect(!message.isEmpty)

        let single = spatialError { _ = try t.apply(Coordinate(25, -95)) }
        guard case .transformFailed(index: 0, x: 25, y: -95, _) = single else {
            Issue.record("expected transformFailed at 0, got \(String(describing: single))")
            return
        }
        var xs = [25.0, 25.0], ys = [60.0, 95.0]
        guard case .transformFailed(index: 1, _, _, _) = spatialError({ try t.apply(x: &xs, y: &ys) }) else {
            Issue.record("x/y arrays: expected transformFailed at 1")
            return
        }
        guard case .transformFailed(index: 0, _, _, _) = spatialError({ _ = try t.apply(to: .point(x: 25, y: 95)) }) else {
            Issue.record("geometry: expected transformFailed at 0")
            return
        }
        // the transform is still usable afterwards
        #expect(within(try t.apply(Coordinate(24.9633, 60.3172)), [387498.9186646668, 6688475.322918318], metres))
    }

    @Test func gaussKrugerZoneOutsideChinaThrows() throws {
        for lon in [24.9522, -74.0, 73.4, 136.6, 0] {
            guard case .unknownCRS = spatialError({ _ = try LocalMetricCRS.cgcs2000GaussKruger3(for: Coordinate(lon, 40)) }) else {
                Issue.record("longitude \(lon): expected unknownCRS")
                continue
            }
        }
        // the edges of the zone rule: CM = 3·round(lon/3), half up; 75°E...135°E
        #expect(try LocalMetricCRS.cgcs2000GaussKruger3(for: Coordinate(73.5, 40)) == .epsg(4534))
        #expect(try LocalMetricCRS.cgcs2000GaussKruger3(for: Coordinate(136.4, 40)) == .epsg(4554))
        #expect(try LocalMetricCRS.cgcs2000GaussKruger3(for: Coordinate(115.5, 40)) == .epsg(4548))
        #expect(try LocalMetricCRS.cgcs2000GaussKruger3(for: Coordinate(115.49, 40)) == .epsg(4547))
    }

    @Test func utmZoneRule() {
        #expect(LocalMetricCRS.utm(for: Coordinate(-180, 10)) == .epsg(32601))
        #expect(LocalMetricCRS.utm(for: Coordinate(180, 10)) == .epsg(32660))
        #expect(LocalMetricCRS.utm(for: Coordinate(24, 60)) == .epsg(32635))
        #expect(LocalMetricCRS.utm(for: Coordinate(23.999, 60)) == .epsg(32634))
        #expect(LocalMetricCRS.utm(for: Coordinate(151.2, -33.9)) == .epsg(32756))
    }

    // MARK: GCJ-02 chained through WGS84

    @Test func gcj02Chain() throws {
        let transforms = Transforms()
        let proj = try ProjectionVector.load()
        let china = try ChinaOffsetVector.load().filter(\.inChina)
        #expect(china.count == 21)
        for v in china {
            let wgs = coord(v.wgs84), gcj = coord(v.gcj02), bd = coord(v.bd09)
            #expect(within(try transforms(.wgs84, .gcj02).apply(wgs), v.gcj02, degrees), "\(v.name) WGS84 → GCJ02")
            #expect(within(try transforms(.gcj02, .wgs84).apply(gcj), v.wgs84, degrees), "\(v.name) GCJ02 → WGS84")
            #expect(within(try transforms(.wgs84, .bd09).apply(wgs), v.bd09, degrees), "\(v.name) WGS84 → BD09")
            #expect(within(try transforms(.gcj02, .bd09).apply(gcj), v.bd09, degrees), "\(v.name) GCJ02 → BD09")
            #expect(within(try transforms(.bd09, .gcj02).apply(bd), v.gcj02, degrees), "\(v.name) BD09 → GCJ02")

            // GCJ02 (and BD09) → EPSG:4547 (CM 114E) and → the point's own zone equal WGS84 → the same CRS
            // of the true WGS84 point within 1 cm
            for crs in [CRS.epsg(4547), try LocalMetricCRS.cgcs2000GaussKruger3(for: wgs)] {
                let direct = try transforms(.wgs84, crs).apply(wgs)
                let viaGCJ = try transforms(.gcj02, crs).apply(gcj)
                #expect(abs(viaGCJ.x - direct.x) <= 0.01 && abs(viaGCJ.y - direct.y) <= 0.01, "\(v.name) GCJ02 to \(crs)")
                let viaBD = try transforms(.bd09, crs).apply(bd)
                #expect(abs(viaBD.x - direct.x) <= 0.01 && abs(viaBD.y - direct.y) <= 0.01, "\(v.name) BD09 to \(crs)")
            }
            // where proj.json has the same place, against its reference values
            if let p = proj.first(where: { $0.lon == v.wgs84[0] && $0.lat == v.wgs84[1] }), let gk = p.cgcs2000Gk3 {
                let xy = try transforms(.gcj02, .epsg(gk.epsg)).apply(gcj)
                #expect(within(xy, gk.xy, 0.01), "\(v.name): \(xy) vs \(gk.xy)")
                let utm = try transforms(.gcj02, .epsg(p.utm.epsg)).apply(gcj)
                #expect(within(utm, p.utm.xy, 0.01), "\(v.name) UTM: \(utm) vs \(p.utm.xy)")
            }
        }
        // the two files share places (so the comparison above is not vacuous)
        #expect(china.filter { v in proj.contains { $0.lon == v.wgs84[0] && $0.lat == v.wgs84[1] } }.count == 21)
    }

    @Test func identityAndOffsetOnlyTransformsHaveNoPipeline() throws {
        #expect(try CoordinateTransform(from: .wgs84, to: .gcj02).pipeline == nil)
        #expect(try CoordinateTransform(from: .wgs84, to: try CRS("epsg:4326")).pipeline == nil)
        let pipeline = try #require(try CoordinateTransform(from: .wgs84, to: .epsg(3067)).pipeline)
        #expect(pipeline.contains("+proj=utm") && pipeline.contains("+zone=35") && pipeline.contains("+ellps=GRS80"))
    }
}

/// The one rule for measuring lon/lat data: CGCS2000 3° GK in China (proj.json's zone rule), UTM elsewhere.
@Test func chosenMetricCRS() {
    func at(_ x: Double, _ y: Double) -> CRS { LocalMetricCRS.choose(for: Envelope(minX: x, minY: y, maxX: x, maxY: y)).crs }
    #expect(at(116.3975, 39.9087) == .epsg(4548))  // Beijing: CM 117E
    #expect(at(118.05, 36.81) == .epsg(4548))  // Zibo
    #expect(at(24.94, 60.17) == .epsg(32635))  // Helsinki: UTM 35N
    #expect(at(151.2, -33.87) == .epsg(32756))  // Sydney: UTM 56S
}
