public import Foundation
public import SpatialCore

/// May a vendor trade at a spot at a time (`urbangrid vendor check`).
public struct VendorCheck: Sendable, Hashable {
    public enum Reason: String, Sendable {
        case outsideZone = "outside_zone"
        case exclusionBuffer = "exclusion_buffer"
        case zoneClosed = "zone_closed"
        /// The zone is suspended or closed down (its `status`), whatever its hours.
        case zoneSuspended = "zone_suspended"
        case zoneClosedDown = "zone_closed_down"
    }

    public var permitted: Bool
    public var zoneID: String?
    public var zoneName: String?
    /// The zone's status (nil outside every zone) and stall count.
    public var zoneStatus: VendorZoneStatus?
    public var stalls: Int?
    /// Whether the zone is open at the time (nil outside every zone).
    public var open: Bool?
    /// When the zone closes (if open) or next opens (if closed), ISO 8601 in the database's zone.
    public var closesAt: String?
    public var opensAt: String?
    public var reason: Reason?
    /// The reason in words, e.g. "within 100 m of school 'X' (38.2 m away)".
    public var reasonDetail: String?
    /// The nearest protected POI within its buffer, when there is one.
    public var exclusionPOI: String?
    public var exclusionDistanceMetres: Double?

    public var json: JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object([
            "permitted": .bool(permitted), "zone_id": s(zoneID), "zone_name": s(zoneName), "open": open.map(JSONValue.bool) ?? .null,
            "closes_at": s(closesAt), "opens_at": s(opensAt), "reason": s(reasonDetail), "reason_code": s(reason?.rawValue),
            "exclusion_poi": s(exclusionPOI),
            "exclusion_distance_m": exclusionDistanceMetres.map { .number(($0 * 10).rounded() / 10) } ?? .null,
            "zone_status": s(zoneStatus?.rawValue), "stalls": stalls.map { .int(Int64($0)) } ?? .null,
        ])
    }
}

/// A vendor zone's state at a time (`urbangrid vendor open`).
public struct VendorZoneState: Sendable, Hashable {
    public var zoneID: String
    public var name: String?
    public var hours: String?
    public var status: VendorZoneStatus = .active
    public var stalls: Int?
    /// Whether vendors may trade there then: an active zone within its hours.
    public var open: Bool
    public var closesAt: String?
    public var opensAt: String?
    /// Metres from the `near` point, when one was given.
    public var distanceMetres: Double?

    public var json: JSONValue {
        func s(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
        return .object([
            "zone_id": .string(zoneID), "name": s(name), "hours": s(hours), "open": .bool(open), "closes_at": s(closesAt),
            "opens_at": s(opensAt), "distance_m": distanceMetres.map { .number(($0 * 10).rounded() / 10) } ?? .null,
            "status": .string(status.rawValue), "stalls": stalls.map { .int(Int64($0)) } ?? .null,
        ])
    }
}

/// May a vendor trade at a spot at a time, and which zones are open (`urbangrid vendor check|open`): the vendor
/// zones and the protected POIs around which vending is not allowed, in the city's frame.
public final class VendorQueries {
    public let zones: VendorZoneIndex
    public let protected: ProtectedPOIIndex
    public let frame: CityFrame
    /// The public holidays of `PH` rules.
    public let holidays: HolidayCalendar
    private let forward: CoordinateTransform

    /// Reads the vendor zones and the POIs of the kinds of `exclusionMetres` (the buffer in metres of each kind).
    public convenience init(_ store: any CityStore, frame: CityFrame, exclusionMetres: [String: Double] = ProtectedPOIIndex.defaultExclusionMetres,
                            holidays: HolidayCalendar = .none) throws {
        try self.init(zones: VendorZoneIndex(store), protected: ProtectedPOIIndex(store, frame: frame, exclusionMetres: exclusionMetres),
                      frame: frame, holidays: holidays)
    }

    public init(zones: VendorZoneIndex, protected: ProtectedPOIIndex, frame: CityFrame, holidays: HolidayCalendar = .none) throws {
        self.zones = zones
        self.protected = protected
        self.frame = frame
        self.holidays = holidays
        forward = try frame.forward()
    }

