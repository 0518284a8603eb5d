public import SpatialCore

/// The one error type of the siting layer.
public enum SitingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The instance's arrays do not fit together (sizes, negative or NaN distances, an index out of range).
    case invalidInstance(reason: String)
    /// A file of an instance folder is missing or malformed: `location` is the line or field.
    case file(path: String, location: String, message: String)
    /// The model's parameters are missing or out of range (no --p for MCLP, a negative radius...).
    case invalidProblem(reason: String)
    /// The MIP solver failed for a reason that is not an outcome of the model.
    case solver(SpatialError)

    public var description: String {
        switch self {
        case .invalidInstance(let r): "invalid siting instance: \(r)"
        case .file(let p, let l, let m): l.isEmpty ? "\(p): \(m)" : "\(p), \(l): \(m)"
        case .invalidProblem(let r): r
        case .solver(let e): e.description
        }
    }
}

/// A group of candidates of which at least `minimum` must be open (fixed sites of the group count), e.g. the
/// candidates of one street (街道) when every street needs a vendor zone.
public struct SitingGroup: Hashable, Sendable {
    /// Names the group in reasons and notes, e.g. "street 440106001".
    public var name: String
    /// Candidate indices.
    public var candidates: [Int]
    public var minimum: Int

    public init(name: String, candidates: [Int], minimum: Int = 1) {
        self.name = name
        self.candidates = candidates
        self.minimum = minimum
    }
}

/// A siting instance: demand points with weights, candidate sites, and the dense demand × candidate
/// distance matrix (metres, row-major: `distances[i * candidateCount + j]`). Candidates in `fixed`
/// are always open (existing facilities); candidates in `excluded` can never be chosen. Each of the
/// `groups` (disjoint sets of candidates) needs at least its minimum of open sites (MCLP only).
///
/// The distances may be straight-line or network distances; the models only compare and add them.
public struct SitingInstance: Sendable {
    public let weights: [Double]
    public let candidateIDs: [String]
    public let distances: [Double]
    public let fixed: [Int]
    public let excluded: [Int]
    public let groups: [SitingGroup]

    public var demandCount: Int { weights.count }
    public var candidateCount: Int { candidateIDs.count }
    public var totalWeight: Double { weights.reduce(0, +) }

    /// - Throws: `SitingError.invalidInstance` when the matrix is not demand × candidates, a weight or
    ///   distance is negative or not finite, fixed/excluded indices are out of range or overlap, or a group
    ///   has an index out of range, a minimum below 1, or shares a candidate with another group.
    public init(weights: [Double], candidateIDs: [String], distances: [Double], fixed: [Int] = [], excluded: [Int] = [],
                groups: [SitingGroup] = []) throws(SitingError)
    {
        guard distances.count == weights.count * candidateIDs.count else {
            throw .invalidInstance(
                reason: "the distance matrix has \(distances.count) values, expected \(weights.count) demand × \(candidateIDs.count) candidates")
        }
        if let i = weights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidInstance(reason: "demand \(i): weight \(weights[i]) (must be finite and ≥ 0)")
        }
        if let k = distances.firstIndex(where: { !($0 >= 0) || $0.isNaN }) {
            let m = candidateIDs.count
            throw .invalidInstance(reason: "distance[\(k / m)][\(k % m)] = \(distances[k]) (must be ≥ 0)")
        }
        let fixedSet = Set(fixed), excludedSet = Set(excluded)
        for j in fixedSet.union(excludedSet) where !(0..<candidateIDs.count).contains(j) {
            throw .invalidInstance(reason: "candidate index \(j) out of 0..<\(candidateIDs.count)")
        }
        if let j = fixedSet.intersection(excludedSet).min() {
            throw .invalidInstance(reason: "candidate \(candidateIDs[j]) is both fixed and excluded")
        }
        var owner: [Int: Int] = [:]
        for (g, group) in groups.enumerated() {
            guard group.minimum >= 1 else {
                throw .invalidInstance(reason: "group \(group.name): minimum \(group.minimum) (must be ≥ 1)")
            }
            for j in group.candidates {
                guard (0..<candidateIDs.count).contains(j) else {
                    throw .invalidInstance(reason: "group \(group.name): candidate index \(j) out of 0..<\(candidateIDs.count)")
                }
                if let other = owner[j], other != g {
                    throw .invalidInstance(reason: "candidate \(candidateIDs[j]) is in groups \(groups[other].name) and \(group.name); groups must be disjoint")
                }
                owner[j] = g
            }
        }
        self.weights = weights
        self.candidateIDs = candidateIDs
        self.distances = distances
        self.fixed = fixedSet.sorted()
        self.excluded = excludedSet.sorted()
        self.groups = groups.map { SitingGroup(name: $0.name, candidates: Array(Set($0.candidates)).sorted(), minimum: $0.minimum) }
    }

    @inline(__always) public func distance(_ i: Int, _ j: Int) -> Double { distances[i * candidateIDs.count + j] }

    /// The same instance with other fixed and excluded candidates (and the same groups).
    public func with(fixed: [Int], excluded: [Int]) throws(SitingError) -> SitingInstance {
        try SitingInstance(weights: weights, candidateIDs: candidateIDs, distances: distances, fixed: fixed, excluded: excluded, groups: groups)
    }

    /// The same instance with other groups.
    public func with(groups: [SitingGroup]) throws(SitingError) -> SitingInstance {
        try SitingInstance(weights: weights, candidateIDs: candidateIDs, distances: distances, fixed: fixed, excluded: excluded, groups: groups)
    }

    /// For each candidate the index of its group, or -1.
    var groupOf: [Int] {
        var g = [Int](repeating: -1, count: candidateCount)
        for (k, group) in groups.enumerated() { for j in group.candidates { g[j] = k } }
        return g
    }

    /// For each group the open sites it still needs beyond its fixed ones (≥ 0).
    var groupNeeds: [Int] {
        let isFixed = Set(fixed)
        return groups.map { g in max(0, g.minimum - g.candidates.filter { isFixed.contains($0) }.count) }
    }

    /// Candidate indices of the given ids, in order.
    /// - Throws: `SitingError.invalidProblem` naming the first unknown id.
    public func candidateIndices(of ids: [String]) throws(SitingError) -> [Int] {
        var index: [String: Int] = [:]
        for (j, id) in candidateIDs.enumerated() where index[id] == nil { index[id] = j }
        var out: [Int] = []
        for id in ids {
            guard let j = index[id] else { throw .invalidProblem(reason: "unknown candidate id '\(id)'") }
            out.append(j)
        }
        return out
    }

    /// Candidates that may be opened by the model (neither fixed nor excluded), ascending.
    var freeCandidates: [Int] {
        var blocked = [Bool](repeating: false, count: candidateCount)
        for j in fixed { blocked[j] = true }
        for j in excluded { blocked[j] = true }
        return (0..<candidateCount).filter { !blocked[$0] }
    }

    /// Candidates that are not excluded (free and fixed), ascending.
    var usableCandidates: [Int] {
        var blocked = [Bool](repeating: false, count: candidateCount)
        for j in excluded { blocked[j] = true }
        return (0..<candidateCount).filter { !blocked[$0] }
    }
}
