import Foundation
import Hummingbird
import HummingbirdTesting
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanService
import UrbanStore

/// A small city where every query route has work to do: a 12 × 12 grid of 0.002° cells (with chiefs), a lattice of
/// streets, vendor zones with hours, 300 hazards and 40 stations, all placed by a seeded generator.
enum BusyCity {
    static let lon0 = 24.90, lat0 = 60.15, cell = 0.002, n = 12

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) throws -> Geometry {
        .polygon(Polygon(exterior: try LinearRing([Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0)])))
    }

    static let database: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-busy-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("city.sqlite").path
        let db = try! UrbanDatabase.create(path: path)
        var random = SplitMix64(seed: 20261122)
        func r() -> Double { random.nextUnit() }
        var cells: [Feature] = [], chiefs: [Feature] = []
        for j in 0..<n {
            for i in 0..<n {
                let code = "999901001001" + String(format: "%03d", j * n + i + 1)
                let x = lon0 + cell * Double(i), y = lat0 + cell * Double(j)
                cells.append(Feature(id: .string(code), geometry: try! square(x, y, x + cell, y + cell),
                                     properties: ["code": .string(code), "community_code": "999901001001"]))
                if (i + j) % 3 != 0 {
                    chiefs.append(Feature(id: .string("c\(code)"), geometry: nil, properties: ["name": .string("Chief \(i)-\(j)"), "grid_code": .string(code)]))
                }
            }
        }
        try! db.importFeatures(cells, into: .grids, source: "busy")
        try! db.importFeatures(chiefs, into: .chiefs, source: "busy")
        var streets: [Feature] = []
        let span = cell * Double(n)
        for k in 0...n where k % 2 == 0 {
            let x = lon0 + cell * Double(k), y = lat0 + cell * Double(k)
            streets.append(Feature(id: .string("ns\(k)"), geometry: .lineString(try! LineString([Coordinate(x, lat0), Coordinate(x, lat0 + span)])), properties: [:]))
            streets.append(Feature(id: .string("ew\(k)"), geometry: .lineString(try! LineString([Coordinate(lon0, y), Coordinate(lon0 + span, y)])), properties: [:]))
        }
        try! db.importFeatures(streets, into: .streets, source: "busy", noding: .never)  // ids stay ns0, ew0, …
        let hours = ["Mo-Su 17:00-22:00", "Mo-Fr 07:00-09:00", "Sa,Su 08:00-14:00", "24/7", "Mo-Fr 10:00-16:00; PH off"]
        var zones: [Feature] = []
        for z in 0..<10 {
            let x = lon0 + span * r(), y = lat0 + span * r()
            zones.append(Feature(id: .string("z\(z)"), geometry: try! square(x, y, x + 0.001 + 0.002 * r(), y + 0.001 + 0.002 * r()),
                                 properties: ["name": .string("Zone \(z)"), "hours": .string(hours[z % hours.count])]))
        }
        try! db.importFeatures(zones, into: .vendorZones, source: "busy")
        let hazards = (0..<300).map { h in
            Feature(id: .string("h\(h)"), geometry: .point(x: lon0 + span * r(), y: lat0 + span * r()),
                    properties: ["class_code": .string(["0101", "0102", "0301"][h % 3]), "status": .string(h % 4 == 0 ? "resolved" : "open"),
                                 "reported_at": .string("2026-11-\(10 + h % 10)T09:30:00+08:00")])
        }
        try! db.importFeatures(hazards, into: .hazards, source: "busy")
        let stations = (0..<40).map { s in
            Feature(id: .string("st\(s)"), geometry: .point(x: lon0 + span * r(), y: lat0 + span * r()), properties: ["name": .string("Station \(s)")])
        }
        try! db.importFeatures(stations, into: .stations, source: "busy")
        return path
    }()

    /// A mixed, seeded list of requests over every query route and the items routes.
    static func requests(_ count: Int) -> [String] {
        var random = SplitMix64(seed: 7)
        func r() -> Double { random.nextUnit() }
        let span = cell * Double(n)
        func spot() -> (Double, Double) { (lon0 - 0.002 + (span + 0.004) * r(), lat0 - 0.002 + (span + 0.004) * r()) }
        return (0..<count).map { i in
            let (x, y) = spot()
            switch i % 8 {
            case 0: return "/lookup?lon=\(x)&lat=\(y)"
            case 1: return "/vendor/check?lon=\(x)&lat=\(y)&at=2026-11-\(16 + i % 7)T\(String(format: "%02d", i % 24)):30"
            case 2: return "/hazards?near=\(x),\(y)&radius=\(Int(50 + 400 * r()))"
            case 3: return "/hazards?along=\(["ns", "ew"][i % 2])\(2 * (i % 7))&buffer=\(Int(10 + 90 * r()))&status=open"
            case 4: return "/stations/nearest?lon=\(x)&lat=\(y)&k=\(1 + i % 5)"
            case 5: return "/collections/grids/items?bbox=\(x),\(y),\(x + 0.005),\(y + 0.004)&limit=20"
            case 6: return "/vendor/open?at=2026-11-2\(i % 8)T18:00&near=\(x),\(y)&radius=800"
            default: return "/hazards/hotspots?by=\(["grid", "segment", "community"][i % 3])&top=5"
            }
        }
    }
}

