import ArgumentParser
import Foundation
import SpatialCore

/// UrbanGrid's benchmark: the same work the peers ran (`../shared/anchors/`), one JSON object per
/// line on stdout: {"case", "engine", "ms" (median), "runs", "matched"/"checksum", "note"}.
/// `Tools/bench.sh` runs this and `Tools/bench/peers.py` in one go and prints the ratios.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "urbangrid-bench",
        abstract: "Benchmarks of UrbanGrid's spatial core on the peers' inputs (JSON lines on stdout).")

    @Option(help: "Comma-separated cases: pip_helsinki, pip_synth, proj_bulk, geojson_parse, geojson_write, network_matrix, street_network (needs --db).")
    var cases = "pip_helsinki,pip_synth,proj_bulk,geojson_parse,geojson_write"

    @Option(help: "Timed runs per engine (median reported), after one warm-up.")
    var `repeat` = 3

    @Option(help: "The peers' anchors folder.")
    var anchors = "../shared/anchors"

    @Option(help: "Number of benchmark points.")
    var points = 1_000_000

    @Option(help: "GeoJSON file for the parse/write cases (Tools/bench/peers.py writes it).")
    var geojsonFile = "/tmp/urbangrid-bench-lines.geojson"

    @Option(help: "A database for street_network (e.g. out/demo.sqlite).")
    var db = "out/demo.sqlite"

    func run() throws {
        let wanted = Set(cases.split(separator: ",").map(String.init))
        if wanted.contains("pip_helsinki") { try pipHelsinki() }
        if wanted.contains("pip_synth") { try pipSynth() }
        if wanted.contains("proj_bulk") { try projBulk() }
        if wanted.contains("geojson_parse") || wanted.contains("geojson_write") { try geoJSON(wanted) }
        if wanted.contains("network_matrix") { try networkMatrix() }
        if wanted.contains("street_network") { try streetNetwork() }
    }

    // MARK: timing and output

    func time(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let d = try clock.measure(body)
        return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
    }

    /// One warm-up, then `repeat` timed runs; returns the median and the runs.
    func measure(_ body: () throws -> Void) rethrows -> (median: Double, runs: [Double]) {
        try body()
        var runs: [Double] = []
        for _ in 0..<max(1, self.repeat) { runs.append(try time(body)) }
        let s = runs.sorted()
        return (s[s.count / 2], runs)
    }

    func emit(_ name: String, _ engine: String, _ m: (median: Double, runs: [Double]), extra: [String: Any] = [:]) {
        var o: [String: Any] = ["case": name, "engine": engine, "ms": m.median, "runs": m.runs]
        for (k, v) in extra { o[k] = v }
        let data = try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    func log(_ s: String) { FileHandle.standardError.write(Data("[bench] \(s)\n".utf8)) }

    // MARK: point in polygon

    func loadHelsinkiCells() throws -> [Geometry] {
        let path = anchors + "/helsinki_cells_100m.csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read \(path): pass --anchors DIR")
        }
        var cells: [Geometry] = []
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where n > 0 {
            guard let q = line.firstIndex(of: "\""), let e = line.lastIndex(of: "\""), q < e else { continue }
            cells.append(try Geometry(wkt: String(line[line.index(after: q)..<e])))
        }
        return cells
    }

    func pip(_ name: String, cells: [Geometry], pts: [Coordinate], expected: Int) throws {
        var locator: PolygonLocator?
        let build = try measure { locator = try PolygonLocator(cells, semantics: .contains) }
        emit(name + "_setup", "urbangrid_locator_build", build, extra: ["note": "\(locator!.statistics)"])
        var matched = 0
        var checksum = 0  // sum of cell ids over matched points: the same cell, not only the same count
        let m = try measure {
            let ids = try locator!.locate(pts)
            matched = 0
            checksum = 0
            for id in ids where id >= 0 {
                matched += 1
                checksum += Int(id)
            }
        }
        guard matched == expected else { throw ValidationError("\(name): locator matched \(matched), expected \(expected)") }
        emit(name, "urbangrid_locator", m, extra: ["matched": matched, "checksum": checksum])
        log("\(name): locator \(String(format: "%.1f", m.median)) ms, \(matched) matched")

        // The library-only path, for the record: GEOS STRtree candidates + GEOS prepared contains per point.
        let index = try SpatialIndex(cells)
        let prepared = try cells.map { try PreparedGeometry($0) }
        var matchedGEOS = 0
        let runs = max(1, min(self.repeat, 1))
        var times: [Double] = []
        for _ in 0..<runs {
            times.append(try time {
                matchedGEOS = 0
                for p in pts {
                    for k in try index.query(Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)) where try prepared[k].contains(p) {
                        matchedGEOS += 1
                        break
                    }
                }
            })
        }
        guard matchedGEOS == expected else { throw ValidationError("\(name): GEOS path matched \(matchedGEOS), expected \(expected)") }
        emit(name, "urbangrid_geos_strtree_prepared", (times.sorted()[times.count / 2], times), extra: ["matched": matchedGEOS, "note": "library-only path, one run"])
        log("\(name): GEOS STRtree+prepared \(String(format: "%.1f", times[0])) ms")
    }

    func pipHelsinki() throws {
        let cells = try loadHelsinkiCells()
        let pts = SplitMix64.points(seed: 20_240_601, count: points,
                                    in: Envelope(minX: 385412.539, minY: 6671452.861, maxX: 386475.93, maxY: 6673149.065))
        try pip("pip_helsinki", cells: cells, pts: pts, expected: points == 1_000_000 ? 934_673 : -1)
    }

    func pipSynth() throws {
        var cells: [Geometry] = []
        cells.reserveCapacity(160_000)
        for row in 0..<400 {
            for col in 0..<400 {
                let x = 375_000 + Double(col) * 50, y = 6_662_000 + Double(row) * 50
                cells.append(.polygon(Envelope(minX: x, minY: y, maxX: x + 50, maxY: y + 50).polygon))
            }
        }
        let pts = SplitMix64.points(seed: 20_240_602, count: points,
                                    in: Envelope(minX: 375_000, minY: 6_662_000, maxX: 395_000, maxY: 6_682_000))
        try pip("pip_synth", cells: cells, pts: pts, expected: points == 1_000_000 ? 1_000_000 : -1)
    }

    // MARK: PROJ

    func projBulk() throws {
        let pts = SplitMix64.points(seed: 20_240_603, count: points, in: Envelope(minX: 24.93, minY: 60.16, maxX: 24.96, maxY: 60.18))
        let t = try CoordinateTransform(from: .wgs84, to: .epsg(3067))
        // timed as pyproj is: the transform of a fresh copy of the input (pyproj allocates its output)
        var out: [Coordinate] = []
        let m = try measure {
            out = pts
            try t.apply(&out)
        }
        var checksum = out.reduce(0) { $0 + $1.x } + out.reduce(0) { $0 + $1.y }
        emit("proj_bulk", "urbangrid_proj", m, extra: ["checksum": checksum])
        log("proj_bulk: \(String(format: "%.1f", m.median)) ms")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if cores > 1 {
            let mt = try measure {
                out = pts
                try t.apply(&out, threads: cores)
            }
            checksum = out.reduce(0) { $0 + $1.x } + out.reduce(0) { $0 + $1.y }
            emit("proj_bulk", "urbangrid_proj_\(cores)threads", mt, extra: ["checksum": checksum, "note": "\(cores) threads, one PROJ clone each"])
        }
    }
}
