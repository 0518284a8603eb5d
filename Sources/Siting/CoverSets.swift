/// The covering structure of an instance at one radius, after the reductions that keep every optimum:
/// demand points already covered by a fixed site are set aside, points no candidate covers are set
/// aside (and reported), points covered by exactly the same candidates are merged into one row (their
/// weights summed), and a candidate whose covered rows are a subset of another's is dropped (of
/// candidates covering the same rows, the lowest index stays).
///
/// With groups (`SitingInstance.groups`) the reductions keep what a group needs: a grouped candidate is dropped
/// only for a candidate of its own group, and only when the group's minimum is 1 (then the other can always take
/// its place); of a group's candidates that cover nothing, the lowest `minimum` stay as columns.
struct CoverSets {
    /// Candidate index of each kept column.
    var columns: [Int]
    /// Row weight (the merged demand points' weights) and how many points each row stands for.
    var rowWeight: [Double]
    var rowPoints: [Int]
    /// Rows → columns (positions in `columns`), compressed.
    var rowStart: [Int]
    var rowCols: [Int32]
    /// Columns → rows, compressed.
    var colStart: [Int]
    var colRows: [Int32]
    /// Demand points no usable candidate covers.
    var uncoverable: [Int]
    /// Weight and count of the demand points a fixed site covers.
    var fixedCoveredWeight: Double
    var fixedCoveredPoints: Int
    /// Group of each column (an index into `groupNeed`), or -1.
    var columnGroup: [Int]
    /// Open sites each group still needs beyond its fixed ones.
    var groupNeed: [Int]
    var notes: [String]

    var rowCount: Int { rowWeight.count }
    var columnCount: Int { columns.count }

    /// Weight of the rows the given columns cover.
    func weight(of cols: [Int]) -> Double {
        var covered = [Bool](repeating: false, count: rowCount)
        for c in cols { for r in rows(ofColumn: c) { covered[Int(r)] = true } }
        return (0..<rowCount).reduce(0.0) { covered[$1] ? $0 + rowWeight[$1] : $0 }
    }

    func cols(ofRow r: Int) -> ArraySlice<Int32> { rowCols[rowStart[r]..<rowStart[r + 1]] }
    func rows(ofColumn c: Int) -> ArraySlice<Int32> { colRows[colStart[c]..<colStart[c + 1]] }

