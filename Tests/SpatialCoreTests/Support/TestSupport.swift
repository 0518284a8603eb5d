import Foundation
import Testing
@testable import SpatialCore

/// Paths of the reference data the tests read, found from this file's location.
enum TestData {
    /// `Tests/SpatialCoreTests/Support/` → the package root.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/SpatialCoreTests/Vectors/<name>` (excluded from the target in Package.swift).
    static func vector(_ name: String) -> URL {
        repoRoot.appendingPathComponent("Tests/SpatialCoreTests/Vectors").appendingPathComponent(name)
    }

    /// A file of the repository, e.g. `GeoData/helsinki/streets.geojson`.
    static func repository(_ path: String) -> URL { repoRoot.appendingPathComponent(path) }
}

/// A structural comparison of geometries: same kinds and part/ring sizes, coordinates within `tolerance`.
func geometriesMatch(_ a: Geometry, _ b: Geometry, tolerance: Double) -> Bool {
    func shape(_ g: Geometry) -> [String] {
        switch g {
        case .point: ["P"]
        case .lineString(let l): ["L\(l.coordinates.count)"]
        case .polygon(let p): ["A\(p.exterior.coordinates.count)"] + p.holes.map { "H\($0.coordinates.count)" }
        case .multiPoint(let m): ["MP\(m.points.count)"]
        case .multiLineString(let m): ["ML"] + m.lineStrings.map { "L\($0.coordinates.count)" }
        case .multiPolygon(let m): ["MA"] + m.polygons.flatMap { shape(.polygon($0)) }
        case .geometryCollection(let parts): ["GC"] + parts.flatMap { shape($0) } + ["/GC"]
        }
    }
    guard shape(a) == shape(b) else { return false }
    return zip(a.coordinates, b.coordinates).allSatisfy { abs($0.x - $1.x) <= tolerance && abs($0.y - $1.y) <= tolerance }
}

extension Geometry {
    /// The position of a point geometry (nil for any other kind).
    var pointCoordinate: Coordinate? {
        if case .point(let p) = self { p.coordinate } else { nil }
    }
}
