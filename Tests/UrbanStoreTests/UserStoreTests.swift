import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// Users and bearer tokens on both engines: a token finds its user until revoked, nothing but its hash is stored, a
/// name is taken once even by concurrent adds, and a copy keeps the tokens working.
@Suite struct UserStoreTests {
    @Test(arguments: Engine.allCases)
    func tokensFindTheirUsersUntilRevoked(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try #require(try City.create(fresh.location, timeZone: "Asia/Shanghai") as? any UserStore)
        defer { (db as? PostGISDatabase)?.close() }
        let (supervisor, token) = try db.addUser(name: "张三", role: .supervisor, departmentID: nil, district: "320508")
        let (_, water) = try db.addUser(name: "水务", role: .department, departmentID: "water", district: nil)
        #expect(try db.user(bearer: token.text) == supervisor && supervisor.actor.district == "320508")
        #expect(try db.user(bearer: water.text)?.departmentID == "water")
        // a wrong secret, an unknown id, malformed text: nobody
        let wrong = BearerToken(id: token.id, secret: String(repeating: "0", count: 64))
        for text in [wrong.text, BearerToken.generate().text, "ug_x", "", token.text.uppercased(), token.text + "0"] {
            #expect(try db.user(bearer: text) == nil, "\(text)")
        }
        // the secret is nowhere in the database, only its salted hash
        let stored = try fresh.query("SELECT name, token_id, token_salt, token_hash FROM users ORDER BY name").flatMap { $0.compactMap(\.string) }
        #expect(!stored.contains { $0.contains(token.secret) || $0.contains(water.secret) } && stored.contains(token.id))
        // refused, nothing stored: a taken name, a department user without its department, a bad district
        #expect(throws: ModelError.self) { try db.addUser(name: "张三", role: .viewer, departmentID: nil, district: nil) }
        #expect(throws: ModelError.self) { try db.addUser(name: "李四", role: .department, departmentID: nil, district: nil) }
        #expect(throws: ModelError.self) { try db.addUser(name: "李四", role: .viewer, departmentID: nil, district: "3205") }
        #expect(try db.users().map(\.name) == ["张三", "水务"].sorted())
        // revoked: the token finds nobody, the user stays listed
        let revoked = try db.revokeUser(name: "张三")
        #expect(revoked.revokedAt != nil)
        #expect(try db.user(bearer: token.text) == nil)
        #expect(try db.users().first { $0.name == "张三" }?.revokedAt != nil)
        #expect(throws: ModelError.self) { try db.revokeUser(name: "张三") }
        #expect(throws: ModelError.self) { try db.revokeUser(name: "nobody") }
        // a copy to the other engine keeps the hashes: the token still finds its user there
        let other = try FreshLocation(engine == .spatiaLite ? .postGIS : .spatiaLite)
        defer { other.remove() }
        try CityCopy.copy(from: fresh.location, to: other.location)
        let copied = try #require(try City.open(other.location) as? any UserStore)
        defer { (copied as? PostGISDatabase)?.close() }
        #expect(try copied.user(bearer: water.text)?.name == "水务")
        #expect(try copied.users() == db.users())
    }

    /// Eight sessions add the same name at once: exactly one user is made.
    @Test(arguments: Engine.allCases)
    func aNameIsTakenOnceByConcurrentAdds(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        try (City.create(fresh.location, timeZone: "Asia/Shanghai") as? PostGISDatabase)?.close()
        let location = fresh.location
        let lock = NSLock()
        nonisolated(unsafe) var made = 0
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let db = try? City.open(location) as? any UserStore else { return }
            defer { (db as? PostGISDatabase)?.close() }
            if (try? db.addUser(name: "王五", role: .dispatcher, departmentID: nil, district: nil)) != nil { lock.withLock { made += 1 } }
        }
        #expect(made == 1)
        #expect(try fresh.scalar("SELECT count(*) FROM users").int == 1)
    }

    /// The working hours set at init are kept (the standard 7 h day when none were set) and reach the clock.
    @Test(arguments: Engine.allCases)
    func workHoursAreKept(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try #require(try City.create(fresh.location, timeZone: "Asia/Shanghai") as? any WorkScheduleStore)
        #expect(try db.workSchedule == .standard)
        try db.setWorkSchedule(try WorkSchedule("07:00-11:00,17:00-21:00"))
        (db as? PostGISDatabase)?.close()
        let reopened = try #require(try City.open(fresh.location, readOnly: true) as? any WorkScheduleStore)
        defer { (reopened as? PostGISDatabase)?.close() }
        let schedule = try reopened.workSchedule
        #expect(schedule.description == "07:00-11:00,17:00-21:00" && schedule.secondsPerDay == 8 * 3600)
    }
}
