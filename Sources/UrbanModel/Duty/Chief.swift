public import Foundation

/// What a `chiefs` row answers for (operations-api §3).
public enum ChiefRole: String, CaseIterable, Sendable, Hashable {
    /// 片长/网格员: a grid cell (`grid_code`).
    case gridChief = "grid_chief"
    /// 路长: a street segment (`segment_id`).
    case roadChief = "road_chief"
    /// 街长: a street, by its segments (`segment_id`) or a cell (`grid_code`).
    case streetChief = "street_chief"
    /// 门前三包 duty holder: the frontage of a POI (`poi_id`).
    case frontage

    /// The role of a row: the one it states, else what it names: a POI → `frontage`, a segment without a cell →
    /// `roadChief`, anything else → `gridChief` (so chief files from before roles keep their meaning).
    public static func of(stated: String?, gridCode: String?, segmentID: String?, poiID: String?) -> ChiefRole {
        if let stated, let role = ChiefRole(rawValue: stated) { return role }
        if poiID != nil { return .frontage }
        if segmentID != nil, gridCode == nil { return .roadChief }
        return .gridChief
    }
}

/// One `chiefs` row: a person answering for a cell, a segment or a frontage, with the hours on duty and the AB角
/// backup who answers outside them.
public struct Chief: Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: ChiefRole
    public var phone: String?
    /// The name that answers when this chief is off duty (AB角).
    public var backup: String?
    /// Hours on duty; nil: always on duty (a row without `on_duty`).
    public var onDuty: OpeningHours?
    public var gridCode: String?
    public var segmentID: String?
    public var poiID: String?

    public init(id: String, name: String, role: ChiefRole, phone: String? = nil, backup: String? = nil, onDuty: OpeningHours? = nil,
                gridCode: String? = nil, segmentID: String? = nil, poiID: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.phone = phone
        self.backup = backup
        self.onDuty = onDuty
        self.gridCode = gridCode
        self.segmentID = segmentID
        self.poiID = poiID
    }
}
