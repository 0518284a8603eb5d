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
}
