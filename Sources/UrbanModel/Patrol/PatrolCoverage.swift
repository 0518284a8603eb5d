public import Foundation
public import SpatialCore

/// What makes a street segment covered on a day (operations-api §3, 一日双巡): at least `minPasses` passes, a pass being
/// one traversal of at least `passFraction` of the segment's length; when windows are given only passes inside one
/// count (潮汐式: the morning and evening windows); counted passes at least `minGapHours` apart.
public struct PatrolRule: Sendable, Hashable {
    /// A time-of-day window, minutes after local midnight, `start` < `end`.
    public struct Window: Sendable, Hashable, CustomStringConvertible {
        public var start: Int
        public var end: Int

        /// Parses `HH:MM-HH:MM` (end after start, both within 00:00–24:00).
        public init(_ text: String) throws {
            func minutes(_ s: Substring) -> Int? {
                let p = s.split(separator: ":")
                guard p.count == 2, p[0].count == 2, p[1].count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...24).contains(h), (0..<60).contains(m),
                      h * 60 + m <= 24 * 60 else { return nil }
                return h * 60 + m
            }
            let parts = text.split(separator: "-")
            guard parts.count == 2, let a = minutes(parts[0]), let b = minutes(parts[1]), a < b else {
                throw ModelError.invalidArgument(name: "window", reason: "'\(text)' is not a window HH:MM-HH:MM (end after start, e.g. 07:00-09:30)")
            }
            start = a
            end = b
        }

        public var description: String { String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60) }
    }

    public var minPasses = 2
    public var minGapHours = 0.0
    public var windows: [Window] = []
    public var passFraction = 0.5

    public init(minPasses: Int = 2, minGapHours: Double = 0, windows: [Window] = [], passFraction: Double = 0.5) throws {
        guard minPasses >= 1 else { throw ModelError.invalidArgument(name: "min-passes", reason: "\(minPasses): at least 1") }
        guard minGapHours.isFinite, minGapHours >= 0, minGapHours <= 24 else {
            throw ModelError.invalidArgument(name: "min-gap-hours", reason: "\(minGapHours): hours from 0 to 24")
        }
        self.minPasses = minPasses
        self.minGapHours = minGapHours
        self.windows = windows
        self.passFraction = passFraction
    }
}

/// A segment as coverage reports it: its id, length, street name and grid cell (either may be missing).
public struct PatrolSegment: Sendable, Hashable {
    public var id: String
    public var lengthMetres: Double
    public var street: String?
    public var grid: String?
    /// WGS84 line, for GeoJSON.
    public var line: [Coordinate]

    public init(id: String, lengthMetres: Double, street: String?, grid: String?, line: [Coordinate]) {
        self.id = id
        self.lengthMetres = lengthMetres
        self.street = street
        self.grid = grid
        self.line = line
    }
}

/// Coverage of one day: per segment its passes and whether covered, and totals per key.
public struct PatrolCoverage: Sendable {
    public enum Key: String, Sendable, CaseIterable {
        case segment, grid, street, inspector
    }

    public struct SegmentRow: Sendable, Hashable {
        public var segment: PatrolSegment
        /// Passes that count: on the day (their middle instant), inside a window when windows are given.
        public var passes: Int
        /// Of those, the most that are at least `minGapHours` apart (earliest first).
        public var spacedPasses: Int
        public var covered: Bool
        /// Local times (HH:MM) of the passes.
        public var times: [String]
        public var inspectors: [String]
    }

    public struct Total: Sendable, Hashable {
        public var key: String
        public var segmentCount: Int
        public var coveredCount: Int
        public var passes: Int
        public var coveredPct: Double { segmentCount == 0 ? 0 : (Double(coveredCount) * 1000 / Double(segmentCount)).rounded() / 10 }
    }

    public let day: String
    public let rule: PatrolRule
    public let segments: [SegmentRow]
    public let by: Key
    public let totals: [Total]

    public var coveredCount: Int { segments.filter(\.covered).count }
    public var coveredPct: Double { segments.isEmpty ? 0 : (Double(coveredCount) * 1000 / Double(segments.count)).rounded() / 10 }

