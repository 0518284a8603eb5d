import Dispatch
import Foundation
import NIOCore
import PostgresNIO
public import SpatialCore
import UrbanModel

// Streams to and from the server while the caller works: the rows of a query arrive in batches handed over
// from the client's task to the calling thread (the next batch is read while the caller writes the current one),
// and `COPY` data made on the calling thread is sent by the client's task while the caller makes the next chunk.

/// A bounded hand-over between two threads: `put` waits while `capacity` items wait to be taken, `take` waits for
/// one. Either side may end it: `finish` (no more items), `fail` (the taker gets the error), `cancel` (the giver
/// is told to stop).
final class Handoff<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private let capacity: Int
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private var finalFailure: (any Error)?

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room, then hands `item` over; false when the taker cancelled or the hand-over failed (drop it).
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity, !cancelled, failure == nil { condition.wait() }
        guard !cancelled, failure == nil else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item; nil once the giver finished and everything was taken; throws the failure.
    func take() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count, !finished, failure == nil { condition.wait() }
        if let failure { throw failure }
        guard head < items.count else {
            if let finalFailure { throw finalFailure }
            return nil
        }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        condition.broadcast()
        return item
    }

    func finish() {
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    /// The giver ends with `error`: the taker gets it after every item handed over before.
    func finish(throwing error: any Error) {
        condition.withLock {
            finished = true
            finalFailure = error
            condition.broadcast()
        }
    }

    /// The taker gets `error` at its next `take` (the first failure wins); the giver's `put` returns false.
    func fail(_ error: any Error) {
        condition.withLock {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    func cancel() {
        condition.withLock {
            cancelled = true
            condition.broadcast()
        }
    }

    var isCancelled: Bool { condition.withLock { cancelled } }
}

/// Rows of a result as the server sent them (binary format), copied into one buffer: each cell's bytes with its
/// offset, no `String` or `SQLValue` made unless asked for. Made by a `Builder`, then read only.
final class PGRowBatch: Sendable {
    enum Kind: Sendable {
        case text, int2, int4, int8, float4, float8, bool, bytes
        /// A type read through `PGConnection.value` (its text kept).
        case other
    }

    let kinds: [Kind]
    let bytes: [UInt8]
    /// Per cell: start in `bytes` and length (-1: NULL); `kinds.count` cells a row.
    let cells: [(start: Int32, count: Int32)]
    let rowCount: Int

    init(_ b: Builder) {
        kinds = b.kinds
        bytes = b.bytes
        cells = b.cells
        rowCount = b.rowCount
    }

    /// Collects rows until `finish`.
    struct Builder {
        let kinds: [Kind]
        var bytes: [UInt8] = []
        var cells: [(start: Int32, count: Int32)] = []
        var rowCount = 0

        init(kinds: [Kind], capacity: Int) {
            self.kinds = kinds
            bytes.reserveCapacity(capacity * 32 * max(1, kinds.count))
            cells.reserveCapacity(capacity * kinds.count)
        }

        mutating func append(_ row: PostgresRow) throws {
            var k = 0
            for cell in row {
                defer { k += 1 }
                guard let b = cell.bytes else {
                    cells.append((Int32(truncatingIfNeeded: bytes.count), -1))
                    continue
                }
                let start = bytes.count
                if kinds[k] == .other {
                    bytes.append(contentsOf: Array((try PGConnection.value(cell).string ?? "").utf8))
                } else {
                    b.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
                }
                cells.append((Int32(truncatingIfNeeded: start), Int32(truncatingIfNeeded: bytes.count - start)))
            }
            rowCount += 1
        }
    }

    static func kinds(of row: PostgresRow) -> [Kind] {
        row.map { cell in
            guard cell.format == .binary else { return cell.format == .text ? .text : .other }
            switch cell.dataType {
            case .text, .varchar, .name, .bpchar, .json, .unknown: return .text
            case .int2: return .int2
            case .int4: return .int4
            case .int8: return .int8
            case .float4: return .float4
            case .float8: return .float8
            case .bool: return .bool
            case .bytea: return .bytes
            case .numeric, .jsonb, .timestamp, .timestamptz, .date, .uuid: return .other
            default: return .bytes  // PostGIS's geometry: its binary form is EWKB
            }
        }
    }

    @inline(__always)
    func isNull(_ row: Int, _ column: Int) -> Bool { cells[row * kinds.count + column].count < 0 }

    /// The cell's bytes (empty for NULL).
    @inline(__always)
    func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let c = cells[row * kinds.count + column]
        return try bytes.withUnsafeBufferPointer { b in
            try body(UnsafeBufferPointer(rebasing: b[Int(c.start)..<(Int(c.start) + max(0, Int(c.count)))]))
        }
    }

    /// A big-endian number of `width` bytes.
    @inline(__always)
    private func bigEndian(_ row: Int, _ column: Int, width: Int) -> UInt64 {
        withBytes(row, column) { b in
            var v: UInt64 = 0
            for i in 0..<min(width, b.count) { v = v << 8 | UInt64(b[i]) }
            return v
        }
    }

    func int64(_ row: Int, _ column: Int) -> Int64? {
        guard !isNull(row, column) else { return nil }
        switch kinds[column] {
        case .int2: return Int64(Int16(truncatingIfNeeded: bigEndian(row, column, width: 2)))
        case .int4: return Int64(Int32(truncatingIfNeeded: bigEndian(row, column, width: 4)))
        case .int8: return Int64(bitPattern: bigEndian(row, column, width: 8))
        case .bool: return withBytes(row, column) { $0.first.map { $0 != 0 ? 1 : 0 } }
        default: return nil
        }
    }

    func double(_ row: Int, _ column: Int) -> Double? {
        guard !isNull(row, column) else { return nil }
        switch kinds[column] {
        case .float8: return Double(bitPattern: bigEndian(row, column, width: 8))
        case .float4: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bigEndian(row, column, width: 4))))
        default: return nil
        }
    }

    /// The cell as `PGConnection.query` gives it.
    func value(_ row: Int, _ column: Int) -> SQLValue {
        guard !isNull(row, column) else { return .null }
        switch kinds[column] {
        case .int2, .int4, .int8, .bool: return .integer(int64(row, column)!)
        case .float4, .float8: return .real(double(row, column)!)
        case .bytes: return .blob(withBytes(row, column) { Array($0) })
        case .text, .other: return .text(withBytes(row, column) { String(decoding: $0, as: UTF8.self) })
        }
    }
}

