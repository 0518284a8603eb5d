import Foundation
import SpatialCore
import Testing
@testable import UrbanModel
import UrbanStore

/// The per-layer indexes: a table read once and shared, each worker's GEOS parts built from it, give the answers of
/// indexes read straight from the store, also when the workers run at once.
@Suite struct LayerIndexesTests {
    @Test func workersSharingOneTableAnswerAsTheStoreDoes() throws {
        let (db, dir) = try QueriesTests().city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frame = try CityFrame(db)
        let table = try GridIndex.Table(db)
        let streets = try StreetIndex(db, frame: frame)
        var rng = SplitMix64(seed: 5)
        let spots = (0..<4000).map { _ in
            Coordinate(QueriesTests.lon0 - 0.001 + rng.nextUnit() * 0.004, QueriesTests.lat0 - 0.001 + rng.nextUnit() * 0.004)
        }
        let reference = try StoreLookup(db, frame: frame).lookup(spots.prefix(300).map { $0 })
        // four workers over the one table and street index, each asking from its own thread
        let answers = Answers(workers: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { w in
            do {
                let lookup = try IndexedLookup(grid: GridIndex(table: table), streets: streets, frame: frame)
                answers.set(w, try spots.map { try lookup.lookup(lon: $0.x, lat: $0.y) })
            } catch {
                answers.fail(error)
            }
        }
        #expect(answers.error == nil)
        let all = answers.all
        #expect(all.count == 4 && all.allSatisfy { $0 == all[0] })
        #expect(Array(all[0].prefix(300)) == reference)
        #expect(all[0].contains { $0.gridCode == nil } && all[0].contains { $0.chief != nil })
    }

    /// The hazard, station and POI tables rebuilt into a second worker's trees answer as the first.
    @Test func pointTablesRebuildTheSameTrees() throws {
        let (db, dir) = try QueriesTests().city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frame = try CityFrame(db)
        let hazards = try HazardIndex(db, frame: frame)
        let again = try HazardIndex(records: hazards.records)
        let spot = Geometry.point(Point(try frame.forward().apply(Coordinate(QueriesTests.lon0 + 0.0012, QueriesTests.lat0 + 0.0002))))
        #expect(try hazards.within(100, of: spot).map(\.index) == (try again.within(100, of: spot).map(\.index)))
        #expect(try !hazards.within(100, of: spot).isEmpty)
        let stations = try StationIndex(db, frame: frame)
        let metric = try frame.forward().apply(Coordinate(QueriesTests.lon0 + 0.0018, QueriesTests.lat0 + 0.0002))
        #expect(try stations.nearest(to: metric, k: 2).map(\.index) == (try StationIndex(records: stations.records).nearest(to: metric, k: 2).map(\.index)))
        let pois = try ProtectedPOIIndex(db, frame: frame)
        let near = Point(try frame.forward().apply(Coordinate(QueriesTests.lon0 + 0.0001, QueriesTests.lat0 + 0.0008)))
        #expect(try pois.nearestHolding(near)?.id == "school-1")
        #expect(try ProtectedPOIIndex(table: pois.table).nearestHolding(near) == pois.nearestHolding(near))
    }
}

private final class Answers: @unchecked Sendable {  // under `lock`
    private let lock = NSLock()
    private var slots: [[LookupResult]?]
    private(set) var error: (any Error)?
    init(workers: Int) { slots = Array(repeating: nil, count: workers) }
    func set(_ w: Int, _ r: [LookupResult]) { lock.withLock { slots[w] = r } }
    func fail(_ e: any Error) { lock.withLock { error = e } }
    var all: [[LookupResult]] { lock.withLock { slots.compactMap { $0 } } }
}
