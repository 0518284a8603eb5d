import Foundation
import Testing
@testable import UrbanModel

/// Cases written by Tools/oracle/opening_hours_check.py with PyPI `opening-hours-py` (the Rust `opening-hours`
/// crate): the oracle's open state and next change at local Asia/Shanghai wall times.
private struct OracleFile: Decodable {
    struct Case: Decodable {
        let expression: String
        let local: String
        let open: Bool
        let nextChange: String?
        let disputed: String?
    }
    let package: String
    let generated: String
    let cases: [Case]
}

@Test func agreesWithTheOpeningHoursOracle() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Vectors/opening_hours_cases.json").standardizedFileURL
    let file = try JSONDecoder().decode(OracleFile.self, from: Data(contentsOf: url))
    #expect(file.cases.count >= 300)

    var parsed: [String: OpeningHours] = [:]
    var mismatches: [String] = []
    var disputed = 0, disputedDisagreements = 0
    for c in file.cases {
        let hours: OpeningHours
        if let h = parsed[c.expression] {
            hours = h
        } else {
            hours = try OpeningHours(c.expression)
            parsed[c.expression] = hours
            // Every oracle expression survives our normalization too.
            #expect(try OpeningHours(hours.normalized) == hours, "\(c.expression) -> \(hours.normalized)")
        }
        let at = wallTime(c.local)
        let open = hours.isOpen(at: at)
        let next = wallText(hours.nextChange(after: at))
        let agrees = open == c.open && next == c.nextChange
        if c.disputed != nil {
            disputed += 1
            if !agrees { disputedDisagreements += 1 }
        } else if !agrees {
            mismatches.append("\(c.expression) @ \(c.local): ours \(open) \(next ?? "nil"), "
                              + "oracle \(c.open) \(c.nextChange ?? "nil")")
        }
    }
    let report = "\(mismatches.count) of \(file.cases.count - disputed) disagree with \(file.package):\n"
        + mismatches.prefix(30).joined(separator: "\n")
    #expect(mismatches.isEmpty, Comment(rawValue: report))
    // The disputed reading (a span past midnight belongs to its start day) does show up in the data.
    #expect(disputedDisagreements > 0)
    print("oracle \(file.package) (\(file.generated)): \(file.cases.count - disputed) cases agree; "
          + "\(disputedDisagreements) of \(disputed) disputed cases differ")
}
