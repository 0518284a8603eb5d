import Foundation
import Testing
import UrbanModel
import UrbanStore

/// `urbangrid init` and `urbangrid import` as ../shared/reference/cli.md specifies them.
@Suite struct InitImportCommandTests {
    func tempDir() throws -> String { try CLI.temporaryDirectory("cli") }

    @Test func initThenImportEveryFormat() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/city.sqlite"
        let i = try CLI.run(["init", db, "--timezone", "Asia/Shanghai", "--format", "json"])
        #expect(i.status == 0, "\(i.stderr)")
        #expect(i.stdout.contains(#""schema_version":9"#))
        #expect(i.stdout.contains(#""class_codes":119"#), "\(i.stdout)")  // GeoData/codes: 6 + 75 component, 5 + 33 event classes
        let s = try CLI.run(["import", db, "--layer", "streets", "GeoData/helsinki/streets.geojson", "--format", "json"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stdout == #"{"layer":"streets","imported":4612}"# + "\n")
        let a = try CLI.run(["import", db, "--layer", "admin", "GeoData/zibo/districts_gcj02.geojson", "--crs", "GCJ02", "--id-field", "adcode", "--format", "json"])
        #expect(a.stdout == #"{"layer":"admin","imported":8}"# + "\n", "\(a.stderr)")
        try "id,name,lon,lat,capacity\n1,\"Station, North\",24.94,60.17,4\n".write(toFile: dir + "/stations.csv", atomically: true, encoding: .utf8)
        let c = try CLI.run(["import", db, "--layer", "stations", dir + "/stations.csv", "--format", "json"])
        #expect(c.stdout == #"{"layer":"stations","imported":1}"# + "\n", "\(c.stderr)")
        let shp = CLI.repositoryRoot.appendingPathComponent("Tests/SpatialCoreTests/Vectors/shapefile/pois.shp").path
        let p = try CLI.run(["import", db, "--layer", "pois", shp, "--format", "json"])
        #expect(p.stdout == #"{"layer":"pois","imported":3}"# + "\n", "\(p.stderr)")
    }

    @Test func badFeatureExitsTwoNamesItAndLeavesTheDatabase() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        try "id,lon,lat,class_code,status\n1,24.94,60.17,0101,open\n2,24.95,60.17,0118,broken\n"
            .write(toFile: dir + "/hazards.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", db, "--layer", "hazards", dir + "/hazards.csv"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("hazards.csv (features[1].properties.status): 'broken' is not one of open, resolved"), "\(r.stderr)")
        #expect(try UrbanDatabase(path: db, readOnly: true).count(.hazards) == 0)
    }

    @Test func attributeOnlyChiefsAndTheirGridCodes() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        try "id,name,phone,grid_code\nc1,片长 1,12319,370303001001001\n".write(toFile: dir + "/chiefs.csv", atomically: true, encoding: .utf8)
        let ok = try CLI.run(["import", db, "--layer", "chiefs", dir + "/chiefs.csv", "--format", "json"])
        #expect(ok.stdout == #"{"layer":"chiefs","imported":1}"# + "\n", "\(ok.stderr)")
        try "id,name,grid_code\nc2,片长 2,37030300100100\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["import", db, "--layer", "chiefs", dir + "/bad.csv"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("(features[0].properties.grid_code)"), "\(bad.stderr)")
    }

    @Test func usageErrors() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try CLI.run(["import", dir + "/none.sqlite", "--layer", "pois", "GeoData/helsinki/streets.geojson"]).status == 2)
        #expect(try CLI.run(["import", dir + "/x.sqlite", "--layer", "parks", "a.geojson"]).status == 2)
        #expect(try CLI.run(["import", dir + "/x.sqlite", "--layer", "grids", "a.geojson"]).stderr.contains("grid build"))
        #expect(try CLI.run(["init", dir + "/y.sqlite", "--timezone", "Mars/Base"]).status == 2)
    }
}
