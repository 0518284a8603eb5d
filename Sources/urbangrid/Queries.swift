import ArgumentParser
import CommandSupport
import Foundation
import Logging
import SpatialCore
import UrbanModel
import UrbanStore

/// Output of the query commands: a table for people, one JSON document, or GeoJSON where geometry is returned.

extension TravelMode: ExpressibleByArgument {}
extension StreetNetwork.Snapping: ExpressibleByArgument {}

/// `--snap`: where points meet the street network.
let snapHelp = ArgumentHelp(
    "With --network: snap points to the nearest segment of the largest connected part of the streets (connected, the default) or to the nearest segment at all (nearest).")

func fixed(_ v: Double?, _ decimals: Int = 1) -> String { v.map { NumberText.format($0, precision: decimals) } ?? "" }

struct Lookup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who is responsible for a spot: grid, community, street, district, chief, nearest street segment, who is on duty, road chief, frontage holder.",
        discussion: """
            A spot on an edge shared by cells belongs to the cell with the smallest grid code. Outside every grid, \
            grid_code is null and the community comes from the admin layer. Batch mode (--points: CSV with lon,lat \
            columns, GeoJSON or GeoJSONSeq points) writes one result per point, in input order. Exit status 1 when the \
            single spot lies outside every grid. \
            Responsibility in time (at --at, default now): phone and on_duty of the cell's grid chief, responsible \
            (the chief on duty, else the AB角 backup; null with duty_note saying so when nobody is), the nearest \
            segment's road_chief, and the frontage_unit the spot lies in with its frontage_holder. A single spot \
            always carries these keys; a batch carries them when --at is given.
            """)

    @OptionGroup var city: CityArgument

    var db: String { city.db }
    @Option(help: "Longitude (WGS84; with --crs, x in that CRS).") var lon: Double?
    @Option(help: "Latitude (WGS84; with --crs, y in that CRS).") var lat: Double?
    @Option(help: ArgumentHelp("Points to look up, in order.", valueName: "FILE")) var points: String?
    @Option(help: ArgumentHelp("The moment who is on duty is answered for, ISO 8601; without an offset, local time of the database's zone (default now).", valueName: "TIME"))
    var at: String?
    @OptionGroup var holidays: HolidaysOption
    @OptionGroup var inputCRS: InputCRSOption
    @OptionGroup var outCRS: OutputCRSOption
    @OptionGroup var output: FormatOption
    var format: OutputFormat { output.format }

    func validate() throws {
        guard (lon != nil && lat != nil) != (points != nil) else { throw ValidationError("give --lon and --lat, or --points FILE") }
    }

    func run() throws {
        let source = try inputCRS.parsed()
        let answerCRS = try outCRS.coordinates()
        var spots: [Coordinate]
        if let points {
            spots = try FeatureFile.readPoints(points, options: .init(crs: source))
        } else {
            // one spot from --lon/--lat is checked as such (an error names lon/lat, not points[0])
            spots = [try inputCRS.coordinates().spot(x: lon!, y: lat!)]
        }
        let store = try city.open()
        let frame = try CityFrame(store)
        let date = try at.map { try frame.parseTime($0) }
        let calendar = try holidays.calendar()
        let lookup = try Lookups.forSpots(spots.count, store: store, frame: frame)
        var out = StandardOutput()
        if format == .json, points != nil, at == nil, answerCRS.isWGS84 {  // streamed, made on every core
            try lookup.lookupJSONArray(spots) { out.write(bytes: $0) }
            out.flush()
            return
        }
        let warnings = points == nil ? SpotWarnings.forSpot(spots[0], field: "--lon/--lat", extent: frame.extent, crs: source) : []
        warn(warnings)
        var results = points == nil ? [try lookup.lookup(lon: spots[0].x, lat: spots[0].y)] : try lookup.lookup(spots)
        if points == nil || date != nil {
            let duty = try ResponsibilityLookup(store, holidays: calendar)
            results = try results.map { try duty.annotate($0, at: date) }
        }
        switch format {
        case .json:
            if answerCRS.isWGS84, points != nil {  // a batch with --at: its answers made here, written as the streamed array is
                var text: [UInt8] = []
                LookupResult.appendArrayLines(results.indices, of: results.count, to: &text) { results[$0].appendJSON(to: &$1) }
                out.write(bytes: results.isEmpty ? Array("[]\n".utf8) : text)
            } else if answerCRS.isWGS84 {
                out.line { results[0].appendJSON(to: &$0, warnings: warnings) }
            } else {
                var json = try answerCRS.reprojecting(points == nil ? results[0].json : .array(results.map(\.json)))
                if !warnings.isEmpty, case .object(var o) = json {
                    o["warnings"] = .array(warnings.map(JSONValue.string))
                    json = .object(o)
                }
                out.line(json.jsonText)
            }
        case .table:
            let rows = try results.map { r in
                let spot = try answerCRS.apply(Coordinate(r.lon, r.lat))
                return [NumberText.format(spot.x, precision: answerCRS.precision) + "," + NumberText.format(spot.y, precision: answerCRS.precision), r.gridCode ?? "(no grid)",
                 r.communityCode ?? "", r.streetCode ?? "", r.districtCode ?? "", r.chief ?? "", r.segmentID ?? "", fixed(r.segmentDistanceMetres)]
                    + (r.responsibility.map { d in
                        [d.onDuty.map { $0 ? "yes" : "no" } ?? "", d.responsible ?? (d.dutyNote != nil ? "(nobody)" : ""), d.roadChief ?? "", d.frontageUnit ?? "", d.frontageHolder ?? ""]
                    } ?? [])
            }
            let duty = results.first?.responsibility != nil ? ["on duty", "responsible", "road chief", "frontage", "holder"] : []
            for l in TextTable.lines(["spot", "grid", "community", "street", "district", "chief", "segment", "segment m"] + duty, rows) { out.line(l) }
            for note in Set(results.compactMap { $0.responsibility?.dutyNote }).sorted() { out.line(note) }
        }
        out.flush()
        if points == nil, results[0].gridCode == nil { throw ExitCode(1) }
    }
}

