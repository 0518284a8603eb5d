import Siting
import Testing

/// Group constraints (at least one site per street, 街道) on a hand-solvable MCLP: 3 demand points
/// (weights 40, 30, 20) × 4 candidates, A1, A2, A3 in street A and B1 in street B, radius 3.
///
///          A1  A2  A3  B1
///     i0    1   9   9   9
///     i1    9   2   2   9
///     i2    9   9   3   1
///
/// A1 covers {i0} (40), A2 {i1} (30), A3 {i1, i2} (50), B1 {i2} (20). B1's rows lie inside A3's, so without
/// groups B1 is dominated; A2's lie inside A3's too (same street).
/// - p = 2, no groups: {A1, A3} covers everything, 90: both sites in street A.
/// - p = 2, one site per street: one of A with B1: A1 + B1 = 60, A2 + B1 = 50, A3 + B1 = 50 → {A1, B1}, 60.
/// - p = 3 with a third street C whose only candidate C1 covers nothing: {A1, B1, C1}, 60.
/// - p = 2 with three streets: infeasible.
@Suite struct GroupConstraintTests {
    static let instance = try! SitingInstance(
        weights: [40, 30, 20], candidateIDs: ["A1", "A2", "A3", "B1"],
        distances: [
            1, 9, 9, 9,
            9, 2, 2, 9,
            9, 9, 3, 1,
        ])
    static let streets = [SitingGroup(name: "street A", candidates: [0, 1, 2]), SitingGroup(name: "street B", candidates: [3])]

    func solve(_ inst: SitingInstance, p: Int, _ engine: SitingEngine) throws -> SitingResult {
        try SitingSolver.solve(inst, SitingProblem(model: .mclp, p: p, radiusMeters: 3), options: SitingOptions(engine: engine))
    }

    @Test(arguments: SitingEngine.allCases)
    func withoutGroupsBothSitesAreInOneStreet(engine: SitingEngine) throws {
        let r = try solve(Self.instance, p: 2, engine)
        #expect(r.selectedIDs == ["A1", "A3"])
        #expect(r.objective == 90)
    }

    @Test(arguments: SitingEngine.allCases)
    func oneSitePerStreetMovesTheSecondSite(engine: SitingEngine) throws {
        let r = try solve(try Self.instance.with(groups: Self.streets), p: 2, engine)
        #expect(r.status == .optimal, "\(r.status) \(r.notes)")
        #expect(r.selectedIDs == ["A1", "B1"])
        #expect(r.objective == 60)
        #expect(r.coveredWeight == 60)
        let bound = try #require(r.bound)
        #expect(bound >= 60 - 1e-9)  // an upper bound of the constrained optimum
        #expect(r.gap == 0)
    }

    /// The three-point city with a third street C whose only candidate, C1, covers nothing.
    static func withIdleStreetC() throws -> SitingInstance {
        try SitingInstance(
            weights: [40, 30, 20], candidateIDs: ["A1", "A2", "A3", "B1", "C1"],
            distances: [
                1, 9, 9, 9, 9,
                9, 2, 2, 9, 9,
                9, 9, 3, 1, 9,
            ],
            groups: Self.streets + [SitingGroup(name: "street C", candidates: [4])])
    }

    @Test(arguments: SitingEngine.allCases)
    func aStreetWhoseCandidatesCoverNothingStillGetsItsSite(engine: SitingEngine) throws {
        let inst = try Self.withIdleStreetC()
        let r = try solve(inst, p: 3, engine)
        #expect(r.selectedIDs == ["A1", "B1", "C1"])
        #expect(r.objective == 60)
        #expect(r.status == .optimal)
    }

    @Test(arguments: SitingEngine.allCases)
    func fewerSitesThanStreetsIsInfeasible(engine: SitingEngine) throws {
        let inst = try Self.withIdleStreetC()
        let r = try solve(inst, p: 2, engine)
        #expect(r.status == .infeasible(reason: "p = 2 leaves 2 site(s) to open, fewer than the 3 the groups require: street A, street B, street C"))
        #expect(r.status.name == "infeasible")
        #expect(r.selected.isEmpty && r.objective == nil)
    }

    /// A fixed site counts for its street: with B1 fixed (covering i2), p = 2 leaves one site for street A:
    /// A1 adds 40, A2 or A3 add 30 → {A1, B1}, 60 (were B1 not counted, street B would be infeasible). With B1
    /// excluded street B has nothing left to open.
    @Test(arguments: SitingEngine.allCases)
    func fixedSitesCountForTheirGroup(engine: SitingEngine) throws {
        let inst = try Self.instance.with(groups: Self.streets).with(fixed: [3], excluded: [])
        let r = try solve(inst, p: 2, engine)
        #expect(r.selectedIDs == ["A1", "B1"])
        #expect(r.objective == 60)
        let excluded = try Self.instance.with(groups: Self.streets).with(fixed: [], excluded: [3])
        let none = try solve(excluded, p: 2, engine)
        #expect(none.status == .infeasible(reason: "street B needs 1 site(s) more but has 0 candidate(s) that may be opened"))
    }

    /// A minimum of 2 in the group {A2, A3}: A2's rows lie inside A3's, but both must open. p = 2: {A2, A3}, 50
    /// (A1 + A3 would cover 90 without the group); p = 3: all three, 90.
    @Test(arguments: SitingEngine.allCases)
    func aMinimumAboveOneKeepsDominatedMembers(engine: SitingEngine) throws {
        let inst = try Self.instance.with(groups: [SitingGroup(name: "street A", candidates: [1, 2], minimum: 2)])
        let two = try solve(inst, p: 2, engine)
        #expect(two.selectedIDs == ["A2", "A3"] && two.objective == 50 && two.status == .optimal)
        let three = try solve(inst, p: 3, engine)
        #expect(three.selectedIDs == ["A1", "A2", "A3"] && three.objective == 90)
        let one = try solve(inst, p: 1, engine)
        #expect(one.status == .infeasible(reason: "p = 1 leaves 1 site(s) to open, fewer than the 2 the groups require: street A (2)"))
    }

    @Test func groupsAreCheckedAndOnlyForMCLP() throws {
        #expect(throws: SitingError.invalidInstance(reason: "candidate A3 is in groups street A and street B; groups must be disjoint")) {
            try Self.instance.with(groups: [SitingGroup(name: "street A", candidates: [0, 2]), SitingGroup(name: "street B", candidates: [2, 3])])
        }
        #expect(throws: SitingError.invalidInstance(reason: "group street B: candidate index 7 out of 0..<4")) {
            try Self.instance.with(groups: [SitingGroup(name: "street B", candidates: [7])])
        }
        #expect(throws: SitingError.invalidProblem(reason: "groups (a minimum of sites per group of candidates) are supported for mclp only, not pmedian")) {
            try SitingSolver.solve(try Self.instance.with(groups: Self.streets), SitingProblem(model: .pmedian, p: 2))
        }
    }
}
