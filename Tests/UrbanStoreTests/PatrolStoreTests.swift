import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// Patrol traversals on both engines: stored in one transaction per file (nothing when the producer fails), read
/// back by time window with the same values, at schema version 8.
@Suite struct PatrolStoreTests {
    static let day = 1_796_688_000.0  // 2026-12-08T00:00:00Z

    static let rows = [
        PatrolTraversal(inspector: "张三", segmentID: "12", enteredAt: day + 3600, leftAt: day + 3630, fraction: 1, metres: 42.5),
        PatrolTraversal(inspector: "张三", segmentID: "13", enteredAt: day + 3630, leftAt: day + 3641, fraction: 0.25, metres: 3.125),
        PatrolTraversal(inspector: "tab\tname", segmentID: "12", enteredAt: day + 86_000, leftAt: day + 86_500, fraction: 0.5, metres: 21.25),
    ]

    @Test(arguments: Engine.allCases)
    func traversalsRoundTrip(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try #require(try City.create(fresh.location, timeZone: "Europe/Helsinki") as? any PatrolStore)
        defer { (db as? PostGISDatabase)?.close() }
        #expect(try db.schemaVersion >= 8)
        #expect(try db.importTraversals(source: "day.csv") { sink in for r in Self.rows { try sink(r) } } == 3)
        // by inspector (byte order: "tab…" before "张三"), then time
        #expect(try db.traversals(from: Self.day, to: Self.day + 86_400) == [Self.rows[2], Self.rows[0], Self.rows[1]])
        // a window sees what overlaps it: the first row left at +3630, before it; the second left at +3641; the third entered at +86000
        #expect(try db.traversals(from: Self.day + 3640, to: Self.day + 86_001).map(\.segmentID) == ["12", "13"])
        #expect(try db.traversals(from: Self.day + 3640, to: Self.day + 86_000).map(\.segmentID) == ["13"])
    }

    @Test(arguments: Engine.allCases)
    func aFailedFileStoresNothing(_ engine: Engine) throws {
        let fresh = try FreshLocation(engine)
        defer { fresh.remove() }
        let db = try #require(try City.create(fresh.location, timeZone: "Asia/Shanghai") as? any PatrolStore)
        defer { (db as? PostGISDatabase)?.close() }
        struct Bad: Error {}
        #expect(throws: Bad.self) {
            try db.importTraversals(source: "bad.csv") { sink in
                for k in 0..<5000 { try sink(PatrolTraversal(inspector: "a", segmentID: "\(k)", enteredAt: Self.day + Double(k), leftAt: Self.day + Double(k) + 1, fraction: 1, metres: 1)) }
                throw Bad()  // the last point of the file was bad
            }
        }
        #expect(try db.traversals(from: 0, to: 4e9).isEmpty)
    }
}
