import ArgumentParser
import CommandSupport
import Foundation
import SpatialCore

extension UrbanGridCommand {
    struct Transform: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert coordinates between CRS, like cs2cs, with GCJ02 and BD09 as well.",
            discussion: """
                Reads 'x y' lines (space or comma separated) from stdin when no coordinates are given, and \
                writes one 'x y' line per input in the same order. x is easting or longitude, always. \
                Values after x y on a line are passed through. Blank lines and lines starting with # are kept.
                CRS: EPSG:n (or n), a PROJ string, WKT, GCJ02, BD09.
                Example: urbangrid transform --from EPSG:4326 --to EPSG:4547 114 30
                """)

        @Option(help: "Source CRS.")
        var from: String

        @Option(help: "Target CRS.")
        var to: String

        @Option(help: "Decimals to print (default: the shortest text that reads back to the same double).")
        var precision: Int?

        @Option(help: "table (x y lines) or json (an array of [x, y]).")
        var format: OutputFormat = .table

        @Argument(help: "Coordinates: X Y [X Y]...")
        var coordinates: [String] = []

        func validate() throws {
            if let precision, !(0...17).contains(precision) { throw ValidationError("--precision must be 0...17") }
            if coordinates.count % 2 != 0 {
                throw ValidationError("coordinates come in pairs 'X Y'; got \(coordinates.count) values")
            }
        }

        func run() throws {
            let transform = try CoordinateTransform(from: CRS(from), to: CRS(to))
            var lines: [(coordinate: Coordinate?, rest: String, raw: String)] = []
            if coordinates.isEmpty {
                var n = 0
                while let line = readLine() {
                    n += 1
                    lines.append(try Self.parse(line, line: n))
                }
            } else {
                for k in stride(from: 0, to: coordinates.count, by: 2) {
                    guard let x = Double(coordinates[k]), let y = Double(coordinates[k + 1]) else {
                        throw CLIError.badInput("argument \(k + 1): expected numbers 'X Y', got '\(coordinates[k]) \(coordinates[k + 1])'")
                    }
                    lines.append((Coordinate(x, y), "", ""))
                }
            }
            var coords = lines.compactMap(\.coordinate)
            do {
                try transform.apply(&coords)
            } catch SpatialError.transformFailed(let i, let x, let y, let message) {
                let where_ = coordinates.isEmpty ? "line \(lineNumber(ofCoordinate: i, in: lines))" : "pair \(i + 1)"
                throw CLIError.badInput("\(where_): cannot transform (\(NumberText.format(x)), \(NumberText.format(y))) from \(from) to \(to): \(message)")
            }
            var out = StandardOutput()
            var k = 0
            if format == .json {
                out.line("[" + coords.map { "[\(NumberText.format($0.x, precision: precision)),\(NumberText.format($0.y, precision: precision))]" }.joined(separator: ",") + "]")
            } else {
                for l in lines {
                    guard l.coordinate != nil else {
                        out.line(l.raw)
                        continue
                    }
                    let c = coords[k]
                    k += 1
                    out.line("\(NumberText.format(c.x, precision: precision)) \(NumberText.format(c.y, precision: precision))\(l.rest)")
                }
            }
            out.flush()
        }

        private func lineNumber(ofCoordinate i: Int, in lines: [(coordinate: Coordinate?, rest: String, raw: String)]) -> Int {
            var seen = -1
            for (n, l) in lines.enumerated() where l.coordinate != nil {
                seen += 1
                if seen == i { return n + 1 }
            }
            return i + 1
        }

        /// One input line: "x y", "x,y", "x, y", optionally followed by more values; blank and # lines pass through.
        static func parse(_ line: String, line n: Int) throws -> (coordinate: Coordinate?, rest: String, raw: String) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return (nil, "", line) }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
            guard fields.count >= 2 else {
                throw CLIError.badInput("stdin line \(n): expected 'x y', got '\(trimmed)'")
            }
            guard let x = Double(fields[0]), x.isFinite else {
                throw CLIError.badInput("stdin line \(n): x is not a number: '\(fields[0])'")
            }
            guard let y = Double(fields[1]), y.isFinite else {
                throw CLIError.badInput("stdin line \(n): y is not a number: '\(fields[1])'")
            }
            let rest = fields.dropFirst(2).map { " " + $0 }.joined()
            return (Coordinate(x, y), rest, line)
        }
    }
}
