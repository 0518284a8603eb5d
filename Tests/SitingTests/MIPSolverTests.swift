import SpatialCore
@testable import Siting
import Testing

/// The CBC wrapper on models small enough to solve by hand.
@Suite struct MIPSolverTests {
    /// max 5x + 4y + 3z, 2x + 3y + z ≤ 5, 4x + y + 2z ≤ 11, 3x + 4y + 2z ≤ 8, binary: x = y = 1, objective 9
    /// (x + z = 8; y + z = 7; all three break the first row).
    @Test func binaryKnapsackIsOptimal() throws {
        var m = MIPModel(sense: .maximize)
        let x = m.addColumn(.binary, objective: 5), y = m.addColumn(.binary, objective: 4), z = m.addColumn(.binary, objective: 3)
        m.addRow([(x, 2), (y, 3), (z, 1)], .lessOrEqual, 5)
        m.addRow([(x, 4), (y, 1), (z, 2)], .lessOrEqual, 11)
        m.addRow([(x, 3), (y, 4), (z, 2)], .lessOrEqual, 8)
        let s = try MIPSolver.solve(m)
        #expect(s.status == .optimal)
        #expect(s.objective == 9)
        #expect(s.values.map { $0.rounded() } == [1, 1, 0])
        #expect(s.bound == 9)
    }

    /// The same with integrality off: the LP optimum x = 1, z = 1, y = 2/3 (first row) → 8 + 8/3.
    @Test func relaxationSolvesTheLP() throws {
        var m = MIPModel(sense: .maximize)
        let x = m.addColumn(.binary, objective: 5), y = m.addColumn(.binary, objective: 4), z = m.addColumn(.binary, objective: 3)
        m.addRow([(x, 2), (y, 3), (z, 1)], .lessOrEqual, 5)
        m.addRow([(x, 3), (y, 4), (z, 2)], .lessOrEqual, 8)
        let s = try MIPSolver.solve(m, options: MIPOptions(relaxIntegrality: true))
        #expect(s.status == .optimal)
        let lp = try #require(s.objective)
        #expect(abs(lp - (8 + 8.0 / 3)) < 1e-9)
    }

    /// Integer (not binary) columns and an equality: min x + y, 3x + 5y = 19, x, y ≥ 0 integer → x = 3, y = 2.
    @Test func integerEquality() throws {
        var m = MIPModel(sense: .minimize)
        let x = m.addColumn(.integer, upper: 100, objective: 1), y = m.addColumn(.integer, upper: 100, objective: 1)
        m.addRow([(x, 3), (y, 5)], .equal, 19)
        let s = try MIPSolver.solve(m)
        #expect(s.status == .optimal)
        #expect(s.objective == 5)
        #expect(s.values.map { $0.rounded() } == [3, 2])
    }

    @Test func infeasibleIsAStatus() throws {
        var m = MIPModel(sense: .minimize)
        let x = m.addColumn(.binary, objective: 1), y = m.addColumn(.binary, objective: 1)
        m.addRow(ones: [x, y], .greaterOrEqual, 3)
        let s = try MIPSolver.solve(m)
        #expect(s.status == .infeasible)
        #expect(s.objective == nil)
        #expect(!s.hasSolution)
    }

    @Test func integerInfeasibleIsAStatus() throws {
        var m = MIPModel(sense: .minimize)
        let x = m.addColumn(.integer, upper: 10, objective: 1)
        m.addRow([(x, 2)], .equal, 3)  // LP feasible (x = 1.5), no integer point
        let s = try MIPSolver.solve(m)
        #expect(s.status == .infeasible)
    }

    @Test func unboundedIsAStatus() throws {
        var m = MIPModel(sense: .maximize)
        let x = m.addColumn(.continuous, objective: 1), y = m.addColumn(.integer, objective: 1)
        m.addRow([(x, 1), (y, -1)], .lessOrEqual, 1)
        let s = try MIPSolver.solve(m)
        #expect(s.status == .unbounded)
    }

    @Test func malformedModelThrows() {
        var m = MIPModel(sense: .minimize)
        m.addColumn(.binary)
        m.addRow([(column: 3, coefficient: 1)], .lessOrEqual, 1)
        #expect(throws: SpatialError.invalidModel(reason: "row 0: column 3 out of 0..<1")) { try MIPSolver.solve(m) }
    }

    @Test func startSolutionIsAccepted() throws {
        var m = MIPModel(sense: .maximize)
        let x = m.addColumn(.binary, objective: 5), y = m.addColumn(.binary, objective: 4), z = m.addColumn(.binary, objective: 3)
        m.addRow([(x, 2), (y, 3), (z, 1)], .lessOrEqual, 5)
        var o = MIPOptions()
        o.start = [(y, 1), (z, 1)]
        let s = try MIPSolver.solve(m, options: o)
        #expect(s.status == .optimal)
        #expect(s.objective == 9)  // y + z = 7 is the start; x + y fits too (2 + 3 = 5): 9
    }
}
