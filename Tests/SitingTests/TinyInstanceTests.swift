import Siting
import Testing

/// Hand-solvable instance: 4 demand points (weights 10, 20, 30, 40) × 3 candidates A, B, C.
///
///          A  B  C
///     i0   0  5  9
///     i1   3  2  8
///     i2   7  4  1
///     i3   9  6  2
///
/// Radius 3: A covers {i0, i1}, B {i1}, C {i2, i3}.
/// LSCP: {A, C} = 2. MCLP p=1: C covers 70. p-median p=1: A 630, B 450, C 360; p=3: 150; p=2: {A,C} 170,
/// {B,C} 200, {A,B} 400. p-center p=1: A 9, B 6, C 9; p=2: {A,C} 3, {B,C} 5, {A,B} 6.
@Suite struct TinyInstanceTests {
    static let tiny = try! SitingInstance(
        weights: [10, 20, 30, 40], candidateIDs: ["A", "B", "C"],
        distances: [
            0, 5, 9,
            3, 2, 8,
            7, 4, 1,
            9, 6, 2,
        ])

    func solve(_ problem: SitingProblem, _ inst: SitingInstance = tiny, engine: SitingEngine = .exact) throws -> SitingResult {
        try SitingSolver.solve(inst, problem, options: SitingOptions(engine: engine))
    }

    @Test func lscp() throws {
        let r = try solve(SitingProblem(model: .lscp, radiusMeters: 3))
        #expect(r.status == .optimal)
        #expect(r.selectedIDs == ["A", "C"])
        #expect(r.objective == 2)
        #expect(r.coveredWeight == 100)
        #expect(r.coveragePct == 100)
        #expect(r.gap == 0)
    }

    @Test func lscpDropsUncoverableDemand() throws {
        let r = try solve(SitingProblem(model: .lscp, radiusMeters: 0.5))
        #expect(r.status == .optimal)
        #expect(r.uncoverable == [1, 2, 3])
        #expect(r.selectedIDs == ["A"])
        #expect(r.objective == 1)
        #expect(r.coveredWeight == 10)
    }

    @Test func mclp() throws {
        let r = try solve(SitingProblem(model: .mclp, p: 1, radiusMeters: 3))
        #expect(r.status == .optimal)
        #expect(r.selectedIDs == ["C"])
        #expect(r.objective == 70)
        #expect(r.coveragePct == 70)
        #expect(r.bound == 70)
    }

    @Test func mclpWithFixedSite() throws {
        let r = try solve(SitingProblem(model: .mclp, p: 2, radiusMeters: 3), try Self.tiny.with(fixed: [1], excluded: []))
        #expect(r.status == .optimal)
        #expect(r.selectedIDs == ["B", "C"])
        #expect(r.objective == 90)
    }

    @Test(arguments: [(1, ["C"], 360.0), (2, ["A", "C"], 170.0), (3, ["A", "B", "C"], 150.0)])
    func pmedian(p: Int, sites: [String], cost: Double) throws {
        for engine in SitingEngine.allCases {
            let r = try solve(SitingProblem(model: .pmedian, p: p), engine: engine)
            #expect(r.status == .optimal, "\(engine)")
            #expect(r.selectedIDs == sites, "\(engine)")
            #expect(r.objective == cost, "\(engine)")
            #expect(r.coveredWeight == nil)
        }
    }

    @Test(arguments: [(1, ["B"], 6.0), (2, ["A", "C"], 3.0)])
    func pcenter(p: Int, sites: [String], radius: Double) throws {
        let r = try solve(SitingProblem(model: .pcenter, p: p))
        #expect(r.status == .optimal)
        #expect(r.selectedIDs == sites)
        #expect(r.objective == radius)
        #expect(r.bound == radius)
    }

    @Test func pcenterWithExcludedSite() throws {
        let r = try solve(SitingProblem(model: .pcenter, p: 1), try Self.tiny.with(fixed: [], excluded: [1]))
        #expect(r.status == .optimal)
        #expect(r.objective == 9)
        #expect(!r.selectedIDs.contains("B"))
    }

    @Test func infeasibleIsAStatusNotAnError() throws {
        let tooMany = try solve(SitingProblem(model: .pmedian, p: 4))
        #expect(tooMany.status == .infeasible(reason: "p = 4 is more than the 3 candidates that may be opened"))
        #expect(tooMany.selected.isEmpty)
        #expect(tooMany.objective == nil)
        let fixed = try solve(SitingProblem(model: .mclp, p: 1, radiusMeters: 3), try Self.tiny.with(fixed: [0, 1], excluded: []))
        #expect(fixed.status == .infeasible(reason: "p = 1 is less than the 2 fixed sites"))
        #expect(fixed.status.name == "infeasible")
    }

    @Test func fastEngineGivesAValidBound() throws {
        for problem in [
            SitingProblem(model: .lscp, radiusMeters: 3), SitingProblem(model: .mclp, p: 1, radiusMeters: 3),
            SitingProblem(model: .pmedian, p: 2), SitingProblem(model: .pcenter, p: 2),
        ] {
            let fast = try solve(problem, engine: .fast), exact = try solve(problem)
            let bound = try #require(fast.bound), objective = try #require(fast.objective), optimum = try #require(exact.objective)
            if problem.model == .mclp {
                #expect(bound >= optimum - 1e-9 && objective <= optimum + 1e-9)
            } else {
                #expect(bound <= optimum + 1e-9 && objective >= optimum - 1e-9)
            }
            #expect(fast.gap != nil)
        }
    }

    @Test func missingParametersAreErrors() {
        #expect(throws: SitingError.invalidProblem(reason: "mclp needs the number of sites (--p N)")) {
            try solve(SitingProblem(model: .mclp, radiusMeters: 3))
        }
        #expect(throws: SitingError.invalidProblem(reason: "lscp needs a radius (--radius M)")) {
            try solve(SitingProblem(model: .lscp))
        }
    }

    @Test func badInstancesAreRejected() {
        #expect(throws: SitingError.invalidInstance(reason: "the distance matrix has 3 values, expected 2 demand × 2 candidates")) {
            try SitingInstance(weights: [1, 1], candidateIDs: ["a", "b"], distances: [1, 2, 3])
        }
        #expect(throws: SitingError.invalidInstance(reason: "candidate a is both fixed and excluded")) {
            try SitingInstance(weights: [1], candidateIDs: ["a"], distances: [1], fixed: [0], excluded: [0])
        }
    }

    /// Identical coverage rows are merged and dominated candidates dropped without changing the optimum:
    /// here candidate 1 covers a subset of candidate 0's demand, and demand 0 and 1 have the same coverage.
    @Test func reductionsKeepTheOptimum() throws {
        let inst = try SitingInstance(
            weights: [1, 2, 4, 8], candidateIDs: ["0", "1", "2", "3"],
            distances: [
                1, 9, 9, 9,
                1, 9, 9, 9,
                1, 1, 9, 9,
                9, 9, 1, 1,
            ])
        let r = try solve(SitingProblem(model: .mclp, p: 1, radiusMeters: 2), inst)
        #expect(r.objective == 8)
        #expect(r.selectedIDs == ["2"])  // of the equal candidates 2 and 3, the lower index stays
        let two = try solve(SitingProblem(model: .mclp, p: 2, radiusMeters: 2), inst)
        #expect(two.objective == 15)
        #expect(two.selectedIDs == ["0", "2"])
        #expect(r.notes.contains { $0.contains("rows (identical coverage merged)") })
    }
}
