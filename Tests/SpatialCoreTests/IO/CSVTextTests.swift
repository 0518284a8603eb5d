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

    // Found by fuzzing (Tests/FuzzCorpus/csv/crash-*): records the writer produced that read back differently.
    @Test func writerKeepsARecordOfOneEmptyField() throws {
        var out: [UInt8] = []
        for fields in [["wkt"], [""], ["x"]] { CSVText.appendRecord(fields, to: &out) }
        // unquoted, the empty record would be a blank line (RFC 4180 readers skip those): it must be ""
        #expect(String(decoding: out, as: UTF8.self) == "wkt\r\n\"\"\r\nx\r\n")
        #expect(try CSVText.records(out).map(\.fields) == [["wkt"], [""], ["x"]])
    }

    @Test func writerQuotesAFieldStartingWithAByteOrderMark() throws {
        var out: [UInt8] = []
        CSVText.appendRecord(["\u{FEFF}id", "name"], to: &out)
        // unquoted, the mark would open the file and be dropped as the file's BOM
        #expect(String(decoding: out, as: UTF8.self) == "\"\u{FEFF}id\",name\r\n")
        #expect(try CSVText.records(out).map(\.fields) == [["\u{FEFF}id", "name"]])
    }
}
