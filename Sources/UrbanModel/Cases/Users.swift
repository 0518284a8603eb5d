internal import Crypto
public import Foundation
public import SpatialCore

/// A user of the case loop: a name, a role, the department of a department user, the district code a user is
/// limited to. Tokens are never kept: only their id and a salted SHA-256 of their secret.
public struct UserRecord: Sendable, Hashable {
    public var name: String
    public var role: CaseWorkflow.Role
    public var departmentID: String?
    public var district: String?
    /// ISO 8601 with the city's offset.
    public var createdAt: String
    public var revokedAt: String?

    public init(name: String, role: CaseWorkflow.Role, departmentID: String?, district: String?, createdAt: String, revokedAt: String?) {
        self.name = name
        self.role = role
        self.departmentID = departmentID
        self.district = district
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    public var actor: CaseWorkflow.Actor { .init(name: name, role: role, departmentID: departmentID, district: district) }

    public var json: JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object(["name": .string(name), "role": .string(role.rawValue), "department_id": s(departmentID), "district": s(district),
                        "created_at": .string(createdAt), "revoked_at": s(revokedAt), "active": .bool(revokedAt == nil)])
    }

    /// Checks a new user: a name (1–64 characters, no control characters), a department exactly for the department
    /// role, a district of 6, 9 or 12 digits.
    public static func check(name: String, role: CaseWorkflow.Role, departmentID: String?, district: String?) throws {
        guard !name.isEmpty, name.count <= 64, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ModelError.invalidArgument(name: "name", reason: "'\(name)' is not a user name (1 to 64 characters, no control characters)")
        }
        if role == .department, departmentID?.isEmpty ?? true {
            throw ModelError.invalidArgument(name: "department", reason: "a department user needs its department (--department ID)")
        }
        if role != .department, departmentID != nil {
            throw ModelError.invalidArgument(name: "department", reason: "only the department role belongs to a department")
        }
        if let district, !([6, 9, 12].contains(district.count) && district.allSatisfy { $0.isASCII && $0.isNumber }) {
            throw ModelError.invalidArgument(name: "district", reason: "'\(district)' is not a district, street or community code (6, 9 or 12 digits)")
        }
    }
}

/// A bearer token `ug_<id>_<secret>`: the id (16 hex digits) finds the user, the secret (64 hex digits, 256 random
/// bits) is checked against its salted SHA-256. Shown once when made; only the id, salt and hash are stored.
public struct BearerToken: Sendable, Hashable {
    public let id: String
    public let secret: String

    /// A new token from the system's secure random source.
    public static func generate() -> BearerToken { BearerToken(id: randomHex(8), secret: randomHex(32)) }

    /// `bytes` bytes of the system's secure random source, as lowercase hex.
    private static func randomHex(_ bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Parses `ug_<16 hex>_<64 hex>`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ug", parts[1].count == 16, parts[2].count == 64,
              (parts[1] + parts[2]).allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.init(id: String(parts[1]), secret: String(parts[2]))
    }

    public var text: String { "ug_\(id)_\(secret)" }

    /// A new salt (16 random bytes, hex).
    public static func newSalt() -> String { randomHex(16) }

    /// The hex SHA-256 of `salt` and the secret.
    public func hash(salt: String) -> String {
        lowercaseHex(SHA256.hash(data: Data((salt + ":" + secret).utf8)))
    }

    /// Whether the secret matches `hash` made with `salt` (compared in constant time).
    public func matches(hash stored: String, salt: String) -> Bool {
        let a = Array(hash(salt: salt).utf8), b = Array(stored.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The users of a city database.
public protocol UserStore: CityStore {
    /// Adds a user and returns the token (shown once). - Throws: `ModelError.invalidArgument` for a bad or taken
    /// name, a department missing or given to another role, a bad district (nothing stored).
    func addUser(name: String, role: CaseWorkflow.Role, departmentID: String?, district: String?) throws -> (UserRecord, BearerToken)
    /// Every user, by name.
    func users() throws -> [UserRecord]
    /// Revokes a user's token (the user stays in the records). - Throws for an unknown or revoked user.
    func revokeUser(name: String) throws -> UserRecord
    /// The active user a bearer token belongs to; nil for a malformed, unknown, wrong or revoked token.
    func user(bearer text: String) throws -> UserRecord?
}
