import Foundation
import SpatialCore
import Testing
@testable import UrbanModel

/// Track files as `patrol import` reads them: three formats, streamed, and every bad point named by file, line and
/// point index.
@Suite struct TrackReaderTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    func file(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-tracks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func read(_ path: String, crs: CRS? = nil, inspector: String? = nil) throws -> [TrackFix] {
        var out: [TrackFix] = []
        try TrackReader(path: path, crs: crs, inspector: inspector, timeZone: shanghai).read { out.append($0) }
        return out
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func csvWithColumnsInAnyOrder() throws {
        let path = try file("day.csv", "time,lat,lon,inspector,speed\n2026-12-08T08:00:00+08:00,60.17,24.94,张三,1.2\r\n\n2026-12-08 08:00:05,60.1701,24.9401,张三,1\n")
        let fixes = try read(path)
        #expect(fixes.count == 2)
        #expect(fixes[0].inspector == "张三" && fixes[0].lon == 24.94 && fixes[0].lat == 60.17 && fixes[0].line == 2 && fixes[0].index == 0)
        // 2026-12-08T00:00:00Z is 1796688000; the second time has no offset: the city's (UTC+8)
        #expect(fixes[0].time == 1_796_688_000 && fixes[1].time == 1_796_688_005 && fixes[1].line == 4)
    }

    @Test func gpxTracksNameTheirInspector() throws {
        let path = try file("walk.gpx", """
            <?xml version="1.0" encoding="UTF-8"?>
            <gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
              <wpt lat="1" lon="2"><time>2026-12-08T00:00:00Z</time></wpt>
              <trk><name>李四</name>
                <trkseg>
                  <trkpt lat="60.17" lon="24.94"><ele>3</ele><time>2026-12-08T00:00:00Z</time></trkpt>
                  <trkpt lat="60.1701" lon="24.9402"><time>2026-12-08T00:00:10Z</time></trkpt>
                </trkseg>
              </trk>
              <trk><trkseg><trkpt lat="60.18" lon="24.95"><time>2026-12-08T00:01:00Z</time></trkpt></trkseg></trk>
            </gpx>
            """)
        let fixes = try read(path)
        #expect(fixes.map(\.inspector) == ["李四", "李四", "walk"])  // a track without a name: the file's base name
        #expect(fixes.map(\.line) == [6, 7, 10] && fixes[1].lon == 24.9402 && fixes[2].time == 1_796_688_060)
        #expect(try read(path, inspector: "王五").allSatisfy { $0.inspector == "王五" })
    }

    @Test func geoJSONSeqPoints() throws {
        let path = try file("day.geojsonl", """
            \u{1E}{"type":"Feature","properties":{"inspector":"a","time":"2026-12-08T08:00:00+08:00"},"geometry":{"type":"Point","coordinates":[24.94,60.17]}}
            {"type":"Feature","properties":{"inspector":"b","time":"2026-12-08T07:59:00+08:00"},"geometry":{"type":"Point","coordinates":[24.95,60.18]}}
            """)
        let fixes = try read(path)
        #expect(fixes.map(\.inspector) == ["a", "b"] && fixes[1].time == 1_796_687_940)  // inspectors keep their own order
    }

    /// GCJ-02 (AMap, domestic phones) converted to WGS84 with the published algorithm: the README's pair.
    @Test func gcj02Input() throws {
        let path = try file("gcj.csv", "inspector,time,lon,lat\nx,2026-12-08T08:00:00+08:00,121.531541859215,31.17530398364597\n")
        let fix = try #require(try read(path, crs: .gcj02).first)
        #expect(abs(fix.lon - 121.5272106) < 1e-6 && abs(fix.lat - 31.1774276) < 1e-6)
    }

    @Test func badPointsAreNamed() throws {
        let noTime = try file("t.csv", "inspector,time,lon,lat\na,2026-12-08T08:00:00Z,24.9,60.1\na,,24.9,60.1\n")
        #expect(message { _ = try read(noTime) }.hasSuffix("t.csv:3 (time): point 1: no time (every point of a patrol track needs one)"))
        let backwards = try file("b.csv", "inspector,time,lon,lat\na,2026-12-08T08:00:00Z,24.9,60.1\nb,2026-12-08T07:00:00Z,24.9,60.1\na,2026-12-08T07:59:59Z,24.9,60.1\n")
        let m = message { _ = try read(backwards) }
        #expect(m.contains("b.csv:4 (time): point 2: 2026-12-08T07:59:59Z is earlier") && m.contains("times out of order"), "\(m)")
        let badTime = try file("c.csv", "inspector,time,lon,lat\na,yesterday,24.9,60.1\n")
        #expect(message { _ = try read(badTime) }.contains("'yesterday' is not an ISO 8601 time"))
        let range = try file("d.csv", "inspector,time,lon,lat\na,2026-12-08T08:00:00Z,60.1,124.9\n")
        #expect(message { _ = try read(range) }.contains("out of range"))
        let header = try file("e.csv", "who,time,x,y\na,2026-12-08T08:00:00Z,24.9,60.1\n")
        #expect(message { _ = try read(header) }.contains("inspector,time,lon,lat"))
        let noTrack = try file("f.gpx", #"<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="1" lon="2"/></gpx>"#)
        #expect(message { _ = try read(noTrack) }.contains("without a track"))
        let gpxNoTime = try file("g.gpx", #"<gpx version="1.1"><trk><trkseg><trkpt lat="60" lon="24"></trkpt></trkseg></trk></gpx>"#)
        #expect(message { _ = try read(gpxNoTime) }.contains("point 0: no time"))
        let broken = try file("h.gpx", #"<gpx version="1.1"><trk><trkseg><trkpt lat="60" lon="24"><time>2026-12-08T08:00:00Z</time></trkseg>"#)
        #expect(message { _ = try read(broken) }.contains("not well-formed XML"))
        #expect(message { _ = try TrackReader(path: "x.kml", timeZone: shanghai) }.contains("unknown track format"))
    }
}
