public import Foundation
public import SpatialCore

/// Who answers for a spot at one moment (`urbangrid lookup --at`, `/lookup?at=`): the cell's chief and whether on
/// duty, the responsible person (the chief on duty, else the AB角 backup; nobody when neither is), the nearest
/// segment's road chief likewise, and the frontage unit the spot lies in with its duty holder.
public struct Responsibility: Sendable, Hashable {
    /// The moment asked about, ISO 8601 with the city's offset; nil when none was given (the moment of the request:
    /// left out of the answer, so that two answers of one spot compare equal).
    public var at: String?
    /// The cell's grid chief: phone, on duty at `at` (nil without a chief).
    public var phone: String?
    public var onDuty: Bool?
    /// The chief on duty, else the backup; nil when nobody is (then `dutyNote` says why) or the cell has no chief.
    public var responsible: String?
    public var responsiblePhone: String?
    /// Why the chief is not the one who answers (off duty, backup, nobody).
    public var dutyNote: String?
    /// The nearest segment's road chief (路长): name, phone, on duty, who answers.
    public var roadChief: String?
    public var roadChiefPhone: String?
    public var roadChiefOnDuty: Bool?
    public var roadResponsible: String?
    /// The frontage unit (门前三包) the spot lies in and its duty holder.
    public var frontageUnit: String?
    public var frontageHolder: String?
    public var frontageHolderPhone: String?

    public init(at: String?) { self.at = at }

    /// The keys after a lookup's own, each with its leading comma: `,"at":…,"phone":…,…`.
    public func appendJSON(to out: inout [UInt8]) {
        func key(_ k: String) { out.append(contentsOf: Array(",\"\(k)\":".utf8)) }
        func bool(_ b: Bool?) { out.append(contentsOf: Array((b.map { $0 ? "true" : "false" } ?? "null").utf8)) }
        if let at { key("at"); JSONText.append(at, to: &out) }
        key("phone"); JSONText.append(phone, to: &out)
        key("on_duty"); bool(onDuty)
        key("responsible"); JSONText.append(responsible, to: &out)
        key("responsible_phone"); JSONText.append(responsiblePhone, to: &out)
        key("duty_note"); JSONText.append(dutyNote, to: &out)
        key("road_chief"); JSONText.append(roadChief, to: &out)
        key("road_chief_phone"); JSONText.append(roadChiefPhone, to: &out)
        key("road_chief_on_duty"); bool(roadChiefOnDuty)
        key("road_responsible"); JSONText.append(roadResponsible, to: &out)
        key("frontage_unit"); JSONText.append(frontageUnit, to: &out)
        key("frontage_holder"); JSONText.append(frontageHolder, to: &out)
        key("frontage_holder_phone"); JSONText.append(frontageHolderPhone, to: &out)
    }
}

/// The frontage units of a city with an STRtree over them, to find the unit a spot lies in (the lowest id among
/// those covering it). Holds GEOS objects: one per worker.
public final class FrontageIndex {
    public let units: [FrontageUnit]
    private let index: SpatialIndex?

    public init(_ units: [FrontageUnit]) throws {
        self.units = units
        index = units.isEmpty ? nil : try SpatialIndex(units.map(\.geometry))
    }

    /// The stored units (none from a store that keeps none).
    public convenience init(_ store: any CityStore) throws {
        try self.init((store as? any FrontageStore).map { try $0.frontageUnits() } ?? [])
    }

    /// The unit covering the WGS84 spot, lowest id first (`units` are in id order).
    public func unit(at spot: Coordinate) throws -> FrontageUnit? {
        guard let index else { return nil }
        return try index.query(.point(Point(spot)), predicate: .intersects).min().map { units[$0] }
    }
}

/// Answers `Responsibility` for lookups: a roster (chiefs with hours) and the frontage units.
public final class ResponsibilityLookup {
    public let roster: DutyRoster
    public let frontage: FrontageIndex

    public init(roster: DutyRoster, frontage: FrontageIndex) {
        self.roster = roster
        self.frontage = frontage
    }

    public convenience init(_ store: any CityStore, holidays: HolidayCalendar) throws {
        self.init(roster: try DutyRoster(store, holidays: holidays), frontage: try FrontageIndex(store))
    }

    /// Who answers for the looked-up spot at `date` (nil: now, and the answer carries no `at`).
    public func answer(_ result: LookupResult, at given: Date?) throws -> Responsibility {
        let date = given ?? Date()
        var r = Responsibility(at: given.map { ISOTime.string($0, in: roster.timeZone) })
        let cell = roster.duty(of: roster.gridChief(result.gridCode), at: date)
        r.phone = cell.chief?.phone
        r.onDuty = cell.onDuty
        r.responsible = cell.responsible?.name
        r.responsiblePhone = cell.responsible?.phone
        r.dutyNote = cell.note
        let road = roster.duty(of: roster.roadChief(result.segmentID), at: date)
        r.roadChief = road.chief?.name
        r.roadChiefPhone = road.chief?.phone
        r.roadChiefOnDuty = road.onDuty
        r.roadResponsible = road.responsible?.name
        if let unit = try frontage.unit(at: Coordinate(result.lon, result.lat)) {
            r.frontageUnit = unit.id
            let holder = roster.frontageHolder(unit.poiID)
            r.frontageHolder = holder?.name
            r.frontageHolderPhone = holder?.phone
        }
        return r
    }

    /// The result with its `responsibility` filled in.
    public func annotate(_ result: LookupResult, at date: Date?) throws -> LookupResult {
        var result = result
        result.responsibility = try answer(result, at: date)
        return result
    }
}
