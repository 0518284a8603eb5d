/// RFC 4180 CSV records: comma separated, fields optionally in double quotes (`""` for a quote; a quoted
/// field may span lines), CRLF or LF, a UTF-8 byte-order mark ignored, blank lines skipped. Strict about
/// quotes: text after a closing quote, a quote inside an unquoted field or an unclosed quote is an error
/// that names the line and character.
public enum CSVText {
    public struct Record: Hashable, Sendable {
        /// 1-based line where the record starts.
        public var line: Int
        public var fields: [String]
    }

    public struct Malformed: Error, Hashable, Sendable, CustomStringConvertible {
        public var line: Int
        /// 1-based character in the line.
        public var column: Int
        public var reason: String
        public var description: String { "line \(line), character \(column): \(reason)" }
    }

    public static func records(_ text: String) throws(Malformed) -> [Record] { try records(Array(text.utf8)) }

    public static func records(_ bytes: [UInt8]) throws(Malformed) -> [Record] {
        var out: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false  // inside quotes
        var wasQuoted = false  // the current field was quoted: only a separator may follow its closing quote
        var recordQuoted = false  // a record of one empty field is a blank line unless that field was quoted
        var line = 1, recordLine = 1, column = 0, quoteLine = 1, quoteColumn = 0
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            if recordQuoted || !(fields.count == 1 && fields[0].isEmpty) { out.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll()
            recordQuoted = false
        }
        while i < bytes.count {
            let c = bytes[i]
            if c & 0xC0 != 0x80 { column += 1 }  // count characters, not UTF-8 continuation bytes
            if quoted {
                if c == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                        column += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == 0x0A {
                        line += 1
                        column = 0
                    }
                    field.append(c)
                }
            } else {
                switch c {
                case 0x2C: endField()
                case 0x0D: break
                case 0x0A:
                    endRecord()
                    line += 1
                    recordLine = line
                    column = 0
                case _ where wasQuoted:
                    throw Malformed(line: line, column: column, reason: "text after a closing quote")
                case 0x22:
                    guard field.isEmpty else { throw Malformed(line: line, column: column, reason: "quote inside an unquoted field") }
                    quoted = true
                    wasQuoted = true
                    recordQuoted = true
                    quoteLine = line
                    quoteColumn = column
                default:
                    field.append(c)
                }
            }
            i += 1
        }
        if quoted { throw Malformed(line: quoteLine, column: quoteColumn, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || recordQuoted { endRecord() }
        return out
    }
}

extension CSVText {
    /// Appends one RFC 4180 record: fields joined by commas, a field quoted (with `""` for a quote) when it
    /// holds a comma, a quote, CR or LF, or starts or ends with a space; records end with CRLF as the RFC says.
    /// A record of one empty field is written `""`: unquoted it would be a blank line, which readers skip. A field
    /// starting with a byte-order mark is quoted, so that a reader does not take the mark for the file's.
    public static func appendRecord(_ fields: [String], to out: inout [UInt8]) {
        if fields.count == 1, fields[0].isEmpty {
            out += [0x22, 0x22, 0x0D, 0x0A]
            return
        }
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(0x2C) }
            var f = f
            f.withUTF8 { u in
                let needsQuotes = u.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                    || u.first == 0x20 || u.last == 0x20
                    || u.starts(with: [0xEF, 0xBB, 0xBF])  // a leading BOM would be read as the file's and dropped
                guard needsQuotes else {
                    out.append(contentsOf: u)
                    return
                }
                out.append(0x22)
                for b in u {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            }
        }
        out.append(0x0D)
        out.append(0x0A)
    }
}
