public import Foundation
import SpatialCore
public import UrbanModel

/// The case loop's users on SpatiaLite: tokens kept as id, salt and SHA-256 only.
extension UrbanDatabase: UserStore {
    static let usersMigration = Migration(version: 6, name: "users", sql: """
        CREATE TABLE users(pk INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, department_id TEXT, district TEXT,
                           token_id TEXT NOT NULL UNIQUE, token_salt TEXT NOT NULL, token_hash TEXT NOT NULL,
                           created_at TEXT NOT NULL, revoked_at TEXT);
        """)


    public func addUser(name: String, role: CaseWorkflow.Role, departmentID: String?, district: String?) throws -> (UserRecord, BearerToken) {
        try UserRecord.check(name: name, role: role, departmentID: departmentID, district: district)
        let token = BearerToken.generate(), salt = BearerToken.newSalt()
        let now = ISOTime.string(Date(), in: try cityTimeZone)
        return try store.transaction {
            guard try store.scalar("SELECT count(*) FROM users WHERE name = ?", name).int == 0 else {
                throw ModelError.invalidArgument(name: "name", reason: "a user named '\(name)' exists already")
            }
            _ = try store.run("""
                INSERT INTO users(name, role, department_id, district, token_id, token_salt, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, name, role.rawValue, departmentID, district, token.id, salt, token.hash(salt: salt), now)
            return (UserRecord(name: name, role: role, departmentID: departmentID, district: district, createdAt: now, revokedAt: nil), token)
        }
    }

    public func users() throws -> [UserRecord] {
        try store.query("SELECT name, role, department_id, district, created_at, revoked_at FROM users ORDER BY name").map(Self.user)
    }

    public func revokeUser(name: String) throws -> UserRecord {
        let now = ISOTime.string(Date(), in: try cityTimeZone)
        return try store.transaction {
            guard let row = try store.query("SELECT name, role, department_id, district, created_at, revoked_at FROM users WHERE name = ?", name).first else {
                throw ModelError.invalidArgument(name: "name", reason: "no user named '\(name)'")
            }
            var user = Self.user(row)
            guard user.revokedAt == nil else { throw ModelError.invalidArgument(name: "name", reason: "'\(name)' was revoked at \(user.revokedAt!)") }
            _ = try store.run("UPDATE users SET revoked_at = ? WHERE name = ?", now, name)
            user.revokedAt = now
            return user
        }
    }

    public func user(bearer text: String) throws -> UserRecord? {
        guard let token = BearerToken(text),
              let row = try store.query("SELECT name, role, department_id, district, created_at, revoked_at, token_salt, token_hash FROM users WHERE token_id = ?",
                                        token.id).first,
              token.matches(hash: row["token_hash"]?.string ?? "", salt: row["token_salt"]?.string ?? "") else { return nil }
        let user = Self.user(row)
        return user.revokedAt == nil ? user : nil
    }

    static func user(_ r: SQLRow) -> UserRecord {
        UserRecord(name: r["name"]?.string ?? "", role: CaseWorkflow.Role(rawValue: r["role"]?.string ?? "") ?? .viewer,
                   departmentID: r["department_id"]?.string, district: r["district"]?.string,
                   createdAt: r["created_at"]?.string ?? "", revokedAt: r["revoked_at"]?.string)
    }

    func userRows() throws -> [[SQLValue]] {
        try store.query("""
            SELECT name, role, department_id, district, token_id, token_salt, token_hash, created_at, revoked_at FROM users ORDER BY name
            """).map(\.values)
    }

    func appendUsers(_ rows: [[SQLValue]]) throws {
        let insert = try store.prepare("""
            INSERT INTO users(name, role, department_id, district, token_id, token_salt, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for r in rows { try insert.run(r) }
    }
}

/// The city's working hours, in `meta` (`work_hours`).
extension UrbanDatabase: WorkScheduleStore {
    public var workSchedule: WorkSchedule {
        get throws { try store.query("SELECT value FROM meta WHERE key = 'work_hours'").first?["value"]?.string.map(WorkSchedule.init) ?? .standard }
    }

    public func setWorkSchedule(_ schedule: WorkSchedule) throws {
        _ = try store.run("INSERT INTO meta(key, value) VALUES ('work_hours', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", schedule.description)
    }
}