extension PGConnection {
    /// Runs one query and calls `body` with its rows in batches of up to `rowsPerBatch`, in order. The rows stream
    /// from the server (no cursor, no round trip per batch): the client's event loop makes the next batches while
    /// `body` works on the current one, and waits (reading nothing more from the socket) while a few batches wait
    /// to be taken, so memory stays flat (the event loop is this process's connections' one: they wait with it, for
    /// as long as `body` takes over a batch). An error of `body` stops the query's reading and passes through.
    func stream(_ sql: String, _ parameters: [SQLValue] = [], rowsPerBatch: Int = 1_024, _ body: (PGRowBatch) throws -> Void) throws {
        guard !isClosed else { throw ModelError.database(location.description, reason: "the connection is closed") }
        try applyDeadline()
        let query = try Self.query(sql, parameters)
        let location = self.location
        let batches = Handoff<PGRowBatch>(capacity: 4)
        let gone = { ModelError.database(location.description, reason: "the server closed the connection (restarted, or this session was ended) while running \(sql.prefix(60))") }
        guard watch.begin({ batches.fail(gone()) }) else { throw gone() }
        defer { watch.end() }
        /// The batch being filled, touched only on the connection's event loop.
        final class Filling: @unchecked Sendable {
            var builder: PGRowBatch.Builder?
        }
        struct Stopped: Error {}
        let filling = Filling()
        connection.query(query, logger: logger) { row in
            if filling.builder == nil { filling.builder = PGRowBatch.Builder(kinds: PGRowBatch.kinds(of: row), capacity: rowsPerBatch) }
            try filling.builder!.append(row)  // in place: no copy of the batch's arrays per row
            if filling.builder!.rowCount >= rowsPerBatch, let b = filling.builder.take() {
                guard batches.put(PGRowBatch(b)) else { throw Stopped() }  // the caller stopped taking
            }
        }.whenComplete { result in
            switch result {
            case .success:
                if let b = filling.builder, b.rowCount > 0 { _ = batches.put(PGRowBatch(b)) }
                batches.finish()
            case .failure(let error):
                batches.fail(error)
            }
        }
        while true {
            let next: PGRowBatch?
            do {
                next = try batches.take()
            } catch {
                if error is ModelError { throw error }
                throw Self.describe(error, at: location, doing: nil, sql: sql)
            }
            guard let batch = next else { return }
            do {
                try body(batch)
            } catch {
                batches.cancel()  // the event loop stops handing rows over (postgres-nio drops the rest of them)
                throw error
            }
        }
    }

