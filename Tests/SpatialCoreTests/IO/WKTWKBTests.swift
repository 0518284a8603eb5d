import Foundation
import Testing
@testable import SpatialCore

/// The geometry kinds, each as a value and as the WKT GEOS 3.11+ writes for it.
private struct Sample: Sendable, CustomTestStringConvertible {
    let name: String
    let geometry: Geometry
    var testDescription: String { name }

    static func all() throws -> [Sample] {
        func c(_ x: Double, _ y: Double) -> Coordinate { Coordinate(x, y) }
        let square = try LinearRing([c(0, 0), c(10, 0), c(10, 10), c(0, 10), c(0, 0)])
        let hole = try LinearRing([c(2, 2), c(2, 4), c(4, 4), c(4, 2), c(2, 2)])
        let far = try LinearRing([c(20, 20), c(30, 20), c(30, 30), c(20, 20)])
        let line = try LineString([c(0, 0), c(1.5, -2.25), c(385439.6591755452, 6672528.404361055)])
        return [
            Sample(name: "point", geometry: .point(x: 24.9432708, y: 60.1695)),
            Sample(name: "point, small and tiny", geometry: .point(x: -1.2345678901234568e-05, y: 1e-300)),
            Sample(name: "point, huge", geometry: .point(x: 1.2345678901234568e+20, y: -1e300)),
            Sample(name: "line", geometry: .lineString(line)),
            Sample(name: "polygon", geometry: .polygon(Polygon(exterior: square))),
            Sample(name: "polygon with hole", geometry: .polygon(Polygon(exterior: square, holes: [hole]))),
            Sample(name: "multipoint", geometry: .multiPoint(MultiPoint([Point(x: 1, y: 2), Point(x: 3, y: 4)]))),
            Sample(name: "multilinestring", geometry: .multiLineString(MultiLineString([line, try LineString([c(5, 5), c(6, 6)])]))),
            Sample(name: "multipolygon", geometry: .multiPolygon(MultiPolygon([Polygon(exterior: square, holes: [hole]), Polygon(exterior: far)]))),
            Sample(name: "collection", geometry: .geometryCollection([
                .point(x: 1, y: 1), .lineString(line), .polygon(Polygon(exterior: square, holes: [hole])),
                .geometryCollection([.multiPoint(MultiPoint([Point(x: 7, y: 8)]))]),
            ])),
            Sample(name: "empty collection", geometry: .geometryCollection([])),
            Sample(name: "empty line", geometry: .lineString(try LineString([]))),
            Sample(name: "empty multipoint", geometry: .multiPoint(MultiPoint([]))),
            Sample(name: "empty multilinestring", geometry: .multiLineString(MultiLineString([]))),
            Sample(name: "empty multipolygon", geometry: .multiPolygon(MultiPolygon([]))),
        ]
    }
}

private func parseError(_ body: () throws -> Void) -> SpatialError? {
    do {
        try body()
        return nil
    } catch {
        return error as? SpatialError
    }
}

@Suite struct WKTWKBTests {
    @Test(arguments: try Sample.all())
    fileprivate func wktRoundTrip(_ s: Sample) throws {
        let text = s.geometry.wkt
        #expect(!text.isEmpty)
        #expect(try Geometry(wkt: text) == s.geometry, "\(text)")
        #expect(try s.geometry.wkt(precision: nil) == text)
    }

    @Test(arguments: try Sample.all())
    fileprivate func wkbRoundTrip(_ s: Sample) throws {
        let bytes = try s.geometry.wkb
        #expect(bytes.first == 1, "little-endian (NDR)")
        #expect(try Geometry(wkb: bytes) == s.geometry)
    }

    /// WKT spelled as in OGC 06-103r4 §7 (what GEOS writes), parsed to the values we expect.
    @Test func readsOGCText() throws {
        let cases: [(String, Geometry)] = [
            ("POINT (1 2)", .point(x: 1, y: 2)),
            ("point(1 2)", .point(x: 1, y: 2)),
            ("LINESTRING (0 0, 1 1)", .lineString(try LineString([Coordinate(0, 0), Coordinate(1, 1)]))),
            ("MULTIPOINT ((1 2), (3 4))", .multiPoint(MultiPoint([Point(x: 1, y: 2), Point(x: 3, y: 4)]))),
            ("MULTIPOINT (1 2, 3 4)", .multiPoint(MultiPoint([Point(x: 1, y: 2), Point(x: 3, y: 4)]))),
            ("POLYGON ((0 0, 1 0, 0 1, 0 0))", .polygon(Polygon(exterior: try LinearRing([
                Coordinate(0, 0), Coordinate(1, 0), Coordinate(0, 1), Coordinate(0, 0),
            ])))),
            ("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING EMPTY)", .geometryCollection([.point(x: 1, y: 2), .lineString(try LineString([]))])),
            ("POINT (1e3 -2.5E-2)", .point(x: 1000, y: -0.025)),
            ("POINT Z (1 2 3)", .point(x: 1, y: 2)),  // 2D values: Z is dropped
        ]
        for (text, expected) in cases {
            #expect(try Geometry(wkt: text) == expected, "\(text)")
        }
    }

