import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import UrbanService

/// The service's limits through the router: the request time limit cuts a query off with 503 and a JSON message (the
/// SQL is interrupted by the store's deadline, whatever the clock says: a limit of 1 ns has passed before SQLite's
/// progress handler first looks), the body limit refuses what is declared above it, the page size is clamped.
@Suite struct LimitsTests {
    static func configuration(timeLimit: Duration = .seconds(30)) -> ServiceConfiguration {
        ServiceConfiguration(databasePath: HostileFixture.database, port: 0, connections: 1, requestTimeLimit: timeLimit,
                             leafletDirectory: Fixture.leaflet)
    }

    @Test func aRequestOverTheTimeLimitIs503WithAMessage() async throws {
        try await Fixture.withService(Self.configuration(timeLimit: .nanoseconds(1))) { client in
            // an items page (SQL on a pooled connection) and a query route's first use (its indexes are read by SQL)
            for uri in ["/collections/stations/items?limit=150", "/collections/stations/items?bbox=24.9,60.1,25.1,60.2",
                        "/stations/nearest?lon=24.95&lat=60.12&k=3", "/collections"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .serviceUnavailable, "\(uri): \(r.status) \(r.text.prefix(200))")
                #expect(r.headers[.contentType] == "application/json")
                let e = try r.json
                #expect(e["code"] as? String == "TimeLimit", "\(uri)")
                #expect((e["description"] as? String)?.contains("time limit") == true, "\(uri): \(e)")
            }
        }
        // the same requests within a normal limit answer
        try await Fixture.withService(Self.configuration()) { client in
            let r = try await client.execute(uri: "/collections/stations/items?limit=150", method: .get)
            #expect(r.status == .ok)
            #expect(try r.json["numberReturned"] as? Int == 150)
            let s = try await client.execute(uri: "/stations/nearest?lon=24.95&lat=60.12&k=3", method: .get)
            #expect(s.status == .ok)
        }
    }

    @Test func bodiesAreRefusedAboveTheLimit() async throws {
        let limit = ServiceConfiguration(databasePath: HostileFixture.database).maximumBodyBytes
        #expect(limit == 16 * 1024)
        try await Fixture.withService(Self.configuration()) { client in
            let at = ByteBuffer(repeating: 0x20, count: limit)
            let ok = try await client.execute(uri: "/conformance", method: .get, headers: [.contentLength: "\(limit)"], body: at)
            #expect(ok.status == .ok)  // at the limit: ignored, not read
            let over = ByteBuffer(repeating: 0x20, count: limit + 1)
            let r = try await client.execute(uri: "/conformance", method: .get, headers: [.contentLength: "\(limit + 1)"], body: over)
            #expect(r.status == .contentTooLarge)
            #expect((try r.json["description"] as? String)?.contains("at most \(limit)") == true)
            // a write method is refused before its body matters
            let post = try await client.execute(uri: "/collections/stations/items", method: .post, headers: [.contentLength: "\(limit + 1)"], body: over)
            #expect(post.status == .methodNotAllowed || post.status == .contentTooLarge)
        }
    }

    @Test func pagesAreClampedToTheMaximum() async throws {
        let config = ServiceConfiguration(databasePath: HostileFixture.database, port: 0, connections: 1, defaultLimit: 10, maximumLimit: 40,
                                          leafletDirectory: Fixture.leaflet)
        try await Fixture.withService(config) { client in
            for limit in ["41", "1000000", String(repeating: "9", count: 30)] {
                let r = try await client.execute(uri: "/collections/stations/items?limit=\(limit)", method: .get)
                #expect(r.status == .ok)
                let page = try r.json
                #expect(page["numberReturned"] as? Int == 40 && page["numberMatched"] as? Int == 150)
                #expect(page.link("next")?.contains("limit=40") == true)
            }
            // the API definition says so
            let api = try await client.execute(uri: "/api", method: .get)
            #expect(api.text.contains("\"maximum\":40"))
        }
    }
}
