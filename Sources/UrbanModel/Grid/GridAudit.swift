public import Foundation
import SpatialCore

/// One problem found by `GridAudit` (地域全覆盖、责任全覆盖).
public struct GridFinding: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, CaseIterable, Comparable {
        /// Part of a community not covered by its cells (community minus the union of its cells).
        case gap
        /// Two cells whose intersection has positive area.
        case overlap
        /// A cell reaching outside its community, or whose community code is not the prefix of its code.
        case crossesCommunity
        /// A cell whose community code names no community of the admin layer.
        case unknownCommunity
        /// The same code on more than one cell.
        case duplicateCode
        /// A code that does not parse as a 15-digit grid code.
        case malformedCode
        /// No chief (片长) has this grid code.
        case noChief
        /// Nobody answers for this cell or segment at the audit's time: its chief is off duty and the AB角 backup
        /// is missing or off duty too.
        case noOneOnDuty
        /// No road chief (路长) names this segment (reported once the city names any road chief).
        case noRoadChief
        /// No duty holder names this frontage unit's POI (门前三包).
        case frontageUnassigned

        public static func < (a: Kind, b: Kind) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var kind: Kind
    /// The grid code (the community code for a gap).
    public var code: String
    /// The other cell of an overlap.
    public var other: String?
    /// The area concerned in m² (gap, overlap, the part of a cell outside its community).
    public var areaSquareMetres: Double?
    public var detail: String

    public init(kind: Kind, code: String, other: String? = nil, areaSquareMetres: Double? = nil, detail: String) {
        self.kind = kind
        self.code = code
        self.other = other
        self.areaSquareMetres = areaSquareMetres
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue) \(code)\(other.map { " / \($0)" } ?? ""): \(detail)" }
}

