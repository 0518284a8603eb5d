import Foundation
import Testing
@testable import UrbanModel

/// Times as users give them (`at=`, `--at`, `reported_at`): accepted forms worked by hand, and text that is refused.
@Suite struct ISOTimeTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    @Test func acceptedForms() {
        // 2026-11-20T08:00+08:00 is 2026-11-20T00:00Z: 20 777 days after 1970-01-01, times 86 400 s
        let expected = Date(timeIntervalSince1970: 20_777 * 86_400)
        for text in ["2026-11-20T08:00", "2026-11-20T08:00:00", "2026-11-20 08:00", "2026-11-20T08:00:00+08:00",
                     "2026-11-20T00:00:00Z", " 2026-11-20T08:00 "] {
            #expect(ISOTime.date(text, in: Self.shanghai) == expected, "\(text)")
        }
    }

    // Found by fuzzing the service's parameters (Tests/FuzzCorpus/http-params/crash-at-combining-mark.txt):
    // Foundation's DateFormatter ended the process ("Incorrect range") on a digit followed by a combining mark,
    // so `GET /vendor/check?…&at=1%D9%91` took the service down. Such text is now refused before Foundation sees it.
    @Test(arguments: ["1\u{651}", "at=1\u{651}\u{9E}r=121", "2026-11-20T08:00\u{301}", "２０２６-11-20", "2026-11-20T08:00 ✓",
                      String(repeating: "2026-11-20", count: 10)])
    func refusedText(_ text: String) {
        #expect(ISOTime.date(text, in: Self.shanghai) == nil)
        #expect(throws: ModelError.invalidArgument(
            name: "at", reason: "'\(text)' is not an ISO 8601 time such as 2026-11-22T18:30 or 2026-11-22T18:30:00+08:00")) {
            try CityQueries.parseTime(text, in: Self.shanghai)
        }
    }
}
