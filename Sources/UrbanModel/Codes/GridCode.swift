public import SpatialCore

/// A unit-grid code (单元网格代码), by default 15 digits: county 6 + street 3 + community 3 + sequence 3
/// (`CodeLayout.grid`). Missing street or community levels are zeros; the county and the sequence are never
/// all zeros. Another layout with fields named `county`, `street`, `community` and `sequence`, in that
/// order (e.g. one read from layouts.json), can be passed instead.
public struct GridCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The digits, e.g. `320582110152102`.
    public let code: String
    public let layout: CodeLayout
    private let split: CodeLayout.Fields

    /// The fields a grid layout must have, in this order.
    public static let fieldNames = ["county", "street", "community", "sequence"]

    /// Parses and checks a code.
    /// - Throws: `wrongCodeLength`; `nonDigit` naming the 1-based position and its field; `zeroField` for a
    ///   county `000000` or sequence `000`; `invalidArgument` when `layout` is not a grid layout.
    public init(parsing code: String, layout: CodeLayout = .grid) throws(ModelError) {
        try Self.checkLayout(layout)
        self.split = try layout.split(code)
        self.code = code
        self.layout = layout
    }

    /// A code from its parts, zero-padded: `GridCode(county: 320582, street: 110, community: 152, sequence: 102)`.
    /// - Throws: `fieldOutOfRange` when a part is negative, too large for its field, or zero where it may not be.
    public init(county: Int, street: Int, community: Int, sequence: Int, layout: CodeLayout = .grid) throws(ModelError) {
        try Self.checkLayout(layout)
        let code = try layout.compose(["county": county, "street": street, "community": community, "sequence": sequence])
        try self.init(parsing: code, layout: layout)
    }

    /// A code for cell `sequence` of a community given by its admin code (12 digits by default).
    public init(community: AdminCode, sequence: Int, layout: CodeLayout = .grid) throws(ModelError) {
        try Self.checkLayout(layout)
        let prefixLength = layout.field(named: "sequence")!.offset
        guard community.code.count == prefixLength else {
            throw .invalidArgument(
                name: "community", reason: "\(community.code) has \(community.code.count) digits; the grid layout needs \(prefixLength)")
        }
        let seq = layout.field(named: "sequence")!
        guard sequence >= 1, sequence <= seq.maxValue else {
            throw .fieldOutOfRange(layout: layout.name, field: "sequence", value: sequence, allowed: 1...seq.maxValue)
        }
        let text = String(sequence)
        try self.init(parsing: community.code + String(repeating: "0", count: seq.length - text.count) + text, layout: layout)
    }

    private static func checkLayout(_ layout: CodeLayout) throws(ModelError) {
        guard layout.fields.map(\.name) == fieldNames else {
            throw .invalidArgument(
                name: "layout \(layout.name)", reason: "a grid layout has the fields \(fieldNames.joined(separator: ", "))")
        }
    }

    /// The county field, e.g. `320582`.
    public var county: String { split["county"]! }
    /// The street/township field, e.g. `110` (`000` when the level is missing).
    public var street: String { split["street"]! }
    /// The community/village field, e.g. `152` (`000` when the level is missing).
    public var community: String { split["community"]! }
    /// The sequence field, e.g. `102`.
    public var sequence: String { split["sequence"]! }
    /// The sequence as a number.
    public var sequenceNumber: Int { Int(sequence)! }

    /// County + street + community, 12 digits by default: `320582110152`.
    public var communityCode: String { county + street + community }
    /// County + street, 9 digits by default: `320582110`.
    public var streetCode: String { county + street }
    /// The county, 6 digits by default: `320582`.
    public var countyCode: String { county }

    public var description: String { code }

    public static func < (lhs: GridCode, rhs: GridCode) -> Bool { lhs.code < rhs.code }
}

extension GridCode {
    /// Sequence numbers for the cells of one community, numbered **west→east, then north→south**
    /// (domain-facts §1.2): rows from north to south, and within a row from west to east.
    ///
    /// The row rule, precisely: sort the centroids by northing, descending (ties by easting, then input
    /// order). The first centroid opens a row; each next centroid joins the current row when its northing
    /// is at most `rowTolerance` below the northing of the row's *first* (northernmost) centroid, otherwise it
    /// opens a new row. Anchoring at the row's first centroid keeps a slowly descending chain of cells from
    /// merging into one long row. Within a row, cells are ordered by easting ascending (ties by northing
    /// descending, then input order). Numbers run 1, 2, 3... through the rows in order.
    ///
    /// For a regular grid of cell height h, any tolerance in [0, h) gives the rows of the grid; h/2 is a
    /// good choice, and it also absorbs small jitter of irregular cells.
    ///
    /// - Parameters:
    ///   - centroids: cell centroids in a projected CRS, x easting and y northing (metres).
    ///   - rowTolerance: metres, ≥ 0.
    ///   - layout: the grid layout whose sequence field bounds the count (999 for the standard layout).
    /// - Returns: the sequence number of each centroid, in input order.
    /// - Throws: `invalidArgument` for a negative or non-finite tolerance or a non-finite coordinate;
    ///   `fieldOutOfRange` when there are more cells than the sequence field holds.
    public static func sequenceNumbers(
        forCentroids centroids: [Coordinate], rowTolerance: Double, layout: CodeLayout = .grid
    ) throws(ModelError) -> [Int] {
        try checkLayout(layout)
        guard rowTolerance.isFinite, rowTolerance >= 0 else {
            throw .invalidArgument(name: "rowTolerance", reason: "\(rowTolerance) is not a finite number ≥ 0")
        }
        if let bad = centroids.firstIndex(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            throw .invalidArgument(name: "centroids[\(bad)]", reason: "\(centroids[bad]) is not finite")
        }
        let capacity = layout.field(named: "sequence")!.maxValue
        guard centroids.count <= capacity else {
            throw .fieldOutOfRange(layout: layout.name, field: "sequence", value: centroids.count, allowed: 1...capacity)
        }
        let byNorthing = centroids.indices.sorted { a, b in
            let p = centroids[a], q = centroids[b]
            if p.y != q.y { return p.y > q.y }
            if p.x != q.x { return p.x < q.x }
            return a < b
        }
        var rows: [[Int]] = []
        var rowTop = 0.0
        for i in byNorthing {
            if rows.isEmpty || rowTop - centroids[i].y > rowTolerance {
                rows.append([i])
                rowTop = centroids[i].y
            } else {
                rows[rows.count - 1].append(i)
            }
        }
        var numbers = [Int](repeating: 0, count: centroids.count)
        var next = 1
        for row in rows {
            let ordered = row.sorted { a, b in
                let p = centroids[a], q = centroids[b]
                if p.x != q.x { return p.x < q.x }
                if p.y != q.y { return p.y > q.y }
                return a < b
            }
            for i in ordered {
                numbers[i] = next
                next += 1
            }
        }
        return numbers
    }
}
