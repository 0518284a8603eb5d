import ArgumentParser
import CommandSupport
import Foundation
import Siting
import SpatialCore

extension SitingModel: ExpressibleByArgument {}
extension DistanceKind: ExpressibleByArgument {}

extension UrbanGridCommand {
    struct Site: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose sites: LSCP, MCLP, p-median or p-center, exactly (CBC) or fast (heuristics with a bound).",
            discussion: """
                Reads a prepared instance folder (--instance DIR: instance.json, demand.csv, candidates.csv, \
                D_euclid.csv.gz, D_network.csv.gz; see ../shared/anchors/FORMAT.md). Demand i is covered by \
                site j iff distance ≤ --radius (metres). LSCP: the fewest sites covering every coverable demand \
                point (points no candidate covers are left out and reported). MCLP: --p sites covering the most \
                weight. p-median: --p sites minimising Σ weight × distance to the nearest site. p-center: --p \
                sites minimising the largest distance. --fixed sites are always open, --exclude sites never. \
                Status: optimal, feasible (with the gap to the bound), infeasible (with the reason) or \
                time_limit (the best solution so far). Exit status 0 when a solution is reported, 1 when the \
                problem is infeasible, 2 on bad input. The database form (site DB --demand LAYER --candidates \
                LAYER) is not implemented yet.
                """)

        @Argument(help: "A database (not supported yet: use --instance).")
        var db: String?

        @Option(help: "An instance folder (FORMAT.md).")
        var instance: String?

        @Option(help: "lscp, mclp, pmedian or pcenter.")
        var model: SitingModel

        @Option(help: "Number of sites, fixed ones included (mclp, pmedian, pcenter).")
        var p: Int?

        @Option(help: "Service radius in metres (lscp, mclp; with pmedian/pcenter only for the coverage report).")
        var radius: Double?

        @Option(help: "euclid or network: which distance matrix of the instance.")
        var distance: DistanceKind = .euclid

        @Flag(help: "--exact: proven optimum with CBC (default); --fast: heuristics with a bound and the gap.")
        var engine: SitingEngine = .exact

        @Option(help: "Wall-clock limit in seconds; at the limit the best solution so far is reported (status time_limit).")
        var timeLimit: Double?

        @Option(help: "Candidate ids (comma separated) that are always open.")
        var fixed: String?

        @Option(help: "Candidate ids (comma separated) that may not be chosen.")
        var exclude: String?

        @Option(help: "CBC threads.")
        var threads: Int = 1

        @Flag(help: "Print CBC's log (to stderr).")
        var solverLog = false

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if db != nil {
                throw ValidationError("site DB --demand LAYER --candidates LAYER is not implemented yet; use --instance DIR")
            }
            guard instance != nil else { throw ValidationError("give --instance DIR") }
            if let timeLimit, !(timeLimit.isFinite && timeLimit >= 0) { throw ValidationError("--time-limit must be a number of seconds ≥ 0") }
            if threads < 1 { throw ValidationError("--threads must be ≥ 1") }
            do { try SitingProblem(model: model, p: p, radiusMeters: radius).validate() } catch { throw ValidationError(error.description) }
        }

        func run() throws {
            let clock = ContinuousClock()
            let t0 = clock.now
            var inst = try InstanceFolder.read(instance!, distance: distance)
            if fixed != nil || exclude != nil {
                inst = try inst.with(
                    fixed: try inst.candidateIndices(of: Self.ids(fixed)), excluded: try inst.candidateIndices(of: Self.ids(exclude)))
            }
            let readSeconds = Self.seconds(t0.duration(to: clock.now))
            let problem = SitingProblem(model: model, p: p, radiusMeters: radius)
            // CBC prints its log to stdout: point stdout at stderr while it runs, so stdout carries only the result
            let savedStdout = solverLog ? dup(STDOUT_FILENO) : -1
            if savedStdout >= 0 { dup2(STDERR_FILENO, STDOUT_FILENO) }
            defer { if savedStdout >= 0 { close(savedStdout) } }
            let result = try SitingSolver.solve(
                inst, problem, options: SitingOptions(engine: engine, timeLimitSeconds: timeLimit, threads: threads, solverLog: solverLog))
            if savedStdout >= 0 {
                fflush(nil)  // all C streams: CBC's buffered log lands on stderr
                dup2(savedStdout, STDOUT_FILENO)
            }
            let totalSeconds = Self.seconds(t0.duration(to: clock.now))
            var out = StandardOutput()
            if format == .json {
                out.line(Self.json(result, problem: problem, readSeconds: readSeconds, totalSeconds: totalSeconds).jsonText)
            } else {
                for line in Self.table(result, problem: problem, inst: inst, readSeconds: readSeconds) { out.line(line) }
            }
            out.flush()
            if let reason = result.status.reason { throw CLIError.found("infeasible: \(reason)") }
        }

        static func ids(_ list: String?) -> [String] {
            (list ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

        static func json(_ r: SitingResult, problem: SitingProblem, readSeconds: Double, totalSeconds: Double) -> JSONValue {
            func num(_ v: Double?) -> JSONValue { v.map { $0.isFinite ? .number($0) : .null } ?? .null }
            return [
                "model": .string(r.model.rawValue), "engine": .string(r.engine.rawValue), "status": .string(r.status.name),
                "reason": r.status.reason.map { .string($0) } ?? .null,
                "p": problem.p.map { .int(Int64($0)) } ?? .null, "radius": num(problem.radiusMeters),
                "selected": .array(r.selectedIDs.map { .string($0) }), "objective": num(r.objective),
                "covered_weight": num(r.coveredWeight), "total_weight": .number(r.totalWeight), "coverage_pct": num(r.coveragePct),
                "bound": num(r.bound), "gap": num(r.gap), "uncoverable_demand": .int(Int64(r.uncoverable.count)),
                "timings": [
                    "read_s": .number(readSeconds), "build_s": .number(r.timings.buildSeconds), "solve_s": .number(r.timings.solveSeconds),
                    "total_s": .number(totalSeconds),
                ],
                "notes": .array(r.notes.map { .string($0) }),
            ]
        }

        static func table(_ r: SitingResult, problem: SitingProblem, inst: SitingInstance, readSeconds: Double) -> [String] {
            func f(_ v: Double?, _ digits: Int = 3) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
            var lines: [String] = []
            var head = "\(r.model.rawValue) (\(r.engine.rawValue))"
            if let p = problem.p { head += ", p = \(p)" }
            if let radius = problem.radiusMeters { head += ", radius \(NumberText.format(radius)) m" }
            head += ": \(inst.demandCount) demand points × \(inst.candidateCount) candidates"
            lines.append(head)
            lines.append("status        \(r.status.name)" + (r.status.reason.map { " (\($0))" } ?? ""))
            lines.append("objective     \(f(r.objective))")
            lines.append("bound         \(f(r.bound))" + (r.gap.map { "   gap \(String(format: "%.4f", 100 * $0)) %" } ?? ""))
            if let c = r.coveredWeight {
                lines.append("covered       \(f(c)) of \(f(r.totalWeight)) (\(f(r.coveragePct)) %)")
            }
            if !r.uncoverable.isEmpty { lines.append("uncoverable   \(r.uncoverable.count) demand points") }
            lines.append("sites (\(r.selectedIDs.count))   \(r.selectedIDs.joined(separator: " "))")
            for n in r.notes { lines.append("note: \(n)") }
            lines.append("time          read \(f(readSeconds)) s, build \(f(r.timings.buildSeconds)) s, solve \(f(r.timings.solveSeconds)) s")
            return lines
        }
    }
}

extension SitingEngine: EnumerableFlag {}
