import Foundation
public import Logging

/// A swift-log handler for the access log of a busy service: each record becomes one line
/// (`2026-11-22T03:49:56.123Z info urbangrid.http: request bytes=210 duration_ms=0.3 method=GET path=/lookup status=200`,
/// metadata sorted by key) appended to a shared buffer; the buffer goes to the file descriptor (stderr) when it
/// holds 64 KiB, every 100 ms, and at exit. A line per request written straight to stderr cost the service a
/// quarter of its lookups per second (a system call and a lock each); buffered, lines reach the log at most 100 ms
/// late and in order.
public struct BufferedLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: Sink

    public init(label: String, level: Logger.Level, sink: Sink = .standardError) {
        self.label = label
        logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = sink.timestamp()
        line += " \(event.level) \(label): \(event.message)"
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in all.keys.sorted() {
            line += " \(key)=\(all[key]!)"
        }
        line += "\n"
        sink.append(line)
    }

    /// Where the lines go: a buffer in front of a file descriptor, flushed by a timer thread and at exit.
    public final class Sink: @unchecked Sendable {  // `buffer` and `stamp` only under `lock`; writes under `writeLock`
        public static let standardError = Sink(fileDescriptor: STDERR_FILENO)

        private let fd: Int32
        private let lock = NSLock()
        private let writeLock = NSLock()
        private var buffer: [UInt8] = []
        private var stamp: (second: Int, text: String) = (-1, "")

        public init(fileDescriptor: Int32, interval seconds: Double = 0.1) {
            fd = fileDescriptor
            buffer.reserveCapacity(1 << 16)
            let thread = Thread { [weak self] in
                while let sink = self {
                    sink.flush()
                    Thread.sleep(forTimeInterval: seconds)
                }
            }
            thread.name = "urbangrid log flush"
            thread.start()
            Sink.registerAtExit(self)
        }

        func append(_ line: String) {
            let full = lock.withLock { () -> Bool in
                buffer.append(contentsOf: line.utf8)
                return buffer.count >= 1 << 16
            }
            if full { flush() }
        }

        /// Writes what is buffered now. The write lock is taken first, so chunks reach the descriptor in the order
        /// they left the buffer.
        public func flush() {
            writeLock.withLock {
                let chunk = lock.withLock { () -> [UInt8] in
                    defer { buffer.removeAll(keepingCapacity: true) }
                    return buffer
                }
                writeAll(chunk)
            }
        }

        private func writeAll(_ chunk: [UInt8]) {
            chunk.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return }  // a closed or full log: drop the lines rather than stop serving
                    done += n
                }
            }
        }

        /// ISO 8601 UTC with milliseconds; the part up to the second is made once per second.
        func timestamp() -> String {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let millis = now.tv_nsec / 1_000_000
            let seconds = lock.withLock { () -> String in
                if stamp.second != now.tv_sec {
                    var t = time_t(now.tv_sec)
                    var parts = tm()
                    gmtime_r(&t, &parts)
                    stamp = (now.tv_sec, String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1,
                                                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec))
                }
                return stamp.text
            }
            return seconds + "." + String(millis + 1000).dropFirst() + "Z"
        }

        // at exit (Ctrl-C, SIGTERM, the end of a run), every sink writes what it holds
        private static let all = Mutex()
        private final class Mutex: @unchecked Sendable {
            let lock = NSLock()
            var sinks: [Sink] = []
        }

        private static func registerAtExit(_ sink: Sink) {
            let first = all.lock.withLock { () -> Bool in
                all.sinks.append(sink)
                return all.sinks.count == 1
            }
            if first { atexit { Sink.flushAll() } }
        }

        private static func flushAll() {
            for s in all.lock.withLock({ all.sinks }) { s.flush() }
        }
    }
}
