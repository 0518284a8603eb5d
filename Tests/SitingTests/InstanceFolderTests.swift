import Foundation
import Siting
import Testing

/// Reading instance matrices (gzip or plain CSV) and the errors for bad ones, by file, line and column.
@Suite struct InstanceFolderTests {
    static func temp(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("urbangrid-instance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func gzip(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-kf", path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return path + ".gz"
    }

    @Test func plainAndGzipReadTheSameValues() throws {
        let text = "0,1.5,300\r\n\n12.25, 7 ,1e3\n0.001,2,3"  // CRLF, a blank line, spaces, an exponent, no final newline
        let plain = try Self.temp("D.csv", Array(text.utf8))
        let expected: [Double] = [0, 1.5, 300, 12.25, 7, 1000, 0.001, 2, 3]
        #expect(try InstanceFolder.readMatrix(plain, rows: 3, columns: 3) == expected)
        #expect(try InstanceFolder.readMatrix(try Self.gzip(plain), rows: 3, columns: 3) == expected)
    }

    /// More than one 4 MiB chunk: lines split between chunks are put together again.
    @Test func largeMatrixAcrossChunks() throws {
        let rows = 3000, columns = 200
        var text = ""
        text.reserveCapacity(rows * columns * 9)
        for i in 0..<rows {
            text += (0..<columns).map { j in String(Double(i * columns + j) / 8) }.joined(separator: ",")
            text += "\n"
        }
        let path = try Self.gzip(try Self.temp("big.csv", Array(text.utf8)))
        let values = try InstanceFolder.readMatrix(path, rows: rows, columns: columns)
        #expect(values.count == rows * columns)
        #expect(values.enumerated().allSatisfy { $0.element == Double($0.offset) / 8 })
    }

    @Test func errorsNameTheLineAndColumn() throws {
        let bad = try Self.temp("D.csv", Array("1,2,3\n4,x,6\n".utf8))
        #expect(throws: SitingError.file(path: bad, location: "line 2, column 2", message: "'x' is not a number")) {
            try InstanceFolder.readMatrix(bad, rows: 2, columns: 3)
        }
        let short = try Self.temp("D.csv", Array("1,2,3\n4,5\n".utf8))
        #expect(throws: SitingError.file(path: short, location: "line 2", message: "2 values, expected 3 (one per candidate)")) {
            try InstanceFolder.readMatrix(short, rows: 2, columns: 3)
        }
        let negative = try Self.gzip(try Self.temp("D.csv", Array("1,-2,3\n".utf8)))
        #expect(throws: SitingError.file(path: negative, location: "line 1, column 2", message: "negative distance -2.0")) {
            try InstanceFolder.readMatrix(negative, rows: 1, columns: 3)
        }
        let rowsMissing = try Self.temp("D.csv", Array("1,2,3\n".utf8))
        #expect(throws: SitingError.file(path: rowsMissing, location: "", message: "1 rows, expected 2 (one per demand point)")) {
            try InstanceFolder.readMatrix(rowsMissing, rows: 2, columns: 3)
        }
    }

    @Test func truncatedGzipIsAnError() throws {
        let path = try Self.gzip(try Self.temp("D.csv", Array(String(repeating: "1.5,2.5,3.5\n", count: 5000).utf8)))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = try Self.temp("cut.csv.gz", Array(bytes.prefix(bytes.count / 2)))
        #expect(throws: SitingError.self) { try InstanceFolder.readMatrix(cut, rows: 5000, columns: 3) }
        do {
            _ = try InstanceFolder.readMatrix(cut, rows: 5000, columns: 3)
        } catch {
            #expect("\(error)".contains(cut))
        }
    }
}
