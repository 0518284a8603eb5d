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

    /// `shared/anchors/<name>`: the project's shared folder sits next to the main checkout
    /// (`<repo>/../shared`); from a worktree under `wt/` it is one level further up.
    static func anchor(_ name: String) throws -> URL {
        var dir = repoRoot
        for _ in 0..<3 {
            dir = dir.deletingLastPathComponent()
            let url = dir.appendingPathComponent("shared/anchors").appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw AnchorMissing(name: name, searchedFrom: repoRoot.path)
    }

    struct AnchorMissing: Error, CustomStringConvertible {
        let name: String
        let searchedFrom: String
        var description: String { "shared/anchors/\(name) not found in the parents of \(searchedFrom)" }
    }
}

/// The splitmix64 stream of `shared/anchors/FORMAT.md` (arithmetic mod 2^64).
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// u in [0, 1): the top 53 bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// FORMAT.md's benchmark points: point i takes u_{2i+1} for x and u_{2i+2} for y, and
    /// `min + u * (max - min)` is a separate multiply and add (no FMA).
    static func points(seed: UInt64, box: Envelope, count: Int) -> [Coordinate] {
        var g = SplitMix64(seed: seed)
        let w = box.maxX - box.minX, h = box.maxY - box.minY
        var out: [Coordinate] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let ux = g.nextUnit(), uy = g.nextUnit()
            let dx = ux * w, dy = uy * h
            out.append(Coordinate(box.minX + dx, box.minY + dy))
        }
        return out
    }
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
