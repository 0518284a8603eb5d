import Foundation
public import SpatialCore

/// The lattice a grid is cut from.
///
/// - `square`: axis-aligned squares of side `cellSize` metres in the metric CRS.
/// - `hex`: pointy-top regular hexagons whose **area equals `cellSize`²** (so a 100 m hex grid has the same
///   1 ha nominal cells, 万米单元网格, as a 100 m square grid). Side R = cellSize·√(2 / (3√3)) ≈ 0.6204·cellSize,
///   width √3·R ≈ 1.0746·cellSize, rows 1.5·R ≈ 0.9306·cellSize apart, odd rows shifted half a width east.
/// - `block`: street blocks (`GridBuilder.buildBlocks`): the street network polygonized inside each community,
///   small blocks merged, large ones cut by a square lattice of side √(target area). Its `cellSize` is that side.
public enum GridShape: String, Sendable, CaseIterable {
    case square, hex, block
}

/// One area to cut into cells: a community (its 12-digit code, or another code prefix for a free boundary)
/// and its polygon in WGS84 lon/lat.
public struct GridArea: Sendable {
    public var code: String
    public var geometry: Geometry

    public init(code: String, geometry: Geometry) {
        self.code = code
        self.geometry = geometry
    }
}

/// One unit-grid cell as built: WGS84 geometry (a multipolygon), its area measured in the metric CRS.
public struct GridCell: Sendable {
    public var code: String
    public var communityCode: String
    public var areaSquareMetres: Double
    public var shape: GridShape
    public var geometry: Geometry
}

/// What `GridBuilder.build` made, per community and in total.
public struct GridBuildResult: Sendable {
    public struct Community: Sendable {
        public var code: String
        public var cellCount: Int
        /// Sum of the cells' areas, m².
        public var cellsArea: Double
        /// The community's own area in the same metric CRS, m².
        public var communityArea: Double
        /// Slivers (below the minimum area) merged into a neighbour.
        public var mergedSlivers: Int
    }

    public var crs: CRS
    /// How the CRS was chosen, e.g. "CGCS2000 3° Gauss-Krüger zone CM 117°E (EPSG:4548): data centre in China".
    public var crsNote: String
    public var shape: GridShape
    public var cellSize: Double
    public var communities: [Community]
    public var cells: [GridCell]
}

/// Builds square or hex unit grids over communities.
///
/// The rules, per community:
/// 1. The community is projected to the metric CRS (`LocalMetricCRS.choose`). The lattice is anchored at the CRS origin,
///    so cell edges sit on multiples of the cell size (square) or of the hex spacing: rebuilding gives the
///    same cells.
/// 2. Each lattice cell that meets the community is clipped to it (GEOS intersection); only polygonal parts
///    of positive area are kept. A clipped cell may have several parts (a concave community); it stays one
///    cell. No cell crosses a community boundary, and the cells tile the community exactly.
/// 3. Cells below `minArea` m² (slivers) are merged, smallest first, into the cell of the same community with
///    which they share the longest boundary (GEOS union). A sliver touching no other cell is kept.
/// 4. Cells are numbered west→east, then north→south by their centroids (`GridCode.sequenceNumbers`, row
///    tolerance half the cell size); the code is the community code + the 3-digit sequence.
/// 5. Areas are measured in the metric CRS; geometries go back to WGS84.
public enum GridBuilder {
    /// - Throws: `invalidArgument` for a bad cell size or minimum area, an area code that is not 12 digits,
    ///   or a community that needs more than 999 cells (naming it and suggesting a cell size).
    public static func build(
        _ areas: [GridArea], shape: GridShape, cellSize: Double = 100, minArea: Double = 1
    ) throws -> GridBuildResult {
        guard cellSize.isFinite, cellSize > 0 else {
            throw ModelError.invalidArgument(name: "cell-size", reason: "\(cellSize) is not a positive number of metres")
        }
        guard minArea.isFinite, minArea >= 0 else {
            throw ModelError.invalidArgument(name: "min-area", reason: "\(minArea) is not a number of m² ≥ 0")
        }
        guard shape != .block else {
            throw ModelError.invalidArgument(name: "shape", reason: "block grids follow the streets: use GridBuilder.buildBlocks")
        }
        let envelope = try checkAreas(areas)
        return try assemble(areas, envelope: envelope, shape: shape, cellSize: cellSize, sizeHint: { n in
            let capacity = Double(CodeLayout.grid.field(named: "sequence")!.maxValue)
            let suggested = (cellSize * (Double(n) / capacity).squareRoot() * 1.05).rounded(.up)
            return ("cells of \(NumberText.format(cellSize)) m", "use a larger --cell-size (about \(NumberText.format(suggested)) m or more)")
        }) { community in
            var pieces = try clip(community, shape: shape, cellSize: cellSize)
            let merged = try mergeSlivers(&pieces, minArea: minArea)
            return (pieces, merged)
        }
    }

