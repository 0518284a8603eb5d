import Foundation
import Hummingbird
import Logging

/// One structured line per request on the service's logger (stderr): method, path, status, duration in
/// milliseconds and body bytes. Outermost, so it sees the final status of errors too.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status: HTTPResponse.Status = .internalServerError
        var bytes: Int?
        defer { AccessLog.record(logger, method: request.method, path: request.uri.path, status: status, since: start, bytes: bytes) }
        let response = try await next(request, context)
        status = response.status
        bytes = response.body.contentLength
        return response
    }
}

/// The access-log line, for the router's requests (`AccessLogMiddleware`) and the lookups answered on the event
/// loop (`LookupFastPath`) alike.
enum AccessLog {
    static func record(_ logger: Logger, method: HTTPRequest.Method, path: String, status: HTTPResponse.Status,
                       since start: ContinuousClock.Instant, bytes: Int?) {
        logger.info("request", metadata: {
            let d = (ContinuousClock.now - start).components
            let ms = Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15
            return [
                "method": "\(method.rawValue)",
                "path": "\(path)",
                "status": "\(status.code)",
                "duration_ms": "\(String(format: "%.1f", ms))",
                "bytes": "\(bytes.map(String.init) ?? "-")",
            ]
        }())
    }
}

/// Turns whatever a route throws into a JSON error response (`ServiceError(from:)`); unexpected errors are
/// logged with their details, which the client does not see.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let e = ServiceError(from: error)
            if e.status == .internalServerError {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return try e.response(from: request, context: context)
        }
    }
}

/// The service is read-only and reads no bodies: only GET and HEAD (and OPTIONS) are answered (HEAD as GET without
/// the body, by `HeadResponder`), and a request declaring a body larger than `maximumBodyBytes` is refused (413)
/// before any route sees it. (The per-request time limit is `DatabasePool.read`'s: every database read goes through
/// it and is interrupted at the limit.)
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let maximumBodyBytes: Int
    /// `serve --enable-cases`: POST is answered too (the case routes read small JSON bodies; a larger one is 400).
    var writes = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.get, .head, .options].contains(request.method) || (writes && request.method == .post) else {
            throw ServiceError(.methodNotAllowed, code: "MethodNotAllowed", "\(request.method.rawValue): this service \(writes ? "answers GET, and POST on the case routes" : "is read-only (GET only; the case routes need serve --enable-cases)")")
        }
        if request.method == .post, let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBodyBytes {
            throw ServiceError.badParameter("body", "\(length) bytes: at most \(maximumBodyBytes)")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBodyBytes {
            throw ServiceError(.contentTooLarge, code: "ContentTooLarge", "a request body of \(length) bytes: at most \(maximumBodyBytes), and none is read")
        }
        return try await next(request, context)
    }
}

/// Answers HEAD as GET without the body (status and headers, Content-Length included), around the whole router:
/// the router itself only knows the GET routes.
struct HeadResponder<Responder: HTTPResponder>: HTTPResponder {
    typealias Context = Responder.Context
    let responder: Responder

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .head else { return try await responder.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await responder.respond(to: Request(head: head, body: request.body), context: context)
        let length = response.body.contentLength
        response.body = ResponseBody()
        if let length { response.headers[.contentLength] = String(length) }
        return response
    }
}
