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

    /// Reads a rows × columns CSV matrix of numbers, gunzipping `.gz` through `gzip -dc`, streaming.
    public static func readMatrix(_ path: String, rows: Int, columns: Int) throws(SitingError) -> [Double] {
        guard FileManager.default.fileExists(atPath: path) else { throw .file(path: path, location: "", message: "no such file") }
        var parser = MatrixParser(columns: columns, path: path)
        parser.values.reserveCapacity(rows * columns)
        if path.hasSuffix(".gz") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["gzip", "-dc", path]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            do { try p.run() } catch { throw .file(path: path, location: "", message: "cannot run gzip: \(error)") }
            let h = out.fileHandleForReading
            var failure: SitingError?
            while true {
                let chunk: Data
                do { chunk = try h.read(upToCount: 1 << 22) ?? Data() } catch { failure = .file(path: path, location: "", message: "\(error)"); break }
                if chunk.isEmpty { break }
                do throws(SitingError) {
                    try [UInt8](chunk).withUnsafeBufferPointer { (b) throws(SitingError) in try parser.feed(b) }
                } catch { failure = error; break }
            }
            if failure != nil { p.terminate() }
            _ = try? h.readToEnd()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            if let failure { throw failure }
            guard p.terminationStatus == 0 else {
                throw .file(path: path, location: "", message: "gzip -dc failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        } else {
            let bytes = try readBytes(path)
            try bytes.withUnsafeBufferPointer { (b) throws(SitingError) in try parser.feed(b) }
        }
        try parser.finish()
        guard parser.line - 1 == rows else {
            throw .file(path: path, location: "", message: "\(parser.line - 1) rows, expected \(rows) (one per demand point)")
        }
        return parser.values
    }
}

/// Streaming parser for a headerless CSV of numbers with a fixed number of columns.
struct MatrixParser {
    let columns: Int
    let path: String
    var values: [Double] = []
    var line = 1
    private var field: [UInt8] = []
    private var column = 0

    init(columns: Int, path: String) {
        self.columns = columns
        self.path = path
        field.reserveCapacity(64)
    }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>) throws(SitingError) {
        for c in b {
            switch c {
            case UInt8(ascii: ","):
                try endField()
            case UInt8(ascii: "\n"):
                try endLine()
            case UInt8(ascii: "\r"), UInt8(ascii: " "):
                continue
            default:
                field.append(c)
            }
        }
    }

    mutating func finish() throws(SitingError) {
        if !field.isEmpty || column > 0 { try endLine() }
    }

    private mutating func endField() throws(SitingError) {
        guard let v = DecimalText.parse(field) else {
            throw .file(
                path: path, location: "line \(line), column \(column + 1)",
                message: "'\(String(decoding: field, as: UTF8.self))' is not a number")
        }
        guard v >= 0 else { throw .file(path: path, location: "line \(line), column \(column + 1)", message: "negative distance \(v)") }
        values.append(v)
        field.removeAll(keepingCapacity: true)
        column += 1
    }

    private mutating func endLine() throws(SitingError) {
        if field.isEmpty && column == 0 { return }  // blank line
        try endField()
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

    /// Plain decimals with at most 15–16 significant digits and ≤ 22 fraction digits take the exact
    /// fast path (an integer ≤ 2^53 divided by an exact power of ten: one correctly rounded division);
    /// anything else (exponents, long mantissas) goes through Swift's `Double(_:)`.
    static func parse(_ s: [UInt8]) -> Double? {
        var i = 0, negative = false
        if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, dot = false, fast = true
        while i < s.count {
            let c = s[i]
            if c >= 48 && c <= 57 {
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
        if fast, s.count > (negative || s.first == UInt8(ascii: "+") ? 1 : 0), mantissa <= 1 << 53, fraction <= 22,
            s.contains(where: { $0 >= 48 && $0 <= 57 })
        {
            let v = Double(mantissa) / powers[fraction]
            return negative ? -v : v
        }
        return Double(String(decoding: s, as: UTF8.self))
    }
}