struct Vendor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vendor zones: may a vendor trade here now, which zones are open, where new zones should go.",
        subcommands: [Check.self, Open.self, Site.self])

    /// Options both subcommands share.
    struct Common: ParsableArguments {
        @OptionGroup var city: CityArgument
        var db: String { city.db }
        @Option(help: ArgumentHelp("The time, ISO 8601; without an offset, local time of the database's zone.", valueName: "TIME"))
        var at: String
        @OptionGroup var holidays: HolidaysOption
        @Option(help: ArgumentHelp("Exclusion buffer around a POI kind, repeatable (default school=100, kindergarten=100, hospital=100).", valueName: "KIND=M"))
        var exclusion: [String] = []
        @OptionGroup var inputCRS: InputCRSOption
        @OptionGroup var output: FormatOption
        var format: OutputFormat { output.format }

        func queries() throws -> (VendorQueries, Date) {
            let calendar = try holidays.calendar()
            let store = try city.open()
            let frame = try CityFrame(store)
            let q = try VendorQueries(store, frame: frame, exclusionMetres: try Vendor.exclusionBuffers(exclusion), holidays: calendar)
            let date = try frame.parseTime(at)
            let year = LocalDate(date, timeZone: frame.timeZone).year
            if calendar != .none, !calendar.covers(year) {
                Logger(label: "urbangrid").warning("no holiday calendar for \(year): PH rules match no day of it (add the year's file with --holidays FILE)")
            }
            return (q, date)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "May a vendor trade at this spot at this time? Exit status 1 when not permitted.",
            discussion: """
                Not permitted, first reason that applies: outside every vendor zone; within the exclusion buffer of a \
                school, kindergarten or hospital (POIs of those kinds; --exclusion to change); the zone is closed then.
                """)
        @OptionGroup var common: Common
        @Option(help: "Longitude (WGS84; with --crs, x in that CRS).") var lon: Double
        @Option(help: "Latitude (WGS84; with --crs, y in that CRS).") var lat: Double

        func run() throws {
            let spot = try common.inputCRS.coordinates().spot(x: lon, y: lat)
            let (q, date) = try common.queries()
            let warnings = SpotWarnings.forSpot(spot, field: "--lon/--lat", extent: q.frame.extent, crs: try common.inputCRS.parsed())
            warn(warnings)
            let r = try q.vendorCheck(lon: spot.x, lat: spot.y, at: date)
            var out = StandardOutput()
            switch common.format {
            case .json: out.line(withWarnings(r.json, warnings).jsonText)
            case .table:
                out.line(r.permitted ? "permitted" : "not permitted: \(r.reasonDetail ?? "")")
                if let z = r.zoneID { out.line("zone      \(z)\(r.zoneName.map { " (\($0))" } ?? "")") }
                if let s = r.zoneStatus { out.line("status    \(s.rawValue)\(r.stalls.map { ", \($0) stalls" } ?? "")") }
                if let open = r.open { out.line("open      \(open ? "yes" : "no")") }
                if let c = r.closesAt { out.line("closes at \(c)") }
                if let o = r.opensAt { out.line("opens at  \(o)") }
            }
            out.flush()
            if !r.permitted { throw ExitCode(1) }
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vendor zones open at a time, nearest first with --near. Exit status 1 when none is open.")
        @OptionGroup var common: Common
        @Option(help: ArgumentHelp("Only zones within --radius of this spot (with --crs, X,Y in that CRS).", valueName: "LON,LAT")) var near: String?
        @Option(help: "Metres from --near (to the zone's nearest point).") var radius: Double?
        @Flag(help: "List closed zones too.") var all = false

        func validate() throws {
            if radius != nil, near == nil { throw ValidationError("--radius needs --near LON,LAT") }
        }

        func run() throws {
            let spot = try near.map { try common.inputCRS.coordinates().spot($0, field: "--near") }
            let (q, date) = try common.queries()
            let warnings = spot.map { SpotWarnings.forSpot($0, field: "--near", extent: q.frame.extent) } ?? []
            warn(warnings)
            let zones = try q.vendorZones(at: date, near: spot, radiusMetres: radius)
            let shown = all ? zones : zones.filter(\.open)
            var out = StandardOutput()
            switch common.format {
            case .json:
                out.line(withWarnings(.object(["at": .string(q.frame.isoTime(date)), "zones": .array(shown.map(\.json))]), warnings).jsonText)
            case .table:
                let rows = shown.map { z in
                    [z.zoneID, z.name ?? "", z.open ? "open" : "closed", z.status.rawValue, z.stalls.map(String.init) ?? "",
                     z.closesAt ?? z.opensAt ?? "", z.hours ?? "", fixed(z.distanceMetres)]
                }
                for l in TextTable.lines(["zone", "name", "state", "status", "stalls", "closes / opens at", "hours", "distance m"], rows) { out.line(l) }
            }
            out.flush()
            if !zones.contains(where: \.open) { throw ExitCode(1) }
        }
    }
}

