import Foundation
import Testing
@testable import SpatialCore

/// One case of `Vectors/geometry.json` (shapely 2.2.0 / GEOS 3.14.1; see Vectors/README.md).
struct GeometryVectorCase: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let op: String
    let inputs: [String: String]
    let params: [String: ReferenceValue]?
    let expected: [String: ReferenceValue]
    let tolerance: Double

    var testDescription: String { id }

    static func load() throws -> [GeometryVectorCase] {
        struct File: Decodable { let cases: [GeometryVectorCase] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: TestData.vector("geometry.json"))).cases
    }

    func input(_ key: String) throws -> Geometry { try Geometry(wkt: try #require(inputs[key], "input \(key) of \(id)")) }
}

/// Checks a case's expected values one key at a time and remembers which keys it has checked,
/// so that a case whose expectations are not all asserted fails.
final class ExpectedValues {
    let vector: GeometryVectorCase
    private(set) var checked: Set<String> = []

    init(_ vector: GeometryVectorCase) { self.vector = vector }

    private func value(_ key: String, _ location: SourceLocation) -> ReferenceValue? {
        checked.insert(key)
        let v = vector.expected[key]
        if v == nil { Issue.record("\(vector.id): no expected value '\(key)'", sourceLocation: location) }
        return v
    }

    /// The expected number (for use as input to a computation, e.g. a comparison point).
    func number(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double? {
        value(key, sourceLocation)?.double
    }

    func number(_ key: String, _ actual: Double, tolerance: Double? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = value(key, sourceLocation)?.double else {
            Issue.record("\(vector.id).\(key) is not a number", sourceLocation: sourceLocation)
            return
        }
        let tol = tolerance ?? vector.tolerance
        #expect(abs(actual - e) <= tol, "\(vector.id).\(key): got \(actual), expected \(e) ± \(tol)", sourceLocation: sourceLocation)
    }

    func integer(_ key: String, _ actual: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = value(key, sourceLocation)?.double else {
            Issue.record("\(vector.id).\(key) is not a number", sourceLocation: sourceLocation)
            return
        }
        #expect(Double(actual) == e, "\(vector.id).\(key)", sourceLocation: sourceLocation)
    }

    func bool(_ key: String, _ actual: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = value(key, sourceLocation)?.bool else {
            Issue.record("\(vector.id).\(key) is not a boolean", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == e, "\(vector.id).\(key)", sourceLocation: sourceLocation)
    }

    func string(_ key: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = value(key, sourceLocation)?.string else {
            Issue.record("\(vector.id).\(key) is not a string", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == e, "\(vector.id).\(key)", sourceLocation: sourceLocation)
    }

    func point(_ key: String, _ actual: Coordinate?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let a = value(key, sourceLocation)?.array?.compactMap(\.double), a.count == 2 else {
            Issue.record("\(vector.id).\(key) is not an [x, y] pair", sourceLocation: sourceLocation)
            return
        }
        guard let actual else {
            Issue.record("\(vector.id).\(key): result is not a point", sourceLocation: sourceLocation)
            return
        }
        let tol = vector.tolerance
        #expect(abs(actual.x - a[0]) <= tol && abs(actual.y - a[1]) <= tol,
                "\(vector.id).\(key): got \(actual), expected (\(a[0]), \(a[1]))", sourceLocation: sourceLocation)
    }

    /// Compares after normalising both sides: the file's WKT is shapely.normalize()d.
    func geometry(_ key: String, _ actual: Geometry, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let text = value(key, sourceLocation)?.string else {
            Issue.record("\(vector.id).\(key) is not WKT", sourceLocation: sourceLocation)
            return
        }
        let expected = try Geometry(wkt: text).normalized()
        let got = try actual.normalized()
        #expect(geometriesMatch(got, expected, tolerance: vector.tolerance),
                "\(vector.id).\(key): got \(got.wkt), expected \(expected.wkt)", sourceLocation: sourceLocation)
    }

    /// Every expected key must have been checked.
    func expectAllChecked(sourceLocation: SourceLocation = #_sourceLocation) {
        let missed = Set(vector.expected.keys).subtracting(checked)
        #expect(missed.isEmpty, "\(vector.id): expected values not checked: \(missed.sorted())", sourceLocation: sourceLocation)
    }
}

@Suite struct GeometryVectorTests {
    @Test func fileHasTwentySevenCases() throws {
        let cases = try GeometryVectorCase.load()
        #expect(cases.count == 27)
        #expect(Set(cases.map(\.id)).count == 27)
    }

    /// Dispatches on the case's `op`; every expected value of every case is checked.
    @Test(arguments: try GeometryVectorCase.load())
    func vector(_ v: GeometryVectorCase) throws {
        let e = ExpectedValues(v)
        switch v.op {
        case "area+length": try areaAndLength(v, e)
        case "project+area": try projectArea(v, e)
        case "project+length": try projectLength(v, e)
        case "buffer+area": try buffer(v, e)
        case "intersection/union/difference/symdiff area": try overlay(v, e)
        case "intersection area": try intersection(v, e)
        case "predicates": try predicates(v, e)
        case "is_valid+make_valid": try makeValid(v, e)
        case "distance+project": try distanceAndProject(v, e)
        case "interpolate": try interpolate(v, e)
        case "distance": try distance(v, e)
        case "centroid+area": try centroid(v, e)
        case "simplify": try simplify(v, e)
        default: Issue.record("\(v.id): no test for op '\(v.op)'")
        }
        e.expectAllChecked()
    }

    // MARK: Measurements

    private func areaAndLength(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        e.number("area", try a.area())
        e.number("length", try a.length())
    }

    /// "EPSG:4548 (always_xy)" → 4548.
    private func epsgCode(_ text: String) throws -> Int {
        let digits = text.drop { !$0.isNumber }.prefix { $0.isNumber }
        return try #require(Int(digits), "no EPSG code in '\(text)'")
    }

    private func projectArea(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        let dst = try epsgCode(try #require(v.params?["dst"]?.string))
        #expect(v.params?["src"]?.string == "EPSG:4326")
        let measure = try MetricMeasure(crs: .epsg(dst))
        e.number("area_epsg\(dst)", try measure.areaSquareMetres(a))
        e.number("perimeter_epsg\(dst)", try measure.lengthMetres(a))

        guard case .polygon(let p) = a else {
            Issue.record("\(v.id): input is not a polygon")
            return
        }
        let geodesic = Geodesic.areaAndPerimeter(p)
        e.number("area_geodesic", geodesic.areaSquareMetres)
        e.number("perimeter_geodesic", geodesic.perimeterMetres)
        // winding does not change the geodesic area
        let reversed = Polygon(exterior: p.exterior.reversed())
        #expect(abs(Geodesic.areaAndPerimeter(reversed).areaSquareMetres - geodesic.areaSquareMetres) <= v.tolerance)
    }

    private func projectLength(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        let dst = try epsgCode(try #require(v.params?["dst"]?.string))
        #expect(v.params?["src"]?.string == "EPSG:4326")
        e.number("length_epsg\(dst)", try MetricMeasure(crs: .epsg(dst)).lengthMetres(a))
        if v.expected["length_geodesic"] != nil {
            guard case .lineString(let l) = a else {
                Issue.record("\(v.id): input is not a line string")
                return
            }
            e.number("length_geodesic", Geodesic.lengthMetres(l))
        }
    }

    // MARK: Buffers

    private func buffer(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        let distance = try #require(v.params?["distance"]?.double)
        let quadSegs = try #require(v.params?["quad_segs"]?.double)
        let cap: Geometry.CapStyle = switch v.params?["cap_style"]?.string ?? "round" {
        case "flat": .flat
        case "square": .square
        default: .round
        }
        let join: Geometry.JoinStyle = switch v.params?["join_style"]?.string ?? "round" {
        case "mitre": .mitre
        case "bevel": .bevel
        default: .round
        }
        let b = try a.buffered(by: distance, quadrantSegments: Int(quadSegs), capStyle: cap, joinStyle: join)
        guard case .polygon(let p) = b else {
            Issue.record("\(v.id): buffer is a \(b.typeName), not a Polygon")
            return
        }
        e.number("area", try b.area())
        if v.expected["num_vertices"] != nil {
            // distinct vertices: the closing position repeats the first
            e.integer("num_vertices", p.exterior.coordinates.count - 1)
            // independently: a regular n-gon inscribed in the circle has area (n/2)·r²·sin(2π/n)
            let n = Double(p.exterior.coordinates.count - 1)
            #expect(abs(try b.area() - n / 2 * distance * distance * sin(2 * Double.pi / n)) <= 1e-9)
        }
        if v.expected["exact_circle_area"] != nil, let exact = e.number("exact_circle_area") {
            #expect(abs(exact - Double.pi * distance * distance) <= 1e-9)
            #expect(try b.area() < exact)
        }
    }

    // MARK: Overlay

    private func overlay(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a"), b = try v.input("b")
        let i = try a.intersection(with: b)
        e.number("intersection_area", try i.area())
        e.number("union_area", try a.union(with: b).area())
        e.number("difference_area", try a.difference(with: b).area())
        e.number("sym_difference_area", try a.symmetricDifference(with: b).area())
        try e.geometry("intersection_wkt", i)
    }

    private func intersection(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a"), b = try v.input("b")
        let i = try a.intersection(with: b)
        e.number("area", try i.area())
        e.string("geom_type", i.typeName)
        try e.geometry("wkt", i)
        // the hole really cuts the result: its interior point (25 15) is not in the intersection
        #expect(try !i.intersects(.point(x: 25, y: 15)))
    }

    // MARK: Predicates

    private func predicates(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a"), b = try v.input("b")
        let prepared = try PreparedGeometry(a)
        for key in v.expected.keys.sorted() {
            switch key {
            case "contains":
                e.bool(key, try a.contains(b))
                e.bool(key, try prepared.contains(b))
            case "covers":
                e.bool(key, try a.covers(b))
                e.bool(key, try prepared.covers(b))
                e.bool(key, try b.isCoveredBy(a))
            case "intersects":
                e.bool(key, try a.intersects(b))
                e.bool(key, try prepared.intersects(b))
                e.bool(key, try !a.disjoint(b))
            case "touches":
                e.bool(key, try a.touches(b))
                e.bool(key, try prepared.evaluate(.touches, b))
            case "within_reverse":  // b.within(a)
                e.bool(key, try b.within(a))
            case "within":
                e.bool(key, try a.within(b))
                e.bool(key, try prepared.within(b))
            case "overlaps":
                e.bool(key, try a.overlaps(b))
                e.bool(key, try prepared.evaluate(.overlaps, b))
            case "disjoint":
                e.bool(key, try a.disjoint(b))
                e.bool(key, try prepared.evaluate(.disjoint, b))
            case "equals":
                e.bool(key, try a.topologicallyEquals(b))
            case "crosses":  // b.crosses(a), per the case's note
                e.bool(key, try b.crosses(a))
            case "relate":
                let matrix = try a.relate(b)
                e.string(key, matrix)
                #expect(try a.relate(b, pattern: v.expected[key]?.string ?? ""))
            case "intersection_length":
                e.number(key, try a.intersection(with: b).length())
            default:
                Issue.record("\(v.id): unknown predicate key \(key)")
            }
        }
    }

    // MARK: Validity

    private func makeValid(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        let validity = try a.validity()
        e.bool("is_valid", validity.isValid)
        e.bool("is_valid", try a.isValid)
        e.string("validity_reason", validity.reason)
        #expect(validity.location == Coordinate(5, 5))
        e.number("raw_area_geos", try a.area())
        let fixed = try a.makeValid()
        e.string("made_valid_type", fixed.typeName)
        guard case .multiPolygon(let m) = fixed else {
            Issue.record("\(v.id): made valid is a \(fixed.typeName)")
            return
        }
        e.integer("made_valid_parts", m.polygons.count)
        e.number("made_valid_area", try fixed.area())
        try e.geometry("made_valid_wkt", fixed)
        #expect(try fixed.isValid)
        #expect(try fixed.validity().reason == "Valid Geometry")
        #expect(try fixed.validity().location == nil)
    }

    // MARK: Distance and linear referencing

    private func distanceAndProject(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a"), b = try v.input("b")
        e.number("distance", try a.distance(to: b))
        e.number("distance", try PreparedGeometry(a).distance(to: b))
        e.number("project", try a.project(b))
        let (onA, onB) = try a.nearestPoints(to: b)
        e.point("nearest_point_on_a", onA)
        #expect(onB == b.pointCoordinate)
        // the projected distance leads back to the nearest point
        e.point("nearest_point_on_a", try a.interpolate(distance: try a.project(b)).pointCoordinate)
    }

    private func interpolate(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        e.point("at_0", try a.interpolate(distance: 0).pointCoordinate)
        e.point("at_15", try a.interpolate(distance: 15).pointCoordinate)
        e.point("at_25", try a.interpolate(distance: 25).pointCoordinate)
        e.point("normalized_at_0.5", try a.interpolate(fraction: 0.5).pointCoordinate)
        e.number("length", try a.length())
        // the same positions by fraction of the 30-unit length
        e.point("at_15", try a.interpolate(fraction: 0.5).pointCoordinate)
        e.point("at_25", try a.interpolate(fraction: 25.0 / 30.0).pointCoordinate)
    }

    private func distance(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a"), b = try v.input("b")
        e.number("distance", try a.distance(to: b))
        e.number("distance", try b.distance(to: a))
        e.number("distance", try PreparedGeometry(a).distance(to: b))
        e.number("hausdorff", try a.hausdorffDistance(to: b))
        e.number("hausdorff", try b.hausdorffDistance(to: a))
        #expect(try a.isWithin(distance: 14.2, of: b))
        #expect(try !a.isWithin(distance: 14.1, of: b))
    }

    // MARK: Constructive

    private func centroid(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        let c = try a.centroid()
        e.point("centroid", c.pointCoordinate)
        e.number("area", try a.area())
        e.bool("centroid_inside", try a.contains(c))
        let pos = try a.pointOnSurface()
        #expect(try a.contains(pos), "pointOnSurface \(pos.wkt) must lie inside")
        let hull = try a.convexHull()
        e.number("convex_hull_area", try hull.area())
        try e.geometry("convex_hull_wkt", hull)
    }

    private func simplify(_ v: GeometryVectorCase, _ e: ExpectedValues) throws {
        let a = try v.input("a")
        let tolerance = try #require(v.params?["tolerance"]?.double)
        #expect(v.params?["preserve_topology"]?.bool == false)
        let s = try a.simplified(tolerance: tolerance, preserveTopology: false)
        try e.geometry("wkt", s)
        e.integer("num_points", s.coordinates.count)
    }
}
