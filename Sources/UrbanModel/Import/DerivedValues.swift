public import Foundation
public import SpatialCore

// Values derived at import time, inside the import's transaction:
// - streets: the input lines are noded (split where they cross or touch each other's interior) and
//   each stored segment gets its length in metres and end-node ids;
// - hazards: each hazard is snapped to its nearest street segment (id, position along it, distance)
//   and located in the grid cell covering it.

extension LayerImport {
    /// How street lines are noded at import.
    public enum StreetNoding: String, Sendable, CaseIterable {
        /// Node the file unless every feature carries both `from_node` and `to_node`: a source that gives
        /// end-node ids (an OpenStreetMap-derived network) is already noded by its own topology, and lines
        /// crossing there without a shared node are grade-separated (bridges, tunnels), not junctions.
        case auto
        /// Always node: every crossing or touch in a line's interior splits it.
        case always
        /// Never node: store the lines as given.
        case never
    }

    /// The derived columns of a layer, in the order `derive` fills `LayerRow.derived`.
    public static func derivedColumns(_ layer: UrbanModel.Layer) -> [String] {
        switch layer {
        case .streets: ["length_m"]
        case .hazards: ["segment_id", "segment_position_m", "segment_distance_m", "grid_code"]
        default: []
        }
    }

    /// Rows as they are stored: streets noded and measured, hazards snapped to `existing` streets and located in its
    /// grid cells (read only for hazards).
    public static func derive(_ rows: [LayerRow], schema: LayerSchema, noding: StreetNoding,
                       existing: () throws -> LayerImport.Existing) throws -> [LayerRow] {
        switch schema.layer {
        case .streets: try StreetNoder(rows: rows, schema: schema, noding: noding).segments()
        case .hazards: try snapHazards(rows, to: try existing())
        default: rows
        }
    }

    // MARK: Hazards

    /// Gives each hazard its nearest street segment already in the database (lowest pk on a tie), the
    /// position along it from its start and the distance to it, in metres in a metric CRS chosen from
    /// the street network's extent; and the code of the grid cell covering it (lowest code when it lies
    /// on a shared edge). A point hazard is used as is; a line hazard by the point halfway along it
    /// (which lies on the line, unlike a centroid); any other geometry by a point on its surface.
    static func snapHazards(_ rows: [LayerRow], to existing: LayerImport.Existing) throws -> [LayerRow] {
        let streetIDs = existing.streets.map(\.id), streetGeoms = existing.streets.map(\.geometry)
        let gridCodes = existing.grids.map(\.code), gridGeoms = existing.grids.map(\.geometry)
        var snap: (measure: MetricMeasure, index: SpatialIndex, lines: [Geometry])?
        if let extent = Envelope.union(streetGeoms.map(\.envelope)) {
            let measure = try MetricMeasure(crs: LocalMetricCRS.choose(for: extent).crs)
            let lines = try streetGeoms.map { try measure.project($0) }
            snap = (measure, try SpatialIndex(lines), lines)
        }
        let locator = gridGeoms.isEmpty ? nil : try PolygonLocator(gridGeoms, semantics: .covers)
        return try rows.map { row in
            var row = row
            var segment: String?, position: Double?, distance: Double?, grid: String?
            if let g = row.geometry, let p = try Self.representativePoint(g) {
                if let snap, let hit = try snap.index.nearest(to: try snap.measure.project(.point(Point(p)))).first {
                    let mp = try snap.measure.project(.point(Point(p)))
                    segment = streetIDs[hit.index]
                    position = try snap.lines[hit.index].project(mp)
                    distance = hit.distance
                }
                if let locator, let k = try locator.locate(p) { grid = gridCodes[k] }
            }
            row.derived = [segment, position, distance, grid]
            return row
        }
    }

    public static func representativePoint(_ g: Geometry) throws -> Coordinate? {
        guard !g.isEmpty else { return nil }
        let p: Geometry = switch g {
        case .point: g
        case .lineString: try g.interpolate(fraction: 0.5)
        default: try g.pointOnSurface()
        }
        if case .point(let pt) = p { return pt.coordinate }
        return nil
    }
}

