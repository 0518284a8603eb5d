public import Foundation
public import SpatialCore

/// One rule of a city's work plan, as a rules file states it (`GeoData/rules/README.md`).
public enum AuditRule: Sendable, Hashable {
    /// Every street (街道, admin level `street`) has at least `min` vendor zones intersecting it.
    case vendorZonesPerStreet(min: Int)
    /// Every district has at least `min` convenience markets: POIs of `poiKinds` plus vendor zones of `zoneKinds` in it.
    case marketsPerDistrict(min: Int, poiKinds: [String], zoneKinds: [String])
    /// Every grid cell has a station within `radiusMetres`: straight-line, or with `network` along the streets
    /// (`CityAnalysis.coverage`).
    case stationCoverage(radiusMetres: Double, measure: CoverageMeasure, network: TravelMode? = nil)
    /// Every grid cell has a chief.
    case gridChief
    /// Every street segment has a chief (a `chiefs` row naming its `segment_id`).
    case segmentChief
    /// No vendor zone within `distanceMetres` of a POI of `poiKinds` (schools, kindergartens, hospitals).
    case vendorZoneExclusion(distanceMetres: Double, poiKinds: [String])
    /// No hazard open longer than `maxDays` days.
    case hazardAge(maxDays: Double)
    /// At the audit's time, someone answers for every cell with a grid chief and every segment with a road chief:
    /// the chief on duty, or the AB角 backup (`DutyRoster`).
    case noOneOnDuty
    /// Every street segment has a road chief (路长: a `road_chief` row naming its `segment_id`).
    case segmentWithoutRoadChief
    /// Every frontage unit (门前三包) has a duty holder (a `frontage` row naming its POI in `poi_id`).
    case frontageUnassigned

    public var kind: String {
        switch self {
        case .vendorZonesPerStreet: "vendor-zones-per-street"
        case .marketsPerDistrict: "markets-per-district"
        case .stationCoverage: "station-coverage"
        case .gridChief: "grid-chief"
        case .segmentChief: "segment-chief"
        case .vendorZoneExclusion: "vendor-zone-exclusion"
        case .hazardAge: "hazard-age"
        case .noOneOnDuty: "no-one-on-duty"
        case .segmentWithoutRoadChief: "segment-without-road-chief"
        case .frontageUnassigned: "frontage-unassigned"
        }
    }
}

/// The outcome of one rule: pass or fail, how many features were checked, and the offending ones.
public struct RuleResult: Sendable, Hashable {
    public struct Offender: Sendable, Hashable {
        public var id: String
        public var detail: String
    }

    public var id: String
    public var kind: String
    public var description: String
    public var checked: Int
    public var offenders: [Offender]
    public var passed: Bool { offenders.isEmpty }

    public var json: JSONValue {
        .object([
            "id": .string(id), "kind": .string(kind), "description": .string(description), "passed": .bool(passed),
            "checked": .int(Int64(checked)), "failed": .int(Int64(offenders.count)),
            "offenders": .array(offenders.map { .object(["id": .string($0.id), "detail": .string($0.detail)]) }),
        ])
    }
}

/// A rules file: `{"rules": [{"id": "R1", "kind": "vendor-zones-per-street", "min": 1}, …]}`.
public struct RuleSet: Sendable {
    public var rules: [(id: String, rule: AuditRule)]

    public init(contentsOf path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        try self.init(parsing: [UInt8](data), path: path)
    }

