import Foundation
import Testing

/// `urbangrid coverage` on a hand-made case: one station, three weighted demand points 300 m north, 700 m north and
/// ~299 m east of it (0.0054° of longitude at 60.17°N), radius 500 m: covered weight 2 + 5 of 10.
@Suite struct CoverageCommandTests {
    @Test func weightsDistancesAndKeys() throws {
        let dir = try CLI.temporaryDirectory("coverage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/c.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        try "id,lon,lat\ns1,24.94,60.17\n".write(toFile: dir + "/s.csv", atomically: true, encoding: .utf8)
        let north = 1 / 111_412.0  // degrees of latitude per metre near 60°N (sizes the case; the geodesic checks it)
        try """
            id,lon,lat,weight
            d1,24.94,\(60.17 + 300 * north),2
            d2,24.94,\(60.17 + 700 * north),3
            d3,24.9454,60.17,5
            """.write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["import", db, "--layer", "stations", dir + "/s.csv"]).status == 0)
        #expect(try CLI.run(["import", db, "--layer", "demand", dir + "/d.csv"]).status == 0)
        let r = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "500", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["covered_weight"] as? Double == 7 && o["total_weight"] as? Double == 10 && o["coverage_pct"] as? Double == 70)
        let units = try #require(o["units"] as? [[String: Any]])
        #expect(units.map { $0["id"] as! String } == ["d1", "d2", "d3"])
        #expect(units.map { $0["covered"] as! Bool } == [true, false, true])
        #expect(units.allSatisfy { $0["facility_id"] as? String == "s1" })
        let d = units.map { $0["distance_m"] as! Double }
        #expect(abs(d[0] - 300) < 1.5 && abs(d[1] - 700) < 3 && abs(d[2] - 299) < 3, "\(d)")
        let table = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "500"])
        #expect(table.status == 0 && table.stdout.contains("7 of 10 (70 %), 1 of 3 units uncovered") && table.stdout.contains("d2"), "\(table.stdout)")
        let geo = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "500", "--format", "geojson"])
        #expect(geo.stdout.contains(#""type":"FeatureCollection""#) && geo.stdout.contains(#""covered":false"#))
        let bad = try CLI.run(["coverage", db, "--facilities", "chiefs", "--demand", "demand", "--radius", "500"])
        #expect(bad.status == 2 && bad.stderr.contains("layer chiefs has no geometry"))
        let network = try CLI.run(["coverage", db, "--facilities", "stations", "--demand", "demand", "--radius", "500", "--network", "walk"])
        #expect(network.status == 2 && network.stderr.contains("no segment usable for walking"), "\(network.stderr)")  // no streets here
    }
}
