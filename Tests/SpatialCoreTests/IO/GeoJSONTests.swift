import Foundation
import Testing

@testable import SpatialCore

// MARK: - Fixtures

private func c(_ x: Double, _ y: Double) -> Coordinate { Coordinate(x, y) }
private func ring(_ cs: [Coordinate]) -> LinearRing { LinearRing(unchecked: cs) }
private func line(_ cs: [Coordinate]) -> LineString { LineString(unchecked: cs) }

/// Counter-clockwise square with a clockwise hole (already RFC 7946 oriented).
private let squareWithHole = Polygon(
    exterior: ring([c(0, 0), c(10, 0), c(10, 10), c(0, 10), c(0, 0)]),
    holes: [ring([c(2, 2), c(2, 4), c(4, 4), c(4, 2), c(2, 2)])])
private let triangle = Polygon(exterior: ring([c(20, 20), c(30, 20), c(25, 28.5), c(20, 20)]))

private let zibo = Coordinate(118.0548, 36.8131)

/// Computed, not a global constant: LeakSanitizer reports the boxes of a global indirect enum as leaks.
private var geometrySamples: [(String, Geometry)] { [
    ("Point", .point(Point(zibo))),
    ("LineString", .lineString(line([c(24.9432708, 60.1665138), c(24.9433654, 60.1664439), c(-0.5, 1e-7)]))),
    ("empty LineString", .lineString(line([]))),
    ("Polygon with hole", .polygon(squareWithHole)),
    ("MultiPoint", .multiPoint(MultiPoint([Point(zibo), Point(x: -180, y: -90)]))),
    ("empty MultiPoint", .multiPoint(MultiPoint([]))),
    ("MultiLineString", .multiLineString(MultiLineString([line([c(0, 0), c(1, 1)]), line([c(2, 2), c(3, 3), c(4, 2)])]))),
    ("empty MultiLineString", .multiLineString(MultiLineString([]))),
    ("MultiPolygon", .multiPolygon(MultiPolygon([squareWithHole, triangle]))),
    ("empty MultiPolygon", .multiPolygon(MultiPolygon([]))),
    (
        "GeometryCollection",
        .geometryCollection([
            .point(Point(zibo)), .lineString(line([c(0, 0), c(1, 1)])), .polygon(triangle),
            .geometryCollection([]), .geometryCollection([.point(x: 1, y: 2)]),
        ])
    ),
    ("empty GeometryCollection", .geometryCollection([])),
] }

private func parseFailure(_ body: () throws -> Void) -> SpatialError? {
    do {
        try body()
        return nil
    } catch let e as SpatialError {
        return e
    } catch {
        return nil
    }
}

// MARK: - Round trips

@Suite("GeoJSON")
struct GeoJSONTests {
    @Test("geometry round trip", arguments: geometrySamples.map(\.0))
    func geometryRoundTrip(name: String) throws {
        let g = try #require(geometrySamples.first { $0.0 == name }?.1)
        let text = g.geoJSON()
        #expect(try Geometry(geoJSON: text) == g, "\(text)")
        #expect(try Geometry(geoJSON: Array(text.utf8)) == g)
        #expect(try GeoJSON(string: text) == .geometry(g))
        // 7 decimals are enough for these coordinates.
        #expect(try Geometry(geoJSON: g.geoJSON(precision: 7)) == g)
        // Valid JSON whatever the numbers look like.
        _ = try JSONValue(parsing: text)
    }

    @Test func exactGeometryText() throws {
        #expect(Geometry.point(x: 118.0548, y: 36.8131).geoJSON() == #"{"type":"Point","coordinates":[118.0548,36.8131]}"#)
        #expect(Geometry.polygon(squareWithHole).geoJSON(precision: 6) == #"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}"#)
        #expect(Geometry.lineString(line([])).geoJSON() == #"{"type":"LineString","coordinates":[]}"#)
        #expect(Geometry.geometryCollection([]).geoJSON() == #"{"type":"GeometryCollection","geometries":[]}"#)
        #expect(
            Geometry.geometryCollection([.point(x: 1, y: 2), .multiPoint(MultiPoint([]))]).geoJSON(precision: 7)
                == #"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"MultiPoint","coordinates":[]}]}"#)
    }