    /// Reads the text of a rules file; `path` names it in errors.
    public init(parsing data: [UInt8], path: String) throws {
        func fail(_ field: String, _ reason: String) -> ModelError { .malformedRecord(.init(file: path, field: field), reason: reason) }
        let root: JSONValue
        do { root = try JSONValue(parsing: data) } catch { throw fail("$", "not JSON: \(error)") }
        guard let list = root["rules"]?.arrayValue else { throw fail("rules", "expected a list of rules") }
        var rules: [(String, AuditRule)] = []
        var ids: Set<String> = []
        for (i, v) in list.enumerated() {
            let at = "rules[\(i)]"
            guard let o = v.objectValue, let kind = o["kind"]?.stringValue else { throw fail("\(at).kind", "missing") }
            let id = o["id"]?.stringValue ?? "R\(i + 1)"
            guard ids.insert(id).inserted else { throw fail("\(at).id", "'\(id)' is used twice") }
            func number(_ key: String, _ fallback: Double? = nil) throws -> Double {
                guard let v = o[key] else {
                    if let fallback { return fallback }
                    throw fail("\(at).\(key)", "missing")
                }
                guard let d = v.doubleValue, d.isFinite, d >= 0 else { throw fail("\(at).\(key)", "expected a number ≥ 0, found \(v)") }
                return d
            }
            /// A whole count ≥ 0 (a larger number than any city has would not fit an Int: refused, not trapped).
            func count(_ key: String, _ fallback: Int) throws -> Int {
                guard let v = o[key] else { return fallback }
                guard let d = v.doubleValue, d >= 0, d <= 1e9, d == d.rounded() else {
                    throw fail("\(at).\(key)", "expected a whole number from 0 to 1000000000, found \(v.jsonText)")
                }
                return Int(d)
            }
            func strings(_ key: String, _ fallback: [String]) throws -> [String] {
                guard let v = o[key] else { return fallback }
                guard let a = v.arrayValue, let s = Optional(a.compactMap(\.stringValue)), s.count == a.count else {
                    throw fail("\(at).\(key)", "expected a list of strings")
                }
                return s
            }
            let rule: AuditRule
            switch kind {
            case "vendor-zones-per-street": rule = .vendorZonesPerStreet(min: try count("min", 1))
            case "markets-per-district":
                rule = .marketsPerDistrict(min: try count("min", 1), poiKinds: try strings("poi_kinds", ["marketplace", "convenience", "supermarket"]),
                                           zoneKinds: try strings("zone_kinds", ["便民市场"]))
            case "station-coverage":
                let m = o["measure"]?.stringValue ?? "centroid"
                guard let measure = CoverageMeasure(rawValue: m) else { throw fail("\(at).measure", "'\(m)' is not centroid or boundary") }
                let network = try TravelMode.ofStationCoverage(o["network"], measure: measure, at: at, fail: fail)
                rule = .stationCoverage(radiusMetres: try number("radius_m"), measure: measure, network: network)
            case "grid-chief": rule = .gridChief
            case "segment-chief": rule = .segmentChief
            case "vendor-zone-exclusion":
                rule = .vendorZoneExclusion(distanceMetres: try number("distance_m"), poiKinds: try strings("poi_kinds", ["school", "kindergarten", "hospital"]))
            case "hazard-age": rule = .hazardAge(maxDays: try number("max_days"))
            case "no-one-on-duty": rule = .noOneOnDuty
            case "segment-without-road-chief": rule = .segmentWithoutRoadChief
            case "frontage-unassigned": rule = .frontageUnassigned
            default:
                throw fail("\(at).kind", "'\(kind)' is not one of vendor-zones-per-street, markets-per-district, station-coverage, grid-chief, segment-chief, vendor-zone-exclusion, hazard-age, no-one-on-duty, segment-without-road-chief, frontage-unassigned")
            }
            rules.append((id, rule))
        }
        guard !rules.isEmpty else { throw fail("rules", "no rules") }
        self.rules = rules.map { (id: $0.0, rule: $0.1) }
    }
}

extension CityAnalysis {
    /// Evaluates the rules at `date` (hazard ages, who is on duty; `holidays` decides `PH` in duty hours), in file order.
    public func audit(_ rules: RuleSet, at date: Date, holidays: HolidayCalendar = .china) throws -> [RuleResult] {
        var roster: DutyRoster?
        return try rules.rules.map { rule in
            switch rule.rule {
            case .noOneOnDuty, .segmentWithoutRoadChief, .frontageUnassigned:
                if roster == nil { roster = try DutyRoster(store, holidays: holidays) }
                return try DutyAudit(roster: roster!, store: store, frame: frame).audit(rule.rule, id: rule.id, at: date)
            default:
                return try audit(rule.rule, id: rule.id, at: date)
            }
        }
    }

    func adminAreas(level: String) throws -> [(code: String, name: String?, geometry: Geometry)] {
        try rows(.admin, [.column("code"), .column("name"), .geometry], where: [.equals("level", .text(level))], order: ["code"]).compactMap { r in
            guard let g = try r["g"]?.geometry() else { return nil }
            return (r["code"]?.string ?? "", r["name"]?.string, g)
        }
    }

    /// `(id, geometry)` of a layer's rows (those of the kinds given, when given), in pk order.
    func layerGeometries(_ layer: UrbanModel.Layer, kinds: [String]? = nil) throws -> [(id: String, geometry: Geometry)] {
        try rows(layer, [.column("id"), .geometry], where: kinds.map { [.isIn("kind", $0)] } ?? []).compactMap { r in
            guard let g = try r["g"]?.geometry() else { return nil }
            return (r["id"]?.string ?? "", g)
        }
    }

    /// How many of `items` intersect each area (GEOS, through an STRtree over the items).
    func counts(in areas: [(code: String, name: String?, geometry: Geometry)], of items: [Geometry]) throws -> [Int] {
        guard !items.isEmpty else { return areas.map { _ in 0 } }
        let index = try SpatialIndex(items)
        return try areas.map { try index.query($0.geometry, predicate: .intersects).count }
    }