    /// Every part kind, spelled as OGC 06-103r4 §7 does (MULTIPOINT with parenthesised points).
    @Test func writesOGCText() throws {
        let text = "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1), LINESTRING EMPTY, "
            + "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)), MULTIPOINT ((1 2), (3 4)), "
            + "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3)), MULTIPOLYGON (((0 0, 1 0, 0 1, 0 0)), ((5 5, 6 5, 5 6, 5 5))), "
            + "MULTIPOINT EMPTY, GEOMETRYCOLLECTION (POINT (7 8)))"
        let g = try Geometry(wkt: text)
        #expect(g.wkt == text)
        #expect(try Geometry(wkt: "MULTIPOINT (1 2, 3 4)").wkt == "MULTIPOINT ((1 2), (3 4))")
        #expect(try Geometry(wkt: "MULTILINESTRING (EMPTY, (0 0, 1 1))").wkt == "MULTILINESTRING (EMPTY, (0 0, 1 1))")
    }

    /// Empty geometries are empty collections in UrbanGrid's model; GEOS's typed empties map onto them.
    @Test func emptyGeometries() throws {
        #expect(try Geometry(wkt: "POINT EMPTY") == .geometryCollection([]))
        #expect(try Geometry(wkt: "POLYGON EMPTY") == .multiPolygon(MultiPolygon([])))
        #expect(try Geometry(wkt: "LINESTRING EMPTY") == .lineString(try LineString([])))
        #expect(try Geometry(wkt: "MULTIPOLYGON EMPTY") == .multiPolygon(MultiPolygon([])))
        #expect(try Geometry(wkt: "GEOMETRYCOLLECTION EMPTY") == .geometryCollection([]))
        #expect(Geometry.geometryCollection([]).wkt == "GEOMETRYCOLLECTION EMPTY")
        #expect(Geometry.multiPolygon(MultiPolygon([])).wkt == "MULTIPOLYGON EMPTY")
        #expect(try Geometry(wkt: "POINT EMPTY").isEmpty)
    }

    /// Shortest round-trip text: 0.1 is "0.1", never "0.10000000000000001".
    @Test func writesShortestDoubles() throws {
        #expect(Geometry.point(x: 0.1, y: 0.2).wkt == "POINT (0.1 0.2)")
        #expect(Geometry.point(x: 1, y: 2).wkt == "POINT (1 2)")
        #expect(Geometry.point(x: -0.5, y: 500000).wkt == "POINT (-0.5 500000)")
        #expect(Geometry.point(x: 24.9432708, y: 60.1695).wkt == "POINT (24.9432708 60.1695)")
        #expect(Geometry.point(x: 385439.6591755452, y: 6672528.404361055).wkt == "POINT (385439.6591755452 6672528.404361055)")
        #expect(Geometry.point(x: 0.1 + 0.2, y: 1.0 / 3.0).wkt == "POINT (0.30000000000000004 0.3333333333333333)")
        #expect(try Geometry(wkt: Geometry.point(x: 1e-7, y: 1e21).wkt) == .point(x: 1e-7, y: 1e21))
        let line = Geometry.lineString(try LineString([Coordinate(0.1, 0.2), Coordinate(0.3, 0.7)]))
        #expect(line.wkt == "LINESTRING (0.1 0.2, 0.3 0.7)")
        // plain decimals with every digit needed, no exponent, no lost digits (GEOS 3.11's writer cut at 17 decimals)
        #expect(Geometry.point(x: 1.2345678901234568e-05, y: -1.5e-10).wkt == "POINT (0.000012345678901234568 -0.00000000015)")
        #expect(Geometry.point(x: 1e16, y: 1.2345678901234568e+20).wkt == "POINT (10000000000000000 123456789012345680000)")
        #expect(Geometry.point(x: -0.0, y: 100).wkt == "POINT (0 100)")
        let withHole = try Geometry(wkt: "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))")
        #expect(withHole.wkt == "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))")
    }