/// Many concurrent mixed requests against the router: each answer must equal the answer the same request gets alone.
/// The pools lend each `QueryWorker` (GEOS context, prepared geometries, indexes) and each connection to one request
/// at a time; sharing one unsafely would show as a wrong or failed answer (or a crash) here.
@Suite struct ConcurrencyTests {
    /// The answer without the items page's `timeStamp` (the one member that differs between two identical requests).
    static func normalized(_ text: String) -> String {
        guard let r = text.range(of: #""timeStamp":"[^"]*""#, options: .regularExpression) else { return text }
        return text.replacingCharacters(in: r, with: #""timeStamp":"""#)
    }

    @Test func concurrentMixedRequestsAnswerAsSerialOnes() async throws {
        let config = ServiceConfiguration(databasePath: BusyCity.database, port: 0, connections: 3, leafletDirectory: Fixture.leaflet)
        let uris = BusyCity.requests(480)
        try await Fixture.withService(config) { client in
            // alone, one after another
            var serial: [String: (HTTPResponse.Status, String)] = [:]
            for uri in Set(uris) {
                let r = try await client.execute(uri: uri, method: .get)
                serial[uri] = (r.status, Self.normalized(r.text))
            }
            #expect(serial.values.allSatisfy { $0.0 == .ok }, "every request of the mix is valid: \(serial.filter { $0.value.0 != .ok }.prefix(3))")
            // a sanity check that the mix does real work: lookups inside the grid name a cell and a chief
            #expect(serial.contains { $0.key.hasPrefix("/lookup") && $0.value.1.contains("\"grid_code\":\"999901001001") })
            #expect(serial.contains { $0.key.hasPrefix("/hazards?near") && $0.value.1.contains("\"distance_m\"") })
            // then all at once, four rounds, in a different order each time: 1,920 requests, 3 connections each pool
            var mismatches: [String] = []
            var answered = 0
            for round in 0..<4 {
                let order = round % 2 == 0 ? uris : uris.reversed()
                let results = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status, String).self) { group in
                    for uri in order {
                        group.addTask {
                            let r = try await client.execute(uri: uri, method: .get)
                            return (uri, r.status, Self.normalized(r.text))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for (uri, status, text) in results {
                    answered += 1
                    let (s, t) = serial[uri]!
                    if status != s || text != t {
                        mismatches.append("\(uri): \(status) \(text.prefix(160)) ≠ alone \(s) \(t.prefix(160))")
                    }
                }
            }
            #expect(answered == 4 * uris.count)
            let listed = mismatches.prefix(10).joined(separator: "\n")
            #expect(mismatches.isEmpty, "\(mismatches.count) concurrent answers differ from the serial ones:\n\(listed)")
        }
    }

    static func text(_ r: LookupResult) -> String {
        var out: [UInt8] = []
        r.appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The query pool on its own, from real threads (not only the cooperative pool): each `QueryWorker` is lent to one
    /// thread at a time, and every answer equals the serial one.
    @Test func queryPoolFromManyThreads() async throws {
        let pool = try QueryPool(path: BusyCity.database, size: 2)
        let spots: [(Double, Double)] = (0..<64).map { i in
            let d = Double(i)
            return (BusyCity.lon0 + 0.0003 * d, BusyCity.lat0 + 0.00037 * d)
        }
        var serial: [String] = []
        for (x, y) in spots {
            serial.append(try await pool.query(timeLimit: .seconds(60)) { w in Self.text(try w.lookup.lookup(lon: x, lat: y)) })
        }
        #expect(Set(serial).count > 10, "the spots fall in different cells")
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for round in 0..<8 {
                for (i, (x, y)) in spots.enumerated() {
                    group.addTask {
                        // a blocking hop onto a plain thread, then the pool from there
                        try await Task.detached(priority: round % 2 == 0 ? .high : .low) {
                            (i, try await pool.query(timeLimit: .seconds(60)) { w in Self.text(try w.lookup.lookup(lon: x, lat: y)) })
                        }.value
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8 * spots.count)
        #expect(results.allSatisfy { serial[$0.0] == $0.1 })
    }
}