    func audit(_ rule: AuditRule, id: String, at date: Date) throws -> RuleResult {
        var r = RuleResult(id: id, kind: rule.kind, description: "", checked: 0, offenders: [])
        switch rule {
        case .vendorZonesPerStreet(let min):
            r.description = "every street (街道) has at least \(min) vendor zone\(min == 1 ? "" : "s")"
            let streets = try adminAreas(level: "street")
            let zones = try layerGeometries(.vendorZones).map(\.geometry)
            r.checked = streets.count
            for (s, n) in zip(streets, try counts(in: streets, of: zones)) where n < min {
                r.offenders.append(.init(id: s.code, detail: "\(s.name ?? s.code): \(n) vendor zone\(n == 1 ? "" : "s")"))
            }
        case .marketsPerDistrict(let min, let poiKinds, let zoneKinds):
            r.description = "every district has at least \(min) convenience market\(min == 1 ? "" : "s") (POIs: \(poiKinds.joined(separator: ", ")); zones: \(zoneKinds.joined(separator: ", ")))"
            let districts = try adminAreas(level: "district")
            var items = try layerGeometries(.pois, kinds: poiKinds).map(\.geometry)
            items += try layerGeometries(.vendorZones, kinds: zoneKinds).map(\.geometry)
            r.checked = districts.count
            for (d, n) in zip(districts, try counts(in: districts, of: items)) where n < min {
                r.offenders.append(.init(id: d.code, detail: "\(d.name ?? d.code): \(n) market\(n == 1 ? "" : "s")"))
            }
        case .stationCoverage(let radius, let measure, let network):
            let how = network.map { "\($0 == .walk ? "walking" : "driving") along the streets, from the station to the centroid" } ?? "straight-line, \(measure.rawValue)"
            r.description = "every grid cell has a station within \(NumberText.format(radius)) m (\(how))"
            let report = try coverage(facilities: .stations, demand: .grids, radiusMetres: radius, measure: measure, network: network)
            r.checked = report.units.count
            for u in report.uncovered {
                r.offenders.append(.init(id: u.id, detail: u.distanceMetres.map { "nearest station \(u.facilityID ?? "?") at \(NumberText.format($0, precision: 1)) m" } ?? (network == nil ? "no station" : "no station connected to it by the street network")))
            }
        case .gridChief:
            r.description = "every grid cell has a chief"
            r.checked = try store.count(.grids)
            for code in try store.gridCodesWithoutChief() {
                r.offenders.append(.init(id: code, detail: "no chief names this grid"))
            }
        case .segmentChief:
            r.description = "every street segment has a chief"
            r.checked = try store.count(.streets)
            for street in try store.streetsWithoutChief() {
                r.offenders.append(.init(id: street.id, detail: "no chief names segment \(street.name ?? "")"))
            }
        case .vendorZoneExclusion(let distance, let poiKinds):
            r.description = "no vendor zone within \(NumberText.format(distance)) m of a \(poiKinds.joined(separator: ", "))"
            let zones = try layerGeometries(.vendorZones)
            let pois = try rows(.pois, [.column("id"), .column("name"), .column("kind"), .geometry], where: [.isIn("kind", poiKinds)]).compactMap { row -> (String, String, Geometry)? in
                guard let g = try row["g"]?.geometry() else { return nil }
                return (row["id"]?.string ?? "", "\(row["kind"]?.string ?? "") '\(row["name"]?.string ?? row["id"]?.string ?? "")'", try forward.apply(to: g))
            }
            r.checked = zones.count
            if !pois.isEmpty {
                let index = try SpatialIndex(pois.map(\.2))
                for z in zones {
                    if let hit = try index.nearest(to: try forward.apply(to: z.geometry), maxDistance: distance).first {
                        r.offenders.append(.init(id: z.id, detail: "\(NumberText.format(hit.distance, precision: 1)) m from \(pois[hit.index].1)"))
                    }
                }
            }
        case .noOneOnDuty, .segmentWithoutRoadChief, .frontageUnassigned:
            return try DutyAudit(roster: try DutyRoster(store, holidays: .china), store: store, frame: frame).audit(rule, id: id, at: date)
        case .hazardAge(let maxDays):
            r.description = "no hazard open longer than \(NumberText.format(maxDays)) days (at \(frame.isoTime(date)))"
            let open = try rows(.hazards, [.column("id"), .column("class_code"), .column("reported_at")], where: [.equals("status", .text("open"))])
            r.checked = open.count
            for row in open {
                guard let text = row["reported_at"]?.string, let reported = ISOTime.date(text, in: frame.timeZone) else { continue }
                let days = date.timeIntervalSince(reported) / 86_400
                if days > maxDays {
                    r.offenders.append(.init(id: row["id"]?.string ?? "", detail: "class \(row["class_code"]?.string ?? ""), open \(NumberText.format(days, precision: 1)) days since \(text)"))
                }
            }
        }
        return r
    }
}