struct Hazards: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hazards near a spot, along a street segment or in a grid cell, nearest first; hotspots; status changes.",
        subcommands: [List.self, Hotspots.self, SetStatus.self, History.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Hazards in an area, nearest first (the default: `urbangrid hazards DB --near …`). Exit status 1 when none.")
        @OptionGroup var city: CityArgument
        var db: String { city.db }
        @Option(help: ArgumentHelp("Within --radius metres of this spot (with --crs, X,Y in that CRS).", valueName: "LON,LAT")) var near: String?
        @Option(help: "Metres, with --near.") var radius: Double?
        @Option(help: ArgumentHelp("Within --buffer metres of this street segment.", valueName: "SEGMENT_ID")) var along: String?
        @Option(help: "Metres, with --along.") var buffer: Double?
        @Option(name: .customLong("in-grid"), help: ArgumentHelp("In this grid cell.", valueName: "CODE")) var inGrid: String?
        @Option(name: .customLong("class"), help: ArgumentHelp("Class code or its prefix (01: every manhole cover class).", valueName: "CODE"))
        var classCode: String?
        @Option(help: "component (部件) or event (事件): the table of --class (0101 is 上水井盖 among components, 私搭乱建 among events).")
        var kind: String?
        @Option(help: "open or resolved.") var status: String?
        @Option(name: .customLong("min-severity"), help: ArgumentHelp(
            "Least severity: a grade 1–4 or its name (一般/low, 较大/medium, 重大/high, 紧急/urgent).", valueName: "GRADE"))
        var minSeverity: String?
        @OptionGroup var inputCRS: InputCRSOption
        @OptionGroup var outCRS: OutputCRSOption
        @OptionGroup var output: QueryFormatOption
        var format: QueryFormat { output.format }

        func validate() throws {
            let given = [near != nil, along != nil, inGrid != nil].filter { $0 }.count
            guard given == 1 else { throw ValidationError("give one of --near LON,LAT --radius M, --along SEGMENT_ID --buffer M, --in-grid CODE") }
            if near != nil, radius == nil { throw ValidationError("--near needs --radius METRES") }
            if along != nil, buffer == nil { throw ValidationError("--along needs --buffer METRES") }
        }

        func run() throws {
            let answerCRS = try outCRS.coordinates()
            let kind = try kind.map { k in
                guard let kind = CaseWorkflow.Kind(text: k) else { throw CLIError.badInput("--kind '\(k)': component (部件) or event (事件)") }
                return kind
            }
            let minSeverity = try minSeverity.map { g in
                guard let grade = SeverityGrade(text: g) else { throw CLIError.badInput("--min-severity '\(g)' is not a grade: \(SeverityGrade.accepted)") }
                return grade
            }
            let area: HazardArea = if let near {
                .near(try inputCRS.coordinates().spot(near, field: "--near"), radiusMetres: radius!)
            } else if let along {
                .along(segmentID: along, bufferMetres: buffer!)
            } else {
                .inGrid(code: inGrid!)
            }
            let store = try city.open()
            let frame = try CityFrame(store)
            if case .near(let spot, _) = area { warn(SpotWarnings.forSpot(spot, field: "--near", extent: frame.extent, crs: try inputCRS.parsed())) }
            let hits = try HazardQueries(store, frame: frame).hazards(in: area, classPrefix: classCode, kind: kind, status: status, minSeverity: minSeverity)
            var out = StandardOutput()
            switch format {
            case .json: out.line(try answerCRS.reprojecting(JSONValue.array(hits.map(\.json))).jsonText)
            case .geojson: out.line(try answerCRS.reprojecting(FeatureCollection(hits.map(\.feature))).geoJSON(precision: answerCRS.precision))
            case .table:
                let rows = hits.map { h in
                    [h.hazard.id, h.hazard.kind?.rawValue ?? "", h.hazard.classCode, h.hazard.className ?? "", h.hazard.status,
                     h.hazard.severity.map(String.init) ?? "", h.hazard.reportedAt ?? "", h.hazard.segmentID ?? "", h.hazard.gridCode ?? "",
                     fixed(h.distanceMetres)]
                }
                for l in TextTable.lines(["hazard", "kind", "class", "class name", "status", "severity", "reported", "segment", "grid", "distance m"], rows) {
                    out.line(l)
                }
            }
            out.flush()
            if hits.isEmpty { throw ExitCode(1) }
        }
    }

    struct Hotspots: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open hazards counted per grid cell, street segment or community, with their density. Exit status 1 when there is none.")
        @OptionGroup var city: CityArgument
        var db: String { city.db }
        @Option(help: "grid, segment or community.") var by: String = "grid"
        @Option(help: "How many.") var top: Int = 10
        @OptionGroup var output: FormatOption
        var format: OutputFormat { output.format }

        func run() throws {
            guard let unit = HazardHotspot.Unit(rawValue: by) else {
                throw CLIError.badInput("--by '\(by)': one of \(HazardHotspot.Unit.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let spots = try HazardQueries.hotspots(try city.open(), by: unit, top: top)
            var out = StandardOutput()
            switch format {
            case .json: out.line(JSONValue.array(spots.map(\.json)).jsonText)
            case .table:
                let rows = spots.map { [$0.key, String($0.openHazards), fixed($0.density, 2) + ($0.density == nil ? "" : " " + $0.densityUnit)] }
                for l in TextTable.lines([unit.rawValue, "open hazards", "density"], rows) { out.line(l) }
            }
            out.flush()
            if spots.isEmpty { throw ExitCode(1) }
        }
    }
}

