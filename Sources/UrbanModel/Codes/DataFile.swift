internal import Foundation

/// Reading the small text data files of `GeoData/` (code tables, layouts).
enum DataFile {
    /// The whole file as UTF-8 text, without a leading byte-order mark.
    static func text(atPath path: String) throws(ModelError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not valid UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}

/// One line of RFC 4180-style CSV: comma separated, fields optionally in double quotes with `""` for a quote.
/// A quoted field may not span lines (the code tables never need it), so an open quote at the end is an error.
enum CSVLine {
    /// The fields of `line`, or a reason why it is malformed.
    static func fields(_ line: Substring) -> Result<[String], CSVLineError> {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var quotedField = false  // the current field was quoted; only a comma may follow its closing quote
        var chars = line.makeIterator()
        var column = 0
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            column += 1
            if inQuotes {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" {
                            field.append("\"")
                            column += 1
                        } else {
                            inQuotes = false
                            pending = next
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "," {
                fields.append(field)
                field = ""
                quotedField = false
            } else if quotedField {
                return .failure(CSVLineError(column: column, reason: "text after a closing quote"))
            } else if c == "\"" {
                guard field.isEmpty else {
                    return .failure(CSVLineError(column: column, reason: "quote inside an unquoted field"))
                }
                inQuotes = true
                quotedField = true
            } else {
                field.append(c)
            }
        }
        if inQuotes { return .failure(CSVLineError(column: column, reason: "unterminated quoted field")) }
        fields.append(field)
        return .success(fields)
    }
}

struct CSVLineError: Error {
    var column: Int
    var reason: String
}
