import ArgumentParser
import CommandSupport
import Foundation
import SpatialCore
import UrbanModel
import UrbanStore

extension UrbanGridCommand {
    struct Grid: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build and audit unit grids (单元网格).",
            subcommands: [Build.self, Audit.self])
    }
}

extension GridShape: ExpressibleByArgument {}

extension UrbanGridCommand.Grid {
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate square, hex or street-block unit grids over communities or a boundary, with 15-digit codes.",
            discussion: """
                Cells are cut from a lattice in a local metric CRS (the CGCS2000 3° Gauss-Krüger zone of the \
                data's centre inside China's longitudes 73.5°E–135°E, otherwise the UTM zone), anchored at \
                multiples of the cell size so rebuilds give the same cells, and clipped to their community: \
                no cell crosses a community boundary, and the cells tile each community with no gap or overlap. \
                Square cells are --cell-size metres on a side; hex cells have the same area, --cell-size² \
                (side ≈ 0.620 × cell size). Cells under --min-area m² are merged into the neighbour of the same \
                community with the longest shared boundary (default 1 m²). Shape 'block' follows the streets: \
                the street lines of the 'streets' layer (all classes) and the community boundary are noded and \
                polygonized inside each community, what that leaves uncovered is added as blocks (so blocks \
                always tile the community; dead ends cut nothing), blocks under --min-area (default 0.2 × \
                --target-area) are merged into the neighbour with the longest shared boundary, and blocks over \
                4 × --target-area are cut by the square lattice of side √target-area. Codes: the 12-digit \
                community code + a 3-digit sequence numbered west→east, then north→south. The grids of the \
                communities built are replaced in one transaction; other grids stay.
                """)

        @OptionGroup var city: CityArgument

        var db: String { city.db }

        @Option(help: "square, hex or block.")
        var shape: GridShape

        @Option(help: "Metres: the side of a square cell; a hex cell has the area cell-size².")
        var cellSize: Double = 100

        @Option(help: "Block grids: the target block area, m² (default 10000, the 万米单元网格); blocks over 4× are split.")
        var targetArea: Double?

        @Option(help: "Cells smaller than this (m²) are merged into a neighbour (default 1; block: 0.2 × target area).")
        var minArea: Double?

        @Option(help: "Only the communities under this district (6), street (9) or community (12 digit) code.")
        var area: String?

        @Option(help: "A polygon file (GeoJSON, GeoJSONSeq, CSV, Shapefile; WGS84 unless --crs or a Shapefile's .prj) to grid instead of the admin communities.")
        var boundary: String?

        @OptionGroup var inputCRS: InputCRSOption

        @Option(help: "With --boundary: the 12-digit code prefix of the cells (default 000000000000).")
        var codePrefix: String?

        @OptionGroup var output: FormatOption

        var format: OutputFormat { output.format }

        func validate() throws {
            if area != nil, boundary != nil { throw ValidationError("give --area or --boundary, not both") }
            if codePrefix != nil, boundary == nil { throw ValidationError("--code-prefix goes with --boundary") }
            if inputCRS.crs != nil, boundary == nil { throw ValidationError("--crs goes with --boundary (the CRS of its file)") }
            if let codePrefix, codePrefix.count != 12 || !codePrefix.allSatisfy({ ("0"..."9").contains($0) }) {
                throw ValidationError("--code-prefix must be 12 digits (county 6 + street 3 + community 3), got '\(codePrefix)'")
            }
            if !(cellSize.isFinite && cellSize > 0) { throw ValidationError("--cell-size must be a positive number of metres") }
            if let minArea, !(minArea.isFinite && minArea >= 0) { throw ValidationError("--min-area must be a number of m² ≥ 0") }
            if let targetArea, !(targetArea.isFinite && targetArea > 0) {
                throw ValidationError("--target-area must be a positive number of m²")
            }
            if targetArea != nil, shape != .block { throw ValidationError("--target-area goes with --shape block") }
        }

        func run() throws {
            let database = try city.open(readOnly: false)
            var notes: [String] = []
            let areas: [GridArea]
            if let boundary {
                let prefix = codePrefix ?? "000000000000"
                if codePrefix == nil {
                    notes.append(
                        "no --code-prefix: cells are coded 000000000000NNN, which is not a valid grid code (county 000000); "
                            + "'grid audit' will report them. Pass --code-prefix with the community's 12-digit code.")
                }
                areas = [GridArea(code: prefix, geometry: try Self.readBoundary(boundary, crs: try inputCRS.parsed()))]
                notes.append("community \(prefix) is the boundary of \(boundary); the admin layer has no such community, so 'grid audit' reports its cells as unknownCommunity")
            } else {
                areas = try database.gridAreas(under: area)
            }
            let result = shape == .block
                ? try GridBuilder.buildBlocks(
                    areas, streets: try database.gridStreets(), targetArea: targetArea ?? 10_000, minArea: minArea)
                : try GridBuilder.build(areas, shape: shape, cellSize: cellSize, minArea: minArea ?? 1)
            let replaced = try database.replaceGrids(with: result)
            print(result, replaced: replaced, notes: notes)
        }

        /// The union of the polygons of a boundary file, as one (multi)polygon.
        static func readBoundary(_ path: String, crs: CRS? = nil) throws -> Geometry {
            let features = try FeatureFile.read(path, options: .init(crs: crs))
            var polygons: [Geometry] = []
            for (i, f) in features.enumerated() {
                switch f.geometry {
                case .polygon?, .multiPolygon?: polygons.append(f.geometry!)
                case nil: continue
                case let g?: throw CLIError.badInput("\(path): features[\(i)] is a \(g.typeName); a boundary is made of polygons")
                }
            }
            guard !polygons.isEmpty else { throw CLIError.badInput("\(path): no polygon to use as a boundary") }
            let union = polygons.count == 1 ? polygons[0] : try Geometry.unaryUnion(polygons)
            switch union {
            case .polygon(let p): return .multiPolygon(MultiPolygon([p]))
            case .multiPolygon: return union
            default: throw CLIError.badInput("\(path): the polygons do not form an area")
            }
        }

        /// The minimum area the build used.
        private var effectiveMinArea: Double { minArea ?? (shape == .block ? 0.2 * (targetArea ?? 10_000) : 1) }

        func print(_ r: GridBuildResult, replaced: Int, notes: [String]) {
            var out = StandardOutput()
            if format == .json {
                let communities = r.communities.map { c -> JSONValue in
                    [
                        "code": .string(c.code), "cells": .int(Int64(c.cellCount)), "cells_area_m2": .number(c.cellsArea),
                        "community_area_m2": .number(c.communityArea), "merged_slivers": .int(Int64(c.mergedSlivers)),
                    ]
                }
                let json: JSONValue = [
                    "shape": .string(r.shape.rawValue), "cell_size_m": .number(r.cellSize), "min_area_m2": .number(effectiveMinArea),
                    "target_area_m2": r.shape == .block ? .number(targetArea ?? 10_000) : .null,
                    "crs": .string(r.crs.definition), "crs_note": .string(r.crsNote), "cells": .int(Int64(r.cells.count)),
                    "replaced": .int(Int64(replaced)), "communities": .array(communities), "notes": .array(notes.map { .string($0) }),
                ]
                out.line(json.jsonText)
            } else {
                for n in notes { out.line("note: \(n)") }
                let size = r.shape == .block
                    ? "target \(NumberText.format(targetArea ?? 10_000)) m² blocks, min \(NumberText.format(effectiveMinArea)) m²"
                    : "\(NumberText.format(r.cellSize)) m cells"
                out.line("\(r.shape.rawValue) grid, \(size), metric CRS: \(r.crsNote)")
                out.line(pad("community", 14) + lpad("cells", 7) + lpad("cells m²", 16) + lpad("community m²", 16) + lpad("rel. diff", 11))
                for c in r.communities {
                    let rel = c.communityArea > 0 ? abs(c.cellsArea - c.communityArea) / c.communityArea : 0
                    out.line(pad(c.code, 14) + lpad(String(c.cellCount), 7) + lpad(fixed(c.cellsArea), 16)
                        + lpad(fixed(c.communityArea), 16) + lpad(String(format: "%.1e", rel), 11))
                }
                let total = r.communities.map(\.cellsArea).reduce(0, +)
                out.line("total: \(r.cells.count) cells in \(r.communities.count) \(r.communities.count == 1 ? "community" : "communities"), \(fixed(total)) m²; replaced \(replaced) old cells")
            }
            out.flush()
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the grids: gaps, overlaps, cells crossing communities, duplicate or malformed codes, cells without a chief, nobody on duty, segments without a road chief, frontages without a holder.",
            discussion: """
                Areas are measured in the local metric CRS; 0.01 m² or less counts as rounding. Every community \
                of the admin layer is checked for gaps. noOneOnDuty: cells and segments whose chief is off duty at \
                --at (on_duty hours) with no backup on duty; noRoadChief: segments no road chief names (once the city \
                names any road chief); frontageUnassigned: frontage units (urbangrid frontage build) without a duty \
                holder. Exit status 1 when anything is found, 0 when clean.
                """)

        @OptionGroup var city: CityArgument

        var db: String { city.db }
        @Option(help: ArgumentHelp("The moment who is on duty is checked at, ISO 8601; without an offset, local time of the database's zone (default now).", valueName: "TIME"))
        var at: String?
        @OptionGroup var holidays: HolidaysOption

        @OptionGroup var output: FormatOption

        var format: OutputFormat { output.format }

        func run() throws {
            let database = try city.open()
            let date = try at.map { try CityFrame(database).parseTime($0) } ?? Date()
            let findings = try GridAudit.run(database, at: date, holidays: try holidays.calendar())
            var out = StandardOutput()
            if format == .json {
                let list = findings.map { f -> JSONValue in
                    [
                        "kind": .string(f.kind.rawValue), "code": .string(f.code), "other": f.other.map { .string($0) } ?? .null,
                        "area_m2": f.areaSquareMetres.map { .number($0) } ?? .null, "detail": .string(f.detail),
                    ]
                }
                var counts: [(String, JSONValue)] = []
                for k in GridFinding.Kind.allCases {
                    counts.append((k.rawValue, .int(Int64(findings.filter { $0.kind == k }.count))))
                }
                let json: JSONValue = [
                    "grids": .int(Int64(try database.count(.grids))), "findings": .array(list),
                    "counts": .object(JSONObject(counts)), "clean": .bool(findings.isEmpty),
                ]
                out.line(json.jsonText)
            } else {
                for f in findings { out.line("\(f.kind.rawValue)\t\(f.code)\(f.other.map { "\t\($0)" } ?? "")\t\(f.detail)") }
                let summary = GridFinding.Kind.allCases.compactMap { k -> String? in
                    let n = findings.filter { $0.kind == k }.count
                    return n > 0 ? "\(n) \(k.rawValue)" : nil
                }
                out.line(findings.isEmpty
                    ? "grid audit: \(try database.count(.grids)) cells, no findings"
                    : "grid audit: \(try database.count(.grids)) cells, \(findings.count) findings (\(summary.joined(separator: ", ")))")
            }
            out.flush()
            if !findings.isEmpty { throw ExitCode(1) }
        }
    }
}

private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
private func fixed(_ v: Double) -> String { String(format: "%.2f", v) }