extension Hazards {
    struct SetStatus: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-status",
            abstract: "Mark a hazard resolved (已修复) or open again, kept in its history.",
            discussion: """
                One transaction: the hazard's status (resolved_at set when resolved, cleared when reopened) and an event \
                (from, to, at, note, by) in its history. Refused (exit 2, nothing changed): an unknown hazard, the status \
                it has already, a time before its report.
                """)
        @OptionGroup var city: CityArgument
        @Argument(help: "The hazard's id.") var id: String
        @Option(help: "open or resolved.") var status: String
        @Option(help: ArgumentHelp("When (ISO 8601; without an offset, local time of the database's zone). Default: now.", valueName: "TIME"))
        var at: String?
        @Option(help: "Why, or what was done.") var note: String?
        @Option(name: .customLong("as"), help: ArgumentHelp("Who made the change (recorded in the history).", valueName: "NAME"))
        var by: String?
        @OptionGroup var output: FormatOption
        var format: OutputFormat { output.format }

        func run() throws {
            let store = try city.open(readOnly: false)
            guard let hazards = store as? any HazardStatusStore else { throw CLIError.badInput("\(store.displayName) keeps no hazard history") }
            let date = try at.map { try CityFrame(store).parseTime($0) } ?? Date()
            let event = try hazards.setHazardStatus(id: id, to: status, at: date, note: note, by: by)
            var out = StandardOutput()
            switch format {
            case .json: out.line(event.json.jsonText)
            case .table: out.line("hazard \(event.hazardID): \(event.from) → \(event.to) at \(event.at)")
            }
            out.flush()
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A hazard's status changes, oldest first.")
        @OptionGroup var city: CityArgument
        @Argument(help: "The hazard's id.") var id: String
        @OptionGroup var output: FormatOption
        var format: OutputFormat { output.format }

        func run() throws {
            let store = try city.open()
            guard let hazards = store as? any HazardStatusStore else { throw CLIError.badInput("\(store.displayName) keeps no hazard history") }
            let events = try hazards.hazardHistory(id: id)
            var out = StandardOutput()
            switch format {
            case .json: out.line(JSONValue.array(events.map(\.json)).jsonText)
            case .table:
                for l in TextTable.lines(["at", "from", "to", "by", "note"], events.map { [$0.at, $0.from, $0.to, $0.by ?? "", $0.note ?? ""] }) { out.line(l) }
            }
            out.flush()
        }
    }
}

