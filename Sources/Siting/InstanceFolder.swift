import Foundation
import SpatialCore

/// Which distance matrix of an instance folder to read.
public enum DistanceKind: String, CaseIterable, Sendable {
    case euclid, network
}

/// Reads an instance folder in the peer-benchmark format (`../shared/anchors/FORMAT.md`):
/// `instance.json` (its `weight_column` names the demand weight), `demand.csv`, `candidates.csv`
/// (ids from the `j` column) and `D_euclid.csv.gz` / `D_network.csv.gz` (gzip CSV, no header, one
/// row per demand point; an uncompressed `.csv` is read when there is no `.gz`).
public enum InstanceFolder {
    /// - Throws: `SitingError.file` naming the file and line for anything missing or malformed.
    public static func read(_ directory: String, distance: DistanceKind = .euclid) throws(SitingError) -> SitingInstance {
        let dir = URL(fileURLWithPath: directory)
        let metaPath = dir.appendingPathComponent("instance.json").path
        let meta: JSONValue
        do {
            meta = try JSONValue(parsing: try readBytes(metaPath))
        } catch let e as SitingError {
            throw e
        } catch {
            throw .file(path: metaPath, location: "", message: "\(error)")
        }
        let weightColumn = meta.objectValue?["weight_column"]?.stringValue ?? "weight"

        let demandPath = dir.appendingPathComponent("demand.csv").path
        let weights = try column(weightColumn, of: demandPath).map { (line, text) throws(SitingError) -> Double in
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else {
                throw .file(path: demandPath, location: "line \(line), column \(weightColumn)", message: "'\(text)' is not a weight ≥ 0")
            }
            return v
        }
        let candidatesPath = dir.appendingPathComponent("candidates.csv").path
        let ids = try column("j", of: candidatesPath).map(\.1)

        var matrixPath = dir.appendingPathComponent("D_\(distance.rawValue).csv.gz").path
        if !FileManager.default.fileExists(atPath: matrixPath) {
            matrixPath = dir.appendingPathComponent("D_\(distance.rawValue).csv").path
        }
        let d = try readMatrix(matrixPath, rows: weights.count, columns: ids.count)
        return try SitingInstance(weights: weights, candidateIDs: ids, distances: d)
    }

    static func readBytes(_ path: String) throws(SitingError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .file(path: path, location: "", message: "cannot read the file")
        }
        return [UInt8](data)
    }

    /// The values of one named column, with their line numbers.
    static func column(_ name: String, of path: String) throws(SitingError) -> [(Int, String)] {
        let records: [CSVText.Record]
        do {
            records = try CSVText.records(try readBytes(path))
        } catch let e as SitingError {
            throw e
        } catch {
            throw .file(path: path, location: "", message: "\(error)")
        }
        guard let header = records.first else { throw .file(path: path, location: "", message: "empty file") }
        guard let k = header.fields.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == name }) else {
            throw .file(path: path, location: "line 1", message: "no column '\(name)' (header: \(header.fields.joined(separator: ",")))")
        }
        return try records.dropFirst().map { (r) throws(SitingError) -> (Int, String) in
            guard k < r.fields.count else {
                throw .file(path: path, location: "line \(r.line)", message: "\(r.fields.count) fields, no column '\(name)'")
            }
            return (r.line, r.fields[k])
        }
    }

    /// Reads a rows × columns CSV matrix of numbers (gzip or plain) in-process: this thread inflates the next 4 MiB
    /// through zlib while a worker parses the complete lines of the previous one.
    public static func readMatrix(_ path: String, rows: Int, columns: Int) throws(SitingError) -> [Double] {
        guard FileManager.default.fileExists(atPath: path) else { throw .file(path: path, location: "", message: "no such file") }
        let reader: GzipReader
        do { reader = try GzipReader(path: path) } catch { throw .file(path: path, location: "", message: "\(error)") }
        let box = ParserBox(MatrixParser(columns: columns, path: path))
        box.parser.values.reserveCapacity(rows * columns)
        let queue = DispatchQueue(label: "urbangrid.matrix-parser")
        let inFlight = DispatchSemaphore(value: 2)
        let chunkSize = 1 << 22
        var pending: [UInt8] = []
        var failure: SitingError?
        func submit(_ chunk: [UInt8], last: Bool) {
            inFlight.wait()
            queue.async {
                defer { inFlight.signal() }
                guard box.failure == nil else { return }
                do throws(SitingError) {
                    try chunk.withUnsafeBufferPointer { (b) throws(SitingError) in try box.parser.feed(b) }
                    if last { try box.parser.finish() }
                } catch {
                    box.failure = error
                }
            }
        }
        while true {
            let start = pending.count
            pending.append(contentsOf: repeatElement(0, count: chunkSize))
            let n: Int
            do {
                n = try pending.withUnsafeMutableBytes { (b) throws(SpatialError) -> Int in
                    try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: b[start...]))
                }
            } catch {
                failure = .file(path: path, location: "", message: "\(error)")
                break
            }
            pending.removeLast(chunkSize - n)
            if n == 0 {
                submit(pending, last: true)
                break
            }
            // hand over the complete lines, keep the partial last one
            if let nl = pending.lastIndex(of: UInt8(ascii: "\n")) {
                submit(Array(pending[...nl]), last: false)
                pending.removeSubrange(...nl)
            }
        }
        queue.sync {}
        if let failure { throw failure }
        if let failure = box.failure { throw failure }
        guard box.parser.line - 1 == rows else {
            throw .file(path: path, location: "", message: "\(box.parser.line - 1) rows, expected \(rows) (one per demand point)")
        }
        return box.parser.values
    }
}

