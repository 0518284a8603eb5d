import ArgumentParser
import CommandSupport
import Foundation
import Siting
import SpatialCore
import UrbanModel
import UrbanStore

extension SitingModel: ExpressibleByArgument {}
extension DistanceKind: ExpressibleByArgument {}

extension UrbanGridCommand {
    struct Site: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose sites: LSCP, MCLP, p-median or p-center, exactly (CBC) or fast (heuristics with a bound).",
            discussion: """
                From a database (site DB --demand LAYER --candidates LAYER): demand units at their point or centroid \
                (grid cells: centroids) weighted by --weight FIELD (a column or property; default the demand \
                layer's weight, 1 for other layers); candidates at their point; --fixed LAYER: existing facilities, \
                always open; --exclude LAYER --exclude-buffer M: candidates within M metres of a feature of that \
                layer are dropped; distances straight-line in the city's metric CRS, or with --network walk|drive \
                along the streets from the site to the demand unit (sites the network does not connect count as \
                10 × the largest distance or radius away, and a note says so). Or a prepared instance folder \
                (--instance DIR: instance.json with the weight column, demand.csv with i,x,y and the weight, \
                candidates.csv with j,x,y, and the demand × candidate distance matrices D_euclid.csv.gz and \
                D_network.csv.gz in metres, one gzip CSV row per demand point; examples in GeoData/anchors/instances), \
                where --fixed/--exclude take candidate ids. Demand i is covered by \
                site j iff distance ≤ --radius (metres). LSCP: the fewest sites covering every coverable demand \
                point (points no candidate covers are left out and reported). MCLP: --p sites covering the most \
                weight. p-median: --p sites minimising Σ weight × distance to the nearest site. p-center: --p \
                sites minimising the largest distance. --fixed sites are always open, --exclude sites never. \
                Status: optimal, feasible (with the gap to the bound), infeasible (with the reason) or \
                time_limit (the best solution so far). Exit status 0 when a solution is reported, 1 when the \
                problem is infeasible, 2 on bad input.
                """)

        @Argument(help: "A database (with --demand and --candidates).")
        var db: String?

        @Option(help: "The demand layer (database form).")
        var demand: String?

        @Option(help: "The candidate layer (database form).")
        var candidates: String?

        @Option(name: .customLong("candidates-where"), help: ArgumentHelp(
            "Only the candidates this SQL condition on the layer's columns selects (database form; as urbangrid-export --where, e.g. \"kind = 'parking'\").",
            valueName: "EXPR"))
        var candidatesWhere: String?

        @Option(help: ArgumentHelp("The demand weight: a column or property of the demand layer (database form).", valueName: "FIELD"))
        var weight: String?

        @Option(help: ArgumentHelp("Drop candidates within this many metres of a feature of the --exclude layer (database form).", valueName: "M"))
        var excludeBuffer: Double = 0

        @Option(help: "walk or drive: street-network distances (database form).")
        var network: TravelMode?

        @Option(help: snapHelp) var snap: StreetNetwork.Snapping = .connected

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

        @Option(help: "Candidate ids (comma separated) that are always open; database form: a layer of existing facilities.")
        var fixed: String?

        @Option(help: "Candidate ids (comma separated) that may not be chosen; database form: a layer whose --exclude-buffer drops candidates.")
        var exclude: String?

        @Option(help: "CBC threads.")
        var threads: Int = 1

        @Flag(help: "Print CBC's log (to stderr).")
        var solverLog = false

        @OptionGroup var output: QueryFormatOption

        var format: QueryFormat { output.format }

        func validate() throws {
            if db != nil {
                guard instance == nil else { throw ValidationError("give a database or --instance DIR, not both") }
                guard demand != nil, candidates != nil else { throw ValidationError("site DB needs --demand LAYER and --candidates LAYER") }
                if distance != .euclid { throw ValidationError("--distance is for --instance; with a database use --network walk|drive") }
                if !(excludeBuffer.isFinite && excludeBuffer >= 0) { throw ValidationError("--exclude-buffer must be metres ≥ 0") }
            } else {
                guard instance != nil else { throw ValidationError("give a database (site DB --demand LAYER --candidates LAYER) or --instance DIR") }
                if demand != nil || candidates != nil || network != nil || weight != nil || candidatesWhere != nil {
                    throw ValidationError("--demand, --candidates, --candidates-where, --weight and --network are for the database form (site DB …)")
                }
                if format == .geojson { throw ValidationError("--format geojson is for the database form (site DB …): an instance folder has no lon/lat") }
            }
            if let timeLimit, !(timeLimit.isFinite && timeLimit >= 0) { throw ValidationError("--time-limit must be a number of seconds ≥ 0") }
            if threads < 1 { throw ValidationError("--threads must be ≥ 1") }
            do { try SitingProblem(model: model, p: p, radiusMeters: radius).validate() } catch { throw ValidationError(error.description) }
        }

        func run() throws {
            let clock = ContinuousClock()
            let t0 = clock.now
            var inst: SitingInstance
            var extra: JSONObject = [:]
            var dbNotes: [String] = []
            var analysis: CityAnalysis?
            if let db {
                let q = try CityAnalysis(try City.open(try DatabaseLocation(db), readOnly: true), snapping: snap)
                analysis = q
                (inst, extra, dbNotes) = try databaseInstance(q)
            } else {
                inst = try InstanceFolder.read(instance!, distance: distance)
            }
            if instance != nil, fixed != nil || exclude != nil {
                inst = try inst.with(
                    fixed: try inst.candidateIndices(of: Self.ids(fixed)), excluded: try inst.candidateIndices(of: Self.ids(exclude)))
            }
            let readSeconds = Self.seconds(t0.duration(to: clock.now))
            let problem = SitingProblem(model: model, p: p, radiusMeters: radius)
            // CBC prints its log to stdout: point stdout at stderr while it runs, so stdout carries only the result
            let savedStdout = solverLog ? dup(STDOUT_FILENO) : -1
            if savedStdout >= 0 { dup2(STDERR_FILENO, STDOUT_FILENO) }
            defer { if savedStdout >= 0 { close(savedStdout) } }
            var result = try SitingSolver.solve(
                inst, problem, options: SitingOptions(engine: engine, timeLimitSeconds: timeLimit, threads: threads, solverLog: solverLog))
            result.notes = dbNotes + result.notes
            if savedStdout >= 0 {
                fflush(nil)  // all C streams: CBC's buffered log lands on stderr
                dup2(savedStdout, STDOUT_FILENO)
            }
            let totalSeconds = Self.seconds(t0.duration(to: clock.now))
            // the chosen sites with their names and coordinates (database form)
            let sites = try analysis.map { q in
                try q.siteLocations(result.selectedIDs, layers: [try layer(candidates!, "candidates")] + (try fixed.map { [try layer($0, "fixed")] } ?? []),
                                    fixed: Set((extra["fixed"]?.arrayValue ?? []).compactMap(\.stringValue)))
            }
            var out = StandardOutput()
            switch format {
            case .json:
                var o = Self.json(result, problem: problem, readSeconds: readSeconds, totalSeconds: totalSeconds).objectValue ?? [:]
                for m in extra.members { o[m.key] = m.value }
                if let sites { o["sites"] = .array(sites.map(\.json)) }
                out.line(JSONValue.object(o).jsonText)
            case .geojson:
                var collection = FeatureCollection((sites ?? []).map(\.feature))
                collection.foreignMembers = ["model": .string(result.model.rawValue), "status": .string(result.status.name),
                                             "objective": result.objective.map { $0.isFinite ? .number($0) : .null } ?? .null]
                out.line(collection.geoJSON(precision: 7))
            case .table:
                for line in Self.table(result, problem: problem, inst: inst, readSeconds: readSeconds) { out.line(line) }
                if let sites, !sites.isEmpty {
                    let rows = sites.map { [$0.id, $0.name ?? "", NumberText.format($0.lon, precision: 7) + "," + NumberText.format($0.lat, precision: 7), $0.fixed ? "fixed" : "new"] }
                    for l in TextTable.lines(["site", "name", "lon,lat", "kind"], rows) { out.line(l) }
                }
            }
            out.flush()
            if let reason = result.status.reason { throw CLIError.found("infeasible: \(reason)") }
        }

        func layer(_ name: String, _ option: String) throws -> UrbanModel.Layer {
            guard let l = UrbanModel.Layer(rawValue: name) else {
                throw CLIError.badInput("--\(option) '\(name)': one of \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return l
        }

        /// The instance of the database form, the JSON members it adds, and notes.
        func databaseInstance(_ q: CityAnalysis) throws -> (SitingInstance, JSONObject, [String]) {
            // coverage models only need distances up to the radius: the network searches stop there
            let bound = (model == .lscp || model == .mclp) && network != nil ? (radius ?? .infinity) : .infinity
            let candidateLayer = try layer(candidates!, "candidates")
            let only = try candidatesWhere.map { try featureIDs(q.store, layer: candidateLayer, where: $0, option: "--candidates-where") }
            let input = try q.sitingInput(
                demand: try layer(demand!, "demand"), weightField: weight, candidates: candidateLayer, only: only,
                fixed: try fixed.map { try layer($0, "fixed") }, exclude: try exclude.map { try layer($0, "exclude") },
                excludeBufferMetres: excludeBuffer, network: network, maxMetres: bound, threads: threads)
            guard !input.weights.isEmpty else { throw CLIError.badInput("--demand \(demand!): the layer has no features") }
            guard !input.candidateIDs.isEmpty else { throw CLIError.badInput("--candidates \(candidates!): no candidate left (none stored, or all excluded)") }
            // pairs the network does not connect: a finite penalty the models can add and compare
            var notes: [String] = []
            var d = input.distances
            let unreachable = d.filter { !$0.isFinite }.count
            if unreachable > 0, !bound.isFinite {
                let largest = d.filter(\.isFinite).max() ?? 0
                let penalty = max(1000, 10 * largest, 10 * (radius ?? 0))
                for k in d.indices where !d[k].isFinite { d[k] = penalty }
                notes.append("\(unreachable) of \(d.count) site–demand pairs are not connected by the \(network?.rawValue ?? "") network; they count as \(NumberText.format(penalty, precision: 1)) m")
            } else if unreachable > 0 {  // coverage models: the searches stopped at the radius; farther is simply not covered
                let beyond = max(1000, 10 * (radius ?? 0))
                for k in d.indices where !d[k].isFinite { d[k] = beyond }
            }
            if !input.dropped.isEmpty { notes.append("\(input.dropped.count) candidates dropped inside the exclusion buffer") }
            let inst = try SitingInstance(weights: input.weights, candidateIDs: input.candidateIDs, distances: d, fixed: input.fixed)
            let extra: JSONObject = [
                "distance": .string(input.distance), "network": input.network.map { .string($0.rawValue) } ?? .null, "crs": .string(input.crs),
                "demand_count": .int(Int64(input.weights.count)), "candidate_count": .int(Int64(input.candidateIDs.count - input.fixed.count)),
                "fixed": .array(input.fixed.map { .string(input.candidateIDs[$0]) }),
                "excluded": .array(input.dropped.map { .object(["id": .string($0.id), "near": .string($0.near)]) }),
                "unconnected_pairs": bound.isFinite ? .null : .int(Int64(unreachable)),
            ]
            return (inst, extra, notes)
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
