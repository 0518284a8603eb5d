/// An administrative-division code: county level (GB/T 2260, 6 digits), street/township level
/// (GB/T 10114, 9 digits) or community/village level (NBS statistical code, 12 digits). The code is an
/// opaque digit string — it is checked for shape, not against an official list, since divisions merge and
/// codes change. The lengths come from the admin layouts (`CodeLayout.admin` or layouts.json).
public struct AdminCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Level: Int, Hashable, Sendable, CaseIterable, Comparable {
        case county, street, community

        /// The layout name in layouts.json: `admin-county`, `admin-street`, `admin-community`.
        public var layoutName: String {
            switch self {
            case .county: "admin-county"
            case .street: "admin-street"
            case .community: "admin-community"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The digits, e.g. `320508019044`.
    public let code: String
    public let level: Level
    /// The three admin layouts, county level first.
    public let layouts: [CodeLayout]

    /// Parses a code of any level; the length picks the level.
    /// - Parameter layouts: the county, street and community layouts, in that order; each must extend the one
    ///   before it (defaults to the built-in 6/9/12).
    /// - Throws: `wrongCodeLength` listing every admin length; `nonDigit` naming the 1-based position and its
    ///   field; `zeroField` for an all-zero county, street or community part; `invalidArgument` for bad layouts.
    public init(parsing code: String, layouts: [CodeLayout] = CodeLayout.admin) throws(ModelError) {
        try Self.checkLayouts(layouts)
        let count = code.count
        guard let index = layouts.firstIndex(where: { $0.length == count }) else {
            throw .wrongCodeLength(layout: "admin", code: code, expected: layouts.map(\.length), actual: count)
        }
        _ = try layouts[index].split(code)
        self.code = code
        self.level = Level(rawValue: index)!
        self.layouts = layouts
    }

    /// The admin layouts named in a loaded layouts.json.
    public static func layouts(from all: CodeLayouts) throws(ModelError) -> [CodeLayout] {
        var result: [CodeLayout] = []
        for level in Level.allCases { result.append(try all.layout(named: level.layoutName)) }
        try checkLayouts(result)
        return result
    }

    private static func checkLayouts(_ layouts: [CodeLayout]) throws(ModelError) {
        guard layouts.count == Level.allCases.count else {
            throw .invalidArgument(name: "admin layouts", reason: "expected 3 (county, street, community), got \(layouts.count)")
        }
        for (outer, inner) in zip(layouts.dropFirst(), layouts) {
            guard outer.length > inner.length, Array(outer.fields.prefix(inner.fields.count)) == inner.fields else {
                throw .invalidArgument(name: "admin layout \(outer.name)", reason: "does not extend \(inner.name)")
            }
        }
    }

    /// The next level up (community → street → county), or nil for a county code.
    public var parent: AdminCode? {
        guard level != .county else { return nil }
        return ancestor(at: Level(rawValue: level.rawValue - 1)!)
    }

    /// This code cut to a level at or above its own: the county of a community, etc. Nil for a lower level.
    public func ancestor(at level: Level) -> AdminCode? {
        guard level <= self.level else { return nil }
        return AdminCode(trusted: String(code.prefix(layouts[level.rawValue].length)), level: level, layouts: layouts)
    }

    /// The county-level code (6 digits by default).
    public var countyCode: String { String(code.prefix(layouts[0].length)) }
    /// The street/township part alone (`019`), nil for a county code.
    public var street: String? { level >= .street ? field(Level.street) : nil }
    /// The community/village part alone (`044`), nil above community level.
    public var community: String? { level >= .community ? field(Level.community) : nil }

    /// Whether `other` lies within this division (or is it).
    public func contains(_ other: AdminCode) -> Bool {
        other.level >= level && other.code.hasPrefix(code)
    }

    public var description: String { code }

    public static func < (lhs: AdminCode, rhs: AdminCode) -> Bool { lhs.code < rhs.code }

    private init(trusted code: String, level: Level, layouts: [CodeLayout]) {
        self.code = code
        self.level = level
        self.layouts = layouts
    }

    private func field(_ level: Level) -> String {
        let start = layouts[level.rawValue - 1].length
        let end = layouts[level.rawValue].length
        return String(Array(code)[start..<end])
    }
}