    /// Builds street-block grids (`GridShape.block`) over communities.
    ///
    /// Per community, in the metric CRS (`LocalMetricCRS.choose`):
    /// 1. The street lines meeting the community (all classes) and the community's boundary are unioned and
    ///    noded (GEOS), then polygonized; the polygons whose point on surface the community covers are the
    ///    blocks. Dead ends and other dangles close no ring and cut nothing.
    /// 2. What polygonize leaves uncovered (community minus the blocks, parts over 0.01 m²) is added as blocks,
    ///    so the blocks always tile the community.
    /// 3. Blocks below `minArea` (default 0.2 × `targetArea`) are merged into the neighbour of the same community
    ///    with the longest shared boundary (`mergeSlivers`).
    /// 4. Blocks above 4 × `targetArea` are cut by the square lattice of side √`targetArea` (`clip`); pieces of
    ///    one block below `minArea` are merged back into a piece of that block.
    /// 5. Numbering, areas and storage as for square cells; the result's `cellSize` is √`targetArea`.
    /// - Parameter streets: street lines in WGS84 (the `streets` layer); lines outside every community are ignored.
    /// - Throws: `invalidArgument` for a bad target or minimum area, an area code that is not 12 digits, or a
    ///   community that needs more than 999 blocks.
    public static func buildBlocks(
        _ areas: [GridArea], streets: [Geometry], targetArea: Double = 10_000, minArea: Double? = nil
    ) throws -> GridBuildResult {
        guard targetArea.isFinite, targetArea > 0 else {
            throw ModelError.invalidArgument(name: "target-area", reason: "\(targetArea) is not a positive number of m²")
        }
        let minArea = minArea ?? 0.2 * targetArea
        guard minArea.isFinite, minArea >= 0 else {
            throw ModelError.invalidArgument(name: "min-area", reason: "\(minArea) is not a number of m² ≥ 0")
        }
        let envelope = try checkAreas(areas)
        let forward = try CoordinateTransform(from: .wgs84, to: LocalMetricCRS.choose(for: envelope).crs)
        var lines: [(geometry: Geometry, envelope: Envelope)] = []
        for street in streets {
            guard let e = street.envelope, areas.contains(where: { $0.geometry.envelope?.intersects(e) ?? false }) else { continue }
            let g = try forward.apply(to: street)
            if let me = g.envelope { lines.append((g, me)) }
        }
        let side = targetArea.squareRoot()
        return try assemble(areas, envelope: envelope, shape: .block, cellSize: side, sizeHint: { n in
            let suggested = (targetArea * Double(n) / Double(CodeLayout.grid.field(named: "sequence")!.maxValue) * 1.1).rounded(.up)
            return ("blocks", "use a larger --target-area (about \(NumberText.format(suggested)) m² or more)")
        }) { community in
            var blocks = try streetBlocks(community, lines: lines)
            var merged = try mergeSlivers(&blocks, minArea: minArea)
            var cells: [Geometry] = []
            for block in blocks {
                guard try block.area() > 4 * targetArea else { cells.append(block); continue }
                var pieces = try clip(block, shape: .square, cellSize: side)
                merged += try mergeSlivers(&pieces, minArea: minArea)
                cells += pieces
            }
            return (cells, merged)
        }
    }

