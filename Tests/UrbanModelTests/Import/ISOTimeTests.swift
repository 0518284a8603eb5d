import Foundation
import Testing
import UrbanModel

/// ISO 8601 times are read strictly: Foundation's formatters accepted `2026-11-20T18:00:00ZZ`, `2026/11/20 18:00`,
/// 30 February and an offset of +25:00 (as other instants), which a request or an import must not get away with.
@Suite struct ISOTimeTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    func unix(_ text: String) -> Int? { ISOTime.date(text, in: shanghai).map { Int($0.timeIntervalSince1970) } }

    @Test func acceptsTheDocumentedForms() {
        // 2026-11-21T09:30:00+08:00 = 2026-11-21T01:30:00Z = 1795224600
        let t = 1_795_224_600
        for text in ["2026-11-21T09:30:00+08:00", "2026-11-21T01:30:00Z", "2026-11-21T01:30:00.000Z", "2026-11-20T20:30:00-05:00",
                     "2026-11-21T09:30:00", "2026-11-21T09:30", "2026-11-21 09:30:00", "2026-11-21 09:30", " 2026-11-21T09:30 "] {
            #expect(unix(text) == t, "\(text)")
        }
        #expect(unix("2026-11-21") == t - 9 * 3600 - 1800)  // a bare date: local midnight
        #expect(unix("2028-02-29") != nil)  // a leap day
        #expect(ISOTime.date("2026-11-21T01:30:00.5Z", in: shanghai)?.timeIntervalSince1970 == Double(t) + 0.5)
        #expect(ISOTime.instant("2026-11-21T09:30:00+08:00").map { Int($0.timeIntervalSince1970) } == t)
    }

    @Test(arguments: ["2026-11-20T18:00:00ZZ", "2026/11/20 18:00", "2026-02-30T10:00", "2027-02-29", "2026-13-01", "2026-00-10",
                      "2026-11-20T25:00", "2026-11-20T18:61", "2026-11-20T18:00:60", "2026-11-20T18:00+99:00", "2026-11-20T18:00:00+25:00",
                      "2026-11-20T18:00:00+0800", "20261120T1800", "2026-11-20T", "2026-11-20T18", "2026-11-20T18:00:00.Z", "26-11-20",
                      "2026-11-20x", "soon", "", "1e10", "２０２６-11-20", "2026-11-20'; DROP TABLE x; --", "2026-11-20T18:00:00 +08:00"])
    func refusesEverythingElse(text: String) {
        #expect(ISOTime.date(text, in: shanghai) == nil)
        #expect(ISOTime.instant(text) == nil)
    }

    @Test func instantNeedsAnOffset() {
        #expect(ISOTime.instant("2026-11-21T09:30:00") == nil)
        #expect(ISOTime.instant("2026-11-21") == nil)
        #expect(ISOTime.instant("2026-11-21T09:30:00Z") != nil)
    }

    // Found by fuzzing the service's parameters (Tests/FuzzCorpus/http-params/crash-at-combining-mark.txt):
    // Foundation's DateFormatter ended the process ("Incorrect range") on a digit followed by a combining mark,
    // so `GET /vendor/check?…&at=1%D9%91` took the service down. Times are read byte by byte now; such text is refused.
    @Test(arguments: ["1\u{651}", "at=1\u{651}\u{9E}r=121", "2026-11-20T08:00\u{301}", "2026-11-20T08:00 ✓",
                      String(repeating: "2026-11-20", count: 10)])
    func refusedText(_ text: String) {
        #expect(ISOTime.date(text, in: shanghai) == nil)
        #expect(throws: ModelError.invalidArgument(
            name: "at", reason: "'\(text)' is not an ISO 8601 time such as 2026-11-22T18:30 or 2026-11-22T18:30:00+08:00, or now")) {
            try UserInput.time(text, in: shanghai)
        }
    }

    /// The hand-written writer against Foundation's ISO8601DateFormatter (`.withInternetDateTime`) on the same instants:
    /// random times from 1900 to 2100 with fractions, DST changes in Helsinki, zones east and west, UTC.
    @Test func writesWhatFoundationsFormatterWrites() {
        var rng = SystemRandomNumberGenerator()
        let zones = ["Asia/Shanghai", "Europe/Helsinki", "America/New_York", "UTC", "Asia/Kolkata", "Pacific/Chatham"].map { TimeZone(identifier: $0)! }
        var instants = (0..<3000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...4_102_444_800, using: &rng)) }
        instants += [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.5), Date(timeIntervalSince1970: 1_774_746_000 - 0.25),
                     Date(timeIntervalSince1970: 1_792_890_000), Date(timeIntervalSince1970: 1_792_886_399.999)]
        for zone in zones {
            for d in instants {
                let foundation = ISO8601DateFormatter.string(from: d, timeZone: zone, formatOptions: [.withInternetDateTime])
                #expect(ISOTime.string(d, in: zone) == foundation, "\(d.timeIntervalSince1970) in \(zone.identifier)")
            }
        }
    }
}
