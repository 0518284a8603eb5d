// Appending JSON text to a UTF-8 byte buffer: strings with escaping, integers, doubles
// (shortest round-trip text, or fixed decimals), and whole JSONValues.

extension [UInt8] {
    @inline(__always)
    public mutating func appendASCII(_ s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends `s` as a JSON string literal: `"`, `\` and control characters escaped, everything
    /// else (including non-ASCII, as UTF-8) copied.
    public mutating func appendJSONString(_ s: String) {
        var s = s
        s.withUTF8 { appendJSONString(utf8: $0) }
    }

    /// Appends UTF-8 text as a JSON string literal (see `appendJSONString(_:)`).
    public mutating func appendJSONString(utf8 u: UnsafeBufferPointer<UInt8>) {
        append(0x22)
        do {
            var runStart = 0
            for i in 0..<u.count {
                let c = u[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if runStart < i { append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
                runStart = i + 1
                append(0x5C)
                switch c {
                case 0x22: append(0x22)
                case 0x5C: append(0x5C)
                case 0x0A: append(0x6E)
                case 0x0D: append(0x72)
                case 0x09: append(0x74)
                case 0x08: append(0x62)
                case 0x0C: append(0x66)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    append(contentsOf: [0x75, 0x30, 0x30, hex.utf8Start[Int(c >> 4)], hex.utf8Start[Int(c & 0xF)]])
                }
            }
            if runStart < u.count { append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<u.count])) }
        }
        append(0x22)
    }

    /// Appends the decimal digits of `v`.
    public mutating func appendInt(_ v: Int64) {
        if v < 0 {
            append(0x2D)
            appendUInt(v.magnitude)
        } else {
            appendUInt(UInt64(v))
        }
    }

    public mutating func appendUInt(_ v: UInt64) {
        if v < 10 {
            append(0x30 &+ UInt8(v))
            return
        }
        let start = count
        var v = v
        while v > 0 {
            append(0x30 &+ UInt8(v % 10))
            v /= 10
        }
        self[start...].reverse()
    }

    /// The shortest text that reads back to the same double (Swift's `description`, which is
    /// valid JSON for finite values: `24.95`, `100.0`, `1e-07`, `1e+16`); `null` if not finite.
    public mutating func appendDouble(_ d: Double) {
        guard d.isFinite else {
            appendASCII("null")
            return
        }
        var s = d.description
        s.withUTF8 { append(contentsOf: $0) }
    }

    /// `d` rounded to `decimals` decimal places from its exact binary value (an exact tie, possible only for
    /// binary fractions such as 0.125, half away from zero), trailing zeros and a
    /// trailing point removed: `24.9432708`, `100`, `-0.5`. `scale` is 10^decimals.
    mutating func appendDouble(_ d: Double, decimals: Int, scale: Double) {
        guard d.isFinite else {
            appendASCII("null")
            return
        }
        let product = d * scale
        var scaled = product.rounded()
        // The product is itself rounded: when it lands exactly on a half, the exact value d × 10^k may lie just
        // below or above it (60.17513245 is 60.1751324499999995… as a double: 7 decimals give 60.1751324, as
        // printf and GDAL write). fma gives the exact residual of the multiplication and settles the side.
        if (product - product.rounded(.towardZero)).magnitude == 0.5 {
            let exactError = (-product).addingProduct(d, scale)  // d × scale − product, exactly
            if exactError != 0 { scaled = exactError > 0 ? product.rounded(.up) : product.rounded(.down) }
        }
        // Beyond 2^53 the double has no digits left at this precision: write it as it is.
        guard scaled.magnitude < 9.0e15 else {
            appendDouble(d)
            return
        }
        var n = Int64(scaled)
        if n == 0 {
            append(0x30)
            return
        }
        if n < 0 {
            append(0x2D)
            n = -n
        }
        let unit = GeoJSONNumberFormat.integerPowersOfTen[decimals]
        appendUInt(UInt64(n / unit))
        var frac = n % unit
        guard frac != 0 else { return }
        var digits = decimals
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        append(0x2E)
        // Zero-padded to `digits` places.
        let start = count
        for _ in 0..<digits {
            append(0x30 &+ UInt8(frac % 10))
            frac /= 10
        }
        self[start...].reverse()
    }

    mutating func appendJSON(_ v: JSONValue) {
        switch v {
        case .null: appendASCII("null")
        case .bool(let b): if b { appendASCII("true") } else { appendASCII("false") }
        case .int(let i): appendInt(i)
        case .number(let d): appendDouble(d)
        case .string(let s): appendJSONString(s)
        case .array(let a):
            append(0x5B)
            for (i, e) in a.enumerated() {
                if i > 0 { append(0x2C) }
                appendJSON(e)
            }
            append(0x5D)
        case .object(let o): appendJSON(o)
        }
    }

    mutating func appendJSON(_ o: JSONObject) {
        append(0x7B)
        for (i, m) in o.members.enumerated() {
            if i > 0 { append(0x2C) }
            appendJSONString(m.key)
            append(0x3A)
            appendJSON(m.value)
        }
        append(0x7D)
    }
}

/// How coordinates are written: shortest round-trip text, or a fixed number of decimals.
struct GeoJSONNumberFormat {
    static let integerPowersOfTen: [Int64] = (0...15).map { (0..<$0).reduce(Int64(1)) { p, _ in p * 10 } }

    let decimals: Int?
    let scale: Double

    /// `precision` nil, or above 15 (more than a double's digits), means shortest round-trip text;
    /// negative precision counts as 0.
    init(precision: Int?) {
        if let p = precision, p <= 15 {
            let d = Swift.max(0, p)
            decimals = d
            scale = Double(Self.integerPowersOfTen[d])
        } else {
            decimals = nil
            scale = 1
        }
    }

    @inline(__always)
    func append(_ d: Double, to out: inout [UInt8]) {
        if let decimals { out.appendDouble(d, decimals: decimals, scale: scale) } else { out.appendDouble(d) }
    }
}

/// JSON text pieces for writers outside the spatial core that assemble documents themselves.
public enum JSONText {
    /// `s` as a JSON string literal, UTF-8: `"a\"b"`.
    public static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.appendJSONString(s)
        return out
    }

    /// Appends `s` as a JSON string literal, or `null`.
    public static func append(_ s: String?, to out: inout [UInt8]) {
        if let s { out.appendJSONString(s) } else { out.appendASCII("null") }
    }

    /// Appends the shortest text that reads back to `v` (`null` for nil or non-finite).
    public static func append(_ v: Double?, to out: inout [UInt8]) {
        if let v { out.appendDouble(v) } else { out.appendASCII("null") }
    }

    /// Appends `v` rounded to `decimals` (0...15) places, trailing zeros trimmed (`null` for nil).
    public static func append(_ v: Double?, decimals: Int, to out: inout [UInt8]) {
        guard let v else {
            out.appendASCII("null")
            return
        }
        GeoJSONNumberFormat(precision: decimals).append(v, to: &out)
    }
}
