import ArgumentParser
import CommandSupport
import Foundation
import Siting
import SpatialCore
import UrbanModel
import UrbanStore

extension StreetRequirement: ExpressibleByArgument {}

extension Vendor {
    /// `--network` of `vendor site`: a travel mode, or none for straight-line distances.
    enum SiteNetwork: String, ExpressibleByArgument, CaseIterable {
        case walk, drive, none
        var mode: TravelMode? { self == .none ? nil : TravelMode(rawValue: rawValue) }
    }

    struct Site: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Site new vendor zones along the streets: p sites covering the most demand within walking distance, one per street where required.",
            discussion: """
                Candidates: on every segment of the streets layer whose class (OSM highway) is not in --exclude-class \
                (default motorway, trunk, primary and their _link), n = max(1, floor(L / --spacing)) points at the \
                middles of n equal pieces of the segment's length L (metric CRS of the city): at least --spacing \
                apart, never on a junction; ids SEGMENT/k. Dropped: candidates within the exclusion buffer of a \
                school, kindergarten or hospital (--exclusion KIND=M as in vendor check) and, with \
                --min-distance-to-zone M, within M metres of an existing vendor zone. Each candidate's street (街道) \
                comes from the grid cell or admin community it lies in (else the admin street polygon). \
                Model: MCLP with --p sites and --radius M over the --demand layer (weights --weight FIELD as in site), \
                distances along the walking network by default (--network drive, or none for straight-line); \
                --require-per-street uncovered (default: every street with candidates and no existing vendor zone), \
                all (every street with candidates) or none: at least one site in each such street. Fewer sites than \
                required streets is the status infeasible, naming the streets (exit status 1). --format json: the \
                keys of site --format json, streets_required, and sites (id, lon, lat, segment_id, street, \
                covered_weight: the weight of the demand whose nearest open site it is, within the radius); \
                --format geojson: the chosen sites as points with those properties (RFC 7946, 7 decimals). \
                --count-existing-zones: the existing vendor zones are open sites too (measured from a point on each \
                zone, listed under fixed; the status reason's p counts them): the objective and covered_weight \
                include what they cover, and the new sites go where it adds the most.
                """)

        @OptionGroup var city: CityArgument

        var db: String { city.db }
        @Option(help: "The demand layer (grids, demand, pois…).") var demand: String
        @Option(help: ArgumentHelp("The demand weight: a column or property of the demand layer (default: demand's weight, 1 for other layers).", valueName: "FIELD"))
        var weight: String?
        @Option(help: "Number of new vendor zones.") var p: Int
        @Option(help: "Metres: demand within this distance of a site is covered.") var radius: Double
        @Option(help: "walk (default), drive, or none (straight-line).") var network: SiteNetwork = .walk
        @Option(help: snapHelp) var snap: StreetNetwork.Snapping = .connected
        @Option(help: ArgumentHelp("Metres between candidates along a segment.", valueName: "M")) var spacing: Double = 50
        @Option(help: ArgumentHelp("Street classes (OSM highway, comma separated) without candidates; empty for none.", valueName: "LIST"))
        var excludeClass: String = VendorSitingOptions.mainRoadClasses.sorted().joined(separator: ",")
        @Option(help: ArgumentHelp("Exclusion buffer around a POI kind, repeatable (default school=100, kindergarten=100, hospital=100).", valueName: "KIND=M"))
        var exclusion: [String] = []
        @Option(help: ArgumentHelp("Drop candidates within this many metres of an existing vendor zone.", valueName: "M"))
        var minDistanceToZone: Double?
        @Option(help: "all, uncovered (streets without a vendor zone; default) or none.") var requirePerStreet: StreetRequirement = .uncovered
        @Flag(help: "Count the demand existing vendor zones already cover (fixed open sites at a point on each zone): new sites are placed for the rest.")
        var countExistingZones = false
        @Flag(help: "--exact: proven optimum with CBC (default); --fast: heuristics with a bound and the gap.")
        var engine: SitingEngine = .exact
        @Option(help: "Wall-clock limit in seconds; at the limit the best solution so far is reported (status time_limit).")
        var timeLimit: Double?
        @Option(help: "Threads for the network distances and CBC.") var threads: Int = 1
        @OptionGroup var output: QueryFormatOption
        var format: QueryFormat { output.format }

        func validate() throws {
            if p < 0 { throw ValidationError("--p must be ≥ 0") }
            if !(radius.isFinite && radius >= 0) { throw ValidationError("--radius must be metres ≥ 0") }
            if !(spacing.isFinite && spacing > 0) { throw ValidationError("--spacing must be metres > 0") }
            if let m = minDistanceToZone, !(m.isFinite && m >= 0) { throw ValidationError("--min-distance-to-zone must be metres ≥ 0") }
            if let timeLimit, !(timeLimit.isFinite && timeLimit >= 0) { throw ValidationError("--time-limit must be a number of seconds ≥ 0") }
            if threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        }

        func run() throws {
            guard let demandLayer = UrbanModel.Layer(rawValue: demand) else {
                throw CLIError.badInput("--demand '\(demand)': one of \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let clock = ContinuousClock()
            let t0 = clock.now
            let q = try CityAnalysis(try city.open(), exclusionMetres: try Vendor.exclusionBuffers(exclusion), snapping: snap)
            var options = VendorSitingOptions()
            options.spacingMetres = spacing
            options.excludedClasses = Set(excludeClass.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            options.minDistanceToZoneMetres = minDistanceToZone
            options.requirement = requirePerStreet
            options.countExistingZones = countExistingZones
            // MCLP only needs distances up to the radius: the network searches stop there
            let input = try q.vendorSitingInput(demand: demandLayer, weightField: weight, options: options, network: network.mode,
                                                maxMetres: network.mode == nil ? .infinity : radius, threads: threads)
            guard !input.weights.isEmpty else { throw CLIError.badInput("--demand \(demand): the layer has no features") }
            guard !input.candidates.isEmpty else {
                throw CLIError.badInput("no candidate: the streets layer has no segment outside --exclude-class, or every candidate is excluded")
            }
            let beyond = max(1000, 10 * radius)  // farther than the radius (or not connected): never covered
            let distances = input.distances.map { $0.isFinite ? $0 : beyond }
            let groups = zip(input.requiredStreets, input.candidatesByRequiredStreet).map { SitingGroup(name: "street \($0)", candidates: $1) }
            // existing zones (with --count-existing-zones) are fixed sites after the candidates; the model's p counts them
            let n = input.candidates.count, zones = input.existingZones.count
            let inst = try SitingInstance(weights: input.weights, candidateIDs: input.candidates.map(\.id) + input.existingZones.map { "vendor zone \($0.id)" },
                                          distances: distances, fixed: Array(n..<(n + zones)), groups: groups)
            let readSeconds = UrbanGridCommand.Site.seconds(t0.duration(to: clock.now))
            let problem = SitingProblem(model: .mclp, p: p + zones, radiusMeters: radius)
            var result = try SitingSolver.solve(inst, problem, options: SitingOptions(engine: engine, timeLimitSeconds: timeLimit, threads: threads))
            var notes: [String] = []
            if !input.mainRoadSegments.isEmpty { notes.append("\(input.mainRoadSegments.count) main-road segments without candidates") }
            if !input.dropped.isEmpty { notes.append("\(input.dropped.count) candidates dropped (exclusion buffers, existing zones)") }
            let unstreeted = input.candidates.filter { $0.streetCode == nil }.count
            if unstreeted > 0 { notes.append("\(unstreeted) candidates lie in no street (outside every grid and admin area)") }
            result.notes = notes + result.notes
            let totalSeconds = UrbanGridCommand.Site.seconds(t0.duration(to: clock.now))
            let sites = Self.sites(result, input: input, inst: inst, radius: radius)

            var out = StandardOutput()
            switch format {
            case .json:
                var o = UrbanGridCommand.Site.json(result, problem: problem, readSeconds: readSeconds, totalSeconds: totalSeconds).objectValue ?? [:]
                let extra: JSONObject = [
                    "p": .int(Int64(p)), "selected": .array(sites.map { $0["id"] ?? .null }),
                    "fixed": .array(input.existingZones.map { .string($0.id) }),
                    "distance": .string(input.distance), "network": input.network.map { .string($0.rawValue) } ?? .null, "crs": .string(input.crs),
                    "demand_count": .int(Int64(input.weights.count)), "candidate_count": .int(Int64(input.candidates.count)),
                    "spacing_m": .number(spacing), "excluded_classes": .array(options.excludedClasses.sorted().map { .string($0) }),
                    "main_road_segments": .int(Int64(input.mainRoadSegments.count)),
                    "excluded": .array(input.dropped.map { .object(["id": .string($0.id), "near": .string($0.reason)]) }),
                    "streets_with_zones": .array(input.streetsWithZones.map { .string($0) }),
                    "streets_required": .array(input.requiredStreets.map { .string($0) }),
                    "sites": .array(sites.map { .object($0) }),
                ]
                for m in extra.members { o[m.key] = m.value }
                out.line(JSONValue.object(o).jsonText)
            case .geojson:
                out.line(FeatureCollection(sites.map { s in
                    let c = Coordinate(s["lon"]?.doubleValue ?? 0, s["lat"]?.doubleValue ?? 0)
                    var props = s
                    _ = props.removeValue(forKey: "lon")
                    _ = props.removeValue(forKey: "lat")
                    return Feature(id: s["id"].flatMap(\.stringValue).map { .string($0) }, geometry: .point(Point(c)), properties: props)
                }).geoJSON(precision: 7))
            case .table:
                for line in UrbanGridCommand.Site.table(result, problem: problem, inst: inst, readSeconds: readSeconds) { out.line(line) }
                if zones > 0 { out.line("existing zones counted (\(zones))   \(input.existingZones.map(\.id).joined(separator: " "))") }
                out.line("streets required (\(input.requiredStreets.count))   "
                    + (input.requiredStreets.isEmpty ? "none (--require-per-street \(requirePerStreet.rawValue))" : input.requiredStreets.joined(separator: " ")))
                let rows = sites.map { s in
                    [s["id"]?.stringValue ?? "", s["segment_id"]?.stringValue ?? "", s["street"]?.stringValue ?? "(none)",
                     NumberText.format(s["lon"]?.doubleValue ?? 0, precision: 7) + "," + NumberText.format(s["lat"]?.doubleValue ?? 0, precision: 7),
                     NumberText.format(s["covered_weight"]?.doubleValue ?? 0, precision: 2)]
                }
                for l in TextTable.lines(["site", "segment", "street", "lon,lat", "covered"], rows) { out.line(l) }
            }
            out.flush()
            if let reason = result.status.reason { throw CLIError.found("infeasible: \(reason)") }
        }

        /// The chosen new sites with their place and the weight they cover: each covered demand unit counts for its
        /// nearest open site (ties: the first in candidate order; existing zones, when counted, are open sites too, so
        /// the new sites' weights add up to the covered weight less what the existing zones keep).
        static func sites(_ r: SitingResult, input: VendorSitingInput, inst: SitingInstance, radius: Double) -> [JSONObject] {
            var covered = [Double](repeating: 0, count: r.selected.count)
            for i in 0..<inst.demandCount {
                var best = -1, bestDistance = Double.infinity
                for (k, j) in r.selected.enumerated() where inst.distance(i, j) < bestDistance {
                    best = k
                    bestDistance = inst.distance(i, j)
                }
                if best >= 0, bestDistance <= radius { covered[best] += inst.weights[i] }
            }
            return r.selected.enumerated().filter { $0.element < input.candidates.count }.map { k, j in
                let c = input.candidates[j]
                return [
                    "id": .string(c.id), "lon": .number((c.lonLat.x * 1e7).rounded() / 1e7), "lat": .number((c.lonLat.y * 1e7).rounded() / 1e7),
                    "segment_id": .string(c.segmentID), "street": c.streetCode.map { .string($0) } ?? .null, "covered_weight": .number(covered[k]),
                ]
            }
        }
    }

    /// `--exclusion KIND=M` options over the default buffers (school, kindergarten, hospital: 100 m).
    static func exclusionBuffers(_ options: [String]) throws -> [String: Double] {
        var buffers = ProtectedPOIIndex.defaultExclusionMetres
        for e in options {
            let kv = e.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let m = Double(kv[1]), m.isFinite, m >= 0 else {
                throw CLIError.badInput("--exclusion '\(e)': expected KIND=METRES, e.g. school=100")
            }
            buffers[kv[0]] = m
        }
        return buffers
    }
}