    @Test func writesRequestedPrecision() throws {
        let p = Geometry.point(x: 24.94327081, y: 60.16951234)
        #expect(try p.wkt(precision: 3) == "POINT (24.943 60.17)")
        #expect(try p.wkt(precision: 0) == "POINT (25 60)")
        #expect(try Geometry.point(x: 0.1, y: 0.25).wkt(precision: 1) == "POINT (0.1 0.2)" ||
                Geometry.point(x: 0.1, y: 0.25).wkt(precision: 1) == "POINT (0.1 0.3)")
    }

    /// OGC WKB: byte order (1) + type (4) + x, y (2 × 8) = 21 bytes for a 2D point.
    @Test func wkbLayout() throws {
        let bytes = try Geometry.point(x: 1, y: 2).wkb
        #expect(bytes.count == 21)
        #expect(bytes == [0x01, 0x01, 0x00, 0x00, 0x00] + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F] + [0, 0, 0, 0, 0, 0, 0, 0x40])
        // big-endian input reads too
        let xdr: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x01] + [0x3F, 0xF0, 0, 0, 0, 0, 0, 0] + [0x40, 0, 0, 0, 0, 0, 0, 0]
        #expect(try Geometry(wkb: xdr) == .point(x: 1, y: 2))
        // a line of 2 points: 1 + 4 + 4 (count) + 2 × 16
        #expect(try Geometry.lineString(try LineString([Coordinate(0, 0), Coordinate(1, 1)])).wkb.count == 41)
        #expect(try Geometry.geometryCollection([]).wkb.count == 9)
    }

    @Test func malformedWKTThrowsParseError() {
        for text in ["", "POINT", "POINT (1)", "POINT (1 2", "POINT (a b)", "LINESTRING (0 0)", "POLYGON ((0 0, 1 0, 1 1))",
                     "POLYGON ((0 0, 1 0, 1 1, 0 0)", "CIRCLE (0 0, 1)", "MULTIPOINT ((1 2), (3",
                     "GEOMETRYCOLLECTION (POINT (1 2),)"] {
            let error = parseError { _ = try Geometry(wkt: text) }
            guard case .parse(let format, _, let message) = error else {
                Issue.record("'\(text)': expected a WKT parse error, got \(String(describing: error))")
                continue
            }
            #expect(format == "WKT", "'\(text)'")
            #expect(!message.isEmpty, "'\(text)'")
        }
    }

    @Test func garbageWKBThrowsParseError() throws {
        let valid = try Geometry.point(x: 1, y: 2).wkb
        let garbage: [[UInt8]] = [
            [],
            [0x01],
            [0x01, 0x02],
            Array(valid.prefix(20)),  // truncated point
            [0x01, 0xFF, 0x00, 0x00, 0x00] + Array(valid.suffix(16)),  // unknown type 255
            Array("POINT (1 2)".utf8),
        ]
        for bytes in garbage {
            let error = parseError { _ = try Geometry(wkb: bytes) }
            guard case .parse(let format, let location, _) = error else {
                Issue.record("\(bytes): expected a WKB parse error, got \(String(describing: error))")
                continue
            }
            #expect(format == "WKB")
            #expect(location == "\(bytes.count) bytes")
        }
    }

    // Found by fuzzing (Tests/FuzzCorpus/wkb/crash-empty-hole.wkb): GEOS reads a polygon ring of no points from
    // WKB, and our WKT writer wrote it as "()", which no WKT reader takes. OGC 06-103r4: an empty ring is EMPTY.
    @Test func emptyRingIsWrittenEmpty() throws {
        var wkb: [UInt8] = [1, 3, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0]  // little-endian polygon, 2 rings, 5 points
        for (x, y) in [(0.0, 0.0), (10, 0), (10, 10), (0, 10), (0, 0)] {
            wkb += withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init) + withUnsafeBytes(of: y.bitPattern.littleEndian, Array.init)
        }
        wkb += [0, 0, 0, 0]  // the second ring: no points
        let g = try Geometry(wkb: wkb)
        #expect(g.wkt == "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), EMPTY)")
        #expect(try Geometry(wkt: g.wkt) == g)
    }
}
