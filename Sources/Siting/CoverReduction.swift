/// Reductions that hold for set covering (LSCP) only — every row must be covered and every column costs the same —
/// applied to `CoverSets` until none changes anything (the classic set-covering reductions, e.g. Beasley 1987):
///
/// - **essential columns**: a row with a single column forces it open; the rows it covers leave;
/// - **row dominance**: a row whose columns include all columns of another row is covered whenever that one is, so
///   it leaves (the feasible covers stay exactly the same);
/// - **column dominance**: a column whose rows all lie in another column's rows can be replaced by it in any cover,
///   so it leaves (an optimum stays; of equal columns the lowest position stays);
/// - rows that became identical are merged.
///
/// MCLP cannot use the first two (a row's weight matters there), so `CoverSets` itself only merges identical rows
/// and drops dominated columns.
struct CoverReduction {
    /// The remaining rows and columns (`columns` are candidate indices, as in every `CoverSets`).
    var reduced: CoverSets
    /// Candidate indices open in every cover of the reduced sets (essential columns found on the way).
    var forced: [Int]
    var notes: [String]

    init(_ s: CoverSets) {
        let n = s.columnCount
        var rows: [[Int32]] = (0..<s.rowCount).map { Array(s.cols(ofRow: $0)) }
        var alive = [Bool](repeating: true, count: n)
        var forced: [Int32] = []
        var removedRows = 0, removedColumns = 0
        while true {
            var changed = false
            // essential columns
            var isForced = [Bool](repeating: false, count: n)
            var newlyForced = false
            for r in rows where r.count == 1 && !isForced[Int(r[0])] {
                isForced[Int(r[0])] = true
                forced.append(r[0])
                alive[Int(r[0])] = false
                newlyForced = true
            }
            if newlyForced {
                let before = rows.count
                rows.removeAll { $0.contains { isForced[Int($0)] } }
                removedRows += before - rows.count
                changed = true
            }
            // identical rows (rows are sorted column lists)
            var seen = Set<[Int32]>()
            let beforeMerge = rows.count
            rows = rows.filter { seen.insert($0).inserted }
            removedRows += beforeMerge - rows.count
            // row dominance: row r leaves when a strictly smaller row's columns all lie in r. Such a row starts at one
            // of r's columns, so only the rows starting at each of them are tried.
            var startingAt = [[Int32]](repeating: [], count: n)
            for (r, l) in rows.enumerated() { startingAt[Int(l[0])].append(Int32(r)) }
            var stamp = [Int32](repeating: -1, count: n)
            var dominated = [Bool](repeating: false, count: rows.count)
            let sizes = rows.map(\.count)
            for r in rows.indices {
                for c in rows[r] { stamp[Int(c)] = Int32(r) }
                let size = sizes[r]
                search: for c in rows[r] {
                    for r2 in startingAt[Int(c)] where sizes[Int(r2)] < size {
                        if rows[Int(r2)].allSatisfy({ stamp[Int($0)] == Int32(r) }) {
                            dominated[r] = true
                            break search
                        }
                    }
                }
            }
            if dominated.contains(true) {
                var kept: [[Int32]] = []
                kept.reserveCapacity(rows.count)
                for r in rows.indices where !dominated[r] { kept.append(rows[r]) }
                removedRows += rows.count - kept.count
                rows = kept
                changed = true
            }
            let colRows = Self.columnRows(rows, columns: n)
            // column dominance over the remaining rows: columns by decreasing row count (ties: lower position
            // first); one whose rows lie in an already kept column's rows leaves. Kept columns are found through
            // c's row with the fewest columns.
            let size = colRows.map(\.count)
            let order = (0..<n).filter { alive[$0] }.sorted { (a: Int, b: Int) -> Bool in
                size[a] != size[b] ? size[a] > size[b] : a < b
            }
            var kept = [Bool](repeating: false, count: n)
            var drop: [Int] = []
            for c in order {
                let rc = colRows[c]
                if rc.isEmpty {
                    drop.append(c)
                    continue
                }
                var rarest = rc[0]
                for r in rc where rows[Int(r)].count < rows[Int(rarest)].count { rarest = r }
                var isDominated = false
                for k in rows[Int(rarest)] where kept[Int(k)] && Self.isSubset(rc, of: colRows[Int(k)]) {
                    isDominated = true
                    break
                }
                if isDominated { drop.append(c) } else { kept[c] = true }
            }
            if !drop.isEmpty {
                removedColumns += drop.count
                for c in drop { alive[c] = false }
                for r in rows.indices where rows[r].contains(where: { !alive[Int($0)] }) {
                    rows[r].removeAll { !alive[Int($0)] }
                }
                changed = true
            }
            if !changed { break }
        }
        // renumber the surviving columns
        var position = [Int32](repeating: -1, count: n)
        var columns: [Int] = []
        for c in 0..<n where alive[c] {
            position[c] = Int32(columns.count)
            columns.append(s.columns[c])
        }
        let lists = rows.map { $0.map { position[Int($0)] } }
        reduced = CoverSets(covering: lists, columns: columns, like: s)
        self.forced = forced.map { s.columns[Int($0)] }.sorted()
        var notes: [String] = []
        if removedRows > 0 || removedColumns > 0 || !forced.isEmpty {
            notes.append(
                "set-cover reductions: \(s.rowCount) → \(rows.count) rows, \(s.columnCount) → \(columns.count) candidates, \(forced.count) forced open")
        }
        self.notes = notes
    }

