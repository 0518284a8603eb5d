internal import Foundation

/// Text for coordinates and measurements, shared by every writer.
public enum NumberText {
    /// The shortest text that reads back to the same double ("500000", "24.9432708", "1e-07").
    /// With `precision`, rounded to that many decimals, trailing zeros trimmed.
    public static func format(_ v: Double, precision: Int? = nil) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf") }
        if let precision {
            var s = String(format: "%.\(max(0, precision))f", v)
            if s.contains(".") {
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return s == "-0" ? "0" : s
        }
        var s = v.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}