    @Test func readingIsLenientAboutMemberOrderAltitudeAndForeignMembers() throws {
        // "type" last, a third coordinate, bbox and foreign members on a geometry.
        let g = try Geometry(
            geoJSON: #" { "coordinates" : [ [ 1 , 2 , 30.5 ] , [3,4,-1] ] , "bbox":[1,2,3,4], "title":{"a":[1]}, "type" : "LineString" } "#)
        #expect(g == .lineString(line([c(1, 2), c(3, 4)])))
        // A feature whose type comes after its geometry and properties.
        let f = try Feature(
            geoJSON: #"{"properties":{"a":1},"geometry":{"coordinates":[[[0,0],[0,1],[1,1],[0,0]]],"type":"Polygon"},"id":"x","type":"Feature"}"#)
        #expect(f.id == "x")
        #expect(f.properties?["a"] == .int(1))
        #expect(f.geometry == .polygon(Polygon(exterior: ring([c(0, 0), c(0, 1), c(1, 1), c(0, 0)]))))
        // Empty Point and Polygon read as the empty multi-geometries.
        #expect(try Geometry(geoJSON: #"{"type":"Point","coordinates":[]}"#) == .multiPoint(MultiPoint([])))
        #expect(try Geometry(geoJSON: #"{"type":"Polygon","coordinates":[ ]}"#) == .multiPolygon(MultiPolygon([])))
        // A UTF-8 byte order mark is skipped.
        #expect(try Geometry(geoJSON: [0xEF, 0xBB, 0xBF] + Array(#"{"type":"Point","coordinates":[1,2]}"#.utf8)) == .point(x: 1, y: 2))
    }

    // MARK: Features and properties

    @Test func featureWithTypedProperties() throws {
        let text =
            #"{"type":"Feature","id":12,"geometry":{"type":"Point","coordinates":[118.0548,36.8131]},"properties":{"name":"淄博市","code":370300,"area_km2":5965.0,"ratio":0.25,"quote":"say \"hi\"\\ \n\ttab\u0001\u001f","none":null,"ok":true,"no":false,"tags":["a",1,2.5,[],{}],"nested":{"k":[1,{"x":null}]},"big":9007199254740993,"min":-9223372036854775808,"emoji":"😀 \/ é"}}"#
        let f = try Feature(geoJSON: text)
        #expect(f.id == .int(12))
        #expect(f.geometry == .point(Point(zibo)))
        let p = try #require(f.properties)
        #expect(p.keys == ["name", "code", "area_km2", "ratio", "quote", "none", "ok", "no", "tags", "nested", "big", "min", "emoji"])
        #expect(p["name"] == .string("淄博市"))
        #expect(p["code"] == .int(370_300))
        #expect(p["area_km2"] == .number(5965))
        #expect(p["ratio"] == .number(0.25))
        #expect(p["quote"] == .string("say \"hi\"\\ \n\ttab\u{1}\u{1F}"))
        #expect(p["none"] == .null)
        #expect(p["ok"] == .bool(true))
        #expect(p["no"] == .bool(false))
        #expect(p["tags"] == ["a", 1, 2.5, [], [:]])
        #expect(p["nested"]?["k"] == [1, ["x": nil]])
        #expect(p["big"] == .int(9_007_199_254_740_993))  // not representable as a Double
        #expect(p["min"] == .int(.min))
        #expect(p["emoji"] == .string("😀 / é"))

        // Written back: same member order, ints as ints, 5965.0 stays a float, escapes.
        let expected =
            #"{"type":"Feature","id":12,"geometry":{"type":"Point","coordinates":[118.0548,36.8131]},"properties":{"name":"淄博市","code":370300,"area_km2":5965.0,"ratio":0.25,"quote":"say \"hi\"\\ \n\ttab\u0001\u001f","none":null,"ok":true,"no":false,"tags":["a",1,2.5,[],{}],"nested":{"k":[1,{"x":null}]},"big":9007199254740993,"min":-9223372036854775808,"emoji":"😀 / é"}}"#
        #expect(f.geoJSON() == expected)
        #expect(try Feature(geoJSON: f.geoJSON()) == f)
    }

    @Test func featureIDStringVersusNumber() throws {
        let s = try Feature(geoJSON: #"{"type":"Feature","id":"370303-001","geometry":null,"properties":null}"#)
        #expect(s.id == .string("370303-001"))
        #expect(s.geometry == nil)
        #expect(s.properties == nil)
        #expect(s.geoJSON() == #"{"type":"Feature","id":"370303-001","geometry":null,"properties":null}"#)

        let n = try Feature(geoJSON: #"{"type":"Feature","id":12,"geometry":null,"properties":{}}"#)
        #expect(n.id == .int(12))
        #expect(n.geoJSON() == #"{"type":"Feature","id":12,"geometry":null,"properties":{}}"#)

        let d = try Feature(geoJSON: #"{"type":"Feature","id":1.5,"geometry":null,"properties":{}}"#)
        #expect(d.id == .number(1.5))
        #expect(d.geoJSON().contains(#""id":1.5,"#))

        let none = try Feature(geoJSON: #"{"type":"Feature","geometry":null,"properties":{}}"#)
        #expect(none.id == nil)
        #expect(!none.geoJSON().contains("\"id\""))
        #expect(Feature(id: 7, geometry: nil).geoJSON() == #"{"type":"Feature","id":7,"geometry":null,"properties":null}"#)
    }

    @Test func jsonObjectKeepsOrderAndComparesAsASet() throws {
        var o: JSONObject = ["b": 1, "a": 2]
        o["c"] = "x"
        o["b"] = 3  // replaced in place
        #expect(o.keys == ["b", "a", "c"])
        #expect(JSONValue.object(o).jsonText == #"{"b":3,"a":2,"c":"x"}"#)
        #expect(o == ["c": "x", "a": 2, "b": 3])
        #expect(o.hashValue == (["c": "x", "a": 2, "b": 3] as JSONObject).hashValue)
        o["a"] = nil
        #expect(o.keys == ["b", "c"])
        // A repeated key in the input: the last value at the first position.
        let v = try JSONValue(parsing: #"{"k":1,"j":2,"k":3}"#)
        #expect(v.objectValue?.keys == ["k", "j"])
        #expect(v["k"] == 3)
        // Large objects use an index; same behaviour.
        var big = JSONObject()
        for i in 0..<100 { big["k\(i)"] = .int(Int64(i)) }
        big["k5"] = "five"
        #expect(big.count == 100)
        #expect(big["k5"] == "five")
        #expect(big["k99"] == 99)
        big.removeValue(forKey: "k0")
        #expect(big.keys.first == "k1")
        #expect(big["k50"] == 50)
    }

    @Test func jsonNumbersAndStrings() throws {
        // Integers exactly, in Int64 range; beyond it the nearest double.
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(.min))
        #expect(try JSONValue(parsing: "9223372036854775808") == .number(9_223_372_036_854_775_808.0))
        #expect(try JSONValue(parsing: "-0").jsonText == "-0.0")
        // Correctly rounded doubles, fast and slow paths.
        for text in [
            "0.1", "24.9432708", "60.1665138", "-118.05481234567", "1e-7", "2.2250738585072011e-308", "1.7976931348623157e308",
            "3.141592653589793238462643383279", "123456789012345678901234567890", "4.9e-324", "0.000000000000000000000000001",
            "1E22", "1e23", "9007199254740993.0", "7.0e-10",
        ] {
            let v = try JSONValue(parsing: text)
            #expect(v == .number(Double(text)!), "\(text)")
            #expect(try JSONValue(parsing: v.jsonText) == v, "\(text) → \(v.jsonText)")
        }
        #expect(JSONValue.number(24.95).jsonText == "24.95")
        #expect(JSONValue.number(1e-7).jsonText == "1e-07")
        #expect(JSONValue.number(.nan).jsonText == "null")
        // Escapes, both ways.
        let s = "tab\t nl\n cr\r bs\\ q\" bell\u{7} del\u{7F} 淄博 \u{2028} 😀"
        let written = JSONValue.string(s).jsonText
        #expect(written == "\"tab\\t nl\\n cr\\r bs\\\\ q\\\" bell\\u0007 del\u{7F} 淄博 \u{2028} 😀\"")
        #expect(try JSONValue(parsing: written) == .string(s))
        #expect(try JSONValue(parsing: #""\ud83d\ude00 \u6dc4\u535a \b\f""#) == .string("😀 淄博 \u{8}\u{C}"))
    }

    // Found by fuzzing (Tests/FuzzCorpus/geojsonseq/crash-escaped-names.geojsonl): a member name with an escape
    // came back as the previous escaped name's text (the first one as ""), so properties were renamed or merged.
    @Test func escapedMemberNames() throws {
        let v = try JSONValue(parsing: #"{"a\tb":1,"c":2,"d\ne":3,"\u6dc4\u535a":4,"\t":5}"#)
        #expect(v.objectValue?.keys == ["a\tb", "c", "d\ne", "淄博", "\t"])
        #expect(v["d\ne"] == .int(3) && v["\t"] == .int(5))
        let f = try Feature(geoJSON: #"{"type":"Feature","geometry":null,"properties":{"\t":"","i\t":[]},"x\"":{"\t":1}}"#)
        #expect(f.properties == ["\t": "", "i\t": .array([])])
        #expect(f.foreignMembers == ["x\"": .object(["\t": 1])])
    }

    // MARK: RFC 7946 output

    @Test func windingIsReorientedOnWrite() throws {
        // Clockwise exterior, counter-clockwise hole: both wrong for RFC 7946.
        let input = #"{"type":"Polygon","coordinates":[[[0,0],[0,10],[10,10],[10,0],[0,0]],[[2,2],[4,2],[4,4],[2,4],[2,2]]]}"#
        let g = try Geometry(geoJSON: input)
        guard case .polygon(let p) = g else { Issue.record("not a polygon"); return }
        #expect(!p.exterior.isCounterClockwise)  // read as is
        #expect(g.geoJSON(precision: 7) == #"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}"#)
        guard case .polygon(let q) = try Geometry(geoJSON: g.geoJSON()) else { Issue.record("not a polygon"); return }
        #expect(q.exterior.isCounterClockwise)
        #expect(!q.holes[0].isCounterClockwise)
        #expect(q == p.orientedRFC7946())
        // Inside multi-polygons and collections too.
        let m = Geometry.geometryCollection([.multiPolygon(MultiPolygon([p]))])
        #expect(try Geometry(geoJSON: m.geoJSON()) == m.orientedRFC7946())
    }

    // Found by fuzzing (Tests/FuzzCorpus/geojson/crash-bowtie.geojson): a figure-eight ring has signed area 0
    // (its two loops cancel: by the shoelace formula 0 - 4 + 4 + 0 = 0), so it has no winding; the writer
    // reversed it on every write, and GeoJSON → GeoJSON never settled.
    @Test func ringOfZeroAreaKeepsItsOrder() throws {
        let text = #"{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}"#
        let g = try Geometry(geoJSON: text)
        guard case .polygon(let p) = g else { Issue.record("expected a polygon"); return }
        #expect(p.exterior.signedArea == 0 && !p.exterior.isClockwise && !p.exterior.isCounterClockwise)
        // as read, not reversed (the writer spells whole numbers 0.0, as Swift's shortest round-trip text does)
        #expect(g.geoJSON() == #"{"type":"Polygon","coordinates":[[[0.0,0.0],[2.0,2.0],[2.0,0.0],[0.0,2.0],[0.0,0.0]]]}"#)
        #expect(try Geometry(geoJSON: g.geoJSON()).geoJSON() == g.geoJSON())
        #expect(g.orientedRFC7946() == g)
    }

    @Test func precisionRoundsAndTrims() {
        let g = Geometry.lineString(
            line([c(24.943270812345, 60.16651384999), c(100, -0.00000004), c(0.00000012, -1.23456789), c(-179.99999996, 89.5)]))
        #expect(g.geoJSON(precision: 7) == #"{"type":"LineString","coordinates":[[24.9432708,60.1665138],[100,0],[0.0000001,-1.2345679],[-180,89.5]]}"#)
        #expect(g.geoJSON(precision: 0) == #"{"type":"LineString","coordinates":[[25,60],[100,0],[0,-1],[-180,90]]}"#)
        // nil: shortest round-trip text, still valid JSON for tiny and huge values.
        let tiny = Geometry.point(x: 1e-7, y: 24.95)
        #expect(tiny.geoJSON() == #"{"type":"Point","coordinates":[1e-07,24.95]}"#)
        #expect(Geometry.point(x: 5e21, y: -2.5e-12).geoJSON() == #"{"type":"Point","coordinates":[5e+21,-2.5e-12]}"#)
        #expect((try? Geometry(geoJSON: tiny.geoJSON())) == tiny)
        // Values too large for the requested decimals are written exactly.
        #expect(Geometry.point(x: 3.5e12, y: 1).geoJSON(precision: 7) == #"{"type":"Point","coordinates":[3500000000000.0,1]}"#)
    }

    @Test func noCRSInOutput() throws {
        let input = #"""
            {"type":"FeatureCollection","name":"zibo","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[118.0548,36.8131]},"crs":{"type":"name"},"note":"kept"}]}
            """#
        let fc = try FeatureCollection(geoJSON: Array(input.utf8))
        #expect(fc.foreignMembers["crs"] != nil)  // readable by the caller
        #expect(fc.features[0].foreignMembers.keys == ["crs", "note"])
        let out = fc.geoJSON()
        #expect(!out.contains("crs"))
        #expect(
            out == """
                {"type":"FeatureCollection","name":"zibo","features":[
                {"type":"Feature","geometry":{"type":"Point","coordinates":[118.0548,36.8131]},"properties":{"n":1},"note":"kept"}
                ]}
                """)
        #expect(FeatureCollection().geoJSON() == #"{"type":"FeatureCollection","features":[]}"#)
        #expect(try GeoJSON(string: out) == .featureCollection(FeatureCollection(
            [Feature(geometry: .point(Point(zibo)), properties: ["n": 1], foreignMembers: ["note": "kept"])],
            foreignMembers: ["name": "zibo"])))
    }

    // MARK: GeoJSONSeq

    @Test func geoJSONSeqWithRecordSeparators() throws {
        let f1 = Feature(id: 1, geometry: .point(x: 1, y: 2), properties: ["name": "a\nb"])
        let f2 = Feature(id: "two", geometry: .lineString(line([c(0, 0), c(1, 1)])), properties: nil)
        let fc = FeatureCollection([f1, f2])
        let seq = fc.geoJSONSeq(precision: 7)
        #expect(seq == "\u{1E}" + f1.geoJSON(precision: 7) + "\n\u{1E}" + f2.geoJSON(precision: 7) + "\n")
        #expect(try FeatureCollection(geoJSONSeq: Array(seq.utf8)) == fc)
        // A record may span lines when RS delimits them; a BOM-less CRLF file works too.
        let pretty = "\u{1E}{\n  \"type\": \"Point\",\n  \"coordinates\": [1, 2]\n}\r\n\u{1E}\n\u{1E}{\"type\":\"Feature\",\"geometry\":null,\"properties\":null}\n"
        let records = try GeoJSONSeq.read(pretty)
        #expect(records == [.geometry(.point(x: 1, y: 2)), .feature(Feature(geometry: nil))])
    }

    @Test func geoJSONSeqNewlineDelimited() throws {
        let text = """
            {"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}

            {"type":"Feature","id":2,"geometry":null,"properties":{"k":"v"}}\r
            {"type":"Feature","id":3,"geometry":{"type":"MultiPoint","coordinates":[]},"properties":null}
            """
        let fc = try FeatureCollection(geoJSONSeq: Array(text.utf8))
        #expect(fc.features.map(\.id) == [1, 2, 3])
        #expect(fc.features[1].properties == ["k": "v"])
        #expect(fc.geoJSONSeq(recordSeparator: false).split(separator: "\n").count == 3)
        var ids: [FeatureID?] = []
        try GeoJSONSeq.forEachRecord(in: Array(text.utf8)) { r in
            if case .feature(let f) = r { ids.append(f.id) }
        }
        #expect(ids == [1, 2, 3])
    }

    // MARK: Streaming writers

    @Test func streamingWritersMatchWholeDocuments() throws {
        var features: [Feature] = []
        for i in 0..<2000 {
            let x: Double = 24.9 + Double(i) * 1e-5
            let y: Double = 60.1 + Double(i) * 1e-6
            let name: JSONValue = .string("点 \(i)")
            let properties: JSONObject = ["i": .int(Int64(i)), "name": name]
            features.append(Feature(id: .int(Int64(i)), geometry: .point(x: x, y: y), properties: properties))
        }
        var chunks: [[UInt8]] = []
        let w = GeoJSONWriter(precision: 7, foreignMembers: ["name": "pts"], chunkSize: 4096) { chunks.append($0) }
        for f in features { try w.write(f) }
        try w.finish()
        #expect(w.count == 2000)
        #expect(chunks.count > 10)
        #expect(chunks.allSatisfy { $0.count < 4096 + 200 })  // flat: bounded by chunk size + one feature
        let whole = FeatureCollection(features, foreignMembers: ["name": "pts"]).geoJSON(precision: 7)
        #expect(String(decoding: chunks.joined(), as: UTF8.self) == whole)

        var seqBytes: [UInt8] = []
        let s = GeoJSONSeqWriter(precision: 7, chunkSize: 1000) { seqBytes += $0 }
        for f in features { try s.write(f) }
        try s.flush()
        #expect(String(decoding: seqBytes, as: UTF8.self) == FeatureCollection(features).geoJSONSeq(precision: 7))

        // Empty collection.
        var empty: [UInt8] = []
        let e = GeoJSONWriter { empty += $0 }
        try e.finish()
        #expect(String(decoding: empty, as: UTF8.self) == #"{"type":"FeatureCollection","features":[]}"#)

        // The encoder appends to a caller's buffer.
        var buf = Array("[".utf8)
        GeoJSONEncoder(precision: 3).append(Geometry.point(x: 1.23456, y: 2), to: &buf)
        #expect(String(decoding: buf, as: UTF8.self) == #"[{"type":"Point","coordinates":[1.235,2]}"#)
    }

    // MARK: Real data

    @Test func helsinkiStreets() throws {
        let url = TestData.repository("GeoData/helsinki/streets.geojson")  // a copy of shared/geodata/helsinki's
        let bytes = [UInt8](try Data(contentsOf: url))
        let fc = try FeatureCollection(geoJSON: bytes)
        #expect(fc.features.count == 4612)
        let first = try #require(fc.features.first)
        #expect(first.id == .int(1))
        #expect(first.properties?["name"] == "Erottajankatu")
        #expect(first.properties?["osm_way_id"] == .int(4_236_349))
        #expect(first.properties?["oneway"] == true)
        #expect(first.properties?["length_m"] == .number(9.391))
        #expect(first.geometry?.coordinates.first == Coordinate(24.9432708, 60.1665138))
        #expect(fc.features.last?.id == .int(4612))
        #expect(fc.features.last?.properties?["name"] == .null)
        #expect(fc.features.allSatisfy { if case .lineString = $0.geometry { true } else { false } })
        #expect(fc.features.reduce(0) { $0 + ($1.geometry?.coordinates.count ?? 0) } == 11669)
        #expect(fc.foreignMembers["name"] == "Helsinki streets")
        #expect(fc.bbox == [24.9351852, 60.1641581, 24.9534132, 60.1791074])
        // Written and read back, exactly and at the file's own 7 decimals.
        #expect(try FeatureCollection(geoJSON: Array(fc.geoJSON().utf8)) == fc)
        #expect(try FeatureCollection(geoJSON: fc.geoJSON(precision: 7)) == fc)
        #expect(try FeatureCollection(geoJSONSeq: Array(fc.geoJSONSeq().utf8)).features == fc.features)
    }
}

// MARK: - Errors

/// One malformed input and the exact error it must produce.
struct GeoJSONErrorCase: CustomTestStringConvertible, Sendable {
    enum Entry: Sendable { case geoJSON, geometry, feature, featureCollection, seq, json }
    let name: String
    let entry: Entry
    let input: String
    let format: String
    let location: String
    let message: String

    var testDescription: String { name }

    func run() throws {
        switch entry {
        case .geoJSON: _ = try GeoJSON(data: Array(input.utf8))
        case .geometry: _ = try Geometry(geoJSON: input)
        case .feature: _ = try Feature(geoJSON: input)
        case .featureCollection: _ = try FeatureCollection(geoJSON: Array(input.utf8))
        case .seq: _ = try GeoJSONSeq.read(input)
        case .json: _ = try JSONValue(parsing: input)
        }
    }
}

private let point = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":null}"#

let geoJSONErrorCases: [GeoJSONErrorCase] = [
    .init(
        name: "position with 4 numbers deep in a collection", entry: .featureCollection,
        input: #"{"type":"FeatureCollection","features":["# + Array(repeating: point, count: 12).joined(separator: ",")
            + #",{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1,5,6],[0,0]]]}}]}"#,
        format: "GeoJSON", location: "features[12].geometry.coordinates[0][3]", message: "expected a position of 2 or 3 numbers"),
    .init(
        name: "position with one number", entry: .geometry, input: #"{"type":"Point","coordinates":[1]}"#,
        format: "GeoJSON", location: "coordinates", message: "expected a position of 2 or 3 numbers"),
    .init(
        name: "position with a string", entry: .geometry, input: #"{"type":"MultiPoint","coordinates":[[1,2],[3,"4"]]}"#,
        format: "GeoJSON", location: "coordinates[1]", message: "expected a position of 2 or 3 numbers"),
    .init(
        name: "not an array of positions", entry: .geometry, input: #"{"type":"LineString","coordinates":{"x":1}}"#,
        format: "GeoJSON", location: "coordinates", message: "expected an array of positions"),
    .init(
        name: "unknown geometry type", entry: .geometry, input: #"{"type":"Poligon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
        format: "GeoJSON", location: "type", message: "unknown geometry type 'Poligon'"),
    .init(
        name: "unknown geometry type in a feature", entry: .feature,
        input: #"{"type":"Feature","properties":null,"geometry":{"type":"Poligon","coordinates":[]}}"#,
        format: "GeoJSON", location: "geometry.type", message: "unknown geometry type 'Poligon'"),
    .init(
        name: "unknown GeoJSON type", entry: .geoJSON, input: #"{"type":"Featur"}"#,
        format: "GeoJSON", location: "type", message: "unknown GeoJSON type 'Featur'"),
    .init(
        name: "a Feature where a geometry is expected", entry: .geometry,
        input: #"{"type":"Feature","geometry":null,"properties":null}"#,
        format: "GeoJSON", location: "type", message: "expected a geometry, found 'Feature'"),
    .init(
        name: "a Feature where a FeatureCollection is expected", entry: .featureCollection, input: point,
        format: "GeoJSON", location: "type", message: "expected 'FeatureCollection', found 'Feature'"),
    .init(
        name: "a geometry in features", entry: .featureCollection,
        input: #"{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}"#,
        format: "GeoJSON", location: "features[0].type", message: "expected 'Feature', found 'Point'"),
    .init(
        name: "ring not closed", entry: .geometry,
        input: #"{"type":"Polygon","coordinates":[[[0,0],[9,0],[9,9],[0,0]],[[1,1],[2,1],[2,2],[1,2]]]}"#,
        format: "GeoJSON", location: "coordinates[1]", message: "ring not closed"),
    .init(
        name: "ring with 3 positions", entry: .geometry,
        input: #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[0,0]]]]}"#,
        format: "GeoJSON", location: "coordinates[1][0]", message: "ring has 3 positions, needs 4"),
    .init(
        name: "line string with 1 position", entry: .geometry, input: #"{"type":"LineString","coordinates":[[1,2]]}"#,
        format: "GeoJSON", location: "coordinates", message: "line string has 1 position, needs 2"),
    .init(
        name: "line string with 1 position in a multi line string", entry: .geometry,
        input: #"{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6]]]}"#,
        format: "GeoJSON", location: "coordinates[1]", message: "line string has 1 position, needs 2"),
    .init(
        name: "missing type at the root", entry: .geoJSON, input: #"{"coordinates":[1,2]}"#,
        format: "GeoJSON", location: "$", message: "missing 'type' member"),
    .init(
        name: "missing type in a feature", entry: .featureCollection,
        input: #"{"type":"FeatureCollection","features":[{"geometry":null,"properties":null}]}"#,
        format: "GeoJSON", location: "features[0]", message: "missing 'type' member"),
    .init(
        name: "type not a string", entry: .geometry, input: #"{"type":7,"coordinates":[1,2]}"#,
        format: "GeoJSON", location: "type", message: "'type' must be a string, found a number"),
    .init(
        name: "missing coordinates", entry: .geometry, input: #"{"type":"Point"}"#,
        format: "GeoJSON", location: "$", message: "missing 'coordinates' member"),
    .init(
        name: "properties not an object", entry: .feature, input: #"{"type":"Feature","geometry":null,"properties":[1]}"#,
        format: "GeoJSON", location: "properties", message: "properties must be an object or null, found an array"),
    .init(
        name: "id not a string or number", entry: .feature, input: #"{"type":"Feature","id":true,"geometry":null,"properties":{}}"#,
        format: "GeoJSON", location: "id", message: "id must be a string or number, found a boolean"),
    .init(
        name: "geometry not an object", entry: .feature, input: #"{"type":"Feature","geometry":"POINT (1 2)","properties":{}}"#,
        format: "GeoJSON", location: "geometry", message: "geometry must be an object or null, found a string"),
    .init(
        name: "bad bbox", entry: .featureCollection, input: #"{"type":"FeatureCollection","bbox":[1,2,3],"features":[]}"#,
        format: "GeoJSON", location: "bbox", message: "bbox must be an array of 4 or 6 numbers"),
    .init(
        name: "JSON syntax error on line 2", entry: .geometry, input: "{\"type\":\"Point\",\n\"coordinates\":[1,2}",
        format: "GeoJSON", location: "coordinates (line 2, column 19)",
        message: "unexpected character '}', expected ',' or ']' after an array element"),
    .init(
        name: "JSON syntax error in properties, columns count characters", entry: .feature,
        input: #"{"type":"Feature","geometry":null,"properties":{"名":"淄博市" "x":1}}"#,
        format: "GeoJSON", location: "properties (line 1, column 59)",
        message: "unexpected character '\"', expected ',' or '}' after an object member"),
    .init(
        name: "JSON syntax error under a quoted key", entry: .feature,
        input: #"{"type":"Feature","geometry":null,"properties":{"a b":[1,}}"#,
        format: "GeoJSON", location: #"properties["a b"][1] (line 1, column 58)"#,
        message: "unexpected character '}', expected a JSON value"),
    .init(
        name: "trailing data", entry: .geometry, input: #"{"type":"Point","coordinates":[1,2]}x"#,
        format: "GeoJSON", location: "line 1, column 37", message: "unexpected character 'x' after the JSON value"),
    .init(
        name: "empty input", entry: .geoJSON, input: "  \n",
        format: "GeoJSON", location: "line 2, column 1", message: "unexpected end of input, expected a JSON value"),
    .init(
        name: "unterminated string", entry: .json, input: "[1, \"abc",
        format: "JSON", location: "[1] (line 1, column 5)", message: "unterminated string"),
    .init(
        name: "leading zero", entry: .json, input: #"{"a":012}"#,
        format: "JSON", location: "a (line 1, column 7)", message: "invalid number"),
    .init(
        name: "number out of range", entry: .json, input: "[1e400]",
        format: "JSON", location: "[0] (line 1, column 2)", message: "number 1e400 is out of range"),
    .init(
        name: "lone surrogate", entry: .json, input: #"["\ud800x"]"#,
        format: "JSON", location: "[0] (line 1, column 3)", message: "unpaired surrogate in \\u escape"),
    .init(
        name: "nesting too deep", entry: .json, input: String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        format: "JSON", location: String(repeating: "[0]", count: 256) + " (line 1, column 257)",
        message: "nesting deeper than 256 levels"),
    .init(
        name: "geometry collections nested too deep", entry: .geometry,
        input: String(repeating: #"{"type":"GeometryCollection","geometries":["#, count: 40) + String(repeating: "]}", count: 40),
        format: "GeoJSON", location: String(repeating: "geometries[0].", count: 32) + "geometries",
        message: "geometry collections nested deeper than 32 levels"),
    .init(
        name: "GeoJSONSeq structural error", entry: .seq,
        input: [point, "", point, point, "", point, #"{"type":"Point","coordinates":[1]}"#, point].joined(separator: "\n"),
        format: "GeoJSONSeq", location: "record 5 (line 7), coordinates", message: "expected a position of 2 or 3 numbers"),
    .init(
        name: "GeoJSONSeq syntax error", entry: .seq,
        input: [point, "", point, point, "", point, #"{"type":"Point","coordinates":[1,]}"#].joined(separator: "\n"),
        format: "GeoJSONSeq", location: "record 5 (line 7, column 34), coordinates",
        message: "unexpected character ']', expected a JSON value"),
    .init(
        name: "GeoJSONSeq with RS: a record after the first", entry: .seq,
        input: "\u{1E}" + point + "\n\u{1E}{\"type\":\"Point\",\n\"coordinates\":[1,2]}\n\u{1E}{\"type\":\"Point\"}\n",
        format: "GeoJSONSeq", location: "record 3 (line 4)", message: "missing 'coordinates' member"),
]

@Suite("GeoJSON errors")
struct GeoJSONErrorTests {
    @Test("error names where and what", arguments: geoJSONErrorCases)
    func errorLocation(_ t: GeoJSONErrorCase) {
        let e = parseFailure { try t.run() }
        #expect(e == .parse(format: t.format, location: t.location, message: t.message))
    }
}
