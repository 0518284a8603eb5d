import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `urbangrid serve` as a user runs it: the built binary on a real socket (any free port), asked over HTTP,
/// then stopped. Expected counts are the rows imported by the test itself.
@Suite struct ServeCommandTests {
    /// A running `urbangrid serve`; its stderr collected as it comes.
    final class Server: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var errText = ""
        var stderr: String { lock.withLock { errText } }

        init(_ arguments: [String]) throws {
            process.executableURL = CLI.buildDirectory.appendingPathComponent("urbangrid")
            process.arguments = arguments
            process.currentDirectoryURL = CLI.repositoryRoot
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // a thread of its own blocks in read(2): Foundation's readabilityHandler runs on Dispatch, which a
            // starved machine (the ASan run with fuzzers beside it) left waiting for over ten minutes
            let reader = err.fileHandleForReading
            Thread.detachNewThread { [weak self] in
                while true {
                    let data = reader.availableData
                    guard !data.isEmpty, let self else { return }
                    self.lock.withLock { self.errText += String(decoding: data, as: UTF8.self) }
                }
            }
        }

        /// The base URL from the 'listening on http://HOST:PORT' log line, once it appears.
        func waitForListening(timeout: Duration = .seconds(600)) async throws -> String {  // returns as soon as the line appears; the bound only matters on a starved machine (an ASan run saw 120 s pass before the stderr handler ran)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < timeout {
                if let r = stderr.range(of: #"listening on (http://[0-9.]+:[0-9]+)"#, options: .regularExpression) {
                    return String(stderr[r].dropFirst("listening on ".count))
                }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw CLIError("the server did not start: \(stderr)")
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    struct CLIError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func get(_ url: String, accept: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: url)!)
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    @Test func servesOGCAPIFeaturesOnARealPort() async throws {
        let dir = try CLI.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        try "id,name,lon,lat\na,Alpha,24.94,60.17\nb,Beta,24.95,60.18\nc,Gamma,24.96,60.19\n"
            .write(toFile: dir + "/stations.csv", atomically: true, encoding: .utf8)
        let imported = try CLI.run(["import", db, "--layer", "stations", dir + "/stations.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")

        let server = try Server(["serve", db, "--host", "127.0.0.1", "--port", "0"])
        defer { server.stop() }
        let base = try await server.waitForListening()
        let (s1, landing) = try await get(base + "/?f=json")
        #expect(s1 == 200 && (landing["links"] as? [Any])?.isEmpty == false)
        let (s2, items) = try await get(base + "/collections/stations/items?limit=2")
        #expect(s2 == 200)
        #expect(items["numberMatched"] as? Int == 3 && items["numberReturned"] as? Int == 2)
        // the next link is absolute, on the address we asked
        let next = try #require((items["links"] as? [[String: Any]])?.first { $0["rel"] as? String == "next" }?["href"] as? String)
        #expect(next.hasPrefix(base + "/collections/stations/items?"))
        let (s3, rest) = try await get(next)
        #expect(s3 == 200 && rest["numberReturned"] as? Int == 1)
        let (s4, error) = try await get(base + "/collections/stations/items?bbox=1,2,3")
        #expect(s4 == 400 && error["code"] as? String == "InvalidParameterValue")
        server.stop()
        // one access-log line per request on stderr: method, path, status, duration, bytes
        let log = server.stderr
        #expect(log.contains("method=GET") && log.contains("path=/collections/stations/items") && log.contains("status=400"), "\(log)")
        #expect(log.contains("duration_ms=") && log.contains("bytes="))
    }

    /// Three requests written at once on one connection (HTTP/1.1 pipelining): an OGC API page the router answers,
    /// a lookup the event loop answers (`LookupFastPath`), a bad lookup the router answers and closes. The
    /// answers must come back in request order, each complete.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let dir = try CLI.temporaryDirectory("serve-pipeline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/city.sqlite"
        #expect(try CLI.run(["init", db]).status == 0)
        let server = try Server(["serve", db, "--host", "127.0.0.1", "--port", "0"])
        defer { server.stop() }
        let base = try await server.waitForListening()
        let port = try #require(UInt16(base.split(separator: ":").last ?? ""))
        // the query indexes are built after the server listens: a lookup answered before that waits for them
        let (warm, _) = try await get(base + "/lookup?lon=24.94&lat=60.17")
        #expect(warm == 200)
        let text = try Self.exchange(port: port, """
            GET /conformance HTTP/1.1\r\nHost: t\r\n\r\n\
            GET /lookup?lon=24.94&lat=60.17 HTTP/1.1\r\nHost: t\r\n\r\n\
            GET /lookup?lon=24.94 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n
            """)
        let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["200", "200", "400"], "\(text)")
        let conformance = try #require(text.range(of: "conformsTo")), lookup = try #require(text.range(of: "\"grid_code\":null"))
        let missing = try #require(text.range(of: "lat: missing"))
        #expect(conformance.lowerBound < lookup.lowerBound && lookup.lowerBound < missing.lowerBound)
        #expect(text.lowercased().components(separatedBy: "server: urbangrid").count == 4)  // on each of the three
    }

    /// Writes `request` on a new connection to 127.0.0.1:`port` and reads until the server closes it (10 s at most).
    static func exchange(port: UInt16, _ request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CLIError("connect: \(errno)") }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw CLIError("send: \(errno)") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func refusesAMissingDatabaseWithStatus2() throws {
        let r = try CLI.run(["serve", "/nonexistent/city.sqlite", "--port", "0"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("does not exist"), "\(r.stderr)")
    }

    @Test func refusesWritersOutOfRange() throws {
        for n in ["0", "65"] {
            let r = try CLI.run(["serve", "/nonexistent/city.sqlite", "--enable-cases", "--writers", n, "--port", "0"])
            #expect(r.status == 2 && r.stderr.contains("--writers must be 1...64"), "\(r.stderr)")
        }
    }
}
