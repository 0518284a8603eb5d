import Foundation
import Testing

/// `urbangrid patrol` end to end against the ground truth of Tools/patrol/generate-traces.py (seeded random walks of
/// four inspectors on the demo streets, two 20-minute walks each, 1–15 s fixes, σ 5–15 m noise, 2 % outliers). The
/// thresholds are the truth's, measured against what the generator walked, never against our own earlier output; the
/// peers reach the same level on the same traces (README, Tools/bench/patrol_bench.py).
@Suite(.serialized) struct PatrolCommandTests {
    struct Generated {
        let dir: String
        var tracks: String { dir + "/tracks.csv" }
    }

    static func generate(_ dir: String, _ extra: [String] = []) throws -> Generated {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", CLI.repositoryRoot.appendingPathComponent("Tools/patrol/generate-traces.py").path, dir, "--gpx"] + extra
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "the trace generator (python3) failed")
        return Generated(dir: dir)
    }

    static func csv(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    static func city(_ dir: String) throws -> String {
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        #expect(try CLI.run(["import", db, "--layer", "streets", "GeoData/helsinki/streets.geojson"]).status == 0)
        return db
    }

    @Test func matchAndCoverageReproduceTheWalks() throws {
        let dir = try CLI.temporaryDirectory("patrol")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gen = try Self.generate(dir + "/traces")
        let db = try Self.city(dir)
        let truth = try Self.csv(gen.dir + "/truth-fixes.csv")

        // per fix: the matched position within 10 m of the true one for most fixes that are not outliers
        let match = try CLI.run(["patrol", "match", db, gen.tracks, "--format", "json"])
        #expect(match.status == 0, "\(match.stderr)")
        let answers = try #require(try JSONSerialization.jsonObject(with: Data(match.stdout.utf8)) as? [[String: Any]])
        #expect(answers.count == truth.count && Set(answers.compactMap { $0["index"] as? Int }).count == truth.count)
        var scored = 0, near = 0, onSegment = 0
        for a in answers {
            let t = truth[a["index"] as! Int]
            guard t["outlier"] == "0" else { continue }
            scored += 1
            guard let lon = a["lon"] as? Double, let lat = a["lat"] as? Double else { continue }
            let dx = (lon - Double(t["lon"]!)!) * 111_320 * cos(60.17 * .pi / 180), dy = (lat - Double(t["lat"]!)!) * 111_320
            if (dx * dx + dy * dy).squareRoot() <= 10 { near += 1 }
            if a["segment_id"] as? String == t["segment_id"] { onSegment += 1 }
        }
        #expect(Double(near) / Double(scored) >= 0.6, "\(near) of \(scored) within 10 m")
        #expect(Double(onSegment) / Double(scored) >= 0.35, "\(onSegment) of \(scored) on the true segment")

        // stored, then coverage: the segments the walks passed (≥ 50 % of a segment) are found passed
        let imported = try CLI.run(["patrol", "import", db, gen.tracks, "--format", "json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let coverage = try CLI.run(["patrol", "coverage", db, "--day", "2026-12-08", "--min-passes", "1", "--format", "json"])
        #expect(coverage.status == 0, "\(coverage.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(coverage.stdout.utf8)) as? [String: Any])
        let ours = Dictionary(uniqueKeysWithValues: (report["segments"] as! [[String: Any]]).map { ($0["segment_id"] as! String, $0["passes"] as! Int) })
        var truePasses: [String: Int] = [:]
        for p in try Self.csv(gen.dir + "/truth-passes.csv") where Double(p["fraction"]!)! >= 0.5 { truePasses[p["segment_id"]!, default: 0] += 1 }
        let found = truePasses.keys.filter { (ours[$0] ?? 0) > 0 }.count
        let claimed = ours.filter { $0.value > 0 }
        let right = claimed.keys.filter { truePasses[$0] != nil }.count
        #expect(Double(found) / Double(truePasses.count) >= 0.75, "recall \(found) of \(truePasses.count)")
        #expect(Double(right) / Double(claimed.count) >= 0.6, "precision \(right) of \(claimed.count)")
        // 一日双巡 with the morning and evening windows: every walk was inside 08:00-08:30 or 17:00-17:30, so the windows
        // keep every pass; a segment passed in both walks is covered
        let windows = try CLI.run(["patrol", "coverage", db, "--day", "2026-12-08", "--window", "08:00-08:30", "--window", "17:00-17:30", "--format", "json"])
        let w = try #require(try JSONSerialization.jsonObject(with: Data(windows.stdout.utf8)) as? [String: Any])
        let wPasses = (w["segments"] as! [[String: Any]]).reduce(0) { $0 + ($1["passes"] as! Int) }
        #expect(wPasses == ours.values.reduce(0, +))
        #expect((w["covered_count"] as! Int) == (w["segments"] as! [[String: Any]]).filter { ($0["passes"] as! Int) >= 2 }.count)
        let morning = try CLI.run(["patrol", "coverage", db, "--day", "2026-12-08", "--window", "12:00-13:00", "--format", "json"])
        #expect(morning.stdout.contains(#""covered_count":0"#))
        // the next day has none of them
        let next = try CLI.run(["patrol", "coverage", db, "--day", "2026-12-09", "--min-passes", "1", "--format", "json"])
        #expect(next.stdout.contains(#""covered_count":0"#))
        let byInspector = try CLI.run(["patrol", "coverage", db, "--day", "2026-12-08", "--by", "inspector", "--format", "json"])
        #expect(byInspector.stdout.contains(#""inspector":"inspector-04""#))
        // GPX: one inspector's file matches too
        let gpx = try CLI.run(["patrol", "match", db, gen.dir + "/tracks-inspector-01.gpx", "--format", "geojson"])
        #expect(gpx.status == 0 && gpx.stdout.hasPrefix(#"{"type":"FeatureCollection""#), "\(gpx.stderr)")
    }

    @Test func badTracksStoreNothing() throws {
        let dir = try CLI.temporaryDirectory("patrol-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try Self.city(dir)
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = "inspector,time,lon,lat\na,2026-12-08T08:00:00+08:00,24.9432,60.1665\na,2026-12-08T08:00:10+08:00,24.9434,60.1664\n"
        let cases: [(String, String, String)] = [
            ("swapped.csv", good + "a,2026-12-08T08:00:20+08:00,60.1664,24.9436\n", "swapped.csv:4 (lon/lat): point 2: (60.1664, 24.9436) is"),
            ("notime.csv", good + "a,,24.9436,60.1664\n", "notime.csv:4 (time): point 2: no time"),
            ("order.csv", good + "a,2026-12-08T07:00:00+08:00,24.9436,60.1664\n", "times out of order"),
            ("notrack.gpx", #"<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"></gpx>"#, "without a track"),
            ("who.csv", "time,lon,lat\n2026-12-08T08:00:00+08:00,24.9432,60.1665\n", "inspector,time,lon,lat"),
        ]
        for (name, text, message) in cases {
            let r = try CLI.run(["patrol", "import", db, try write(name, text)])
            #expect(r.status == 2 && r.stderr.contains(message), "\(name): \(r.stderr)")
        }
        let coverage = try CLI.run(["patrol", "coverage", db, "--day", "2026-12-08", "--min-passes", "1", "--format", "json"])
        #expect(!coverage.stdout.contains(#""passes":1"#) && coverage.stdout.contains(#""covered_count":0"#))
        // the same good lines store
        #expect(try CLI.run(["patrol", "import", db, try write("good.csv", good)]).status == 0)
        #expect(try CLI.run(["patrol", "coverage", db, "--day", "2026-12-07", "--format", "json"]).status == 0)
        #expect(try CLI.run(["patrol", "coverage", db, "--day", "2026-12-08", "--window", "25:00-26:00"]).status == 2)
    }
}