struct Stations: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Service stations (城市管理服务驿站).", subcommands: [Nearest.self])

    struct Nearest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The nearest stations to a spot, by straight-line or street-network distance. Exit status 1 when there is none.",
            discussion: """
                --network walk|drive: along the streets layer, from the station to the spot (one-way streets count when \
                driving); the spot and each station snap to the nearest usable segment at their projected position, and \
                the connectors count. Stations the network does not connect to the spot are left out.
                """)
        @OptionGroup var city: CityArgument
        var db: String { city.db }
        @Option(help: "Longitude (WGS84; with --crs, x in that CRS).") var lon: Double
        @Option(help: "Latitude (WGS84; with --crs, y in that CRS).") var lat: Double
        @Option(help: "How many.") var k: Int = 1
        @Option(help: "walk or drive: street-network distance instead of straight-line.")
        var network: TravelMode?
        @Option(help: snapHelp) var snap: StreetNetwork.Snapping = .connected
        @OptionGroup var inputCRS: InputCRSOption
        @OptionGroup var outCRS: OutputCRSOption
        @OptionGroup var output: QueryFormatOption
        var format: QueryFormat { output.format }

        func run() throws {
            let spot = try inputCRS.coordinates().spot(x: lon, y: lat)
            let answerCRS = try outCRS.coordinates()
            let store = try city.open()
            let frame = try CityFrame(store)
            warn(SpotWarnings.forSpot(spot, field: "--lon/--lat", extent: frame.extent, crs: try inputCRS.parsed()))
            let hits = try StationQueries(store, frame: frame, snapping: snap).nearestStations(lon: spot.x, lat: spot.y, k: k, network: network)
            var out = StandardOutput()
            switch format {
            case .json: out.line(try answerCRS.reprojecting(JSONValue.array(hits.map(\.json))).jsonText)
            case .geojson:
                out.line(try answerCRS.reprojecting(FeatureCollection(hits.map { h in
                    Feature(id: .string(h.id), geometry: .point(x: h.lon, y: h.lat), properties: [
                        "name": h.name.map(JSONValue.string) ?? .null, "distance_m": .number((h.distanceMetres * 10).rounded() / 10),
                        "distance": .string(h.distance), "network": h.network.map { .string($0.rawValue) } ?? .null,
                    ])
                })).geoJSON(precision: answerCRS.precision))
            case .table:
                for l in TextTable.lines(["station", "name", "distance m"], hits.map { [$0.id, $0.name ?? "", fixed($0.distanceMetres)] }) { out.line(l) }
            }
            out.flush()
            if hits.isEmpty { throw ExitCode(1) }
        }
    }
}