    /// `COPY table(columns) FROM STDIN` (text format) with the data made by `produce` on the calling thread: it
    /// calls `send` with each chunk of whole lines, which the client sends while the next chunk is made (a few
    /// chunks wait at most). An error of `produce` aborts the COPY and passes through (the transaction is then
    /// failed); an error of the server ends `produce` at its next `send` and is thrown.
    func copy(into table: String, columns: [String], produce: (_ send: ([UInt8]) throws -> Void) throws -> Void) throws {
        guard !isClosed else { throw ModelError.database(location.description, reason: "the connection is closed") }
        let connection = self.connection, logger = self.logger, location = self.location
        let chunks = Handoff<[UInt8]>(capacity: 4)
        let done = DispatchSemaphore(value: 0)
        let result = Handoff<Bool>(capacity: 1)  // the COPY's end: true, or its error
        let gone = { ModelError.database(location.description, reason: "the server closed the connection (restarted, or this session was ended) while running COPY \(table)") }
        guard watch.begin({ chunks.cancel(); result.fail(gone()); done.signal() }) else { throw gone() }
        defer { watch.end() }
        Task(executorPreference: Self.executor) {
            do {
                try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                    // postgres-nio 1.33 stops the process (a precondition, not an error) when a copy write, its end or
                    // its failure comes after the connection closed (a server restarted mid-import): once the socket is
                    // closed this task never calls the writer again, nor ends the copy; it waits here, abandoned, while
                    // the close watch has already failed the import.
                    func parkIfClosed() async {
                        while connection.isClosed { try? await Task.sleep(for: .seconds(3600)) }
                    }
                    do {
                        while let chunk = try chunks.take() {
                            await parkIfClosed()
                            try await writer.write(ByteBuffer(bytes: chunk))
                        }
                    } catch {
                        await parkIfClosed()
                        throw error
                    }
                    await parkIfClosed()
                }
                _ = result.put(true)
            } catch {
                result.fail(error)
            }
            chunks.cancel()  // a producer waiting for room stops
            done.signal()
        }
        /// Thrown to `produce` by `send` once the COPY ended early (its error is the one thrown).
        struct CopyEnded: Error {}
        do {
            try produce { chunk in
                guard chunks.put(chunk) else { throw CopyEnded() }
            }
        } catch is CopyEnded {
            chunks.finish()
        } catch {
            chunks.fail(error)  // the COPY is failed with the producer's error, which is the one thrown
            done.wait()
            throw error
        }
        chunks.finish()
        done.wait()
        do {
            _ = try result.take()
        } catch {
            if error is ModelError { throw error }
            throw Self.describe(error, at: location, doing: nil, sql: "COPY \(table)")
        }
    }
}