    /// The street blocks of a metric community (steps 1–2 of `buildBlocks`), as multipolygons tiling it.
    static func streetBlocks(_ community: Geometry, lines: [(geometry: Geometry, envelope: Envelope)]) throws -> [Geometry] {
        guard let ce = community.envelope else { return [] }
        let prepared = try PreparedGeometry(community)
        var network: [Geometry] = [try community.boundary()]
        for l in lines where l.envelope.intersects(ce) {
            if try prepared.intersects(l.geometry) { network.append(l.geometry) }
        }
        let noded = try Geometry.unaryUnion(network).noded()
        var blocks: [Geometry] = []
        for p in try Geometry.polygonize([noded]) {
            let g = Geometry.polygon(p)
            guard case .point(let inside) = try g.pointOnSurface(), try prepared.covers(inside.coordinate),
                  try g.area() > 0 else { continue }
            blocks.append(.multiPolygon(MultiPolygon([p])))
        }
        let covered = blocks.isEmpty ? Geometry.geometryCollection([]) : try Geometry.unaryUnion(blocks)
        let rest = blocks.isEmpty ? community : try community.difference(with: covered)
        for part in try polygonalParts(rest) where try Geometry.polygon(part).area() > 0.01 {
            blocks.append(.multiPolygon(MultiPolygon([part])))
        }
        return blocks
    }

    /// The checks shared by every shape: area codes of 12 digits, at least one polygon.
    /// - Returns: the envelope of all areas.
    static func checkAreas(_ areas: [GridArea]) throws -> Envelope {
        let prefixLength = CodeLayout.grid.field(named: "sequence")!.offset
        for a in areas where a.code.count != prefixLength || !a.code.allSatisfy(\.isASCIIDigit) {
            throw ModelError.invalidArgument(name: "area code", reason: "'\(a.code)' is not a \(prefixLength)-digit code")
        }
        guard let envelope = Envelope.union(areas.map(\.geometry.envelope)) else {
            throw ModelError.invalidArgument(name: "area", reason: "no community polygon to cut into cells")
        }
        return envelope
    }

    /// Projects each community, cuts it with `cut` (given the metric community; returns the metric cells and
    /// how many slivers were merged), numbers the cells, measures them and takes
    /// them back to WGS84. `sizeHint(n)` completes the error for a community needing n > 999 cells.
    static func assemble(
        _ areas: [GridArea], envelope: Envelope, shape: GridShape, cellSize: Double, sizeHint: (Int) -> (what: String, advice: String),
        cut: (Geometry) throws -> (cells: [Geometry], merged: Int)
    ) throws -> GridBuildResult {
        let (crs, note) = LocalMetricCRS.choose(for: envelope)
        let forward = try CoordinateTransform(from: .wgs84, to: crs)
        let backward = try CoordinateTransform(from: crs, to: .wgs84)
        var cells: [GridCell] = []
        var summaries: [GridBuildResult.Community] = []
        for area in areas {
            let community = try forward.apply(to: area.geometry)
            let communityArea = try community.area()
            let (pieces, merged) = try cut(community)
            let centroids = try pieces.map { p -> Coordinate in
                guard case .point(let c) = try p.centroid() else {
                    throw ModelError.invalidArgument(name: "cell", reason: "a cell of \(area.code) has no centroid")
                }
                return c.coordinate
            }
            let capacity = CodeLayout.grid.field(named: "sequence")!.maxValue
            guard pieces.count <= capacity else {
                let hint = sizeHint(pieces.count)
                throw ModelError.invalidArgument(
                    name: shape == .block ? "target-area" : "cell-size",
                    reason: "community \(area.code) needs \(pieces.count) \(hint.what), "
                        + "more than the \(capacity) a 3-digit sequence holds; \(hint.advice)")
            }
            let numbers = try GridCode.sequenceNumbers(forCentroids: centroids, rowTolerance: cellSize / 2)
            var total = 0.0
            var made: [GridCell] = []
            for (piece, n) in zip(pieces, numbers) {
                let a = try piece.area()
                total += a
                let seq = String(n)
                made.append(GridCell(
                    code: area.code + String(repeating: "0", count: 3 - seq.count) + seq, communityCode: area.code,
                    areaSquareMetres: a, shape: shape, geometry: try backward.apply(to: piece)))
            }
            made.sort { $0.code < $1.code }
            cells += made
            summaries.append(.init(
                code: area.code, cellCount: made.count, cellsArea: total, communityArea: communityArea, mergedSlivers: merged))
        }
        return GridBuildResult(crs: crs, crsNote: note, shape: shape, cellSize: cellSize, communities: summaries, cells: cells)
    }