/// Nodes a file of street lines and turns its rows into stored segments (see `LayerImport.StreetNoding`).
///
/// Only lines whose interior meets another line (found with an STRtree and the DE-9IM matrix), together
/// with the lines they meet, go through one GEOS `noded()` call, so that the split points are computed
/// once and the pieces of different lines meet at identical coordinates. A line end lying within 1e-9°
/// (about 0.1 mm) of another line's interior without being exactly on it (coordinates computed separately,
/// e.g. after a CRS transform) is a T-junction as well: it is first added as a vertex of that line. Each piece is given back to
/// every input line it lies on (within 1e-9°: the computed intersection points need not lie exactly on
/// the lines), oriented and ordered along that line. The file is noded on its own: streets already in
/// the database are not split, and do not split the new ones.
struct StreetNoder {
    let rows: [LayerRow]
    let schema: LayerSchema
    let noding: LayerImport.StreetNoding
    /// Distance (degrees) within which a noded piece counts as lying on an input line: about 0.1 mm.
    static let tolerance = 1e-9

    func segments() throws -> [LayerRow] {
        guard !rows.isEmpty else { return [] }
        let fromColumn = schema.columns.firstIndex { $0.name == "from_node" }! + 1  // +1: the id comes first
        let toColumn = schema.columns.firstIndex { $0.name == "to_node" }! + 1
        let lines = rows.map { $0.geometry ?? .geometryCollection([]) }
        let given = rows.map { ($0.values[fromColumn] as? String, $0.values[toColumn] as? String) }
        let node: Bool = switch noding {
        case .never: false
        case .always: true
        case .auto: given.contains { $0.0 == nil || $0.1 == nil }
        }
        let pieces = node ? try split(lines) : [:]
        let extent = Envelope.union(lines.map(\.envelope))
        let measure = try extent.map { try MetricMeasure(crs: LocalMetricCRS.choose(for: $0).crs) }
        func length(_ g: Geometry) throws -> Double? { try measure?.lengthMetres(g) }

        var out: [LayerRow] = []
        out.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard let parts = pieces[i], parts.count > 1 else {
                var r = row
                if let g = row.geometry {
                    let ends = Self.ends(g)
                    if r.values[fromColumn] == nil { r.values[fromColumn] = ends.map { Self.nodeID($0.0) } }
                    if r.values[toColumn] == nil { r.values[toColumn] = ends.map { Self.nodeID($0.1) } }
                    r.derived = [try length(g)]
                } else {
                    r.derived = [nil]
                }
                out.append(r)
                continue
            }
            for (k, part) in parts.enumerated() {
                var r = row
                r.values[0] = "\(row.id)-\(k + 1)"
                r.id = "\(row.id)-\(k + 1)"
                let g = Geometry.lineString(part)
                r.geometry = g
                let first = part.coordinates.first!, last = part.coordinates.last!
                // the line's own ends keep their given ids; split points get ids from their position
                r.values[fromColumn] = (k == 0 ? given[i].0 : nil) ?? Self.nodeID(first)
                r.values[toColumn] = (k == parts.count - 1 ? given[i].1 : nil) ?? Self.nodeID(last)
                r.derived = [try length(g)]
                out.append(r)
            }
        }
        return out
    }

    /// The pieces of every line that noding splits, oriented and ordered along it (lines left whole are absent).
    func split(_ input: [Geometry]) throws -> [Int: [LineString]] {
        var lines = input
        let index = try SpatialIndex(lines)
        var involved = Set<Int>()
        var insertions: [Int: [Coordinate]] = [:]  // line end points to add as vertices of other lines
        for (i, g) in lines.enumerated() where !g.isEmpty {
            for j in try index.query(g, predicate: .dwithin(Self.tolerance)) where j > i {
                // interior of either line meets the other line (interior or end point)
                let m = Array(try g.relate(lines[j]))
                if m[0] != "F" || m[1] != "F" || m[3] != "F" {
                    involved.insert(i)
                    involved.insert(j)
                }
                // an end point a hair off the other line's interior (computed coordinates): a T-junction too
                for (a, b) in [(i, j), (j, i)] {
                    guard let bEnds = Self.ends(input[b]) else { continue }
                    for e in [Self.ends(input[a])?.0, Self.ends(input[a])?.1].compactMap({ $0 }) {
                        let pe = Geometry.point(Point(e))
                        guard try input[b].distance(to: pe) <= Self.tolerance,
                              !input[b].coordinates.contains(e),
                              try pe.distance(to: .point(Point(bEnds.0))) > Self.tolerance,
                              try pe.distance(to: .point(Point(bEnds.1))) > Self.tolerance
                        else { continue }
                        insertions[b, default: []].append(e)
                        involved.insert(a)
                        involved.insert(b)
                    }
                }
            }
        }
        guard !involved.isEmpty else { return [:] }
        for (b, points) in insertions {
            if case .lineString(let l) = lines[b] { lines[b] = .lineString(Self.inserting(points, into: l)) }
        }
        let members = involved.sorted()
        let lineStrings = members.compactMap { k -> LineString? in if case .lineString(let l) = lines[k] { l } else { nil } }
        let noded = try Geometry.multiLineString(MultiLineString(lineStrings)).noded()
        let nodedPieces: [LineString] = switch noded {
        case .lineString(let l): [l]
        case .multiLineString(let m): m.lineStrings
        case .geometryCollection(let parts): parts.compactMap { if case .lineString(let l) = $0 { l } else { nil } }
        default: []
        }
        let memberIndex = try SpatialIndex(members.map { lines[$0] })
        var owned: [Int: [(start: Double, piece: LineString)]] = [:]
        for piece in nodedPieces where piece.coordinates.count >= 2 {
            let pg = Geometry.lineString(piece)
            let probes = [Geometry.point(Point(piece.coordinates.first!)), Geometry.point(Point(piece.coordinates.last!)),
                          try pg.interpolate(fraction: 0.5)]
            let near = try memberIndex.query(pg, predicate: .dwithin(Self.tolerance))
            for m in near {
                let line = lines[members[m]]
                guard try probes.allSatisfy({ try line.distance(to: $0) <= Self.tolerance }) else { continue }
                let s = try line.project(probes[0]), e = try line.project(probes[1])
                var p = piece
                if s > e { p.coordinates.reverse() }
                owned[members[m], default: []].append((min(s, e), p))
            }
        }
        return owned.filter { $0.value.count > 1 }.mapValues { $0.sorted { $0.start < $1.start }.map(\.piece) }
    }

    /// The line with `points` (each within `tolerance` of it) added as vertices on their nearest segments.
    static func inserting(_ points: [Coordinate], into line: LineString) -> LineString {
        let c = line.coordinates
        var placed: [(segment: Int, t: Double, point: Coordinate)] = []
        for p in points {
            var best = (segment: 0, t: 0.0, d: Double.infinity)
            for k in 0..<(c.count - 1) {
                let a = c[k], b = c[k + 1]
                let dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy
                let t = len2 == 0 ? 0 : min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2))
                let qx = a.x + t * dx - p.x, qy = a.y + t * dy - p.y
                let d = qx * qx + qy * qy
                if d < best.d { best = (k, t, d) }
            }
            placed.append((best.segment, best.t, p))
        }
        placed.sort { $0.segment != $1.segment ? $0.segment < $1.segment : $0.t < $1.t }
        var out: [Coordinate] = []
        var next = 0
        for k in c.indices {
            out.append(c[k])
            while next < placed.count, placed[next].segment == k {
                if out.last != placed[next].point { out.append(placed[next].point) }
                next += 1
            }
        }
        return (try? LineString(out)) ?? line
    }

    static func ends(_ g: Geometry) -> (Coordinate, Coordinate)? {
        let c = g.coordinates
        guard let a = c.first, let b = c.last else { return nil }
        return (a, b)
    }

    /// `n<lon>_<lat>` with both rounded to 1e-7°, so that pieces meeting at a point share the id.
    static func nodeID(_ c: Coordinate) -> String {
        func f(_ v: Double) -> String {
            let r = (v * 1e7).rounded() / 1e7
            return String(format: "%.7f", r == 0 ? 0 : r)  // no "-0.0000000"
        }
        return "n\(f(c.x))_\(f(c.y))"
    }
}

/// Where hazards lie in the grid.
public enum HazardLocation {
    /// The code of the cell covering each hazard's representative point (the lowest code on a shared edge, nil outside
    /// every cell), for hazards given by pk; `cells` in code order.
    public static func gridCodes(of hazards: [(pk: Int64, geometry: Geometry?)], in cells: [(code: String, geometry: Geometry)]) throws -> [(pk: Int64, code: String?)] {
        let locator = cells.isEmpty ? nil : try PolygonLocator(cells.map(\.geometry), semantics: .covers)
        return try hazards.map { h in
            var code: String?
            if let locator, let g = h.geometry, let p = try LayerImport.representativePoint(g), let k = try locator.locate(p) {
                code = cells[k].code
            }
            return (h.pk, code)
        }
    }
}
