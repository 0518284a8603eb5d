import Foundation
import Testing
@testable import SpatialCore

/// Reading files for import. Expected values: the files themselves (GeoData/ READMEs: 4612 Helsinki
/// street segments; the Zibo GCJ-02 and WGS84 boundaries agree within rounding, < 1 cm), ogrinfo's
/// reading of the Shapefile fixture (GDAL 3.6.2), and hand-written CSVs.
@Suite("FeatureFile") struct FeatureFileTests {
    func temp(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-ff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func parseLocation(_ body: () throws -> Void) -> String? {
        do { try body() } catch SpatialError.parse(_, let location, let message) { return "\(location): \(message)" } catch {
            return "unexpected \(error)"
        }
        return nil
    }

    @Test func geoJSONStreets() throws {
        let f = try FeatureFile.read(TestData.repository("GeoData/helsinki/streets.geojson").path)
        #expect(f.count == 4612)
        #expect(f[0].id == .int(1))
        #expect(f[0].geometry?.coordinates.first == Coordinate(24.9432708, 60.1665138))
    }

    @Test func geoJSONSeqWithRecordSeparators() throws {
        let path = try temp("two.geojsonl", "\u{1E}{\"type\":\"Feature\",\"id\":7,\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}\n\u{1E}{\"type\":\"Point\",\"coordinates\":[3,4]}\n")
        let f = try FeatureFile.read(path)
        #expect(f.count == 2)
        #expect(f[0].id == .int(7) && f[1].geometry == .point(x: 3, y: 4))
    }

    @Test func csvLonLatQuotedAndTyped() throws {
        let f = try FeatureFile.read(TestData.vector("import/stations.csv").path)
        #expect(f.count == 2)
        #expect(f[0].id == .int(1))
        #expect(f[0].properties?["name"] == .string("Station, North"))
        #expect(f[0].properties?["capacity"] == .int(4))
        #expect(f[0].properties?["opened"] == .string("2026-01-05"))
        #expect(f[0].geometry == .point(x: 24.9432708, y: 60.1665138))
        #expect(f[1].properties?["name"] == .string("Quote \"Q\" kiosk"))
        #expect(f[1].properties?["capacity"] == .null)
    }

    @Test func csvWKTColumn() throws {
        let f = try FeatureFile.read(TestData.vector("import/zones_wkt.csv").path)
        #expect(f.count == 1 && f[0].id == .string("z1"))
        guard case .polygon(let p)? = f[0].geometry else { Issue.record("expected a polygon"); return }
        #expect(p.exterior.coordinates.count == 5)
    }

    @Test func shapefileThroughSpatiaLite() throws {
        let f = try FeatureFile.read(TestData.vector("shapefile/pois.shp").path)
        // ogrinfo -al pois.shp: 3 points, kind school
        #expect(f.count == 3)
        #expect(f.map { $0.properties?["name"]?.stringValue } == ["Ressun lukio", "Kruununhaan yläasteen koulu", "Kaisaniemen ala-aste"])
        #expect(f.allSatisfy { $0.properties?["kind"] == .string("school") })
        let c = try #require(f[0].geometry?.coordinates.first)
        #expect(abs(c.x - 24.9383205) < 1e-7 && abs(c.y - 60.1671172) < 1e-7)
    }

    @Test func gcj02ZiboMatchesWGS84WithinOneCentimetre() throws {
        let gcj = try FeatureFile.read(TestData.repository("GeoData/zibo/districts_gcj02.geojson").path, options: .init(crs: .gcj02))
        let wgs = try FeatureFile.read(TestData.repository("GeoData/zibo/districts.geojson").path)
        try #require(gcj.count == 8 && wgs.count == 8)
        var worst = 0.0
        for (a, b) in zip(gcj, wgs) {
            #expect(a.id == b.id)
            let ca = a.geometry!.coordinates, cb = b.geometry!.coordinates
            try #require(ca.count == cb.count)
            for (p, q) in zip(ca, cb) { worst = max(worst, Geodesic.distanceMetres(p, q)) }
        }
        #expect(worst < 0.01, "worst vertex difference \(worst) m")
    }

    @Test func idFieldAndProjectedCRS() throws {
        let path = try temp("p.csv", "code,x,y\nA-1,500000,3320113.397845\n")
        let f = try FeatureFile.read(path, options: .init(crs: .epsg(4547), idField: "code"))
        #expect(f[0].id == .string("A-1"))
        let c = try #require(f[0].geometry?.coordinates.first)
        #expect(abs(c.x - 114) < 1e-9 && abs(c.y - 30) < 1e-9)  // cs2cs: 114E 30N is E 500000, N 3320113.398 in EPSG:4547
    }

    /// Digits with a leading zero are a code (GB/T 30428.2 class 0101, a grid sequence 007) and stay text; other
    /// integers and decimals stay numbers, an empty cell is null.
    @Test func csvCodesKeepTheirLeadingZeros() throws {
        let path = try temp("codes.csv", "id,class_code,seq,severity,weight,zero,note,lon,lat\n1,0101,007,3,2.5,0,,24,60\n")
        let p = try #require(try FeatureFile.read(path).first?.properties)
        #expect(p["class_code"] == .string("0101") && p["seq"] == .string("007"))
        #expect(p["severity"] == .int(3) && p["weight"] == .number(2.5) && p["zero"] == .int(0) && p["note"] == .null)
    }

    @Test func invalidGeometryIsReportedOrRepairedOnRequest() throws {
        let path = try temp("bowtie.geojson", #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]}}]}"#)
        #expect(parseLocation { _ = try FeatureFile.read(path) }?.contains("feature 0, geometry: invalid: Self-intersection[5 5] (use --make-valid to repair)") == true)
        let f = try FeatureFile.read(path, options: .init(makeValid: true))
        #expect(try f[0].geometry!.area() == 50)  // geometry.json: make_valid of the bow-tie has area 50
        #expect(try f[0].geometry!.isValid)
    }

    static let badInputs = [
        ("lat.csv", "id,lon,lat\n1,24,60\n2,24,95\n", "line 3, geometry: longitude/latitude"),
        // a comma followed by a combining mark still separates two columns (the points reader merged them; fuzzing)
        ("mark.csv", "id,\u{653}x,lon,lat,name\n,22,24.9,60.1\n", "line 2: 4 fields, the header has 5"),
        // the line a record starts on, blank lines and a quoted line break counted: 1 header, 2 blank, 3–4 one record, 5 blank
        ("lines.csv", "id,lon,lat,note\n\n1,24,60,\"two\nlines\"\n\n2,24,95,x\n", "line 6, geometry: longitude/latitude"),
        ("nan.csv", "id,lon,lat\n1,nan,60\n", "line 2, geometry: coordinate"),
        ("num.csv", "id,lon,lat\n1,24,abc\n", "line 2, column lat: not a number: 'abc'"),
        ("cols.csv", "id,lon,lat\n1,24\n", "line 2: 2 fields, the header has 3"),
        ("quote.csv", "id,lon,lat\n1,\"24,60\n", "line 2, character 3: a quoted field is not closed"),
        ("nogeom.csv", "id,name\n1,a\n", "line 1: needs a 'wkt' column"),
        ("wkt.csv", "id,wkt\n1,\"POLYGON ((0 0, 1 1\"\n", "line 2, column wkt"),
        ("empty.geojson", #"{"type":"FeatureCollection","features":[]}"#, "no features"),
        ("null.geojson", #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#, "feature 0, geometry: missing (null) geometry"),
        ("syntax.geojson", "{\"type\":\"FeatureCollection\",\n\"features\":[}", "line 2"),
        ("x.kml", "<kml/>", "unknown format"),
    ]

    @Test(arguments: badInputs)
    func badInputNamesWhereAndWhat(_ c: (String, String, String)) throws {
        let path = try temp(c.0, c.1)
        let message = parseLocation { _ = try FeatureFile.read(path) }
        #expect(message?.contains(c.2) == true, "\(message ?? "no error")")
        #expect(message?.contains(c.0) == true, "the message names the file: \(message ?? "")")
    }

    @Test func missingIdFieldAndMissingShapefileParts() throws {
        let path = try temp("s.csv", "id,lon,lat\n1,24,60\n")
        #expect(parseLocation { _ = try FeatureFile.read(path, options: .init(idField: "code")) }?.contains("properties.code") == true)
        let shp = try temp("lonely.shp", "")
        #expect(parseLocation { _ = try FeatureFile.read(shp) }?.contains("missing") == true)
    }

    // MARK: points (batch query input)

    /// The points reader gives the feature reader's errors for the same files (its plain-CSV path included).
    @Test(arguments: badInputs)
    func pointsReaderNamesWhereAndWhat(_ c: (String, String, String)) throws {
        let path = try temp(c.0, c.1)
        let message = parseLocation { _ = try FeatureFile.readPoints(path) }
        #expect(message?.contains(c.2) == true, "\(message ?? "no error")")
        #expect(message?.contains(c.0) == true, "the message names the file: \(message ?? "")")
    }

    /// Plain CSV read from bytes: a byte-order mark, CRLF, blank lines, spaces around numbers, other columns,
    /// `Longitude`/`Latitude` headers — the same coordinates the feature reader makes, in order.
    @Test(arguments: [
        "\u{FEFF}id,lon,lat,name\r\n1,24.9432708,60.1665138,a\r\n\r\n2, 24.95 ,60.17 ,b\r\n3,-0.5e1,1E-3,c",
        "Latitude , Longitude\n60.1,24.9\n\n\n60.2,24.8\n",
        "x,y\n1,2\n3,4",
        "lon,lat,note\n24.9,60.1,\"quoted, so the general reader\"\n",
        "lng,lat\n0x1p3,7\n",
    ])
    func plainCSVPointsMatchTheFeatureReader(_ text: String) throws {
        let path = try temp("p.csv", text)
        let features = try FeatureFile.read(path).map { f -> Coordinate in
            guard case .point(let p)? = f.geometry else { Issue.record("not a point"); return Coordinate(0, 0) }
            return p.coordinate
        }
        #expect(try FeatureFile.readPoints(path) == features)
    }

    /// A file large enough to be read in parts on several cores: order kept, and an error in a later part names
    /// its own line.
    @Test func largeCSVInPartsKeepsOrderAndLineNumbers() throws {
        var rng = SplitMix64(seed: 7)
        var text = "id,lon,lat\n"
        var expected: [Coordinate] = []
        for i in 0..<120_000 {
            let c = Coordinate(24 + rng.nextUnit(), 60 + rng.nextUnit())
            expected.append(c)
            text += "\(i),\(c.x),\(c.y)\n"
            if i % 50_000 == 7 { text += "\n" }  // blank lines count as lines
        }
        let path = try temp("big.csv", text)
        #expect(try FeatureFile.readPoints(path) == expected)
        // line 1 header, 120,000 records and 3 blank lines: the record of id 100,000 is on line 100,000 + 2 + 2
        let broken = try temp("broken.csv", text.replacingOccurrences(of: "\n100000,", with: "\n100000,east,"))
        let message = parseLocation { _ = try FeatureFile.readPoints(broken) }
        #expect(message?.contains("broken.csv: line 100004, column lon: not a number: 'east'") == true, "\(message ?? "no error")")
    }

    /// Coordinates in another CRS are converted as the feature reader converts them; non-points are refused.
    @Test func pointsInAnotherCRSAndNonPoints() throws {
        let path = try temp("g.csv", "lon,lat\n117.978,36.812\n118.05,36.79\n")
        let viaFeatures = try FeatureFile.read(path, options: .init(crs: .gcj02)).compactMap { $0.geometry?.coordinates.first }
        #expect(try FeatureFile.readPoints(path, options: .init(crs: .gcj02)) == viaFeatures)
        let line = try temp("l.geojson", #"{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[24,60],[25,60]]}}"#)
        let message = parseLocation { _ = try FeatureFile.readPoints(line) }
        #expect(message?.contains("l.geojson: feature 0, geometry: expected a point, found LineString") == true, "\(message ?? "no error")")
        let csv = try temp("l.csv", "id,wkt\n\n1,POINT (24 60)\n\n2,\"LINESTRING (24 60,\n 25 60)\"\n")  // the record starts on line 5
        let csvMessage = parseLocation { _ = try FeatureFile.readPoints(csv) }
        #expect(csvMessage?.contains("l.csv: line 5, geometry: expected a point, found LineString") == true, "\(csvMessage ?? "no error")")
    }

    // Found in review next to the fuzzer's rules finding (the same Double → Int trap): an id field holding 1e19
    // ended the import converting it to Int64. It is refused now; a whole number in range is still an integer id.
    @Test func numericIDFieldOutOfInt64IsRefused() throws {
        func parse(_ ref: String) throws -> [Feature] {
            let text = #"{"type":"Feature","properties":{"ref":\#(ref)},"geometry":{"type":"Point","coordinates":[24.9,60.1]}}"#
            return try FeatureFile.parse(Array(text.utf8), format: .geojson, options: .init(idField: "ref"), name: "z.geojson")
        }
        #expect(try parse("42.0")[0].id == .int(42))
        #expect(try parse("-9.2e18")[0].id == .int(-9_200_000_000_000_000_000))
        for ref in ["1e19", "-1e300", "1.5"] {
            #expect(throws: SpatialError.parse(format: "import", location: "z.geojson: feature 0, properties.ref",
                                               message: "the id field is missing or not a string or a whole number (|n| < 2^63)")) {
                try parse(ref)
            }
        }
    }
}
