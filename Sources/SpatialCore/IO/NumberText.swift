/// Text for coordinates and measurements, shared by every writer (WKT, GeoJSON, the CLI), so that
/// every output rounds the same way.
public enum NumberText {
    /// Reads a plain decimal number as people and map tools write one: an optional sign, digits with an optional
    /// fraction (`24.95`, `.5`, `-3.`), an optional exponent (`1e-7`), ASCII only, nothing around it. Unlike
    /// `Double(_:)`, refuses `nan`, `inf`, hexadecimal (`0x10`) and other spellings a request should not carry;
    /// nil also when the value overflows to infinity (`1e309`).
    @inlinable  // specialised where it is called: every query parameter and CSV number goes through it
    public static func decimal(_ text: some StringProtocol) -> Double? {
        var digits = 0
        var state = 0  // 0 sign/integer, 1 fraction, 2 exponent sign, 3 exponent digits
        var exponentDigits = 0
        for (i, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard (state == 0 && i == 0) || (state == 2 && exponentDigits == 0) else { return nil }
                if state == 2 { state = 3 }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if state >= 2 {
                    state = 3
                    exponentDigits += 1
                } else {
                    digits += 1
                }
            case UInt8(ascii: "."):
                guard state == 0 else { return nil }
                state = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard state <= 1, digits > 0 else { return nil }
                state = 2
            default:
                return nil
            }
        }
        guard digits > 0, state < 2 || exponentDigits > 0, let v = Double(String(text)), v.isFinite else { return nil }
        return v
    }

    /// The shortest text that reads back to the same double ("500000", "24.9432708", "1e-07").
    /// With `precision` (0...15; above that the shortest text), rounded to that many decimals from the double's
    /// exact value as printf does (an exact tie, e.g. 0.125 to 2 decimals, goes away from zero), trailing zeros
    /// trimmed — the rounding the GeoJSON writer uses.
    public static func format(_ v: Double, precision: Int? = nil) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf") }
        let rounding = GeoJSONNumberFormat(precision: precision)
        guard rounding.decimals != nil else {
            var s = v.description
            if s.hasSuffix(".0") { s.removeLast(2) }
            return s
        }
        var out: [UInt8] = []
        rounding.append(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The shortest digits that read back to the same double, written as a plain decimal without an
    /// exponent ("0.000012345678901234568", "10000000000000000"), for formats whose readers may not
    /// take exponents. Zero (either sign) is "0".
    public static func plainDecimal(_ v: Double) -> String {
        guard v.isFinite else { return format(v) }
        if v == 0 { return "0" }
        let s = format(v)  // shortest round-trip, possibly "1.2345678901234568e-05" or "1e+16"
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(s[s.index(after: e)...]) else { return s }
        var mantissa = Substring(s[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let dot = mantissa.firstIndex(of: ".")
        let whole = dot.map { mantissa[..<$0] } ?? mantissa
        let fraction = dot.map { mantissa[mantissa.index(after: $0)...] } ?? ""
        var digits = String(whole + fraction)
        var point = whole.count + exponent  // decimal point position within `digits`
        while digits.count > 1, digits.hasPrefix("0") {  // no leading zeros (the mantissa is d.ddd, but be safe)
            digits.removeFirst()
            point -= 1
        }
        var text: String
        if point <= 0 {
            text = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            text = digits + String(repeating: "0", count: point - digits.count)
        } else {
            text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return negative ? "-" + text : text
    }
}
