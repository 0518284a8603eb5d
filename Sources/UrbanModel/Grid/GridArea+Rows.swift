public import SpatialCore

extension GridArea {
    /// Refuses an area code that is not all digits.
    public static func check(_ code: String?) throws {
        if let code, code.isEmpty || !code.allSatisfy(\.isASCIIDigit) {
            throw ModelError.invalidArgument(name: "area", reason: "'\(code)' is not an admin code (digits)")
        }
    }

    /// The areas of rows with `code` and `g` (WKB); an error when there is none under `code`.
    public static func fromRows(_ rows: [SQLRow], under code: String?) throws -> [GridArea] {
        try check(code)
        var areas: [GridArea] = []
        for r in rows {
            guard let c = r["code"]?.string, let g = try r["g"]?.geometry() else { continue }
            areas.append(GridArea(code: c, geometry: g))
        }
        guard !areas.isEmpty else {
            throw ModelError.invalidArgument(
                name: "area",
                reason: code.map { "no community (admin level 'community') under code \($0)" } ?? "the admin layer has no community")
        }
        return areas
    }

    /// The areas to grid under `code` (any admin level; nil for the whole city) from admin rows with `code`, `level`
    /// and `g`: the communities under it; with none, the deepest level that has areas under it (streets, else
    /// districts, else the area of `code` itself), each coded with zeros for the missing levels (a district 370303 is
    /// 370303000000, a street 370303001 is 370303001000), as the 15-digit grid code wants.
    /// - Throws: `invalidArgument` naming `area` when `code` is not digits or no admin area lies under it.
    public static func fromAdminRows(_ rows: [SQLRow], under code: String?) throws -> [GridArea] {
        try check(code)
        var byLevel: [String: [GridArea]] = [:]
        for r in rows {
            guard let c = r["code"]?.string, let level = r["level"]?.string, let g = try r["g"]?.geometry() else { continue }
            if let code, !c.hasPrefix(code) { continue }
            byLevel[level, default: []].append(GridArea(code: c, geometry: g))
        }
        for level in AdminLevel.deepestFirst {
            guard let areas = byLevel[level], !areas.isEmpty else { continue }
            if level == "community" { return areas }
            return try areas.map { a in
                guard let padded = paddedCode(a.code) else {
                    throw ModelError.invalidArgument(name: "area", reason: "\(level) code '\(a.code)' is not 6 or 9 digits; it cannot head a 15-digit grid code")
                }
                return GridArea(code: padded, geometry: a.geometry)
            }
        }
        throw ModelError.invalidArgument(
            name: "area", reason: code.map { "no admin area (district, street or community) with a code starting \($0)" } ?? "the admin layer is empty")
    }

    /// A district (6 digits) or street (9) code with zeros for the missing levels, 12 digits; nil for other lengths.
    public static func paddedCode(_ code: String) -> String? {
        guard code.count == 6 || code.count == 9, code.allSatisfy(\.isASCIIDigit) else { return nil }
        return code + String(repeating: "0", count: 12 - code.count)
    }

    /// Whether a 12-digit community code carries zeros for a missing community level (a cell over a street or
    /// district without communities).
    public static func isPadded(_ code: String) -> Bool { code.count == 12 && code.hasSuffix("000") }
}
