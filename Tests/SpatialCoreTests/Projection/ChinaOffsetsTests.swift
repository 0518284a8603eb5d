import Foundation
import Testing
@testable import SpatialCore

/// One point of `Vectors/gcj02.json` (all pairs are [lon, lat] degrees).
struct ChinaOffsetVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Roundtrip: Decodable, Sendable {
        let gcj02ToWgs84Iterative: [Double]
        let gcj02ToWgs84OneStep: [Double]
        let bd09ToGcj02Standard: [Double]
        let bd09ToGcj02Iterative: [Double]
        let bd09ToWgs84: [Double]
    }
    let name: String
    let inChina: Bool
    let wgs84: [Double]
    let gcj02: [Double]
    let bd09: [Double]
    let roundtrip: Roundtrip

    var testDescription: String { name }

    static func load() throws -> [ChinaOffsetVector] {
        struct File: Decodable { let points: [ChinaOffsetVector] }
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/gcj02.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(File.self, from: Data(contentsOf: url)).points
    }
}

private func coord(_ p: [Double]) -> Coordinate { Coordinate(p[0], p[1]) }

/// Largest component difference, degrees.
private func diff(_ a: Coordinate, _ b: [Double]) -> Double { max(abs(a.x - b[0]), abs(a.y - b[1])) }

@Suite struct ChinaOffsetsTests {
    /// Stated in the file's "expectations": every geographic comparison to 1e-9 deg (~0.1 mm).
    static let tol = 1e-9

    @Test func vectorFileHasInsideAndOutsidePoints() throws {
        let points = try ChinaOffsetVector.load()
        #expect(points.count == 24)
        #expect(points.filter(\.inChina).count == 21)
    }

    @Test(arguments: try ChinaOffsetVector.load().filter(\.inChina))
    func insideChina(_ v: ChinaOffsetVector) {
        let w = coord(v.wgs84), g = coord(v.gcj02), b = coord(v.bd09), rt = v.roundtrip
        #expect(!ChinaOffsets.isOutsideChina(w))
        #expect(diff(ChinaOffsets.wgs84ToGCJ02(w), v.gcj02) <= Self.tol)
        #expect(diff(ChinaOffsets.wgs84ToBD09(w), v.bd09) <= Self.tol)
        #expect(diff(ChinaOffsets.gcj02ToBD09(g), v.bd09) <= Self.tol)
        #expect(diff(ChinaOffsets.gcj02ToWGS84(g), v.wgs84) <= Self.tol)
        #expect(diff(ChinaOffsets.gcj02ToWGS84(g), rt.gcj02ToWgs84Iterative) <= Self.tol)
        #expect(diff(ChinaOffsets.gcj02ToWGS84OneStep(g), rt.gcj02ToWgs84OneStep) <= Self.tol)
        #expect(diff(ChinaOffsets.bd09ToGCJ02Closed(b), rt.bd09ToGcj02Standard) <= Self.tol)
        #expect(diff(ChinaOffsets.bd09ToGCJ02(b), v.gcj02) <= Self.tol)
        #expect(diff(ChinaOffsets.bd09ToGCJ02(b), rt.bd09ToGcj02Iterative) <= Self.tol)
        #expect(diff(ChinaOffsets.bd09ToWGS84(b), v.wgs84) <= Self.tol)
        #expect(diff(ChinaOffsets.bd09ToWGS84(b), rt.bd09ToWgs84) <= Self.tol)
        // The approximations really are approximate: one step is off by metres, closed-form BD by decimetres.
        #expect(diff(ChinaOffsets.gcj02ToWGS84OneStep(g), v.wgs84) < 3e-5)
        #expect(diff(ChinaOffsets.bd09ToGCJ02Closed(b), v.gcj02) < 2e-6)
    }

    @Test(arguments: try ChinaOffsetVector.load().filter { !$0.inChina })
    func outsideChinaIsIdentity(_ v: ChinaOffsetVector) {
        let w = coord(v.wgs84)
        #expect(ChinaOffsets.isOutsideChina(w))
        #expect(coord(v.gcj02) == w && coord(v.bd09) == w)
        let conversions: [(Coordinate) -> Coordinate] = [
            ChinaOffsets.wgs84ToGCJ02, ChinaOffsets.gcj02ToWGS84, ChinaOffsets.gcj02ToWGS84OneStep,
            ChinaOffsets.gcj02ToBD09, ChinaOffsets.bd09ToGCJ02, ChinaOffsets.bd09ToGCJ02Closed,
            ChinaOffsets.wgs84ToBD09, ChinaOffsets.bd09ToWGS84,
        ]
        for convert in conversions { #expect(convert(w) == w) }
    }

    @Test func boxBoundsAreInclusive() {
        #expect(!ChinaOffsets.isOutsideChina(Coordinate(72.004, 0.8293)))
        #expect(!ChinaOffsets.isOutsideChina(Coordinate(137.8347, 55.8271)))
        #expect(ChinaOffsets.isOutsideChina(Coordinate(72.0039, 30)))
        #expect(ChinaOffsets.isOutsideChina(Coordinate(137.8348, 30)))
        #expect(ChinaOffsets.isOutsideChina(Coordinate(110, 0.8292)))
        #expect(ChinaOffsets.isOutsideChina(Coordinate(110, 55.8272)))
    }

    /// WGS→GCJ→WGS and WGS→BD→WGS on a 1°×1° grid over mainland China (73–135°E, 18–53°N):
    /// under 1 cm, taken as 1e-7 deg.
    @Test func roundTripsOverChinaGridStayBelowOneCentimetre() {
        var worst = 0.0
        for lon in stride(from: 73.0, through: 135.0, by: 1.0) {
            for lat in stride(from: 18.0, through: 53.0, by: 1.0) {
                let w = Coordinate(lon, lat)
                let viaGCJ = ChinaOffsets.gcj02ToWGS84(ChinaOffsets.wgs84ToGCJ02(w))
                let viaBD = ChinaOffsets.bd09ToWGS84(ChinaOffsets.wgs84ToBD09(w))
                worst = max(worst, diff(viaGCJ, [lon, lat]), diff(viaBD, [lon, lat]))
            }
        }
        #expect(worst < 1e-7, "worst round-trip error \(worst) deg")
    }

    @Test func offsetSystemParsesNames() {
        for name in ["GCJ02", "GCJ-02", "gcj02", "gcj-02", "Gcj02"] { #expect(ChinaOffsetSystem(name: name) == .gcj02) }
        for name in ["BD09", "BD-09", "bd09", "bd-09"] { #expect(ChinaOffsetSystem(name: name) == .bd09) }
        for name in ["", "WGS84", "EPSG:4326", "GCJ", "BD-9", "gcj_02", " GCJ02"] { #expect(ChinaOffsetSystem(name: name) == nil) }
        #expect(ChinaOffsetSystem.allCases.map(\.rawValue) == ["GCJ02", "BD09"])
    }

    @Test(arguments: ChinaOffsetSystem.allCases)
    func offsetSystemMatchesChinaOffsets(_ system: ChinaOffsetSystem) throws {
        let v = try #require(try ChinaOffsetVector.load().first(where: \.inChina))
        let expected = system == .gcj02 ? v.gcj02 : v.bd09
        #expect(diff(system.fromWGS84(coord(v.wgs84)), expected) <= Self.tol)
        #expect(diff(system.toWGS84(coord(expected)), v.wgs84) <= Self.tol)
    }
}
