public import Foundation
public import SpatialCore

/// One change of a hazard's status (resolved 已修复, or reopened), as its history keeps it.
public struct HazardStatusEvent: Sendable, Hashable {
    public var hazardID: String
    public var from: String, to: String
    /// ISO 8601 with the city's offset.
    public var at: String
    public var note: String?
    /// Who made the change (a user's name), when known.
    public var by: String?

    public init(hazardID: String, from: String, to: String, at: String, note: String?, by: String?) {
        self.hazardID = hazardID
        self.from = from
        self.to = to
        self.at = at
        self.note = note
        self.by = by
    }

    public var json: JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object(["hazard_id": .string(hazardID), "from": .string(from), "to": .string(to), "at": .string(at),
                        "note": s(note), "by": s(by)])
    }
}

/// A store that keeps hazards' status changes: each change updates the hazard (`status`; `resolved_at` set when
/// resolved, cleared when reopened) and appends its event, in one transaction.
public protocol HazardStatusStore: CityStore {
    /// Sets hazard `id`'s status at `at`. - Throws: `ModelError.invalidArgument` for an unknown hazard, a status
    /// other than open or resolved, the status it has already, or a time before its report (nothing changes).
    @discardableResult
    func setHazardStatus(id: String, to status: String, at: Date, note: String?, by: String?) throws -> HazardStatusEvent
    /// The hazard's status changes, oldest first. - Throws: `ModelError.invalidArgument` for an unknown hazard.
    func hazardHistory(id: String) throws -> [HazardStatusEvent]
}

/// The rules of a status change, the same on every engine.
public enum HazardStatusRules {
    public static let statuses = ["open", "resolved"]

    /// Checks a change of hazard `id` from `current` to `status` at `at` (`reportedAt`: when it was reported).
    public static func check(id: String, current: String, to status: String, at: Date, reportedAt: Date?, timeZone: TimeZone) throws {
        guard statuses.contains(status) else {
            throw ModelError.invalidArgument(name: "status", reason: "'\(status)' is not one of open, resolved")
        }
        guard current != status else {
            throw ModelError.invalidArgument(name: "status", reason: "hazard '\(id)' is \(current) already")
        }
        if let reportedAt, at < reportedAt {
            throw ModelError.invalidArgument(
                name: "at", reason: "\(ISOTime.string(at, in: timeZone)) is before hazard '\(id)' was reported (\(ISOTime.string(reportedAt, in: timeZone)))")
        }
    }

    public static func unknown(_ id: String) -> ModelError {
        .invalidArgument(name: "id", reason: "no hazard with id '\(id)'")
    }
}