    static func columnRows(_ rows: [[Int32]], columns n: Int) -> [[Int32]] {
        var out = [[Int32]](repeating: [], count: n)
        for (r, l) in rows.enumerated() { for c in l { out[Int(c)].append(Int32(r)) } }
        return out
    }

    /// Whether sorted `a` is a subset of sorted `b`.
    static func isSubset(_ a: [Int32], of b: [Int32]) -> Bool {
        if a.count > b.count { return false }
        var k = 0
        for x in a {
            while k < b.count && b[k] < x { k += 1 }
            if k == b.count || b[k] != x { return false }
            k += 1
        }
        return true
    }
}

extension CoverSets {
    /// Covering sets with the given rows (column positions, sorted) over `columns` (candidate indices); uncoverable
    /// and fixed-covered demand as in `base`; rows of the given weights (default 1: LSCP does not weigh rows), each
    /// standing for one point; no groups.
    init(covering lists: [[Int32]], columns: [Int], like base: CoverSets, weights: [Double]? = nil) {
        self.columns = columns
        self.columnGroup = [Int](repeating: -1, count: columns.count)
        self.groupNeed = []
        self.uncoverable = base.uncoverable
        self.fixedCoveredWeight = base.fixedCoveredWeight
        self.fixedCoveredPoints = base.fixedCoveredPoints
        self.notes = base.notes
        self.rowWeight = weights ?? [Double](repeating: 1, count: lists.count)
        self.rowPoints = [Int](repeating: 1, count: lists.count)
        self.rowStart = [0]
        self.rowCols = []
        self.colStart = []
        self.colRows = []
        setRows(lists)
    }

    /// Fills the compressed row → column and column → row arrays from row lists over `columns`.
    mutating func setRows(_ lists: [[Int32]]) {
        rowStart = [0]
        rowStart.reserveCapacity(lists.count + 1)
        rowCols = []
        for l in lists {
            rowCols.append(contentsOf: l)
            rowStart.append(rowCols.count)
        }
        var cc = [Int](repeating: 0, count: columns.count + 1)
        for c in rowCols { cc[Int(c) + 1] += 1 }
        for c in 0..<columns.count { cc[c + 1] += cc[c] }
        colStart = cc
        var fill = cc
        colRows = [Int32](repeating: 0, count: rowCols.count)
        for r in 0..<lists.count {
            for c in lists[r] {
                colRows[fill[Int(c)]] = Int32(r)
                fill[Int(c)] += 1
            }
        }
    }
}
