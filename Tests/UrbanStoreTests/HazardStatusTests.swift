import Foundation
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanStore

/// Hazards resolved and reopened on both engines: the row and its history in one transaction, refusals change
/// nothing, two writers changing one hazard at once: one change lands, the other is refused, never both.
@Suite struct HazardStatusTests {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    func t(_ text: String) -> Date { ISOTime.date(text, in: Self.zone)! }

    func city(_ engine: Engine) throws -> (FreshLocation, any HazardStatusStore) {
        let fresh = try FreshLocation(engine)
        let db = try City.create(fresh.location, timeZone: "Asia/Shanghai")
        try db.importFeatures([
            Feature(id: "h1", geometry: .point(x: 118.0, y: 36.8), properties: ["class_code": "0101", "status": "open", "reported_at": "2026-11-20T09:00"]),
            Feature(id: "h2", geometry: .point(x: 118.001, y: 36.8), properties: ["class_code": "0102", "status": "open"]),
        ], into: .hazards, source: "t")
        return (fresh, try #require(db as? any HazardStatusStore))
    }

    func row(_ db: any CityStore, _ id: String) throws -> (status: String?, resolvedAt: String?) {
        let r = try db.features(LayerRequest(.hazards, [.column("status"), .column("resolved_at")], where: [.equals("id", .text(id))])).first
        return (r?["status"]?.string, r?["resolved_at"]?.string)
    }

    @Test(arguments: Engine.allCases)
    func resolveReopenAndHistory(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let e = try db.setHazardStatus(id: "h1", to: "resolved", at: t("2026-12-01T10:00"), note: "盖板已更换", by: "张三")
        #expect(e == HazardStatusEvent(hazardID: "h1", from: "open", to: "resolved", at: "2026-12-01T10:00:00+08:00", note: "盖板已更换", by: "张三"))
        #expect(try row(db, "h1") == ("resolved", "2026-12-01T10:00:00+08:00"))
        try db.setHazardStatus(id: "h1", to: "open", at: t("2026-12-03T08:30"), note: nil, by: nil)
        #expect(try row(db, "h1") == ("open", nil))
        #expect(try db.hazardHistory(id: "h1").map { [$0.from, $0.to, $0.at] } == [
            ["open", "resolved", "2026-12-01T10:00:00+08:00"], ["resolved", "open", "2026-12-03T08:30:00+08:00"]])
        #expect(try db.hazardHistory(id: "h2").isEmpty)
        // refused, nothing changed: the status it has, an unknown status or hazard, a time before the report
        for (id, status, at) in [("h1", "open", "2026-12-04T08:00"), ("h1", "fixed", "2026-12-04T08:00"), ("nope", "resolved", "2026-12-04T08:00"),
                                 ("h1", "resolved", "2026-11-19T08:00")] {
            #expect(throws: ModelError.self, "\(id) \(status) \(at)") { try db.setHazardStatus(id: id, to: status, at: t(at), note: nil, by: nil) }
        }
        #expect(throws: ModelError.self) { try db.hazardHistory(id: "nope") }
        #expect(try row(db, "h1") == ("open", nil) && (try db.hazardHistory(id: "h1").count) == 2)
        // h2 has no report time: any time is accepted
        try db.setHazardStatus(id: "h2", to: "resolved", at: t("2020-01-01T00:00"), note: nil, by: nil)
        #expect(try row(db, "h2").status == "resolved")
    }

    /// Two connections resolve the same hazard at once, many times over: each time exactly one succeeds and the
    /// history holds exactly one event per successful change.
    @Test(arguments: Engine.allCases)
    func concurrentChangesOfOneHazard(_ engine: Engine) throws {
        let (fresh, db) = try city(engine)
        defer { (db as? PostGISDatabase)?.close(); fresh.remove() }
        let a = try #require(try City.open(fresh.location) as? any HazardStatusStore)
        let b = try #require(try City.open(fresh.location) as? any HazardStatusStore)
        defer { (a as? PostGISDatabase)?.close(); (b as? PostGISDatabase)?.close() }
        nonisolated(unsafe) let writers = [a, b]  // each used by one thread
        nonisolated(unsafe) var landed = 0
        let lock = NSLock()
        for round in 0..<10 {
            let target = round % 2 == 0 ? "resolved" : "open"
            let at = t("2026-12-01T10:00").addingTimeInterval(Double(round) * 60)
            nonisolated(unsafe) var successes = 0
            DispatchQueue.concurrentPerform(iterations: 2) { w in
                if (try? writers[w].setHazardStatus(id: "h1", to: target, at: at, note: "round \(round)", by: "w\(w)")) != nil {
                    lock.withLock { successes += 1 }
                }
            }
            #expect(successes == 1, "round \(round): \(successes) writers changed the hazard")
            landed += successes
        }
        #expect(try db.hazardHistory(id: "h1").count == landed)
        #expect(try row(db, "h1").status == "open")  // ten alternating changes
    }
}
