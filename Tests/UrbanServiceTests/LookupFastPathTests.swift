import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import SpatialCore
import Testing
import UrbanModel
@testable import UrbanService

/// `LookupFastPath` in a channel of its own (NIO's `EmbeddedChannel`, no socket): which requests it answers, that
/// its answer is the router's, and that everything else reaches the router in order.
@Suite struct LookupFastPathTests {
    /// What reaches the router: every request part the handler passes on.
    final class Router: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPRequestPart
        var parts: [HTTPRequestPart] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { parts.append(unwrapInboundIn(data)) }
        var paths: [String] { parts.compactMap { if case .head(let h) = $0 { h.path } else { nil } } }
    }

    /// A warm pool on the busy city (one worker; the city is small, warming takes milliseconds).
    static func warmPool() async throws -> QueryPool {
        let p = try QueryPool(path: BusyCity.database, size: 1)
        try await p.warmUp()
        return p
    }

    struct Channel {
        let channel: EmbeddedChannel
        let router = Router()
        let sink = LogSink()

        init(pool: QueryPool) throws {
            let logger = Logger(label: "urbangrid.http") { [sink] _ in sink }
            channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(
                LookupFastPath(pool: pool, timeLimit: .seconds(5), accessLogger: logger, serverName: "UrbanGrid"))
            try channel.pipeline.syncOperations.addHandler(router)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()  // active, as a served connection
        }

        /// Sends a whole request (head, optional body, end) as one read.
        func send(_ path: String, method: HTTPRequest.Method = .get, fields: HTTPFields = [:], body: String? = nil) throws {
            var head = HTTPRequest(method: method, scheme: nil, authority: "127.0.0.1", path: path)
            head.headerFields = fields
            try channel.writeInbound(HTTPRequestPart.head(head))
            if let body { try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: body))) }
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }

        /// The responses written so far, as (head, body text).
        func responses() throws -> [(HTTPResponse, String)] {
            var out: [(HTTPResponse, String)] = []
            var head: HTTPResponse?
            var body = ""
            while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
                switch part {
                case .head(let h): head = h
                case .body(let b): body += String(buffer: b)
                case .end:
                    out.append((try #require(head), body))
                    head = nil
                    body = ""
                }
            }
            return out
        }

        /// The router's answer to one routed request: a response written from the tail of the pipeline, through
        /// the handler, as Hummingbird's writer does.
        func answerAsRouter(_ text: String) throws {
            channel.write(HTTPResponsePart.head(HTTPResponse(status: .ok)), promise: nil)
            channel.write(HTTPResponsePart.body(ByteBuffer(string: text)), promise: nil)
            try channel.writeAndFlush(HTTPResponsePart.end(nil)).wait()
        }
    }

    /// The centre of cell (i, j) of the busy city and its code (as the fixture builds them).
    static func cell(_ i: Int, _ j: Int) -> (lon: Double, lat: Double, code: String) {
        (BusyCity.lon0 + BusyCity.cell * (Double(i) + 0.5), BusyCity.lat0 + BusyCity.cell * (Double(j) + 0.5),
         "999901001001" + String(format: "%03d", j * BusyCity.n + i + 1))
    }

    @Test func answersALookupAsTheRouterDoes() async throws {
        let c = try Channel(pool: try await Self.warmPool())
        let (lon, lat, code) = Self.cell(3, 7)
        let uri = "/lookup?lon=\(lon)&lat=\(lat)"
        try c.send(uri)
        let responses = try c.responses()
        #expect(c.router.parts.isEmpty)  // answered here, nothing routed
        let (head, body) = try #require(responses.first)
        #expect(responses.count == 1 && head.status == .ok)
        #expect(head.headerFields[.contentType] == "application/json" && head.headerFields[.server] == "UrbanGrid")
        #expect(head.headerFields[.contentLength] == String(body.utf8.count))
        #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(o["grid_code"] as? String == code)
        // byte for byte the router's answer to the same request
        let config = ServiceConfiguration(databasePath: BusyCity.database, port: 0, connections: 1)
        let app = try buildApplication(config, logger: Fixture.quietLogger, accessLogger: Fixture.quietLogger)
        let routed = try await app.test(.router) { client in try await client.execute(uri: uri, method: .get).text }
        #expect(body == routed)
        // one access-log line, with the router's keys
        let line = try #require(c.sink.records.first)
        #expect(c.sink.records.count == 1)
        #expect(line.metadata["method"] == "GET" && line.metadata["path"] == "/lookup" && line.metadata["status"] == "200")
        #expect(line.metadata["bytes"] == String(body.utf8.count) && Double(line.metadata["duration_ms"] ?? "") != nil)
    }

    @Test func manyLookupsInOneReadAreAnsweredInOrder() async throws {
        let c = try Channel(pool: try await Self.warmPool())
        let spots = [(0, 0), (11, 11), (5, 2), (2, 9)].map { Self.cell($0.0, $0.1) }
        for s in spots { try c.send("/lookup?lon=\(s.lon)&lat=\(s.lat)") }
        let codes = try c.responses().map { (try? JSONSerialization.jsonObject(with: Data($0.1.utf8)) as? [String: Any])?["grid_code"] as? String }
        #expect(codes == spots.map(\.code))
        #expect(c.router.parts.isEmpty)
    }

    @Test(arguments: [
        "/lookup?lon=24.9",  // lat missing: the router's 400 names it
        "/lookup?lon=24.9&lat=60.1&extra=1",  // an unknown parameter
        "/lookup?lon=abc&lat=60.1",
        "/lookup/",  // not the route
        "/lookups?lon=24.9&lat=60.1",
        "/collections",
    ])
    func whatItDoesNotAnswerGoesToTheRouter(_ path: String) async throws {
        let c = try Channel(pool: try await Self.warmPool())
        try c.send(path)
        #expect(try c.responses().isEmpty)
        #expect(c.router.paths == [path])
        #expect(c.router.parts.count == 2)  // head and end
        #expect(c.sink.records.isEmpty)  // the router's middleware writes its line
    }

    @Test func headBodiesAndClosingConnectionsGoToTheRouter() async throws {
        let (lon, lat, _) = Self.cell(1, 1)
        let uri = "/lookup?lon=\(lon)&lat=\(lat)"
        let c = try Channel(pool: try await Self.warmPool())
        try c.send(uri, method: .head)
        try c.answerAsRouter("")
        try c.send(uri, fields: [.connection: "close"])
        try c.answerAsRouter("")
        try c.send(uri, fields: [.contentLength: "4"], body: "abcd")
        #expect(c.router.paths == [uri, uri, uri])
        // the body reached the router after its head
        #expect(c.router.parts.suffix(3).map { if case .body = $0 { "body" } else if case .end = $0 { "end" } else { "head" } } == ["head", "body", "end"])
    }

    @Test func aLookupBehindARoutedRequestWaitsForItsAnswer() async throws {
        let c = try Channel(pool: try await Self.warmPool())
        let (lon, lat, code) = Self.cell(4, 4)
        let uri = "/lookup?lon=\(lon)&lat=\(lat)"
        try c.send("/collections")
        try c.send(uri)  // pipelined behind /collections: the router must answer it, after /collections
        #expect(try c.responses().isEmpty)
        #expect(c.router.paths == ["/collections", uri])
        try c.answerAsRouter("collections")
        try c.answerAsRouter("lookup")
        #expect(try c.responses().map(\.1) == ["collections", "lookup"])
        // both answered: the next lookup is this handler's again
        try c.send(uri)
        let last = try c.responses()
        #expect(last.count == 1 && last.first?.1.contains(code) == true)
        #expect(c.router.paths.count == 2)
    }

    @Test func beforeWarmUpLookupsGoToTheRouter() throws {
        let cold = try QueryPool(path: BusyCity.database, size: 1)
        let c = try Channel(pool: cold)
        try c.send("/lookup?lon=24.91&lat=60.16")
        #expect(try c.responses().isEmpty)
        #expect(c.router.paths == ["/lookup?lon=24.91&lat=60.16"])
    }

    @Test func anIdleConnectionIsClosedUnlessTheRouterIsAnswering() async throws {
        let busy = try Channel(pool: try await Self.warmPool())
        try busy.send("/collections")
        busy.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(busy.channel.isActive)  // the router still owes an answer
        try busy.answerAsRouter("done")
        busy.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(!busy.channel.isActive)

        let other = try Channel(pool: try await Self.warmPool())
        other.channel.pipeline.fireUserInboundEventTriggered("some other event")
        #expect(other.channel.isActive)
    }

    @Test func dateHeaderIsIMFFixdate() {
        var t: time_t = 784_111_777  // RFC 9110's example
        #expect(HTTPDateCache.format(&t) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
