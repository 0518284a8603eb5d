public import Hummingbird
import SpatialCore
import UrbanModel

/// An error as the service answers it: an HTTP status and the JSON body `{"code": …, "description": …}`
/// (OGC API – Features' exception shape). Every route throws these, or any error `ServiceError(from:)` maps:
/// the domain's bad-input errors become 400 with their message, unknown ids 404, the rest 500.
public struct ServiceError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A short machine-readable code: `InvalidParameterValue`, `NotFound`, `TimeLimit`…
    public var code: String
    /// What was wrong, for a person.
    public var detail: String

    public init(_ status: HTTPResponse.Status, code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    /// 400: a parameter that cannot be used (`name` says which).
    public static func badParameter(_ name: String, _ reason: String) -> ServiceError {
        ServiceError(.badRequest, code: "InvalidParameterValue", "\(name): \(reason)")
    }

    /// 404: no such collection, feature, grid, zone…
    public static func notFound(_ what: String) -> ServiceError {
        ServiceError(.notFound, code: "NotFound", what)
    }

    /// 503: the request took longer than the service's limit.
    public static func timeLimit(_ limit: Duration) -> ServiceError {
        ServiceError(.serviceUnavailable, code: "TimeLimit", "the request did not finish within the time limit of \(limit)")
    }

    /// The answer for any error a route throws: bad input from the model or the spatial core (a bad argument, a
    /// malformed value, an unknown CRS, an invalid geometry) is 400 with its message; a statement stopped at the time
    /// limit (SQLite interrupted, PostgreSQL's statement timeout) and a database that fails are 503; Hummingbird's own errors keep
    /// their status; anything else is 500 with a generic message (the details go to the log, not to the client).
    public init(from error: any Error) {
        switch error {
        case let e as ServiceError:
            self = e
        case let e as ParameterError:
            self = .badParameter(e.name, e.reason)
        case let e as ModelError:
            switch e {
            case .interrupted:
                self.init(.serviceUnavailable, code: "TimeLimit", "the request was interrupted at the time limit")
            case .database:  // the database failed, not the request: retryable
                self.init(.serviceUnavailable, code: "DatabaseUnavailable", e.description)
            default:
                self.init(.badRequest, code: "InvalidParameterValue", e.description)
            }
        case let e as SpatialError:
            switch e {
            case .parse, .invalidGeometry, .unknownCRS, .transformFailed:
                self.init(.badRequest, code: "InvalidParameterValue", e.description)
            case .sqlite(let code, _, _) where code == 9:
                self.init(.serviceUnavailable, code: "TimeLimit", "the request was interrupted at the time limit")
            default:
                self.init(.internalServerError, code: "InternalError", "the server failed to answer; see its log")
            }
        case let e as HTTPError:
            self.init(e.status, code: e.status == .notFound ? "NotFound" : e.status.reasonPhrase.replacingOccurrences(of: " ", with: ""),
                      e.body ?? e.status.reasonPhrase)
        case let e as any HTTPResponseError:
            self.init(e.status, code: e.status.reasonPhrase.replacingOccurrences(of: " ", with: ""), e.status.reasonPhrase)
        default:
            self.init(.internalServerError, code: "InternalError", "the server failed to answer; see its log")
        }
    }

    /// The JSON body.
    public var body: [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(["code": .string(code), "description": .string(detail)]).appendJSON(to: &out)
        return out
    }

    /// The methods every route answers (the service is read-only): the `Allow` header of a 405 (RFC 9110 §15.5.6).
    public static let allowedMethods = "GET, HEAD"

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if status == .methodNotAllowed { headers[.allow] = Self.allowedMethods }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    public var description: String { "\(status.code) \(code): \(detail)" }
}
