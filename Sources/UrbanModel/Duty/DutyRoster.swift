public import Foundation
public import SpatialCore

/// Who answers for what, and who is on duty when: the `chiefs` rows by role, with their hours (opening_hours
/// syntax, evaluated in the city's time zone with `holidays` deciding `PH`) and their AB角 backups.
///
/// - A cell's chief is the first `grid_chief` row (storage order) naming its `grid_code`; a segment's road chief the
///   first `road_chief` row naming its `segment_id`; a POI's frontage holder the first `frontage` row naming its
///   `poi_id`. Rows without a `role` take the one `ChiefRole.of` gives.
/// - A chief without `on_duty` hours is always on duty.
/// - Off duty, the backup answers, unless the backup is itself a chief (by name) whose hours say they are off duty
///   too; then nobody does, and the answer says so.
public struct DutyRoster: Sendable {
    public let chiefs: [Chief]
    public let holidays: HolidayCalendar
    public let timeZone: TimeZone
    private let gridChiefs: [String: Int], roadChiefs: [String: Int], frontageHolders: [String: Int], byName: [String: Int]

    public init(chiefs: [Chief], holidays: HolidayCalendar, timeZone: TimeZone) {
        self.chiefs = chiefs
        self.holidays = holidays
        self.timeZone = timeZone
        var grid: [String: Int] = [:], road: [String: Int] = [:], frontage: [String: Int] = [:], names: [String: Int] = [:]
        for (i, c) in chiefs.enumerated() {
            if names[c.name] == nil { names[c.name] = i }
            switch c.role {
            case .gridChief: if let code = c.gridCode, grid[code] == nil { grid[code] = i }
            case .roadChief: if let id = c.segmentID, road[id] == nil { road[id] = i }
            case .frontage: if let id = c.poiID, frontage[id] == nil { frontage[id] = i }
            case .streetChief: break
            }
        }
        gridChiefs = grid
        roadChiefs = road
        frontageHolders = frontage
        byName = names
    }

    /// The city's chiefs in storage order (an older file opened read-only, before schema version 9, has rows without
    /// roles, hours or backups: the store reads those columns as NULL).
    public init(_ store: any CityStore, holidays: HolidayCalendar) throws {
        let fields: [LayerRequest.Field] = ["id", "name", "phone", "grid_code", "segment_id", "role", "backup", "on_duty", "poi_id"].map { .column($0) }
        let chiefs = try store.features(LayerRequest(.chiefs, fields)).map { r -> Chief in
            let grid = r["grid_code"]?.string, segment = r["segment_id"]?.string, poi = r["poi_id"]?.string
            // stored hours were checked on import; a row written around the import that does not parse counts as none
            return Chief(id: r["id"]?.string ?? "", name: r["name"]?.string ?? "",
                         role: ChiefRole.of(stated: r["role"]?.string, gridCode: grid, segmentID: segment, poiID: poi),
                         phone: r["phone"]?.string, backup: r["backup"]?.string, onDuty: r["on_duty"]?.string.flatMap { try? OpeningHours($0) },
                         gridCode: grid, segmentID: segment, poiID: poi)
        }
        self.init(chiefs: chiefs, holidays: holidays, timeZone: try store.cityTimeZone)
    }

    public func gridChief(_ code: String?) -> Chief? { code.flatMap { gridChiefs[$0] }.map { chiefs[$0] } }
    public func roadChief(_ segmentID: String?) -> Chief? { segmentID.flatMap { roadChiefs[$0] }.map { chiefs[$0] } }
    public func frontageHolder(_ poiID: String?) -> Chief? { poiID.flatMap { frontageHolders[$0] }.map { chiefs[$0] } }
    /// The first chief (storage order) of this name.
    public func chief(named name: String) -> Chief? { byName[name].map { chiefs[$0] } }

    /// The segment ids some road chief names.
    public var segmentsWithRoadChief: Set<String> { Set(roadChiefs.keys) }
    /// The POI ids some frontage duty holder names.
    public var poisWithHolder: Set<String> { Set(frontageHolders.keys) }

    /// Whether `chief` is on duty at `date` (always, without hours).
    public func isOnDuty(_ chief: Chief, at date: Date) -> Bool {
        chief.onDuty?.isOpen(at: date, holidays: holidays, timeZone: timeZone) ?? true
    }

    /// Who answers for one chief's charge at `date`.
    public func duty(of chief: Chief?, at date: Date) -> Duty {
        guard let chief else { return Duty(chief: nil, onDuty: nil, responsible: nil, note: nil) }
        if isOnDuty(chief, at: date) { return Duty(chief: chief, onDuty: true, responsible: chief, note: nil) }
        guard let name = chief.backup, !name.isEmpty else {
            return Duty(chief: chief, onDuty: false, responsible: nil, note: "no one on duty: \(chief.name) is off duty and has no backup")
        }
        let backup = self.chief(named: name)
        if let backup, !isOnDuty(backup, at: date) {
            return Duty(chief: chief, onDuty: false, responsible: nil, note: "no one on duty: \(chief.name) and the backup \(name) are both off duty")
        }
        let stand = backup ?? Chief(id: "", name: name, role: chief.role)
        return Duty(chief: chief, onDuty: false, responsible: stand, note: "\(chief.name) is off duty: the backup \(name) answers")
    }

    /// The answer for one charge: its chief, whether on duty, who answers (nil: nobody), and why.
    public struct Duty: Sendable, Hashable {
        public var chief: Chief?
        /// Nil without a chief.
        public var onDuty: Bool?
        public var responsible: Chief?
        public var note: String?
        /// Nobody answers although the charge has a chief.
        public var nobody: Bool { chief != nil && responsible == nil }
    }
}
