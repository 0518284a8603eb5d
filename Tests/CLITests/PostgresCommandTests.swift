import Foundation
import Testing
import UrbanModel
import UrbanStore

/// The commands on a PostgreSQL URL, run as a user runs them, against the cluster Tools/test.sh starts
/// (Tools/pg-cluster.sh): exit statuses, what they print, and that no password ever reaches stdout or stderr.
@Suite("PostgreSQL commands") struct PostgresCommandTests {
    static func variable(_ name: String) throws -> String {
        let value = ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
        return try #require(value, Comment(rawValue: """
            \(name) is not set: these tests need the PostgreSQL cluster of Tools/pg-cluster.sh. Run the tests \
            through Tools/test.sh, or start one first: eval "$(Tools/pg-cluster.sh start "$PWD/out/pg-test")"
            """))
    }

    /// The superuser URL (`postgres` database) and its password, as Tools/pg-cluster.sh printed them.
    static func superuser() throws -> (url: String, password: String, port: Int) {
        let url = try variable("URBANGRID_PG_URL")
        let parts = try #require(URLComponents(string: url))
        return (url, try #require(parts.password), try #require(parts.port))
    }

    /// The superuser's URL of another database of the cluster.
    static func url(of database: String) throws -> String {
        let base = try superuser().url
        return String(base[..<base.range(of: "/", options: .backwards)!.upperBound]) + database
    }

    /// Runs SQL through the cluster's own client, psql, as the superuser.
    static func psql(_ sql: String, database: String = "postgres") throws -> String {
        let p = Process()
        let bin = "/usr/lib/postgresql/15/bin/psql"
        if FileManager.default.isExecutableFile(atPath: bin) {
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = []
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["psql"]
        }
        p.arguments! += ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", try url(of: database), "-c", sql]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, Comment(rawValue: "psql \(sql): \(String(decoding: e, as: UTF8.self))"))
        return String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new empty database (no PostGIS); the caller drops it with `dropDatabase`.
    static func createDatabase() throws -> String {
        let name = "ugcli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        _ = try psql("CREATE DATABASE \(name)")
        return name
    }

    static func dropDatabase(_ name: String) {
        _ = try? psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], Comment(rawValue: text))
    }

    /// Neither stream shows `secret`.
    static func expectHidden(_ secret: String, _ r: CommandResult, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.stdout.contains(secret), "\(what): stdout shows the password: \(r.stdout)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains(secret), "\(what): stderr shows the password: \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func wrongPasswordExits2WithoutShowingIt() throws {
        let port = try Self.superuser().port
        let url = "postgresql://urbangrid_test:WRONGSECRET@127.0.0.1:\(port)/postgres"
        let commands: [[String]] = [
            ["init", url], ["init", url, "--format", "json"],
            ["import", url, "--layer", "stations", "GeoData/helsinki/stations.geojson"],
            ["copy", url, FileManager.default.temporaryDirectory.appendingPathComponent("ug-\(UUID().uuidString).sqlite").path, "--format", "json"],
        ]
        for args in commands {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args[0]): \(r.status) \(r.stderr)")
            Self.expectHidden("WRONGSECRET", r, args[0])
            #expect(r.stderr.contains("password authentication failed"), "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("postgresql://urbangrid_test:***@127.0.0.1:\(port)/postgres"), "\(args[0]): \(r.stderr)")
        }
    }

    @Test func noServerExits2WithoutShowingThePassword() throws {
        let r = try CLI.run(["init", "postgresql://urbangrid_test:WRONGSECRET@127.0.0.1:1/city"])
        #expect(r.status == 2)
        Self.expectHidden("WRONGSECRET", r, "init")
        #expect(r.stderr.contains("no PostgreSQL server answers at 127.0.0.1:1"), "\(r.stderr)")
        // a URL too broken to read: the message shows it with the password masked
        let broken = try CLI.run(["init", "postgresql://urbangrid_test:WRONGSECRET@127.0.0.1:notaport/city"])
        #expect(broken.status == 2)
        Self.expectHidden("WRONGSECRET", broken, "init with a bad port")
        #expect(broken.stderr.contains("postgresql://urbangrid_test:***@127.0.0.1:notaport/city"), "\(broken.stderr)")
    }

    @Test func initImportAndCopyBothWays() throws {
        let (_, password, port) = try Self.superuser()
        let first = try Self.createDatabase(), second = try Self.createDatabase()
        let dir = try CLI.temporaryDirectory("pg")
        defer { Self.dropDatabase(first); Self.dropDatabase(second); try? FileManager.default.removeItem(atPath: dir) }
        let url = try Self.url(of: first)
        let shown = "postgresql://urbangrid_test:***@127.0.0.1:\(port)/\(first)"

        let initialized = try CLI.run(["init", url, "--format", "json"])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        Self.expectHidden(password, initialized, "init")
        let created = try Self.json(initialized.stdout)
        #expect(created["database"] as? String == shown)
        #expect(created["schema_version"] as? Int == 9)
        #expect(created["timezone"] as? String == "Asia/Shanghai")
        // GeoData/codes/README.md: 6 + 75 component and 5 + 33 event classes
        #expect(created["class_codes"] as? Int == 119)
        #expect(try Self.psql("SELECT count(*) FROM class_codes", database: first) == "119")

        let imported = try CLI.run(["import", url, "--layer", "streets", "GeoData/helsinki/streets.geojson", "--format", "json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        Self.expectHidden(password, imported, "import")
        #expect(imported.stdout == #"{"layer":"streets","imported":4612}"# + "\n")
        let table = try CLI.run(["import", url, "--layer", "stations", "GeoData/helsinki/stations.geojson"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout == "imported 11 features into stations (11 in the layer now)\n")  // GeoData/helsinki: 11 stations
        Self.expectHidden(password, table, "import (table)")

        // to a file
        let file = dir + "/city.sqlite"
        let out = try CLI.run(["copy", url, file, "--format", "json"])
        #expect(out.status == 0, "\(out.stderr)")
        Self.expectHidden(password, out, "copy to a file")
        let copied = try Self.json(out.stdout)
        #expect(copied["from"] as? String == shown)
        #expect((copied["from"] as? String)?.contains("***") == true)
        #expect(copied["to"] as? String == file)
        let layers = try #require(copied["layers"] as? [String: Int])
        var expected = Dictionary(uniqueKeysWithValues: UrbanModel.Layer.allCases.map { ($0.rawValue, 0) })
        expected["streets"] = 4612
        expected["stations"] = 11
        #expect(layers == expected)
        #expect(copied["rows"] as? Int == 4623)
        let db = try UrbanDatabase(path: file, readOnly: true)
        #expect(try db.count(.streets) == 4612 && db.count(.stations) == 11)

        // lookup answers on the server as on its copy (no grid built: exit 1, "outside every grid"), without the password
        let spot = ["--lon", "24.94", "--lat", "60.17", "--format", "json"]
        let onServer = try CLI.run(["lookup", url] + spot), onFile = try CLI.run(["lookup", file] + spot)
        Self.expectHidden(password, onServer, "lookup")
        #expect(onServer.status == 1 && onFile.status == 1, "\(onServer.stderr) \(onFile.stderr)")
        #expect(onServer.stdout == onFile.stdout)
        let answer = try Self.json(onServer.stdout)
        #expect(answer["grid_code"] is NSNull && answer["segment_id"] is String, "\(onServer.stdout)")

        // and back to a second server database (its schema created by copy), one layer only
        let url2 = try Self.url(of: second)
        let back = try CLI.run(["copy", file, url2, "--layers", "streets", "--format", "json"])
        #expect(back.status == 0, "\(back.stderr)")
        Self.expectHidden(password, back, "copy to the server")
        let returned = try Self.json(back.stdout)
        #expect(returned["from"] as? String == file)
        #expect(returned["to"] as? String == "postgresql://urbangrid_test:***@127.0.0.1:\(port)/\(second)")
        #expect(returned["layers"] as? [String: Int] == ["streets": 4612])
        #expect(try Self.psql("SELECT count(*) FROM streets", database: second) == "4612")
        #expect(try Self.psql("SELECT count(*) FROM stations", database: second) == "0")

        // the table form names both ends without the password
        let again = try CLI.run(["copy", url, dir + "/city2.sqlite"])
        #expect(again.status == 0, "\(again.stderr)")
        Self.expectHidden(password, again, "copy (table)")
        #expect(again.stdout.hasPrefix("copied \(shown) to \(dir)/city2.sqlite\n"), "\(again.stdout)")

        // a server database holding a city is refused as a destination, and keeps its rows
        let refused = try CLI.run(["copy", file, url])
        #expect(refused.status == 2)
        Self.expectHidden(password, refused, "copy onto a city")
        #expect(refused.stderr.contains("holds a city already"), "\(refused.stderr)")
        #expect(try Self.psql("SELECT count(*) FROM streets", database: first) == "4612")
        // init on it again is refused too
        let twice = try CLI.run(["init", url])
        #expect(twice.status == 2)
        Self.expectHidden(password, twice, "init twice")
        #expect(twice.stderr.contains("holds an UrbanGrid city already"), "\(twice.stderr)")
    }

    @Test func readingCommandsRefuseAWrongPasswordWithoutShowingIt() throws {
        // lookup, serve and export open a city by URL as init and import do (the commands that read SpatiaLite
        // only at first now all take a URL): a wrong password is exit 2 with the server's reason, never the password
        let port = try Self.superuser().port
        let url = "postgresql://urbangrid_test:OTHERSECRET@127.0.0.1:\(port)/postgres"
        let runs: [([String], String)] = [
            (["lookup", url, "--lon", "24.94", "--lat", "60.17"], "urbangrid"),
            (["lookup", url, "--lon", "24.94", "--lat", "60.17", "--format", "json"], "urbangrid"),
            (["serve", url, "--port", "0"], "urbangrid"),
            (["layers", url, "--all", "--format", "geojson", "--out", "/tmp/urbangrid-never-written"], "urbangrid-export"),
        ]
        for (args, executable) in runs {
            let r = try CLI.run(args, executable: executable)
            #expect(r.status == 2, "\(args[0]): \(r.status) \(r.stderr)")
            Self.expectHidden("OTHERSECRET", r, args[0])
            #expect(r.stderr.contains("password authentication failed") || r.stderr.contains("runs on SpatiaLite files only so far"),
                    "\(args[0]): \(r.stderr)")
            #expect(r.stderr.contains("urbangrid_test:***@127.0.0.1:\(port)"), "\(args[0]): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/urbangrid-never-written"))
    }

    /// `CLI.run` with extra environment variables.
    static func run(_ arguments: [String], environment: [String: String]) throws -> CommandResult {
        let p = Process()
        p.executableURL = CLI.buildDirectory.appendingPathComponent("urbangrid")
        p.arguments = arguments
        p.currentDirectoryURL = CLI.repositoryRoot
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()  // stderr first: the trace is the long stream
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func traceLogsNeverShowThePassword() throws {
        let (_, password, _) = try Self.superuser()
        let name = try Self.createDatabase()
        defer { Self.dropDatabase(name) }
        let url = try Self.url(of: name)
        // every log line the client library writes too (its connection handshake included)
        for args in [["init", url], ["import", url, "--layer", "stations", "GeoData/helsinki/stations.geojson"]] {
            let r = try Self.run(args, environment: ["URBANGRID_LOG": "trace"])
            #expect(r.status == 0, "\(args[0]): \(r.stderr.suffix(2000))")
            #expect(r.stderr.contains(" trace "), "\(args[0]): no trace lines")
            Self.expectHidden(password, r, "\(args[0]) at trace level")
        }
        // a password given by PGPASSWORD instead of the URL stays hidden as well
        let bare = url.replacingOccurrences(of: ":\(password)@", with: "@")
        let r = try Self.run(["import", bare, "--layer", "pois", "GeoData/helsinki/pois.geojson", "--format", "json"],
                             environment: ["URBANGRID_LOG": "trace", "PGPASSWORD": password])
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(r.stdout == #"{"layer":"pois","imported":3771}"# + "\n")  // GeoData/README.md: 3,771 POIs
        Self.expectHidden(password, r, "import with PGPASSWORD")
    }
}
