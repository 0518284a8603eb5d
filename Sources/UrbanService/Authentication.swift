import Foundation
import Hummingbird
import HummingbirdAuth
import UrbanModel

/// Who a bearer token names (`Authorization: Bearer ug_…`): hummingbird-auth's authenticator middleware sets the
/// request context's `identity` to the token's active user. A request without a token goes on anonymous (the routes
/// that need a user answer 401); a token that is malformed, unknown, wrong or revoked is 401 at once; a client that
/// sent `failureLimit` bad tokens within `failureWindow` gets 429 until the window has passed, whatever it sends.
/// Tokens are never logged; known ones are remembered for `cacheLifetime` (a revocation takes effect within it).
struct BearerAuthenticator: AuthenticatorMiddleware {
    typealias Context = ServiceRequestContext
    let tokens: TokenCheck

    func authenticate(request: Request, context: ServiceRequestContext) async throws -> UserRecord? {
        guard let bearer = request.headers.bearer else { return nil }
        return try await tokens.user(bearer.token, client: context.remoteAddress ?? "local")
    }
}

/// The users behind tokens, remembered for a few seconds, and the count of bad tokens per client.
final class TokenCheck: @unchecked Sendable {  // `known` and `failures` under `lock`
    static let cacheLifetime: TimeInterval = 5
    static let failureLimit = 10
    static let failureWindow: TimeInterval = 60

    private let lock = NSLock()
    private var known: [String: (user: UserRecord, until: Date)] = [:]
    private var failures: [String: [Date]] = [:]
    private let pool: DatabasePool
    private let timeLimit: Duration

    init(pool: DatabasePool, timeLimit: Duration) {
        self.pool = pool
        self.timeLimit = timeLimit
    }

    func user(_ token: String, client: String) async throws -> UserRecord {
        let now = Date()
        let cached: UserRecord? = try lock.withLock {
            let recent = (failures[client] ?? []).filter { now.timeIntervalSince($0) < Self.failureWindow }
            failures[client] = recent.isEmpty ? nil : recent
            if recent.count >= Self.failureLimit {
                throw ServiceError(.tooManyRequests, code: "TooManyRequests",
                                   "\(recent.count) bad tokens from this client within \(Int(Self.failureWindow)) s: try again later")
            }
            if let k = known[token], k.until > now { return k.user }
            return nil
        }
        if let cached { return cached }
        let user = try await pool.read(timeLimit: timeLimit) { store -> UserRecord? in
            guard let users = store as? any UserStore else { return nil }
            return try users.user(bearer: token)
        }
        return try lock.withLock {
            guard let user else {
                failures[client, default: []].append(now)
                throw ServiceError(.unauthorized, code: "Unauthorized", "the bearer token is not valid (unknown, revoked or malformed)")
            }
            if known.count > 10_000 { known.removeAll() }
            known[token] = (user, now.addingTimeInterval(Self.cacheLifetime))
            return user
        }
    }
}

extension ServiceRequestContext {
    /// The signed-in user's actor. - Throws: 401 without a token.
    func actor() throws -> CaseWorkflow.Actor {
        guard let identity else {
            throw ServiceError(.unauthorized, code: "Unauthorized", "this route needs a user: send Authorization: Bearer TOKEN (urbangrid users add)")
        }
        return identity.actor
    }
}

/// With `serve --auth-all`: every route needs a user (401 without a valid token).
struct RequireUserMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    func handle(_ request: Request, context: ServiceRequestContext, next: (Request, ServiceRequestContext) async throws -> Response) async throws -> Response {
        _ = try context.actor()
        return try await next(request, context)
    }
}