    /// The lattice cells meeting `community` (metric), clipped to it: multipolygons of positive area.
    static func clip(_ community: Geometry, shape: GridShape, cellSize s: Double) throws -> [Geometry] {
        guard let e = community.envelope else { return [] }
        let prepared = try PreparedGeometry(community)
        var out: [Geometry] = []
        func add(_ cell: Polygon) throws {
            let g = Geometry.polygon(cell)
            guard try prepared.intersects(g) else { return }
            if try prepared.contains(g) {
                out.append(.multiPolygon(MultiPolygon([cell])))
                return
            }
            let parts = try polygonalParts(community.intersection(with: g))
            if !parts.isEmpty { out.append(.multiPolygon(MultiPolygon(parts))) }
        }
        switch shape {
        case .square, .block:  // block: a large street block is cut by the square lattice
            let i0 = Int((e.minX / s).rounded(.down)), i1 = Int((e.maxX / s).rounded(.up))
            let j0 = Int((e.minY / s).rounded(.down)), j1 = Int((e.maxY / s).rounded(.up))
            for j in j0..<max(j0 + 1, j1) {
                for i in i0..<max(i0 + 1, i1) {
                    let x0 = Double(i) * s, y0 = Double(j) * s, x1 = Double(i + 1) * s, y1 = Double(j + 1) * s
                    try add(Polygon(exterior: try LinearRing([
                        Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0),
                    ])))
                }
            }
        case .hex:
            let r = s * (2 / (3 * 3.0.squareRoot())).squareRoot()  // side: area (3√3/2)·r² = s²
            let w = 3.0.squareRoot() * r, dy = 1.5 * r
            let j0 = Int(((e.minY - r) / dy).rounded(.down)), j1 = Int(((e.maxY + r) / dy).rounded(.up))
            for j in j0...j1 {
                let cy = Double(j) * dy
                let shift = j.isMultiple(of: 2) ? 0 : w / 2
                let i0 = Int(((e.minX - w - shift) / w).rounded(.down)), i1 = Int(((e.maxX + w - shift) / w).rounded(.up))
                for i in i0...i1 {
                    let cx = Double(i) * w + shift
                    var ring: [Coordinate] = (0..<6).map { k in
                        let angle = Double.pi / 6 + Double(k) * Double.pi / 3  // pointy top: vertices at 30°, 90°, ...
                        return Coordinate(cx + r * cos(angle), cy + r * sin(angle))
                    }
                    ring.append(ring[0])
                    try add(Polygon(exterior: try LinearRing(ring)))
                }
            }
        }
        return out
    }

    /// The polygons of a GEOS result with positive area (lines and points of a touching result dropped).
    static func polygonalParts(_ g: Geometry) throws -> [Polygon] {
        switch g {
        case .polygon(let p): return try Geometry.polygon(p).area() > 0 ? [p] : []
        case .multiPolygon(let m): return try m.polygons.filter { try Geometry.polygon($0).area() > 0 }
        case .geometryCollection(let parts): return try parts.flatMap { try polygonalParts($0) }
        default: return []
        }
    }

    /// Merges cells below `minArea` into the neighbour sharing the longest boundary, smallest first.
    /// - Returns: how many slivers were merged.
    static func mergeSlivers(_ cells: inout [Geometry], minArea: Double) throws -> Int {
        guard minArea > 0, cells.count > 1 else { return 0 }
        var merged = 0
        var stuck: Set<Int> = []  // slivers with no neighbour: kept as they are
        var areas: [Double] = []
        for c in cells { areas.append(try c.area()) }
        while true {
            guard let s = cells.indices.filter({ areas[$0] < minArea && !stuck.contains($0) }).min(by: { areas[$0] < areas[$1] })
            else { return merged }
            let sliver = cells[s]
            let edge = try sliver.boundary()
            guard let se = sliver.envelope else { stuck.insert(s); continue }
            var best: (index: Int, length: Double)?
            for (i, c) in cells.enumerated() where i != s {
                guard let ce = c.envelope, ce.intersects(se) else { continue }
                let shared = try edge.intersection(with: c.boundary()).length()
                if shared > 0, shared > (best?.length ?? 0) { best = (i, shared) }
            }
            guard let best else { stuck.insert(s); continue }
            let parts = try polygonalParts(cells[best.index].union(with: sliver))
            cells[best.index] = .multiPolygon(MultiPolygon(parts))
            areas[best.index] = try cells[best.index].area()
            cells.remove(at: s)
            areas.remove(at: s)
            stuck = Set(stuck.map { $0 > s ? $0 - 1 : $0 })
            merged += 1
        }
    }
}
