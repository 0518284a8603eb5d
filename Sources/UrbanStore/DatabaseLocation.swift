public import Foundation
import UrbanModel

/// Where a city lives, as a user names it in a `DB` argument: a SpatiaLite file path (the embedded default) or a
/// PostgreSQL URL, `postgresql://USER[:PASS]@HOST[:PORT]/NAME` (also `postgres://`; `?host=/socket/dir` for a Unix
/// socket, `?sslmode=disable|prefer|require`). A password may also come from `PGPASSWORD` or the password file
/// (`PGPASSFILE`, default `~/.pgpass`), as libpq reads them. `description` never shows a password.
public enum DatabaseLocation: Sendable, CustomStringConvertible {
    case spatiaLite(path: String)
    case postgres(PostgresLocation)

    /// Reads a `DB` argument: anything starting with `postgresql://` or `postgres://` is a server URL, everything
    /// else a file path.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if PostgresLocation.isURL(text) {
            self = .postgres(try PostgresLocation(url: text, environment: environment))
        } else {
            self = .spatiaLite(path: text)
        }
    }

    public var description: String {
        switch self {
        case .spatiaLite(let path): path
        case .postgres(let p): p.description
        }
    }

    /// `text` as it may be shown: a URL's password replaced by `***`; anything else unchanged.
    public static func redacted(_ text: String) -> String {
        guard PostgresLocation.isURL(text) else { return text }
        return (try? PostgresLocation(url: text, environment: [:]).description) ?? PostgresLocation.maskPassword(in: text)
    }
}

/// A PostgreSQL database to connect to. The password is kept for the connection only: `description` shows `***`.
public struct PostgresLocation: Sendable, CustomStringConvertible, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        /// TLS with the server's certificate checked against the system's roots and its name (`verify-ca`, `verify-full`).
        case verify
    }

    public var user: String
    /// A TCP host name or address; nil with a Unix socket.
    public var host: String?
    /// The folder holding the server's Unix socket (`.s.PGSQL.PORT`); nil over TCP.
    public var socketDirectory: String?
    public var port: Int
    public var database: String
    public var tls: TLSMode
    /// From the URL, `PGPASSWORD` or the password file; never shown.
    let password: String?

    static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// The Unix socket's path (a folder's `.s.PGSQL.PORT`), or nil over TCP.
    public var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }

    public var description: String {
        let hostPart = host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "localhost"  // an IPv6 address in brackets
        var s = "postgresql://\(Self.escape(user))\(password == nil ? "" : ":***")@\(hostPart):\(port)/\(Self.escape(database))"
        if let socketDirectory { s += "?host=\(socketDirectory)" }
        return s
    }

    /// The same server and credentials, another database (`copy` and the tests create databases).
    public func with(database: String) -> PostgresLocation {
        var p = self
        p.database = database
        return p
    }

    public init(url: String, environment: [String: String]) throws {
        func fail(_ reason: String) -> Error {
            ModelError.database(Self.maskPassword(in: url), reason: reason)
        }
        guard let schemeEnd = url.range(of: "://") else { throw fail("not a postgresql:// URL") }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: [String: String] = [:]
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, let key = kv[0].removingPercentEncoding, let value = kv[1].removingPercentEncoding else {
                    throw fail("a query parameter is not NAME=VALUE")  // not shown: it may be part of a password
                }
                query[key] = value
            }
            rest = rest[..<q]
        }
        var userInfo: Substring = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var hostPort = rest, path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        var urlUser: String?, urlPassword: String?
        if !userInfo.isEmpty {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            urlUser = parts[0].removingPercentEncoding
            if parts.count == 2 { urlPassword = parts[1].removingPercentEncoding }
            if urlUser == nil || (parts.count == 2 && urlPassword == nil) { throw fail("bad percent-encoding in the user or password") }
        }
        var hostText: String?, portText: String?
        if hostPort.hasPrefix("[") {  // [IPv6]:port
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("unclosed '[' in the host") }
            hostText = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty { throw fail("unexpected '\(after)' after the host") }
        } else if !hostPort.isEmpty {
            let parts = hostPort.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            hostText = parts[0].isEmpty ? nil : parts[0].removingPercentEncoding
            if parts.count == 2 { portText = String(parts[1]) }
        }
        let env = { (name: String) -> String? in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let portValue = query["port"] ?? portText ?? env("PGPORT") ?? "5432"
        guard let port = Int(portValue), (1...65535).contains(port) else { throw fail("port '\(portValue)' is not a number from 1 to 65535") }
        self.port = port
        user = query["user"] ?? urlUser ?? env("PGUSER") ?? ProcessInfo.processInfo.userName
        guard let db = String(path).removingPercentEncoding else { throw fail("bad percent-encoding in the database name") }
        database = query["dbname"] ?? (db.isEmpty ? (env("PGDATABASE") ?? user) : db)
        let hostValue = query["host"] ?? hostText ?? env("PGHOST")
        if let h = hostValue, h.hasPrefix("/") {
            socketDirectory = h
            host = nil
        } else if let h = hostValue {
            host = h
            socketDirectory = nil
        } else {
            host = nil
            socketDirectory = "/var/run/postgresql"  // Debian's socket folder, libpq's default there
        }
        let sslmode = query["sslmode"] ?? env("PGSSLMODE") ?? "prefer"
        switch sslmode {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require": tls = .require
        case "verify-ca", "verify-full": tls = .verify
        default: throw fail("sslmode '\(sslmode)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        let known: Set<String> = ["host", "port", "user", "dbname", "sslmode", "password", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("unknown parameter '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        let (h, d, u) = (host, database, user)
        password = query["password"] ?? urlPassword ?? env("PGPASSWORD")
            ?? Self.passwordFile(environment).flatMap { Self.lookUp(in: $0, host: h, port: port, database: d, user: u) }
    }

    /// The password file to read: `PGPASSFILE`, else `~/.pgpass`; nil when it does not exist.
    static func passwordFile(_ environment: [String: String]) -> String? {
        let path = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let path, FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    /// The password of the first matching line of a password file (`hostname:port:database:username:password`,
    /// `*` matches anything, `\:` and `\\` escape, `#` comments; a Unix socket matches `localhost`), as libpq reads it.
    static func lookUp(in file: String, host: String?, port: Int, database: String, user: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let wanted = [host ?? "localhost", String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [], field = "", escaped = false
            for c in line {
                if escaped {
                    field.append(c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == ":", fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(c)
                }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// `url` with its passwords replaced by `***` (for a URL too broken to read): the value of every query parameter
    /// called `password` (any case, percent-encoded or not), and everything between the first `:` after the scheme
    /// and the last `@` (a password may hold unescaped `/`, `?` or `@`; masking too much is better than too little).
    static func maskPassword(in url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        var masked = ""
        var i = rest.startIndex
        while i < rest.endIndex {
            let c = rest[i]
            masked.append(c)
            i = rest.index(after: i)
            guard c == "?" || c == "&", let eq = rest[i...].firstIndex(where: { "=&?".contains($0) }), rest[eq] == "=" else { continue }
            let key = rest[i..<eq]
            guard (key.removingPercentEncoding ?? String(key)).lowercased() == "password" else { continue }
            masked += key + "=***"
            i = rest[eq...].firstIndex(of: "&") ?? rest.endIndex
        }
        if let at = masked.lastIndex(of: "@"), let colon = masked[..<at].firstIndex(of: ":") {
            masked.replaceSubrange(masked.index(after: colon)..<at, with: "***")
        }
        return String(url[..<schemeEnd.upperBound]) + masked
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? s
    }
}