/// The matrix parser, handed from the reading thread to the parsing queue (only that queue touches it until
/// `queue.sync {}` returns).
final class ParserBox: @unchecked Sendable {
    var parser: MatrixParser
    var failure: SitingError?
    init(_ parser: MatrixParser) { self.parser = parser }
}

/// Streaming parser for a headerless CSV of numbers with a fixed number of columns. A field may not be split between
/// two calls of `feed` (the reader hands over whole lines).
struct MatrixParser {
    let columns: Int
    let path: String
    var values: [Double] = []
    var line = 1
    private var column = 0

    init(columns: Int, path: String) {
        self.columns = columns
        self.path = path
    }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>) throws(SitingError) {
        var i = 0
        let n = b.count
        while i < n {
            // one field: [start, end) up to the next comma or line end, spaces and CR left out
            var start = i
            while start < n, b[start] == UInt8(ascii: " ") || b[start] == UInt8(ascii: "\r") { start += 1 }
            var j = start
            while j < n, b[j] != UInt8(ascii: ","), b[j] != UInt8(ascii: "\n") { j += 1 }
            var end = j
            while end > start, b[end - 1] == UInt8(ascii: " ") || b[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let atLineEnd = j == n || b[j] == UInt8(ascii: "\n")
            if atLineEnd && end == start && column == 0 {  // blank line
                i = j + 1
                continue
            }
            try value(UnsafeBufferPointer(rebasing: b[start..<end]))
            if atLineEnd { try endLine() }
            i = j + 1
        }
    }

    mutating func finish() throws(SitingError) {
        if column > 0 { try endLine() }
    }

    private mutating func value(_ field: UnsafeBufferPointer<UInt8>) throws(SitingError) {
        guard let v = DecimalText.parse(field) else {
            throw .file(
                path: path, location: "line \(line), column \(column + 1)",
                message: "'\(String(decoding: field, as: UTF8.self))' is not a number")
        }
        guard v >= 0 else { throw .file(path: path, location: "line \(line), column \(column + 1)", message: "negative distance \(v)") }
        values.append(v)
        column += 1
    }

    private mutating func endLine() throws(SitingError) {
        guard column == columns else {
            throw .file(path: path, location: "line \(line)", message: "\(column) values, expected \(columns) (one per candidate)")
        }
        column = 0
        line += 1
    }
}

/// Decimal text to the correctly rounded double.
enum DecimalText {
    private static let powers: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }

    static func parse(_ s: [UInt8]) -> Double? { s.withUnsafeBufferPointer { parse($0) } }

    /// Plain decimals with at most 15–16 significant digits and ≤ 22 fraction digits take the exact
    /// fast path (an integer ≤ 2^53 divided by an exact power of ten: one correctly rounded division);
    /// anything else (exponents, long mantissas) goes through Swift's `Double(_:)`.
    static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, negative = false
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        let signLength = i
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, dot = false, fast = true, anyDigit = false
        while i < s.count {
            let c = s[i]
            if c >= 48 && c <= 57 {
                anyDigit = true
                if mantissa > 0 || c != 48 { digits += 1 }
                if digits > 18 { fast = false; break }
                mantissa = mantissa * 10 + UInt64(c - 48)
                if dot { fraction += 1 }
            } else if c == UInt8(ascii: "."), !dot {
                dot = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        if fast, s.count > signLength, anyDigit, mantissa <= 1 << 53, fraction <= 22 {
            let v = Double(mantissa) / powers[fraction]
            return negative ? -v : v
        }
        return Double(String(decoding: s, as: UTF8.self))
    }
}
