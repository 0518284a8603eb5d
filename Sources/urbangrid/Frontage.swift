import ArgumentParser
import CommandSupport
import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

/// `urbangrid frontage`: 门前三包 frontage units.
struct Frontage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "门前三包: the frontage units in front of shops and buildings, and their duty holders.",
        subcommands: [Build.self])

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the frontage units (门前三包责任区) from POIs or buildings and the streets, replacing the stored ones.",
            discussion: """
                Each feature of --from-layer (of --kinds, when given) gets the pavement strip in front of it along its \
                nearest street segment (within --max-distance): along the stretch its footprint projects onto (a point: \
                --width centred on it), on its side of the segment, from its building line --depth metres towards the \
                street's centre line (never past it). Neighbouring frontages on one side of a segment that overlap are \
                cut in the middle; a gap of at most 10 m between them is shared half and half. Measured with GEOS in the \
                city's metric CRS. A unit's id is its feature's id; its duty holder is the first chiefs row with role \
                frontage whose poi_id is that id (import chiefs before or after: the holder is looked up when asked); \
                units without one are listed here and by the frontage-unassigned rule.
                """)

        @OptionGroup var city: CityArgument
        @Option(help: ArgumentHelp("Depth of each strip in metres, from the building line towards the street.", valueName: "M")) var depth: Double = 5
        @Option(name: .customLong("from-layer"), help: ArgumentHelp("The layer of shops or buildings (pois; any layer with geometry).", valueName: "LAYER"))
        var fromLayer: String = "pois"
        @Option(help: ArgumentHelp("Only features of these kinds, comma-separated (layers with a kind column).", valueName: "KIND,…")) var kinds: String?
        @Option(help: ArgumentHelp("Frontage width of a point feature in metres.", valueName: "M")) var width: Double = 10
        @Option(name: .customLong("max-distance"), help: ArgumentHelp("Features farther than this from every segment get no unit, in metres.", valueName: "M"))
        var maxDistance: Double = 50
        @OptionGroup var output: FormatOption

        func run() throws {
            var options = FrontageBuild.Options()
            guard let layer = UrbanModel.Layer(rawValue: fromLayer) else {
                throw CLIError.badInput("--from-layer: '\(fromLayer)' is not one of \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for (name, v) in [("--depth", depth), ("--width", width), ("--max-distance", maxDistance)] where !(v.isFinite && v > 0) {
                throw CLIError.badInput("\(name): \(v) is not a distance in metres greater than 0")
            }
            options.layer = layer
            options.depthMetres = depth
            options.pointWidthMetres = width
            options.maxDistanceMetres = maxDistance
            if let kinds {
                let list = kinds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !list.isEmpty else { throw CLIError.badInput("--kinds: no kind given") }
                options.kinds = list
            }
            let opened = try city.open(readOnly: false)
            guard let store = opened as? any FrontageStore else { throw CLIError.badInput("\(opened.displayName) keeps no frontage units") }
            let result = try FrontageBuild.build(store, frame: try CityFrame(store), options: options)
            try store.replaceFrontageUnits(result.units)
            let roster = try DutyRoster(store, holidays: .none)
            let unassigned = result.units.filter { roster.frontageHolder($0.poiID) == nil }
            var out = StandardOutput()
            if output.format == .json {
                out.line(JSONValue.object([
                    "units": .int(Int64(result.units.count)), "assigned": .int(Int64(result.units.count - unassigned.count)),
                    "unassigned": .array(unassigned.map { .string($0.id) }), "depth_m": .number(depth),
                    "skipped": .array(result.skipped.map { .object(["id": .string($0.id), "reason": .string($0.reason)]) }),
                ]).jsonText)
            } else {
                out.line("frontage units: \(result.units.count) (\(result.units.count - unassigned.count) with a duty holder, \(unassigned.count) without), depth \(NumberText.format(depth)) m")
                for s in result.skipped.prefix(20) { out.line("skipped \(s.id): \(s.reason)") }
                if result.skipped.count > 20 { out.line("… \(result.skipped.count - 20) more skipped (--format json lists all)") }
            }
            out.flush()
        }
    }
}
