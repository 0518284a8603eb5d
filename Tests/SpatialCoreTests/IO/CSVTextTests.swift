import Testing
@testable import SpatialCore

/// RFC 4180 cases worked by hand.
@Suite struct CSVTextTests {
    @Test func quotingLinesAndBOM() throws {
        let r = try CSVText.records("\u{FEFF}a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n\n3,\n")
        #expect(r == [
            CSVText.Record(line: 1, fields: ["a", "b"]),
            CSVText.Record(line: 2, fields: ["x, \"y\"", "two\nlines"]),
            CSVText.Record(line: 5, fields: ["3", ""]),
        ])
        #expect(try CSVText.records("\"\"") == [CSVText.Record(line: 1, fields: [""])])  // one empty quoted field
    }

    @Test(arguments: [
        ("a,\"b\"c\n", CSVText.Malformed(line: 1, column: 6, reason: "text after a closing quote")),
        ("a,b\"c\n", CSVText.Malformed(line: 1, column: 4, reason: "quote inside an unquoted field")),
        ("a\n淄博,\"open\n", CSVText.Malformed(line: 2, column: 4, reason: "a quoted field is not closed")),
    ])
    func malformed(_ c: (String, CSVText.Malformed)) {
        #expect(throws: c.1) { try CSVText.records(c.0) }
    }
}