    /// Whether a vendor may trade at the spot at `date`. Not permitted, in this order of reasons: outside every
    /// vendor zone; the zone is suspended or closed down (its `status`); inside the exclusion buffer of a protected POI (by POI kind: schools, kindergartens, hospitals);
    /// the zone is closed at that time (its `opening_hours`, the city's time zone, `holidays` for PH). A spot on the
    /// border of two zones is in the one with the smallest id.
    public func vendorCheck(lon: Double, lat: Double, at date: Date) throws -> VendorCheck {
        try UserInput.checkCoordinate(lon: lon, lat: lat)
        var r = VendorCheck(permitted: false)
        let c = Coordinate(lon, lat)
        guard let i = try zones.locate(c) else {
            r.reason = .outsideZone
            r.reasonDetail = "outside every vendor zone"
            return r
        }
        let zone = zones.table.zones[i]
        r.zoneID = zone.id
        r.zoneName = zone.name
        r.zoneStatus = zone.status
        r.stalls = zone.stalls
        let state = self.state(zone, at: date)
        r.open = state.open
        r.closesAt = state.closesAt
        r.opensAt = state.opensAt
        guard zone.status == .active else {
            r.reason = zone.status == .suspended ? .zoneSuspended : .zoneClosedDown
            r.reasonDetail = "zone \(zone.id) is \(zone.status == .suspended ? "suspended" : "closed down") (status \(zone.status.rawValue)): no trading at any hour"
            return r
        }
        if let hit = try protected.nearestHolding(Point(try forward.apply(c))) {
            r.reason = .exclusionBuffer
            r.exclusionPOI = hit.id
            r.exclusionDistanceMetres = hit.distance
            r.reasonDetail = "within \(NumberText.format(hit.buffer)) m of \(hit.kind) '\(hit.name ?? hit.id)' (\(NumberText.format(hit.distance, precision: 1)) m away)"
            return r
        }
        guard state.open else {
            r.reason = .zoneClosed
            r.reasonDetail = "zone \(zone.id) is closed at \(frame.isoTime(date))" + (state.opensAt.map { "; it opens at \($0)" } ?? "")
                + (zone.hoursText.map { " (hours: \($0))" } ?? " (no hours recorded)")
            return r
        }
        r.permitted = true
        return r
    }

    /// Every vendor zone's state at `date`, nearest first when `near` is given (then only those within
    /// `radiusMetres` of it, measured to the zone's nearest point), otherwise by id.
    public func vendorZones(at date: Date, near: Coordinate? = nil, radiusMetres: Double? = nil) throws -> [VendorZoneState] {
        let zones = self.zones.table.zones
        var out: [VendorZoneState] = []
        var distances: [Double?] = Array(repeating: nil, count: zones.count)
        if let near {
            try UserInput.checkCoordinate(lon: near.x, lat: near.y, field: "near")
            if let r = radiusMetres, !(r.isFinite && r >= 0) {
                throw ModelError.invalidArgument(name: "radius", reason: "\(r) is not a distance in metres (≥ 0)")
            }
            let p = Geometry.point(Point(try forward.apply(near)))
            for i in zones.indices { distances[i] = try p.distance(to: try forward.apply(to: self.zones.table.geometries[i])) }
        }
        for i in zones.indices {
            if let r = radiusMetres, let d = distances[i], d > r { continue }
            let s = state(zones[i], at: date)
            out.append(VendorZoneState(zoneID: zones[i].id, name: zones[i].name, hours: zones[i].hoursText, status: zones[i].status,
                                       stalls: zones[i].stalls, open: s.open, closesAt: s.closesAt, opensAt: s.opensAt, distanceMetres: distances[i]))
        }
        if near != nil { out.sort { ($0.distanceMetres ?? 0, $0.zoneID) < ($1.distanceMetres ?? 0, $1.zoneID) } }
        return out
    }

    func state(_ zone: VendorZoneIndex.Zone, at date: Date) -> (open: Bool, closesAt: String?, opensAt: String?) {
        guard zone.status == .active else { return (false, nil, nil) }  // suspended or closed down: not open at any hour
        guard let hours = zone.hours else { return (false, nil, nil) }  // no hours recorded: never open
        let open = hours.isOpen(at: date, holidays: holidays, timeZone: frame.timeZone)
        let change = hours.nextChange(after: date, holidays: holidays, timeZone: frame.timeZone).map(frame.isoTime)
        return (open, open ? change : nil, open ? nil : change)
    }
}