/// Checks the stored grids against the admin communities and the chiefs, and who answers at one moment: cells and
/// segments nobody answers for at `date` (`DutyAudit`), segments without a road chief (once the city names any road
/// chief: a city without 路长制 is not flooded with every segment), frontage units without a duty holder.
///
/// Areas are measured in the metric CRS `LocalMetricCRS.choose` picks for the grids' extent; anything at or below
/// `tolerance` m² (default 0.01) is rounding, not a finding. Every community of the admin layer is
/// checked for gaps, including one with no cells at all.
public enum GridAudit {
    public static func run(_ db: any CityStore, tolerance: Double = 0.01, at date: Date = Date(), holidays: HolidayCalendar = .china) throws -> [GridFinding] {
        struct Cell {
            var pk: Int
            var code: String
            var community: String
            var geometry: Geometry  // metric
        }
        let rows = try db.features(LayerRequest(.grids, [.column("pk"), .column("code"), .column("community_code"), .geometry], order: ["code", "pk"]))
        let communityRows = try db.features(LayerRequest(.admin, [.column("code"), .geometry], where: [.equals("level", .text("community"))], order: ["code"]))
        var raw: [(SQLRow, Geometry?)] = []
        for r in rows {
            raw.append((r, try r["g"]?.geometry()))
        }
        var rawCommunities: [(String, Geometry)] = []
        for r in communityRows {
            guard let c = r["code"]?.string, let g = try r["g"]?.geometry() else { continue }
            rawCommunities.append((c, g))
        }
        // cells built over a street or district without communities (`grid build --area`) name it padded with zeros
        let padded = Set(rows.compactMap { $0["community_code"]?.string }.filter { GridArea.isPadded($0) })
        if !padded.isEmpty {
            let known = Set(rawCommunities.map(\.0))
            for level in ["street", "district"] {
                for r in try db.features(LayerRequest(.admin, [.column("code"), .geometry], where: [.equals("level", .text(level))], order: ["code"])) {
                    guard let c = r["code"]?.string, let key = GridArea.paddedCode(c), padded.contains(key), !known.contains(key),
                          let g = try r["g"]?.geometry() else { continue }
                    rawCommunities.append((key, g))
                }
            }
        }
        guard let envelope = Envelope.union(raw.map { $0.1?.envelope } + rawCommunities.map(\.1.envelope)) else { return [] }
        let crs = LocalMetricCRS.choose(for: envelope).crs
        let forward = try CoordinateTransform(from: .wgs84, to: crs)
        var findings: [GridFinding] = []

        var cells: [Cell] = []
        for (r, g) in raw {
            let code = r["code"]?.string ?? ""
            let community = r["community_code"]?.string ?? ""
            guard let g else { continue }
            cells.append(Cell(pk: r["pk"]?.int ?? 0, code: code, community: community, geometry: try forward.apply(to: g)))
        }
        var communities: [String: Geometry] = [:]
        for (c, g) in rawCommunities { communities[c] = try forward.apply(to: g) }

        // Codes: malformed, duplicate, community prefix.
        var counts: [String: Int] = [:]
        for r in rows { counts[r["code"]?.string ?? "", default: 0] += 1 }
        for (code, n) in counts.sorted(by: { $0.key < $1.key }) where n > 1 {
            findings.append(.init(kind: .duplicateCode, code: code, detail: "\(n) cells carry this code"))
        }
        for r in rows {
            let code = r["code"]?.string ?? ""
            do {
                _ = try GridCode(parsing: code)
            } catch {
                findings.append(.init(kind: .malformedCode, code: code, detail: "\(error)"))
            }
        }

        // Cells against their communities.
        for cell in cells {
            guard !cell.community.isEmpty, cell.code.hasPrefix(cell.community) else {
                findings.append(.init(
                    kind: .crossesCommunity, code: cell.code,
                    detail: "community code '\(cell.community)' is not the prefix of the cell's code"))
                continue
            }
            guard let community = communities[cell.community] else {
                findings.append(.init(
                    kind: .unknownCommunity, code: cell.code, detail: "no admin community with code \(cell.community)"))
                continue
            }
            let outside = try cell.geometry.difference(with: community).area()
            if outside > tolerance {
                findings.append(.init(
                    kind: .crossesCommunity, code: cell.code, areaSquareMetres: outside,
                    detail: "\(format(outside)) m² lie outside community \(cell.community)"))
            }
        }

        // Gaps: each community minus the union of its cells.
        var byCommunity: [String: [Geometry]] = [:]
        for cell in cells { byCommunity[cell.community, default: []].append(cell.geometry) }
        for (code, community) in communities.sorted(by: { $0.key < $1.key }) {
            let mine = byCommunity[code] ?? []
            let missing = mine.isEmpty ? community : try community.difference(with: Geometry.unaryUnion(mine))
            let area = try missing.area()
            if area > tolerance {
                findings.append(.init(
                    kind: .gap, code: code, areaSquareMetres: area,
                    detail: mine.isEmpty
                        ? "no cell covers community \(code) (\(format(area)) m²)"
                        : "\(format(area)) m² of community \(code) are not covered by its cells"))
            }
        }

        // Overlaps: candidate pairs from an R-tree, then the area of their intersection.
        let index = try SpatialIndex(cells.map(\.geometry))
        for (i, cell) in cells.enumerated() {
            guard let e = cell.geometry.envelope else { continue }
            for j in try index.query(e) where j > i {
                let shared = try cell.geometry.intersection(with: cells[j].geometry).area()
                if shared > tolerance {
                    findings.append(.init(
                        kind: .overlap, code: cell.code, other: cells[j].code, areaSquareMetres: shared,
                        detail: "\(cell.code) and \(cells[j].code) overlap by \(format(shared)) m²"))
                }
            }
        }

        // Responsibility: every cell has a chief.
        for code in try db.gridCodesWithoutChief() {
            findings.append(.init(kind: .noChief, code: code, detail: "no chief is assigned to grid \(code)"))
        }
        // Responsibility in time: someone answers now; road chiefs; frontage duty holders.
        let roster = try DutyRoster(db, holidays: holidays)
        let duty = DutyAudit(roster: roster, store: db, frame: try CityFrame(db))
        for o in try duty.noOneOnDuty(at: date).offenders {
            findings.append(.init(kind: .noOneOnDuty, code: o.id, detail: "\(o.unit) \(o.id): \(o.detail)"))
        }
        if !roster.segmentsWithRoadChief.isEmpty {
            for s in try duty.segmentsWithoutRoadChief().offenders {
                findings.append(.init(kind: .noRoadChief, code: s.id, detail: "no road chief names segment \(s.id)\(s.name.map { " (\($0))" } ?? "")"))
            }
        }
        for u in try duty.frontageUnassigned().offenders {
            findings.append(.init(kind: .frontageUnassigned, code: u.id, detail: "no duty holder names POI \(u.poiID)\(u.name.map { " (\($0))" } ?? ""), frontage on segment \(u.segmentID)"))
        }
        return findings.sorted { ($0.kind, $0.code, $0.other ?? "") < ($1.kind, $1.code, $1.other ?? "") }
    }

    static func format(_ v: Double) -> String {
        v >= 100 ? String(Int(v.rounded())) : NumberText.format((v * 100).rounded() / 100)
    }
}
