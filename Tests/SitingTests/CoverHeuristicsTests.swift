@testable import Siting
import Testing

/// The set-covering reductions, the Lagrangian heuristics and the two-for-one swap on hand-solvable instances.
@Suite struct CoverHeuristicsTests {
    /// Covering sets with the given rows over columns 0..<columns (candidate index = column), rows of weight 1
    /// unless given.
    static func sets(_ rows: [[Int32]], columns: Int, weights: [Double]? = nil) throws -> CoverSets {
        let base = CoverSets(try SitingInstance(weights: [], candidateIDs: [], distances: []), radius: 0, dropZeroWeight: false)
        return CoverSets(covering: rows, columns: Array(0..<columns), like: base, weights: weights)
    }

    /// Candidates A..E; within 1 m: i0 {A}, i1 {A, B}, i2 {B, C}, i3 {B, C, D}, i4 {D, E}.
    /// A is essential (i0); then i3 contains i2's candidates (row dominance), C equals B and E equals D on what is
    /// left (column dominance, the lower stays), so B and D become essential: {A, B, D}, 3 sites, which is optimal
    /// (i0, i2 and i4 have no candidate in common).
    static let chain = try! SitingInstance(
        weights: [1, 1, 1, 1, 1], candidateIDs: ["A", "B", "C", "D", "E"],
        distances: [
            0, 9, 9, 9, 9,
            0, 0, 9, 9, 9,
            9, 0, 0, 9, 9,
            9, 0, 0, 0, 9,
            9, 9, 9, 0, 0,
        ])

    @Test func reductionsSolveTheChain() throws {
        let s = CoverSets(Self.chain, radius: 1, dropZeroWeight: false)
        let reduction = CoverReduction(s)
        #expect(reduction.forced == [0, 1, 3])
        #expect(reduction.reduced.rowCount == 0)
        #expect(reduction.reduced.columnCount == 0)
        for engine in SitingEngine.allCases {
            let r = try SitingSolver.solve(Self.chain, SitingProblem(model: .lscp, radiusMeters: 1), options: SitingOptions(engine: engine))
            #expect(r.status == .optimal)
            #expect(r.selectedIDs == ["A", "B", "D"])
            #expect(r.bound == 3)
            #expect(r.notes.contains { $0.contains("3 forced open") })
        }
    }

    /// Row dominance keeps every cover: rows {0,1}, {0,1,2}, {2,3}: the second row goes, the others stay.
    @Test func rowDominanceDropsOnlySupersets() throws {
        let s = try Self.sets([[0, 1], [0, 1, 2], [2, 3]], columns: 4)
        let r = CoverReduction(s)
        // columns 1 and 3 equal 0 and 2 on the rows left, so they go too; 0 and 2 are then essential
        #expect(r.forced == [0, 2])
        #expect(r.reduced.rowCount == 0)
    }

    /// Columns a, b, c, k; rows r0 {a,k}, r1 {a,k}, r2 {b,k}, r3 {b,k}, r4 {c}. The cover {a, b, c} has no
    /// redundant column, but k covers all that only a and b cover: {c, k}.
    @Test func twoForOneSwap() throws {
        let s = try Self.sets([[0, 3], [0, 3], [1, 3], [1, 3], [2]], columns: 4)
        #expect(Covering.improveCover(s, [0, 1, 2]) == [2, 3])
    }

    @Test func lagrangianBoundAndCover() throws {
        let s = try Self.sets([[0, 3], [0, 3], [1, 3], [1, 3], [2]], columns: 4)
        let lag = CoverLagrangian(s, start: [0, 1, 2])
        #expect(lag.best == [2, 3])
        #expect(lag.bound <= 2 + 1e-9)  // a valid bound on the optimum, 2
        #expect((lag.bound - 1e-6).rounded(.up) == 2)  // and it proves it: r4 needs c, r0 needs a or k
    }

    /// Maximal covering, p = 2: A {r1, r2}, B {r3, r4}, C {r2, r3, r5}; weights r1 3, r2 2, r3 2, r4 3, r5 2.
    /// Greedy takes C (6) and then A or B (+3) = 9; the optimum is {A, B} = 10.
    @Test func maxCoverLagrangian() throws {
        let s = try Self.sets([[0], [0, 2], [1, 2], [1], [2]], columns: 3, weights: [3, 2, 2, 3, 2])
        let lag = MaxCoverLagrangian(s, p: 2, start: [0, 2])
        #expect(lag.bestWeight == 10)
        #expect(lag.best == [0, 1])
        #expect(lag.bound >= 10 - 1e-9)  // an upper bound on the optimum
        #expect(lag.bound <= 12 + 1e-9)  // never above the total weight
    }
}
