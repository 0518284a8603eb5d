import Foundation
import Siting
import Testing

/// The optima spopt 0.7 + CBC 2.10.3 (and HiGHS 1.15.1 where CBC did not finish) found on the Helsinki
/// instances, transcribed from ../shared/anchors/RESULTS.md §2 — never from our own output. The instance
/// folders are copies under GeoData/anchors/instances/ (ODbL, see GeoData/README.md).
/// MCLP results are given there as % of the total weight to 3 decimals; p-median objectives to 0.1.
@Suite struct ReferenceOptimaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func instance(_ name: String, _ distance: DistanceKind) throws -> SitingInstance {
        try InstanceFolder.read(root.appendingPathComponent("GeoData/anchors/instances/\(name)").path, distance: distance)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var instance: String
        var distance: DistanceKind
        var radius: Double
        var lscpSites: Int
        var uncoverable: Int
        /// MCLP coverage % for p = 5, 10, 20, 40.
        var mclpPct: [Double]
        var testDescription: String { "\(instance) \(distance.rawValue) \(Int(radius)) m" }
    }

    static let coverageCases: [Case] = [
        Case(instance: "helsinki_A_100m", distance: .euclid, radius: 300, lscpSites: 8, uncoverable: 0, mclpPct: [94.603, 100, 100, 100]),
        Case(instance: "helsinki_A_100m", distance: .euclid, radius: 500, lscpSites: 4, uncoverable: 0, mclpPct: [100, 100, 100, 100]),
        Case(instance: "helsinki_A_100m", distance: .network, radius: 300, lscpSites: 22, uncoverable: 1, mclpPct: [59.258, 85.916, 99.730, 99.992]),
        Case(instance: "helsinki_A_100m", distance: .network, radius: 500, lscpSites: 11, uncoverable: 0, mclpPct: [92.461, 99.959, 100, 100]),
        Case(instance: "helsinki_B_50m", distance: .euclid, radius: 300, lscpSites: 9, uncoverable: 0, mclpPct: [91.584, 100, 100, 100]),
        Case(instance: "helsinki_B_50m", distance: .euclid, radius: 500, lscpSites: 4, uncoverable: 0, mclpPct: [100, 100, 100, 100]),
        Case(instance: "helsinki_B_50m", distance: .network, radius: 300, lscpSites: 25, uncoverable: 0, mclpPct: [57.845, 84.483, 99.500, 100]),
        Case(instance: "helsinki_B_50m", distance: .network, radius: 500, lscpSites: 11, uncoverable: 0, mclpPct: [92.482, 99.993, 100, 100]),
    ]

    @Test(arguments: coverageCases)
    func lscpAndMclp(_ c: Case) throws {
        let inst = try Self.instance(c.instance, c.distance)
        #expect(abs(inst.totalWeight - 522_096) < 0.5)  // "total weight 522,096 m² footprint"
        let lscp = try SitingSolver.solve(inst, SitingProblem(model: .lscp, radiusMeters: c.radius))
        #expect(lscp.status == .optimal)
        #expect(lscp.objective == Double(c.lscpSites))
        #expect(lscp.selected.count == c.lscpSites)
        #expect(lscp.uncoverable.count == c.uncoverable)
        for (p, pct) in zip([5, 10, 20, 40], c.mclpPct) {
            let r = try SitingSolver.solve(inst, SitingProblem(model: .mclp, p: p, radiusMeters: c.radius))
            #expect(r.status == .optimal, "p=\(p)")
            #expect(r.selected.count == p, "p=\(p)")
            let got = try #require(r.coveragePct)
            #expect(abs(got - pct) <= 0.0005 + 1e-9, "p=\(p): \(got) % against \(pct) %")
        }
    }

    @Test(arguments: [
        ("helsinki_A_100m", DistanceKind.euclid, 70_684_391.3),
        ("helsinki_A_100m", DistanceKind.network, 116_461_176.8),
        ("helsinki_B_50m", DistanceKind.euclid, 71_053_314.5),
        ("helsinki_B_50m", DistanceKind.network, 117_413_044.9),  // HiGHS's optimum; CBC found none in 1438 s
    ])
    func pmedianP10(instance: String, distance: DistanceKind, optimum: Double) throws {
        let inst = try Self.instance(instance, distance)
        let r = try SitingSolver.solve(inst, SitingProblem(model: .pmedian, p: 10))
        #expect(r.status == .optimal)
        #expect(r.selected.count == 10)
        let got = try #require(r.objective)
        #expect(abs(got - optimum) <= 0.05 + 1e-6, "\(got) against \(optimum)")
        #expect(r.gap == 0)
    }

    /// The fast engine on the same p-median: within 1 % of the optimum, with a valid bound.
    @Test(arguments: [("helsinki_A_100m", DistanceKind.euclid, 70_684_391.3), ("helsinki_B_50m", DistanceKind.network, 117_413_044.9)])
    func pmedianFastWithinOnePercent(instance: String, distance: DistanceKind, optimum: Double) throws {
        let inst = try Self.instance(instance, distance)
        let r = try SitingSolver.solve(inst, SitingProblem(model: .pmedian, p: 10), options: SitingOptions(engine: .fast))
        let got = try #require(r.objective), bound = try #require(r.bound)
        #expect(got <= optimum * 1.01)
        #expect(got >= optimum - 0.05)
        #expect(bound <= optimum + 0.05)
    }

    /// At the time limit the best solution so far comes back with status time_limit and its gap.
    @Test func timeLimitReturnsTheBestSoFar() throws {
        let inst = try Self.instance("helsinki_B_50m", .network)
        let r = try SitingSolver.solve(inst, SitingProblem(model: .pmedian, p: 10), options: SitingOptions(timeLimitSeconds: 0.3))
        #expect(r.status == .timeLimit)
        #expect(r.selected.count == 10)
        let got = try #require(r.objective)
        #expect(got >= 117_413_044.9 - 0.05)
        #expect(try #require(r.gap) > 0)
    }
}

extension ReferenceOptimaTests {
    /// The fast engine on every LSCP and MCLP reference case: within 1 % of spopt + CBC's optimum (for LSCP with at
    /// most 25 sites that means the optimum itself), with a bound on the right side of it.
    @Test(arguments: coverageCases)
    func fastWithinOnePercent(_ c: Case) throws {
        let inst = try Self.instance(c.instance, c.distance)
        let fast = SitingOptions(engine: .fast)
        let lscp = try SitingSolver.solve(inst, SitingProblem(model: .lscp, radiusMeters: c.radius), options: fast)
        let sites = try #require(lscp.objective)
        #expect(sites <= Double(c.lscpSites) * 1.01, "LSCP: \(sites) sites against \(c.lscpSites)")
        #expect(try #require(lscp.bound) <= Double(c.lscpSites))
        for (p, pct) in zip([5, 10, 20, 40], c.mclpPct) {
            let r = try SitingSolver.solve(inst, SitingProblem(model: .mclp, p: p, radiusMeters: c.radius), options: fast)
            let got = try #require(r.coveragePct), bound = try #require(r.bound)
            #expect(got >= pct * 0.99 - 0.0005, "p=\(p): \(got) % against \(pct) %")
            #expect(got <= pct + 0.0005, "p=\(p): \(got) % above the optimum \(pct) %")
            #expect(100 * bound / inst.totalWeight >= pct - 0.0005, "p=\(p): bound below the optimum")
            #expect(r.selected.count == p, "p=\(p)")
        }
    }
}
