public import Foundation
import SpatialCore
public import UrbanModel

/// The case loop's users on PostgreSQL: tokens kept as id, salt and SHA-256 only; a name taken by a concurrent add
/// is refused by the unique index.
extension PostGISDatabase: UserStore {
    static let usersStatements = ["""
        CREATE TABLE users(pk bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text COLLATE "C" NOT NULL UNIQUE, role text NOT NULL,
                           department_id text COLLATE "C", district text COLLATE "C", token_id text NOT NULL UNIQUE, token_salt text NOT NULL,
                           token_hash text NOT NULL, created_at timestamptz NOT NULL, revoked_at timestamptz)
        """]

    private static let columns = "name, role, department_id, district, extract(epoch FROM created_at)::float8, extract(epoch FROM revoked_at)::float8"

    public func addUser(name: String, role: CaseWorkflow.Role, departmentID: String?, district: String?) throws -> (UserRecord, BearerToken) {
        try UserRecord.check(name: name, role: role, departmentID: departmentID, district: district)
        let token = BearerToken.generate(), salt = BearerToken.newSalt()
        let now = ISOTime.string(Date(), in: try cityTimeZone)
        let taken = ModelError.invalidArgument(name: "name", reason: "a user named '\(name)' exists already")
        do {
            return try connection.transaction {
                guard try connection.scalar("SELECT count(*) FROM users WHERE name = $1", [.text(name)]).int == 0 else { throw taken }
                try connection.execute("""
                    INSERT INTO users(name, role, department_id, district, token_id, token_salt, token_hash, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)
                    """, [.text(name), .text(role.rawValue), departmentID.map(SQLValue.text) ?? .null, district.map(SQLValue.text) ?? .null,
                          .text(token.id), .text(salt), .text(token.hash(salt: salt)), .text(now)])
                return (UserRecord(name: name, role: role, departmentID: departmentID, district: district, createdAt: now, revokedAt: nil), token)
            }
        } catch ModelError.database(_, let reason) where reason.contains("SQLSTATE 23505") {
            throw taken  // added by another session meanwhile
        }
    }

    public func users() throws -> [UserRecord] {
        let zone = try cityTimeZone
        return try connection.query("SELECT \(Self.columns) FROM users ORDER BY name").map { Self.user($0, zone) }
    }

    public func revokeUser(name: String) throws -> UserRecord {
        let zone = try cityTimeZone
        return try connection.transaction {
            guard let row = try connection.query("SELECT \(Self.columns) FROM users WHERE name = $1 FOR UPDATE", [.text(name)]).first else {
                throw ModelError.invalidArgument(name: "name", reason: "no user named '\(name)'")
            }
            var user = Self.user(row, zone)
            guard user.revokedAt == nil else { throw ModelError.invalidArgument(name: "name", reason: "'\(name)' was revoked at \(user.revokedAt!)") }
            let now = ISOTime.string(Date(), in: zone)
            try connection.execute("UPDATE users SET revoked_at = $1::timestamptz WHERE name = $2", [.text(now), .text(name)])
            user.revokedAt = now
            return user
        }
    }

    public func user(bearer text: String) throws -> UserRecord? {
        guard let token = BearerToken(text),
              let row = try connection.query("SELECT \(Self.columns), token_salt, token_hash FROM users WHERE token_id = $1", [.text(token.id)]).first,
              token.matches(hash: row[7].string ?? "", salt: row[6].string ?? "") else { return nil }
        let user = Self.user(row, try cityTimeZone)
        return user.revokedAt == nil ? user : nil
    }

    static func user(_ r: [SQLValue], _ zone: TimeZone) -> UserRecord {
        return UserRecord(name: r[0].string ?? "", role: CaseWorkflow.Role(rawValue: r[1].string ?? "") ?? .viewer, departmentID: r[2].string,
                          district: r[3].string, createdAt: Self.isoTime(r[4], in: zone) ?? "", revokedAt: Self.isoTime(r[5], in: zone))
    }

    func userRows() throws -> [[SQLValue]] {
        let zone = try cityTimeZone
        func time(_ v: SQLValue) -> SQLValue { Self.isoTime(v, in: zone).map(SQLValue.text) ?? .null }
        return try connection.query("""
            SELECT name, role, department_id, district, token_id, token_salt, token_hash, extract(epoch FROM created_at)::float8,
                   extract(epoch FROM revoked_at)::float8 FROM users ORDER BY name
            """).map { r in Array(r[0..<7]) + [time(r[7]), time(r[8])] }
    }

    func appendUsers(_ rows: [[SQLValue]]) throws {
        for r in rows {
            try connection.execute("""
                INSERT INTO users(name, role, department_id, district, token_id, token_salt, token_hash, created_at, revoked_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz)
                """, r)
        }
    }
}

/// The city's working hours, in `meta` (`work_hours`).
extension PostGISDatabase: WorkScheduleStore {
    public var workSchedule: WorkSchedule {
        get throws { try connection.query("SELECT value FROM meta WHERE key = 'work_hours'").first?.first?.string.map(WorkSchedule.init) ?? .standard }
    }

    public func setWorkSchedule(_ schedule: WorkSchedule) throws {
        try connection.execute("""
            INSERT INTO meta(key, value) VALUES ('work_hours', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, [.text(schedule.description)])
    }
}
