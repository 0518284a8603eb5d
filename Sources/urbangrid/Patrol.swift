import ArgumentParser
import CommandSupport
import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

struct Patrol: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Patrol tracks: map-match GPS tracks to the streets (match, import) and report coverage in time (coverage).",
        subcommands: [Match.self, Import.self, Coverage.self])

    /// The track options `match` and `import` share.
    struct TrackOptions: ParsableArguments {
        @Argument(help: ArgumentHelp("The track file: GPX 1.1 (trk/trkseg/trkpt with time), CSV (inspector,time,lon,lat) or GeoJSONSeq points with inspector and time.", valueName: "file"))
        var file: String
        @OptionGroup var crs: InputCRSOption
        @Option(help: ArgumentHelp("The inspector of every point (instead of the file's names).", valueName: "NAME")) var inspector: String?
        @Option(help: ArgumentHelp("gpx, csv or geojsonseq (default: from the file's extension).", valueName: "FORMAT")) var trackFormat: String?
        @Option(help: ArgumentHelp("GPS error σ in metres (emission).", valueName: "M")) var sigma: Double = 10
        @Option(help: ArgumentHelp("Transition scale β in metres: how much a detour (walking minus straight distance) costs.", valueName: "M")) var beta: Double = MatchParameters().beta
        @Option(help: ArgumentHelp("Candidate search radius in metres.", valueName: "M")) var radius: Double = 50
        @Option(help: ArgumentHelp("A gap between fixes longer than this starts a new piece.", valueName: "SECONDS")) var maxGap: Double = 180

        func reader(_ frame: CityFrame) throws -> TrackReader {
            var format: TrackFormat?
            if let f = trackFormat {
                guard let t = TrackFormat(rawValue: f) else { throw CLIError.badInput("--track-format '\(f)': gpx, csv or geojsonseq") }
                format = t
            }
            return try TrackReader(path: file, format: format, crs: try crs.parsed(), inspector: inspector, timeZone: frame.timeZone)
        }

        func parameters() throws -> MatchParameters {
            var p = MatchParameters()
            for (name, v) in [("sigma", sigma), ("beta", beta), ("radius", radius), ("max-gap", maxGap)] where !(v.isFinite && v > 0) {
                throw CLIError.badInput("--\(name) \(v): a positive number")
            }
            p.sigma = sigma
            p.beta = beta
            p.searchRadius = radius
            p.maxGapSeconds = maxGap
            return p
        }
    }

    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map-match a track file to the streets without storing it: per point its segment, offset and matched position.",
            discussion: """
                Hidden Markov model (Newson & Krumm): candidates are the walkable segments within --radius of a fix, \
                emission Gaussian in the distance (σ = --sigma), transition exponential in |walking distance − straight \
                distance| between consecutive fixes; Viterbi, decided as soon as the paths converge (memory flat in the \
                number of fixes). A fix with no street within the radius, or one the path cannot reach and leaves, is \
                unmatched (segment_id null); a gap longer than --max-gap starts a new piece. Points are answered in file \
                order per inspector. Bad input (a point without time, times going back, a point kilometres from every \
                street, a GPX without a track): exit 2.
                """)
        @OptionGroup var city: CityArgument
        @OptionGroup var track: TrackOptions
        @OptionGroup var output: QueryFormatOption

        func run() throws {
            let store = try city.open(readOnly: true)
            let frame = try CityFrame(store)
            let params = try track.parameters()
            let matching = PatrolMatching(network: try PatrolMatching.network(of: store, frame: frame, parameters: params), frame: frame, parameters: params)
            let inverse = try frame.inverse()
            var out = StandardOutput()
            var first = true
            switch output.format {
            case .json: out.line("[")
            case .geojson: out.line(#"{"type":"FeatureCollection","features":["#)
            case .table: out.line(["inspector", "index", "time", "segment_id", "offset_m", "distance_m", "lon", "lat"].joined(separator: "\t"))
            }
            try matching.run(try track.reader(frame), onFix: { m in
                var lon: Double?, lat: Double?
                if let c = m.candidate {
                    let p = try inverse.apply(c.position)
                    (lon, lat) = ((p.x * 1e7).rounded() / 1e7, (p.y * 1e7).rounded() / 1e7)
                }
                let time = frame.isoTime(Date(timeIntervalSince1970: m.fix.time))
                let segment = m.candidate.map { matching.network.network.segments[$0.segment].id }
                let offset = m.candidate.map { ($0.offset * 100).rounded() / 100 }
                let distance = m.candidate.map { ($0.distance * 100).rounded() / 100 }
                func num(_ v: Double?) -> JSONValue { v.map(JSONValue.number) ?? .null }
                let props: JSONObject = ["inspector": .string(m.fix.inspector), "index": .int(Int64(m.fix.index)), "time": .string(time),
                                         "segment_id": segment.map(JSONValue.string) ?? .null, "offset_m": num(offset), "distance_m": num(distance),
                                         "lon": num(lon), "lat": num(lat), "piece": .int(Int64(m.piece))]
                switch output.format {
                case .json:
                    out.line((first ? "" : ",") + JSONValue.object(props).jsonText)
                case .geojson:
                    let geometry: JSONValue = lon.map { .object(["type": "Point", "coordinates": .array([.number($0), .number(lat!)])]) } ?? .null
                    out.line((first ? "" : ",") + JSONValue.object(["type": "Feature", "properties": .object(props), "geometry": geometry]).jsonText)
                case .table:
                    out.line([m.fix.inspector, "\(m.fix.index)", time, segment ?? "-", offset.map { "\($0)" } ?? "-", distance.map { "\($0)" } ?? "-",
                              lon.map { "\($0)" } ?? "-", lat.map { "\($0)" } ?? "-"].joined(separator: "\t"))
                }
                first = false
            })
            switch output.format {
            case .json: out.line("]")
            case .geojson: out.line("]}")
            case .table: break
            }
            out.flush()
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map-match a track file and store the traversals (inspector, segment, entered and left, fraction walked).",
            discussion: """
                Matched as 'patrol match' does; each stay on a segment becomes a traversal with the share of the segment's \
                length walked. All or nothing: one transaction per file, and a bad point anywhere stores nothing (exit 2).
                """)
        @OptionGroup var city: CityArgument
        @OptionGroup var track: TrackOptions
        @OptionGroup var output: FormatOption

        func run() throws {
            let opened = try city.open(readOnly: false)
            guard let store = opened as? any PatrolStore else { throw CLIError.badInput("\(opened.displayName) keeps no patrols") }
            let frame = try CityFrame(store)
            let params = try track.parameters()
            let matching = PatrolMatching(network: try PatrolMatching.network(of: store, frame: frame, parameters: params), frame: frame, parameters: params)
            let reader = try track.reader(frame)
            var fixes = 0, matched = 0
            var inspectors = Set<String>()
            let stored = try store.importTraversals(source: (track.file as NSString).lastPathComponent) { sink in
                try matching.run(reader, onFix: { m in
                    fixes += 1
                    if m.candidate != nil { matched += 1 }
                    inspectors.insert(m.fix.inspector)
                }, onTraversal: sink)
            }
            var out = StandardOutput()
            switch output.format {
            case .json:
                out.line(JSONValue.object(["file": .string(track.file), "fixes": .int(Int64(fixes)), "matched": .int(Int64(matched)),
                                           "traversals": .int(Int64(stored)), "inspectors": .array(inspectors.sorted().map(JSONValue.string))]).jsonText)
            case .table:
                out.line("\(track.file): \(fixes) fixes of \(inspectors.count) inspector(s), \(matched) matched, \(stored) traversals stored")
            }
            out.flush()
        }
    }

    struct Coverage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Coverage in time: passes per walkable segment on a day, and whether each is covered (一日双巡, 潮汐式 windows).",
            discussion: """
                A pass is one traversal of at least half a segment's length, counted on the day of its middle instant (the \
                city's zone). A segment is covered with at least --min-passes passes (default 2), each inside a --window when \
                windows are given, at least --min-gap-hours apart. --by grid|street|inspector adds totals per key.
                """)
        @OptionGroup var city: CityArgument
        @Option(help: ArgumentHelp("The day, YYYY-MM-DD (city time).", valueName: "DATE")) var day: String
        @Option(name: .customLong("window"), help: ArgumentHelp("A window HH:MM-HH:MM passes must fall in (repeatable).", valueName: "HH:MM-HH:MM"))
        var windows: [String] = []
        @Option(help: "Passes needed per segment.") var minPasses: Int = 2
        @Option(help: "Hours at least between counted passes.") var minGapHours: Double = 0
        @Option(help: "segment, grid, street or inspector.") var by: String = "segment"
        @OptionGroup var output: QueryFormatOption

        func run() throws {
            guard let key = PatrolCoverage.Key(rawValue: by) else { throw CLIError.badInput("--by '\(by)': segment, grid, street or inspector") }
            let rule = try PatrolRule(minPasses: minPasses, minGapHours: minGapHours, windows: try windows.map(PatrolRule.Window.init))
            let opened = try city.open(readOnly: true)
            guard let store = opened as? any PatrolStore else { throw CLIError.badInput("\(opened.displayName) keeps no patrols") }
            let frame = try CityFrame(store)
            let network = try StreetNetworks(frame: frame, snapping: .nearest).network(.walk, from: store)
            let segments = try PatrolCoverage.segments(of: store, network: network, frame: frame)
            guard day.count == 10, let start = ISOTime.date(day, in: frame.timeZone) else { throw CLIError.badInput("--day '\(day)': a date YYYY-MM-DD") }
            let t0 = start.timeIntervalSince1970
            let traversals = try store.traversals(from: t0 - 86_400, to: t0 + 2 * 86_400)
            let coverage = try PatrolCoverage(day: day, zone: frame.timeZone, segments: segments, traversals: traversals, rule: rule, by: key)
            var out = StandardOutput()
            switch output.format {
            case .json: out.line(coverage.json.jsonText)
            case .geojson: out.line(coverage.geoJSON.jsonText)
            case .table:
                if key == .segment {
                    let rows = coverage.segments.filter { $0.passes > 0 || !$0.covered }.map {
                        [$0.segment.id, $0.segment.street ?? "", "\($0.passes)", $0.covered ? "yes" : "no", $0.times.joined(separator: " ")]
                    }
                    for l in TextTable.lines(["segment", "street", "passes", "covered", "times"], rows) { out.line(l) }
                } else {
                    let rows = coverage.totals.map { [$0.key, "\($0.segmentCount)", "\($0.coveredCount)", "\($0.coveredPct)", "\($0.passes)"] }
                    for l in TextTable.lines([key.rawValue, "segments", "covered", "covered %", "passes"], rows) { out.line(l) }
                }
                out.line("covered \(coverage.coveredCount) of \(coverage.segments.count) segments (\(coverage.coveredPct) %) on \(day)")
            }
            out.flush()
        }
    }
}