    /// - Parameters:
    ///   - day: `YYYY-MM-DD`, local to `zone`.
    ///   - traversals: at least those overlapping the day (others are ignored).
    public init(day: String, zone: TimeZone, segments: [PatrolSegment], traversals: [PatrolTraversal], rule: PatrolRule, by: Key) throws {
        guard day.count == 10, let start = ISOTime.date(day, in: zone) else {
            throw ModelError.invalidArgument(name: "day", reason: "'\(day)' is not a date YYYY-MM-DD")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let end = calendar.date(byAdding: .day, value: 1, to: start)!
        let (t0, t1) = (start.timeIntervalSince1970, end.timeIntervalSince1970)
        var passes: [String: [(time: Double, inspector: String)]] = [:]
        for t in traversals where t.fraction >= rule.passFraction {
            let mid = (t.enteredAt + t.leftAt) / 2
            guard mid >= t0, mid < t1 else { continue }
            if !rule.windows.isEmpty {
                let c = calendar.dateComponents([.hour, .minute, .second], from: Date(timeIntervalSince1970: mid))
                let minute = Double((c.hour ?? 0) * 60 + (c.minute ?? 0)) + Double(c.second ?? 0) / 60
                guard rule.windows.contains(where: { Double($0.start) <= minute && minute < Double($0.end) }) else { continue }
            }
            passes[t.segmentID, default: []].append((mid, t.inspector))
        }
        let gap = rule.minGapHours * 3600
        let format = DateFormatter()
        format.timeZone = zone
        format.dateFormat = "HH:mm"
        format.locale = Locale(identifier: "en_US_POSIX")
        var rows: [SegmentRow] = []
        for s in segments {
            let list = (passes[s.id] ?? []).sorted { ($0.time, $0.inspector) < ($1.time, $1.inspector) }
            var spaced = 0
            var last = -Double.infinity
            for p in list where p.time - last >= gap || spaced == 0 {
                spaced += 1
                last = p.time
            }
            rows.append(SegmentRow(segment: s, passes: list.count, spacedPasses: spaced, covered: spaced >= rule.minPasses,
                                   times: list.map { format.string(from: Date(timeIntervalSince1970: $0.time)) },
                                   inspectors: Array(Set(list.map(\.inspector))).sorted()))
        }
        self.day = day
        self.rule = rule
        self.segments = rows
        self.by = by
        var totals: [String: Total] = [:]
        for r in rows {
            let keys: [String] = switch by {
            case .segment: [r.segment.id]
            case .grid: [r.segment.grid ?? ""]
            case .street: [r.segment.street ?? ""]
            case .inspector: r.inspectors
            }
            for k in keys {
                var t = totals[k] ?? Total(key: k, segmentCount: 0, coveredCount: 0, passes: 0)
                t.segmentCount += 1
                t.coveredCount += r.covered ? 1 : 0
                t.passes += by == .inspector ? (passes[r.segment.id] ?? []).filter { $0.inspector == k }.count : r.passes
                totals[k] = t
            }
        }
        self.totals = by == .segment ? [] : totals.values.sorted { $0.key < $1.key }
    }

    // MARK: Output

    public var json: JSONValue {
        var o: JSONObject = [
            "day": .string(day),
            "min_passes": .int(Int64(rule.minPasses)),
            "min_gap_hours": .number(rule.minGapHours),
            "windows": .array(rule.windows.map { .string($0.description) }),
            "segments": .array(segments.map { r in
                .object(["segment_id": .string(r.segment.id), "passes": .int(Int64(r.passes)), "spaced_passes": .int(Int64(r.spacedPasses)),
                         "covered": .bool(r.covered), "times": .array(r.times.map(JSONValue.string)),
                         "inspectors": .array(r.inspectors.map(JSONValue.string))])
            }),
            "covered_count": .int(Int64(coveredCount)),
            "segment_count": .int(Int64(segments.count)),
            "covered_pct": .number(coveredPct),
        ]
        if by != .segment {
            o["by"] = .string(by.rawValue)
            o["totals"] = .array(totals.map { t in
                .object([by.rawValue: .string(t.key), "segment_count": .int(Int64(t.segmentCount)), "covered_count": .int(Int64(t.coveredCount)),
                         "covered_pct": .number(t.coveredPct), "passes": .int(Int64(t.passes))])
            })
        }
        return .object(o)
    }

    /// The segments as a GeoJSON FeatureCollection, each with `segment_id`, `passes`, `covered` (covered and missed alike).
    public var geoJSON: JSONValue {
        .object([
            "type": "FeatureCollection",
            "features": .array(segments.map { r in
                .object([
                    "type": "Feature", "id": .string(r.segment.id),
                    "properties": .object(["segment_id": .string(r.segment.id), "street": r.segment.street.map(JSONValue.string) ?? .null,
                                           "grid_code": r.segment.grid.map(JSONValue.string) ?? .null, "passes": .int(Int64(r.passes)),
                                           "covered": .bool(r.covered)]),
                    "geometry": .object(["type": "LineString", "coordinates": .array(r.segment.line.map {
                        .array([.number(($0.x * 1e7).rounded() / 1e7), .number(($0.y * 1e7).rounded() / 1e7)])
                    })]),
                ])
            }),
        ])
    }

    /// The segments of a city coverage is reported over: every walkable segment, with its street name and the grid
    /// cell holding its middle.
    public static func segments(of store: any CityStore, network: StreetNetwork, frame: CityFrame) throws -> [PatrolSegment] {
        var names: [String: String] = [:]
        for r in try store.features(LayerRequest(.streets, [.column("id"), .column("name")])) {
            if let id = r["id"]?.string, let n = r["name"]?.string, !n.isEmpty { names[id] = n }
        }
        let inverse = try frame.inverse()
        let grids = try GridIndex(store)
        var out: [PatrolSegment] = []
        for s in network.segments {
            var line = s.coordinates
            try inverse.apply(&line)
            let middle = try inverse.apply(PatrolNetwork.point(of: s, at: s.lengthMetres / 2))
            let cell = try grids.locate(middle).cell
            out.append(PatrolSegment(id: s.id, lengthMetres: s.lengthMetres, street: names[s.id], grid: cell.map { grids.table.codes[$0] }, line: line))
        }
        return out
    }
}

extension PatrolNetwork {
    /// The metric position `offset` metres along a segment.
    static func point(of seg: StreetNetwork.Segment, at offset: Double) -> Coordinate {
        let along = seg.along
        let o = min(max(0, offset), along.last ?? 0)
        var i = 1
        while i < along.count - 1 && along[i] < o { i += 1 }
        let a = seg.coordinates[i - 1], b = seg.coordinates[i]
        let span = along[i] - along[i - 1]
        let t = span > 0 ? (o - along[i - 1]) / span : 0
        return Coordinate(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
    }
}
