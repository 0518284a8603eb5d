import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import UrbanModel

/// `GET /lookup?lon=…&lat=…` answered on the connection's event loop, in the channel pipeline Hummingbird builds for
/// each HTTP/1 connection (`HTTP1Channel.Configuration.additionalChannelHandlers`, after NIO's HTTP codec and
/// before Hummingbird's request handling).
///
/// A warm lookup is a few microseconds of memory reads; through the router nearly all of its cost is handing the
/// request from the event loop to a Swift task and the response back (the README's service benchmark). Here the
/// answer is written in the same event-loop turn that read the request: same status, headers, body and access-log
/// line as the router's `/lookup` route.
///
/// Everything else goes on to the router untouched, and so does a lookup whenever the router must answer it
/// instead: bad or missing parameters (the router's 400 carries the message), a request with a body, HEAD,
/// `Connection: close`, a connection whose output is backed up (the router's writer waits for the client), the
/// indexes not yet warm or all of them busy (the router waits within the time limit), or an answer that throws.
/// Responses stay in request order: while a request handed to the router has not been answered, the lookups behind
/// it go to the router too.
///
/// The idle timeout is here as well (`IdleStateHandler` before this handler, in place of Hummingbird's, which
/// never sees the requests answered here and would close a busy connection after its timeout): an idle connection
/// is closed unless the router is still answering on it (as Hummingbird's timeout does).
final class LookupFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let pool: QueryPool
    private let timeLimit: Duration
    private let accessLogger: Logger
    private let serverName: String
    /// A lookup's head, held from its head part to its end part (then answered here or handed to the router).
    private var held: (head: HTTPRequest, start: ContinuousClock.Instant)?
    /// Requests handed to the router whose response has not ended yet.
    private var routed = 0
    private var unflushed = false
    private var date = HTTPDateCache()

    init(pool: QueryPool, timeLimit: Duration, accessLogger: Logger, serverName: String) {
        self.pool = pool
        self.timeLimit = timeLimit
        self.accessLogger = accessLogger
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if routed == 0, Self.mayAnswer(head), context.channel.isWritable {
                held = (head, .now)
            } else {
                route(head, context)
            }
        case .body:
            if let h = held {  // a GET with a body after all: the router's
                held = nil
                route(h.head, context)
            }
            context.fireChannelRead(data)
        case .end:
            guard let h = held else { return context.fireChannelRead(data) }
            held = nil
            if !answer(h.head, since: h.start, context) {
                route(h.head, context)
                context.fireChannelRead(data)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// The router's responses pass here on their way out: the end of one is a request less in its hands.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routed > 0 { routed -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else { return context.fireUserInboundEventTriggered(event) }
        if routed == 0 { context.close(promise: nil) }  // a lookup half read for the whole timeout is closed too
    }

    private func route(_ head: HTTPRequest, _ context: ChannelHandlerContext) {
        routed += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// A plain GET of `/lookup` without a body, on a connection that stays open.
    static func mayAnswer(_ head: HTTPRequest) -> Bool {
        guard head.method == .get, let path = head.path, path.utf8.starts(with: "/lookup".utf8) else { return false }
        let rest = path.utf8.dropFirst(7)
        guard rest.isEmpty || rest.first == UInt8(ascii: "?") else { return false }
        let fields = head.headerFields
        if let length = fields[.contentLength], length != "0" { return false }
        if fields[.transferEncoding] != nil { return false }
        if let connection = fields[.connection], connection.lowercased().contains("close") { return false }
        return true
    }

    /// Writes the answer and returns true, or returns false (nothing written) when the router must answer.
    private func answer(_ head: HTTPRequest, since start: ContinuousClock.Instant, _ context: ChannelHandlerContext) -> Bool {
        guard let path = head.path else { return false }
        let uri = URI(path)
        let parameters = UrbanGridService.parameters(uri)
        // a spot in another CRS costs a PROJ transform: the router's, off the event loop
        guard parameters.get("crs") == nil, let request = try? LookupRequest(parameters),
              let bytes = try? pool.queryNow(timeLimit: timeLimit, { (w: QueryWorker) -> [UInt8] in try w.lookupJSON(request) })  // nil: none idle (or not warm yet); a thrown error is the router's to report
        else { return false }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(bytes.count)
        fields[.date] = date.now()
        fields[.server] = serverName
        var body = context.channel.allocator.buffer(capacity: bytes.count)
        body.writeBytes(bytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        unflushed = true
        AccessLog.record(accessLogger, method: head.method, path: uri.path, status: .ok, since: start, bytes: bytes.count)
        return true
    }
}

/// The `Date` header's text (RFC 9110 IMF-fixdate), made once per second.
struct HTTPDateCache {
    private var second = -1
    private var text = ""
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    mutating func now() -> String {
        var t = time(nil)
        if t != second {
            second = t
            text = Self.format(&t)
        }
        return text
    }

    static func format(_ t: inout time_t) -> String {
        var p = tm()
        gmtime_r(&t, &p)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(p.tm_wday)]), \(two(p.tm_mday)) \(months[Int(p.tm_mon)]) \(p.tm_year + 1900) "
            + "\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec)) GMT"
    }
}