struct Coverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per demand unit: the nearest facility and its distance, covered or not; totals by weight, per community and street.",
        discussion: """
            Distances are straight-line metres in the city's metric CRS, to each unit's centroid (a point: itself) or, \
            with --measure boundary, its nearest point. With --network walk|drive they are street-network distances \
            from the facility to the unit's centroid along the streets layer (both snapped to the nearest usable \
            segment at their projected position, connectors included; one-way streets count when driving); units \
            the network does not connect to any facility are uncovered with no facility. Weights: the demand layer's \
            weight column, 1 for other layers.
            """)

    @OptionGroup var city: CityArgument

    var db: String { city.db }
    @Option(help: "The facility layer (e.g. stations).") var facilities: String
    @Option(name: .customLong("facilities-where"), help: ArgumentHelp(
        "Only the facilities this SQL condition on the layer's columns selects (as urbangrid-export --where, e.g. \"kind = 'station'\").", valueName: "EXPR"))
    var facilitiesWhere: String?
    @Option(help: "The demand layer (grids, demand, pois…).") var demand: String
    @Option(help: "Metres.") var radius: Double
    @Option(help: "centroid or boundary.") var measure: String = "centroid"
    @Option(help: "walk or drive: street-network distance instead of straight-line.") var network: TravelMode?
    @Option(help: snapHelp) var snap: StreetNetwork.Snapping = .connected
    @Option(help: "table, json or geojson (the demand units with their coverage).") var format: QueryFormat = .table

    func run() throws {
        func layer(_ name: String, _ option: String) throws -> UrbanModel.Layer {
            guard let l = UrbanModel.Layer(rawValue: name) else {
                throw CLIError.badInput("--\(option) '\(name)': one of \(UrbanModel.Layer.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return l
        }
        guard let m = CoverageMeasure(rawValue: measure) else { throw CLIError.badInput("--measure '\(measure)': centroid or boundary") }
        let database = try city.open()
        let facilityLayer = try layer(facilities, "facilities")
        let only = try facilitiesWhere.map { try featureIDs(database, layer: facilityLayer, where: $0, option: "--facilities-where") }
        let report = try CityAnalysis(database, snapping: snap).coverage(
            facilities: facilityLayer, demand: try layer(demand, "demand"), radiusMetres: radius, measure: m, network: network, only: only)
        var out = StandardOutput()
        switch format {
        case .json: out.line(report.json.jsonText)
        case .geojson:
            var geometries: [String: Geometry] = [:]
            for r in try database.features(LayerRequest(report.demand, [.column("id"), .geometry])) {
                geometries[r["id"]?.string ?? ""] = try r["g"]?.geometry()
            }
            out.line(FeatureCollection(report.units.map { u in
                Feature(id: .string(u.id), geometry: geometries[u.id], properties: u.json.objectValue)
            }).geoJSON(precision: 7))
        case .table:
            let how = network.map { "network, \($0.rawValue), from the facility to the centroid" } ?? "straight-line, \(m.rawValue)"
            out.line("coverage within \(NumberText.format(radius)) m (\(how), \(report.crs)): "
                + "\(NumberText.format(report.coveredWeight, precision: 2)) of \(NumberText.format(report.totalWeight, precision: 2)) "
                + "(\(NumberText.format(report.coveragePercent, precision: 1)) %), \(report.uncovered.count) of \(report.units.count) units uncovered")
            // the totals per community, then per street (the JSON's by_community and by_street)
            for (byStreet, heading) in [(false, "community"), (true, "street")] {
                let rows = report.totals(by: byStreet).map { t in
                    [t.key.isEmpty ? "(none)" : t.key, String(t.units), NumberText.format(t.coveredWeight, precision: 2),
                     NumberText.format(t.totalWeight, precision: 2), NumberText.format(t.coveragePercent, precision: 1) + " %"]
                }
                if byStreet { out.line("") }
                for l in TextTable.lines([heading, "units", "covered", "total", "coverage"], rows) { out.line(l) }
            }
            if !report.uncovered.isEmpty {
                out.line("uncovered:")
                let un = report.uncovered.map { [$0.id, $0.communityCode ?? "", $0.facilityID ?? "none", fixed($0.distanceMetres)] }
                for l in TextTable.lines(["unit", "community", "nearest facility", "distance m"], un) { out.line(l) }
            }
        }
        out.flush()
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a city's rules (JSON, see GeoData/rules/README.md): pass/fail per rule with the offending features. Exit status 1 when any rule fails.")

    @OptionGroup var city: CityArgument

    var db: String { city.db }
    @Option(help: ArgumentHelp("The rules file.", valueName: "FILE")) var rules: String
    @Option(help: ArgumentHelp("The time hazard ages are counted and duty is checked at, ISO 8601; without an offset, local time of the database's zone (default now).", valueName: "TIME")) var at: String?
    @OptionGroup var holidays: HolidaysOption
    @Option(help: "Offenders listed per rule in the table (all in JSON).") var show: Int = 20
    @OptionGroup var output: FormatOption
    var format: OutputFormat { output.format }

    func run() throws {
        let set = try RuleSet(contentsOf: rules)
        let q = try CityAnalysis(try city.open())
        let date = try at.map { try q.frame.parseTime($0) } ?? Date()
        let results = try q.audit(set, at: date, holidays: try holidays.calendar())
        var out = StandardOutput()
        switch format {
        case .json:
            out.line(JSONValue.object(["at": .string(q.frame.isoTime(date)), "passed": .bool(results.allSatisfy(\.passed)),
                                       "rules": .array(results.map(\.json))]).jsonText)
        case .table:
            for r in results {
                out.line("\(r.passed ? "pass" : "FAIL")  \(r.id)  \(r.description): \(r.offenders.count) of \(r.checked) fail")
                for o in r.offenders.prefix(show) { out.line("      \(o.id)  \(o.detail)") }
                if r.offenders.count > show { out.line("      … \(r.offenders.count - show) more (--format json lists all)") }
            }
        }
        out.flush()
        if !results.allSatisfy(\.passed) { throw ExitCode(1) }
    }
}

/// `json` with a `warnings` member (an array of texts) when there are any; an object only (arrays stay as they are,
/// their warnings go to stderr alone).
func withWarnings(_ json: JSONValue, _ warnings: [String]) -> JSONValue {
    guard !warnings.isEmpty, case .object(var o) = json else { return json }
    o["warnings"] = .array(warnings.map(JSONValue.string))
    return .object(o)
}
