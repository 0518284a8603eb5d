public import Foundation
import SpatialCore

/// The responsibility checks in time (责任全覆盖 at every moment), shared by `audit --rules` and `grid audit`:
/// who answers for each cell and segment at one moment, segments without a road chief, frontage units without a
/// duty holder.
public struct DutyAudit {
    public let roster: DutyRoster
    public let store: any CityStore
    public let frame: CityFrame

    public init(roster: DutyRoster, store: any CityStore, frame: CityFrame) {
        self.roster = roster
        self.store = store
        self.frame = frame
    }

    /// Cells with a grid chief and segments with a road chief for whom nobody answers at `date`: (`grid` or
    /// `segment`, id, why), cells in code order, then segments in storage order. Returns how many were checked too.
    public func noOneOnDuty(at date: Date) throws -> (checked: Int, offenders: [(unit: String, id: String, detail: String)]) {
        var checked = 0
        var out: [(String, String, String)] = []
        let codes = try store.features(LayerRequest(.grids, [.column("code")], order: ["code", "pk"])).compactMap { $0["code"]?.string }
        var seen: Set<String> = []
        for code in codes where seen.insert(code).inserted {
            guard let chief = roster.gridChief(code) else { continue }
            checked += 1
            let duty = roster.duty(of: chief, at: date)
            if duty.nobody { out.append(("grid", code, "\(duty.note ?? "no one on duty") at \(frame.isoTime(date))")) }
        }
        for r in try store.features(LayerRequest(.streets, [.column("id")])) {
            guard let id = r["id"]?.string, let chief = roster.roadChief(id) else { continue }
            checked += 1
            let duty = roster.duty(of: chief, at: date)
            if duty.nobody { out.append(("segment", id, "\(duty.note ?? "no one on duty") at \(frame.isoTime(date))")) }
        }
        return (checked, out)
    }

    /// Segments no road chief names (`id`, `name`), in storage order; and how many segments there are.
    public func segmentsWithoutRoadChief() throws -> (checked: Int, offenders: [(id: String, name: String?)]) {
        let have = roster.segmentsWithRoadChief
        let rows = try store.features(LayerRequest(.streets, [.column("id"), .column("name")]))
        return (rows.count, rows.compactMap { r in
            guard let id = r["id"]?.string, !have.contains(id) else { return nil }
            return (id, r["name"]?.string)
        })
    }

    /// Frontage units whose POI no `frontage` duty holder names, in id order; and how many units there are.
    public func frontageUnassigned() throws -> (checked: Int, offenders: [FrontageUnit]) {
        let units = try (store as? any FrontageStore)?.frontageUnits() ?? []
        let have = roster.poisWithHolder
        return (units.count, units.filter { !have.contains($0.poiID) })
    }

    /// One rule's result (`AuditRule.noOneOnDuty`, `.segmentWithoutRoadChief`, `.frontageUnassigned`).
    func audit(_ rule: AuditRule, id: String, at date: Date) throws -> RuleResult {
        var r = RuleResult(id: id, kind: rule.kind, description: "", checked: 0, offenders: [])
        switch rule {
        case .noOneOnDuty:
            r.description = "someone answers for every cell and segment that has a chief, at \(frame.isoTime(date)) (the chief on duty, else the backup)"
            let (checked, offenders) = try noOneOnDuty(at: date)
            r.checked = checked
            r.offenders = offenders.map { .init(id: $0.id, detail: "\($0.unit): \($0.detail)") }
        case .segmentWithoutRoadChief:
            r.description = "every street segment has a road chief (路长)"
            let (checked, offenders) = try segmentsWithoutRoadChief()
            r.checked = checked
            r.offenders = offenders.map { .init(id: $0.id, detail: "no road chief names segment \($0.name ?? "")") }
        case .frontageUnassigned:
            r.description = "every frontage unit (门前三包) has a duty holder"
            let (checked, offenders) = try frontageUnassigned()
            r.checked = checked
            r.offenders = offenders.map { .init(id: $0.id, detail: "no frontage duty holder names POI \($0.poiID)\($0.name.map { " (\($0))" } ?? "") on segment \($0.segmentID)") }
        default:
            preconditionFailure("not a duty rule: \(rule.kind)")
        }
        return r
    }
}