    /// - Parameter dropZeroWeight: leave out demand points of weight 0 (MCLP: they change nothing).
    init(_ inst: SitingInstance, radius: Double, dropZeroWeight: Bool) {
        let m = inst.candidateCount
        var isFixed = [Bool](repeating: false, count: m), isFree = [Bool](repeating: true, count: m)
        for j in inst.fixed { isFixed[j] = true; isFree[j] = false }
        for j in inst.excluded { isFree[j] = false }
        var rowIndex: [[Int32]: Int] = [:]
        var lists: [[Int32]] = []
        var weight: [Double] = [], points: [Int] = []
        var uncoverable: [Int] = []
        var fixedCoveredWeight = 0.0, fixedCoveredPoints = 0
        var list: [Int32] = []
        inst.distances.withUnsafeBufferPointer { d in
            for i in 0..<inst.demandCount {
                let row = d.baseAddress! + i * m
                var byFixed = false
                list.removeAll(keepingCapacity: true)
                for j in 0..<m where row[j] <= radius {
                    if isFree[j] { list.append(Int32(j)) } else if isFixed[j] { byFixed = true; break }
                }
                if byFixed {
                    fixedCoveredWeight += inst.weights[i]
                    fixedCoveredPoints += 1
                    continue
                }
                if list.isEmpty { uncoverable.append(i); continue }
                if dropZeroWeight && inst.weights[i] == 0 { continue }
                if let r = rowIndex[list] {
                    weight[r] += inst.weights[i]
                    points[r] += 1
                } else {
                    rowIndex[list] = lists.count
                    lists.append(list)
                    weight.append(inst.weights[i])
                    points.append(1)
                }
            }
        }
        self.uncoverable = uncoverable
        self.fixedCoveredWeight = fixedCoveredWeight
        self.fixedCoveredPoints = fixedCoveredPoints
        let demandRows = inst.demandCount - uncoverable.count - fixedCoveredPoints
        notes = []
        if lists.count < demandRows { notes.append("\(demandRows) demand points → \(lists.count) rows (identical coverage merged)") }

        // columns → rows over candidate indices
        var colCount = [Int](repeating: 0, count: m)
        for l in lists { for j in l { colCount[Int(j)] += 1 } }
        var start = [Int](repeating: 0, count: m + 1)
        for j in 0..<m { start[j + 1] = start[j] + colCount[j] }
        var fill = start
        var cr = [Int32](repeating: 0, count: start[m])
        for (r, l) in lists.enumerated() {
            for j in l {
                cr[fill[Int(j)]] = Int32(r)
                fill[Int(j)] += 1
            }
        }
        // Dominance: visit candidates by decreasing coverage (ties: lower index first); drop one whose rows
        // all lie in an already kept candidate's rows. Kept candidates are found through the row of j
        // with the fewest coverers.
        let groupOf = inst.groupOf
        let minimum = inst.groups.map(\.minimum)
        /// May kept candidate k stand for candidate j (whose rows it covers)?
        func mayReplace(_ k: Int, _ j: Int) -> Bool {
            let g = groupOf[j]
            return g < 0 || (groupOf[k] == g && minimum[g] == 1)
        }
        let order = (0..<m).filter { colCount[$0] > 0 }.sorted { colCount[$0] != colCount[$1] ? colCount[$0] > colCount[$1] : $0 < $1 }
        // kept candidates' rows as bit sets, one row of `words` words each in one flat array: a subset test is a few
        // word operations
        let words = (lists.count + 63) / 64
        var keptBits: [UInt64] = []
        var bitsAt = [Int](repeating: -1, count: m)
        var bitsJ = [UInt64](repeating: 0, count: words)
        var keptAtRow = [[Int32]](repeating: [], count: lists.count)
        var kept: [Int] = []
        for j in order {
            let rowsJ = cr[start[j]..<start[j + 1]]
            var rarest = Int(rowsJ.first!)
            for r in rowsJ where lists[Int(r)].count < lists[rarest].count { rarest = Int(r) }
            for w in 0..<words { bitsJ[w] = 0 }
            for r in rowsJ { bitsJ[Int(r) >> 6] |= 1 << UInt64(Int(r) & 63) }
            var dominated = false
            keptBits.withUnsafeBufferPointer { kb in
                for k in keptAtRow[rarest] where mayReplace(Int(k), j) {
                    let base = bitsAt[Int(k)]
                    var inside = true
                    for w in 0..<words where bitsJ[w] & ~kb[base + w] != 0 {
                        inside = false
                        break
                    }
                    if inside {
                        dominated = true
                        break
                    }
                }
            }
            if dominated { continue }
            bitsAt[j] = keptBits.count
            keptBits.append(contentsOf: bitsJ)
            for r in rowsJ { keptAtRow[Int(r)].append(Int32(j)) }
            kept.append(j)
        }
        // grouped candidates covering nothing: the lowest `minimum` of each group stay (any of them can take a
        // group's place, none adds coverage)
        var idle = [Int](repeating: 0, count: minimum.count)
        for j in 0..<m where isFree[j] && colCount[j] == 0 && groupOf[j] >= 0 && idle[groupOf[j]] < minimum[groupOf[j]] {
            idle[groupOf[j]] += 1
            kept.append(j)
        }
        kept.sort()
        let free = inst.freeCandidates.count
        if kept.count < free { notes.append("\(free) candidates → \(kept.count) (dominated or covering nothing dropped)") }

        // Rows over the kept columns; merge rows that became identical.
        var position = [Int32](repeating: -1, count: m)
        for (c, j) in kept.enumerated() { position[j] = Int32(c) }
        var merged: [[Int32]: Int] = [:]
        var finalLists: [[Int32]] = []
        var finalWeight: [Double] = [], finalPoints: [Int] = []
        for (r, l) in lists.enumerated() {
            let mapped = l.compactMap { position[Int($0)] >= 0 ? position[Int($0)] : nil }
            if let f = merged[mapped] {
                finalWeight[f] += weight[r]
                finalPoints[f] += points[r]
            } else {
                merged[mapped] = finalLists.count
                finalLists.append(mapped)
                finalWeight.append(weight[r])
                finalPoints.append(points[r])
            }
        }
        columns = kept
        columnGroup = kept.map { groupOf[$0] }
        groupNeed = inst.groupNeeds
        rowWeight = finalWeight
        rowPoints = finalPoints
        rowStart = [0]
        rowCols = []
        colStart = []
        colRows = []
        setRows(finalLists)
    }
}
