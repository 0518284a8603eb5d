import Foundation
import Testing

/// `urbangrid transform` as ../shared/reference/cli.md specifies it. Expected values: cs2cs (PROJ 9.1.1)
/// for EPSG:4547, and the published GCJ-02 algorithm's vectors (Tests/SpatialCoreTests/Vectors/gcj02.json).
@Suite struct TransformCommandTests {
    func numbers(_ line: Substring) -> [Double] { line.split(separator: " ").compactMap { Double($0) } }

    @Test func argumentsToGaussKruger() throws {
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "EPSG:4547", "114", "30", "116.391", "39.907"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        try #require(lines.count == 2)
        // cs2cs EPSG:4326 EPSG:4547 (prints northing easting): 3320113.398 500000.000 and 4421940.733 704464.053
        let a = numbers(lines[0]), b = numbers(lines[1])
        #expect(abs(a[0] - 500000.000) < 0.001 && abs(a[1] - 3320113.398) < 0.001)
        #expect(abs(b[0] - 704464.053) < 0.001 && abs(b[1] - 4421940.733) < 0.001)
    }

    @Test func stdinLinesCommasBlanksAndPassThrough() throws {
        let input = "121.5272106,31.1774276\n\n# comment\n113.912316 22.543847 42\n"
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "GCJ02"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "121.531541859215 31.17530398364597")  // eviltransform's Shanghai vector, shortest text
        #expect(lines[1] == "")
        #expect(lines[2] == "# comment")
        let s = numbers(lines[3])
        #expect(abs(s[0] - 113.9171764808363) < 1e-9 && abs(s[1] - 22.540796131694766) < 1e-9)
        #expect(s.count == 3 && s[2] == 42)  // extra values pass through
    }

    @Test func roundTripThroughBaiduAndPrecision() throws {
        let r = try CLI.run(["transform", "--from", "BD09", "--to", "EPSG:4326", "--precision", "6",
                             "116.41011658647340", "39.91644274963076"])
        #expect(r.status == 0)
        #expect(r.stdout == "116.3975 39.9087\n")  // gcj02.json: Tiananmen, trailing zeros trimmed
    }

    @Test func jsonFormat() throws {
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "EPSG:3857", "--format", "json", "--precision", "3", "114", "30"])
        #expect(r.status == 0)
        #expect(r.stdout == "[[12690421.95,3503549.844]]\n")  // cs2cs EPSG:4326 EPSG:3857
    }

    @Test func unknownCRSExitsTwoWithMessage() throws {
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "EPSG:99999", "1", "2"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown CRS 'EPSG:99999"))
        #expect(r.stdout.isEmpty)
    }

    @Test func badStdinLineNamesTheLine() throws {
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "EPSG:3857"], stdin: "1 2\n3 x\n")
        #expect(r.status == 2)
        #expect(r.stderr.contains("stdin line 2: y is not a number: 'x'"))
        #expect(r.stdout.isEmpty)  // nothing half-written
    }

    @Test func oddArgumentCountIsUsageError() throws {
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "EPSG:3857", "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("pairs"))
    }

    @Test func failingTransformNamesTheCoordinate() throws {
        let r = try CLI.run(["transform", "--from", "EPSG:4326", "--to", "EPSG:3857"], stdin: "0 0\n0 91\n")
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 2"), "\(r.stderr)")
    }

    @Test func versionAndHelpListCommands() throws {
        let v = try CLI.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.contains("GEOS 3.") && v.stdout.contains("PROJ ") && v.stdout.contains("SpatiaLite "))
        let h = try CLI.run(["--help"])
        #expect(h.status == 0)
        #expect(h.stdout.contains("transform") && h.stdout.contains("demo"))
    }
}
