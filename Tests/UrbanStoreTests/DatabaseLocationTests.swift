import Foundation
import Testing
@testable import UrbanStore
import UrbanModel
import SpatialCore

/// `DB` arguments: file paths stay SpatiaLite, `postgresql://` / `postgres://` URLs are read as libpq reads them
/// (URL, then the PG* environment, then the password file), and no text made from a URL ever shows its password.
/// Every expected value here is written out by hand from the URL or file in the test.
@Suite("DatabaseLocation") struct DatabaseLocationTests {
    /// Parses `url` with an explicit environment (never the process's own).
    func pg(_ url: String, _ environment: [String: String] = [:]) throws -> PostgresLocation {
        guard case .postgres(let p) = try DatabaseLocation(url, environment: environment) else {
            Issue.record("\(url) was not read as a PostgreSQL URL")
            throw CancellationError()
        }
        return p
    }

    /// The message of the error `url` throws (nil when it parses).
    func failure(_ url: String, _ environment: [String: String] = [:]) -> String? {
        do {
            _ = try DatabaseLocation(url, environment: environment)
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Files

    @Test(arguments: ["out/demo.sqlite", "/tmp/city.sqlite", "postgresql.sqlite", "./postgres/city.db", "C:\\x.sqlite", "city"])
    func pathsAreSpatiaLiteFiles(_ path: String) throws {
        guard case .spatiaLite(let p) = try DatabaseLocation(path, environment: ["PGHOST": "db", "PGPASSWORD": "x"]) else {
            Issue.record("\(path) was not read as a file")
            return
        }
        #expect(p == path)
        #expect(DatabaseLocation.redacted(path) == path)
        #expect(try DatabaseLocation(path, environment: [:]).description == path)
    }

    // MARK: URLs

    @Test func everyPartOfAURL() throws {
        let p = try pg("postgresql://alice:s3cr%40t%3Ax@db.example.org:6543/city%20one")
        #expect(p.user == "alice")
        #expect(p.password == "s3cr@t:x")
        #expect(p.host == "db.example.org")
        #expect(p.socketDirectory == nil && p.socketPath == nil)
        #expect(p.port == 6543)
        #expect(p.database == "city one")
        #expect(p.tls == .prefer)  // libpq's default sslmode
        #expect(p.description == "postgresql://alice:***@db.example.org:6543/city%20one")
    }

    @Test func postgresSchemeAndDefaultPort() throws {
        let p = try pg("postgres://bob@localhost/gis")
        #expect(p.user == "bob" && p.password == nil)
        #expect(p.host == "localhost" && p.port == 5432 && p.database == "gis")
        #expect(p.description == "postgresql://bob@localhost:5432/gis")  // no password: no ':***'
        let upper = try pg("POSTGRESQL://bob@localhost/gis")
        #expect(upper.host == "localhost" && upper.database == "gis")
    }

    @Test func percentEncodedUserAndDatabase() throws {
        let p = try pg("postgresql://m%C3%BCller%40corp:p%2Fw%20d@h/%E5%9F%8E%E5%B8%82")
        #expect(p.user == "müller@corp")
        #expect(p.password == "p/w d")
        #expect(p.database == "城市")
        #expect(!p.description.contains("p/w d") && !p.description.contains("p%2Fw"))
        // the user's '@' is escaped again when shown, so the shown URL reads back to the same user and database
        let again = try pg(p.description)
        #expect(again.user == "müller@corp" && again.database == "城市" && again.host == "h")
    }

    @Test func unixSocketFromTheQuery() throws {
        let p = try pg("postgresql://carol@/city?host=/socket/dir&port=5433")
        #expect(p.host == nil)
        #expect(p.socketDirectory == "/socket/dir")
        #expect(p.socketPath == "/socket/dir/.s.PGSQL.5433")
        #expect(p.port == 5433 && p.user == "carol" && p.database == "city")
        let q = try pg("postgresql:///city?host=%2Fvar%2Frun%2Fpg")  // percent-encoded socket folder
        #expect(q.socketPath == "/var/run/pg/.s.PGSQL.5432")
        // no host anywhere: Debian's default socket folder, as libpq there
        #expect(try pg("postgresql://carol@/city").socketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test func ipv6Host() throws {
        let p = try pg("postgresql://u:pw@[::1]:5433/city")
        #expect(p.host == "::1" && p.port == 5433 && p.database == "city" && p.socketPath == nil)
        let q = try pg("postgresql://u@[2001:db8::7]/city")
        #expect(q.host == "2001:db8::7" && q.port == 5432)
        // shown with its brackets, so that the shown URL names the same server
        #expect(p.description == "postgresql://u:***@[::1]:5433/city")
        let again = try pg(q.description)
        #expect(again.host == "2001:db8::7" && again.port == 5432)
    }

    @Test(arguments: [("disable", PostgresLocation.TLSMode.disable), ("allow", .disable), ("prefer", .prefer),
                      ("require", .require), ("verify-ca", .verify), ("verify-full", .verify)])
    func sslmodes(_ c: (String, PostgresLocation.TLSMode)) throws {
        #expect(try pg("postgresql://u@h/db?sslmode=\(c.0)").tls == c.1)
        #expect(try pg("postgresql://u@h/db", ["PGSSLMODE": c.0]).tls == c.1)
    }

    @Test func queryParametersOverrideTheURL() throws {
        let p = try pg("postgresql://u:urlpw@h:1111/a?port=2222&user=v&dbname=b&password=querypw&application_name=x&connect_timeout=5")
        #expect(p.port == 2222 && p.user == "v" && p.database == "b" && p.password == "querypw")
        #expect(!p.description.contains("querypw") && !p.description.contains("urlpw"))
    }

    // MARK: Environment

    @Test func defaultsFromTheEnvironment() throws {
        let env = ["PGHOST": "pg.internal", "PGPORT": "6000", "PGUSER": "envuser", "PGDATABASE": "envdb", "PGPASSWORD": "envpw"]
        let p = try pg("postgresql://", env)
        #expect(p.host == "pg.internal" && p.port == 6000 && p.user == "envuser" && p.database == "envdb")
        #expect(p.password == "envpw")
        #expect(p.description == "postgresql://envuser:***@pg.internal:6000/envdb")
        // the URL wins over the environment, part by part
        let q = try pg("postgresql://urluser:urlpw@urlhost:7000/urldb", env)
        #expect(q.host == "urlhost" && q.port == 7000 && q.user == "urluser" && q.database == "urldb" && q.password == "urlpw")
        // only the host given: the rest from the environment
        let r = try pg("postgresql://urlhost", env)
        #expect(r.host == "urlhost" && r.port == 6000 && r.user == "envuser" && r.database == "envdb" && r.password == "envpw")
        // PGHOST naming a socket folder
        let s = try pg("postgresql://", ["PGHOST": "/run/pg", "PGPORT": "5999", "PGUSER": "x"])
        #expect(s.socketPath == "/run/pg/.s.PGSQL.5999" && s.host == nil)
        // no PGDATABASE: the database is named after the user, as libpq does
        #expect(try pg("postgresql://h", ["PGUSER": "dora"]).database == "dora")
        #expect(try pg("postgresql://dora@h").database == "dora")
        // empty variables count as unset
        #expect(try pg("postgresql://u@h/db", ["PGPORT": ""]).port == 5432)
    }

    @Test func badPortFromTheEnvironment() {
        let message = failure("postgresql://u@h/db", ["PGPORT": "fifty"])
        #expect(message?.contains("port 'fifty'") == true)
    }

    // MARK: Password file

    /// A password file in a fresh folder; the caller removes the folder.
    func passwordFile(_ text: String) throws -> (file: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("pgpass").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (file, dir)
    }

    static let pgpass = #"""
        # hostname:port:database:username:password
        #db.example.org:5432:city:dave:commented-out
        db.example.org:5432:city:alice:first
        *:*:*:alice:second
        db.example.org:*:*:erin:erin\:with\\colon
        db\:odd:5432:*:bob:bobpw
        localhost:5433:*:carol:socketpw
        short:line
        *:*:city:frank:frankpw

        """#

    @Test func passwordFileLines() throws {
        let (file, dir) = try passwordFile(Self.pgpass)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["PGPASSFILE": file]
        // first match wins: both the exact line and the wildcard line match alice at db.example.org
        #expect(try pg("postgresql://alice@db.example.org/city", env).password == "first")
        // another host, port and database: only the wildcard line matches
        #expect(try pg("postgresql://alice@elsewhere:6000/other", env).password == "second")
        // escaped ':' and '\' in the password field
        #expect(try pg("postgresql://erin@db.example.org:1234/x", env).password == #"erin:with\colon"#)
        // an escaped ':' in the host field matches a host with a colon in it
        #expect(try pg("postgresql://bob@db%3Aodd:5432/any", env).password == "bobpw")
        #expect(try pg("postgresql://bob@db:5432/any", env).password == nil)
        // a Unix socket matches `localhost`
        #expect(try pg("postgresql://carol@/x?host=/tmp/sock&port=5433", env).password == "socketpw")
        #expect(try pg("postgresql://carol@/x?host=/tmp/sock&port=5432", env).password == nil)  // port differs
        // a commented line is not read
        #expect(try pg("postgresql://dave@db.example.org/city", env).password == nil)
        // database field must match
        #expect(try pg("postgresql://frank@h/city", env).password == "frankpw")
        #expect(try pg("postgresql://frank@h/town", env).password == nil)
    }

    @Test func passwordPrecedence() throws {
        let (file, dir) = try passwordFile("*:*:*:alice:filepw\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try pg("postgresql://alice@h/db", ["PGPASSFILE": file]).password == "filepw")
        #expect(try pg("postgresql://alice@h/db", ["PGPASSFILE": file, "PGPASSWORD": "envpw"]).password == "envpw")
        #expect(try pg("postgresql://alice:urlpw@h/db", ["PGPASSFILE": file, "PGPASSWORD": "envpw"]).password == "urlpw")
        #expect(try pg("postgresql://alice:urlpw@h/db?password=qpw", ["PGPASSWORD": "envpw"]).password == "qpw")
        // ~/.pgpass when PGPASSFILE is not set
        try FileManager.default.copyItem(atPath: file, toPath: dir.appendingPathComponent(".pgpass").path)
        #expect(try pg("postgresql://alice@h/db", ["HOME": dir.path]).password == "filepw")
        // a password file that does not exist: no password
        #expect(try pg("postgresql://alice@h/db", ["PGPASSFILE": dir.appendingPathComponent("nope").path]).password == nil)
        #expect(try pg("postgresql://alice@h/db", ["PGPASSFILE": file]).description == "postgresql://alice:***@h:5432/db")
    }

    // MARK: Errors

    @Test func badInput() {
        #expect(failure("postgresql://u@h:notaport/db")?.contains("port 'notaport' is not a number from 1 to 65535") == true)
        #expect(failure("postgresql://u@h:0/db")?.contains("port '0'") == true)
        #expect(failure("postgresql://u@h:65536/db")?.contains("port '65536'") == true)
        #expect(failure("postgresql://u@h/db?port=x")?.contains("port 'x'") == true)
        let unknown = failure("postgresql://u@h/db?colour=blue")
        #expect(unknown?.contains("unknown parameter 'colour'") == true)
        let ssl = failure("postgresql://u@h/db?sslmode=sometimes")
        #expect(ssl?.contains("sslmode 'sometimes' is not one of") == true)
        #expect(failure("postgresql://u@h/db?sslmode")?.contains("not NAME=VALUE") == true)
        #expect(failure("postgresql://u@[::1/db")?.contains("unclosed '['") == true)
        #expect(failure("postgresql://u@[::1]x/db")?.contains("after the host") == true)
        #expect(failure("postgresql://u%ZZ@h/db")?.contains("percent-encoding") == true)
        #expect(failure("postgresql://u@h/d%ZZb")?.contains("percent-encoding in the database name") == true)
    }

    // MARK: The password is never shown

    /// URLs (good and broken) whose passwords contain SECRET: no description, error or redacted form shows it,
    /// nor any other secret named in the second element.
    static let secretURLs: [(String, [String])] = [
        ("postgresql://u:SECRET@host/db", []),
        ("postgresql://u:SECRET@host:notaport/db", []),
        ("postgresql://u:SECRET@host:99999/db", []),
        ("postgresql://u:SECRET@[::1/db", []),
        ("postgresql://u:SECRET@[::1]:5433/db", []),
        ("postgresql://u:SECRET@[::1]junk/db", []),
        ("postgres://u:SECRET@h/db?password=SECRET2", ["SECRET2"]),
        ("postgres://u:SECRET@h/db?password=SECRET2&sslmode=bogus", ["SECRET2"]),
        ("postgres://u@h/db?sslmode=bogus&password=SECRET", []),
        ("postgres://u@h/db?password=SE%26CRET&colour=1", ["SE&CRET", "SE%26CRET"]),
        ("postgres://u@h/db?password=SECRET2&password=SECRET3&sslmode=bogus", ["SECRET2", "SECRET3"]),
        ("postgres://u@h/db?PASSWORD=SECRET", []),  // unknown parameter (case matters), still a password
        ("postgres://u@h/db?pass%77ord=SECRET&sslmode=bogus", []),
        ("postgresql://u:SECRET@h/db?sslmode=bogus", []),
        ("postgresql://u:SECRET@h/db?colour=blue", []),
        ("postgresql://u:SECRET@h/db?sslmode", []),
        ("postgresql://u:SECRET%ZZ@h/db", ["SECRET%ZZ"]),
        ("postgresql://u:SE@CRET@h:bad/db", ["SE@CRET"]),
        ("postgresql://u:SE/CRET@h:bad/db", ["SE/CRET", "CRET@"]),  // an unescaped '/' in the password
        ("postgresql://u:SE?CRET@h/db", ["SE?CRET", "CRET@"]),  // an unescaped '?' in the password
        ("postgresql://u:SE?CRET@h:bad/db", ["SE?CRET", "CRET@"]),
        ("postgresql://u:SECRET@h/db?host=/tmp&port=x", []),
        ("postgresql://u:SECRET@h/db?user=SECRET_USER_OK&port=x", []),
        ("POSTGRES://u:SECRET@h:x/db", []),
        ("postgresql://u:SECRET@", []),
        ("postgresql://:SECRET@h/db", []),
        ("postgresql://u:SECRET@h:5432", []),
    ]

    @Test(arguments: secretURLs)
    func passwordNeverShown(_ c: (String, [String])) throws {
        let (url, others) = c
        let secrets = ["SECRET"] + others
        func check(_ text: String, _ what: String) {
            // SECRET_USER_OK is a user name, which may show; it is taken out before looking for the passwords
            let shown = text.replacingOccurrences(of: "SECRET_USER_OK", with: "")
            for s in secrets { #expect(!shown.contains(s), "\(what) of \(url) shows '\(s)': \(text)") }
        }
        let redacted = DatabaseLocation.redacted(url)
        check(redacted, "redacted")
        #expect(redacted.contains("***"), "redacted \(url) has no ***: \(redacted)")
        do {
            let location = try DatabaseLocation(url, environment: [:])
            check(location.description, "description")
            check("\(location)", "interpolation")
            check(String(reflecting: location), "debug description")
            if case .postgres(let p) = location {
                check(p.description, "PostgresLocation.description")
                check(p.with(database: "other").description, "with(database:)")
            }
        } catch {
            check("\(error)", "error")
            check(String(reflecting: error), "error's debug description")
            check(error.localizedDescription, "error's localizedDescription")
        }
    }

    @Test func redactedKeepsTheRest() {
        #expect(DatabaseLocation.redacted("postgresql://u:pw@h:5433/db") == "postgresql://u:***@h:5433/db")
        #expect(DatabaseLocation.redacted("postgresql://u@h/db") == "postgresql://u@h:5432/db")
        // broken URLs: the password masked, the rest kept so the user sees what is wrong
        #expect(DatabaseLocation.redacted("postgresql://u:pw@h:notaport/db") == "postgresql://u:***@h:notaport/db")
        #expect(DatabaseLocation.redacted("postgresql://u:pw@[::1/db") == "postgresql://u:***@[::1/db")
        #expect(DatabaseLocation.redacted("postgresql://u@h/db?sslmode=x&password=pw") == "postgresql://u@h/db?sslmode=x&password=***")
        let message = failure("postgresql://u:pw@h:notaport/db")
        #expect(message?.hasPrefix("postgresql://u:***@h:notaport/db: ") == true)
    }
}
