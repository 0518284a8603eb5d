// A small recursive-descent JSON reader over UTF-8 bytes (RFC 8259), used for JSONValue and,
// through the extension in GeoJSONReader.swift, to build geometries straight from the bytes.
//
// Errors use typed throws (`JSONFailure`): the success path pays nothing for them. A failure
// records its byte offset (syntax errors) and collects the JSON path while it unwinds: every
// level that knows its member name or element index appends it on the way out.

/// An internal parse failure; turned into `SpatialError.parse` at the public boundary.
struct JSONFailure: Error {
    enum Component {
        case key(String)
        case index(Int)
    }

    var message: String
    /// Byte offset of a syntax error (nil for a structural error, located by `path` alone).
    var offset: Int?
    /// Innermost component first.
    var path: [Component] = []

    init(message: String, offset: Int?) {
        self.message = message
        self.offset = offset
    }

    /// The path as `features[12].geometry.coordinates[0][3]` ("" at the root).
    var pathString: String {
        var s = ""
        for c in path.reversed() {
            switch c {
            case .index(let i): s += "[\(i)]"
            case .key(let k):
                if Self.isPlainKey(k) {
                    if !s.isEmpty { s += "." }
                    s += k
                } else {
                    s += "[" + JSONValue.string(k).jsonText + "]"
                }
            }
        }
        return s
    }

    private static func isPlainKey(_ k: String) -> Bool {
        !k.isEmpty
            && k.utf8.allSatisfy { b in
                b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                    || b == 0x2D
            }
    }

    /// Line and column (both 1-based; the column counts characters) of `offset` in `bytes`.
    static func lineAndColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        var column = 1
        for i in lineStart..<end where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }

    /// "line 3, column 17", preceded by the path when there is one:
    /// "features[2].properties.name (line 3, column 17)"; structural errors give the path alone
    /// ("$" for the root).
    func location(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let p = pathString
        guard let offset else { return p.isEmpty ? "$" : p }
        let (l, c) = Self.lineAndColumn(of: offset, in: bytes)
        return p.isEmpty ? "line \(l), column \(c)" : "\(p) (line \(l), column \(c))"
    }

    func spatialError(format: String, in bytes: UnsafeBufferPointer<UInt8>) -> SpatialError {
        .parse(format: format, location: location(in: bytes), message: message)
    }
}

/// A string token: either the raw bytes between the quotes (no escapes) or the decoded bytes
/// left in the reader's scratch buffer.
enum StringToken {
    case raw(start: Int, end: Int)
    case escaped
}

struct JSONReader {
    /// Arrays and objects nested deeper than this are rejected, so that hostile input cannot
    /// exhaust the stack (256 levels fit a 512 KiB thread stack even in a debug build).
    static let maxDepth = 256
    /// The same for GeometryCollections inside GeometryCollections (each level costs more).
    static let maxCollectionDepth = 32

    let buf: UnsafeBufferPointer<UInt8>
    let end: Int
    var pos: Int
    var depth = 0
    var collectionDepth = 0
    var scratch: [UInt8] = []
    /// When set, the Features of a FeatureCollection are handed to it one at a time as they are parsed instead of
    /// being collected (the collection comes back with no features); it returns false to stop the parse.
    var featureSink: ((Feature) -> Bool)?

    init(_ buf: UnsafeBufferPointer<UInt8>, start: Int = 0, end: Int? = nil) {
        self.buf = buf
        self.pos = start
        self.end = end ?? buf.count
    }

    // MARK: Public-boundary helpers

    /// Runs `body` over the whole of `bytes` (after an optional BOM), requires only whitespace
    /// after it, and converts failures into `SpatialError.parse(format:...)`.
    static func parseDocument<T>(
        _ bytes: [UInt8], format: String, _ body: (inout JSONReader) throws(JSONFailure) -> T
    ) throws -> T {
        try bytes.withUnsafeBufferPointer { b in try parseDocument(b, format: format, body) }
    }

    static func parseDocument<T>(
        _ text: String, format: String, _ body: (inout JSONReader) throws(JSONFailure) -> T
    ) throws -> T {
        var text = text
        return try text.withUTF8 { b in try parseDocument(b, format: format, body) }
    }

    static func parseDocument<T>(
        _ b: UnsafeBufferPointer<UInt8>, format: String, _ body: (inout JSONReader) throws(JSONFailure) -> T
    ) throws(SpatialError) -> T {
        var r = JSONReader(b)
        do throws(JSONFailure) {
            r.skipBOM()
            r.skipWS()
            let v = try body(&r)
            try r.expectEnd()
            return v
        } catch {
            throw error.spatialError(format: format, in: b)
        }
    }

    mutating func skipBOM() {
        if end - pos >= 3, buf[pos] == 0xEF, buf[pos + 1] == 0xBB, buf[pos + 2] == 0xBF { pos += 3 }
    }

    /// Only whitespace may follow the value.
    mutating func expectEnd() throws(JSONFailure) {
        skipWS()
        if pos < end { throw syntax("unexpected \(describe(buf[pos])) after the JSON value") }
    }

    // MARK: Tokens

    @inline(__always)
    mutating func skipWS() {
        while pos < end {
            let c = buf[pos]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            pos += 1
        }
    }

    /// The byte at `pos`, or 0 at the end of input.
    @inline(__always)
    func peek() -> UInt8 { pos < end ? buf[pos] : 0 }

    func syntax(_ message: String, at offset: Int? = nil) -> JSONFailure {
        JSONFailure(message: message, offset: offset ?? pos)
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "character '\(Character(Unicode.Scalar(c)))'" }
        if c >= 0x80 { return "non-ASCII character" }
        return "character U+" + hex4(UInt16(c))
    }

    private func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// The error for a missing value at `pos`.
    func unexpected(_ expected: String) -> JSONFailure {
        pos < end ? syntax("unexpected \(describe(buf[pos])), expected \(expected)") : syntax("unexpected end of input, expected \(expected)")
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: String) throws(JSONFailure) {
        guard pos < end, buf[pos] == c else { throw unexpected(what) }
        pos += 1
    }

    mutating func enter() throws(JSONFailure) {
        depth += 1
        // Reported at the bracket just consumed.
        if depth > Self.maxDepth { throw syntax("nesting deeper than \(Self.maxDepth) levels", at: pos - 1) }
    }

    /// Consumes `{` and following whitespace; false (and the `}` consumed) for an empty object.
    @inline(__always)
    mutating func objectStart() throws(JSONFailure) -> Bool { try containerStart(0x7B, 0x7D, "'{'") }

    /// Consumes `open` and following whitespace; false (and `close` consumed) for an empty container.
    @inline(__always)
    private mutating func containerStart(_ open: UInt8, _ close: UInt8, _ what: String) throws(JSONFailure) -> Bool {
        try expect(open, what)
        try enter()
        skipWS()
        if peek() == close {
            pos += 1
            depth -= 1
            return false
        }
        return true
    }

    /// After a value in a container: true if another follows (`,` consumed), false at `close`.
    @inline(__always)
    private mutating func containerNext(_ close: UInt8, _ what: String) throws(JSONFailure) -> Bool {
        skipWS()
        let c = peek()
        if c == 0x2C {
            pos += 1
            skipWS()
            return true
        }
        if c == close {
            pos += 1
            depth -= 1
            return false
        }
        throw unexpected(what)
    }

    /// Reads a member name and the colon, leaving `pos` at the value.
    @inline(__always)
    mutating func memberKey() throws(JSONFailure) -> StringToken {
        guard peek() == 0x22 else { throw unexpected("a string (member name)") }
        let t = try scanString()
        skipWS()
        try expect(0x3A, "':' after the member name")
        skipWS()
        return t
    }

    /// After a member value: true if another member follows (`,` consumed), false at `}`.
    @inline(__always)
    mutating func objectNext() throws(JSONFailure) -> Bool { try containerNext(0x7D, "',' or '}' after an object member") }

    /// Consumes `[` and following whitespace; false (and the `]` consumed) for an empty array.
    @inline(__always)
    mutating func arrayStart() throws(JSONFailure) -> Bool { try containerStart(0x5B, 0x5D, "'['") }

    /// Reads the array at `pos` (`[` included), calling `element` once per element; a failure inside an
    /// element gets the element's index added to its path.
    @inline(__always)
    mutating func forEachElement(_ element: (inout JSONReader) throws(JSONFailure) -> Void) throws(JSONFailure) {
        guard try arrayStart() else { return }
        var i = 0
        repeat {
            do throws(JSONFailure) {
                try element(&self)
            } catch {
                var e = error
                e.path.append(.index(i))
                throw e
            }
            i += 1
        } while try arrayNext()
    }

    /// After an element: true if another element follows (`,` consumed), false at `]`.
    @inline(__always)
    mutating func arrayNext() throws(JSONFailure) -> Bool { try containerNext(0x5D, "',' or ']' after an array element") }

    // MARK: Strings

    /// Scans a string starting at its opening quote.
    mutating func scanString() throws(JSONFailure) -> StringToken {
        let open = pos
        pos += 1  // the quote, checked by the caller
        let start = pos
        while pos < end {
            let c = buf[pos]
            if c == 0x22 {
                pos += 1
                return .raw(start: start, end: pos - 1)
            }
            if c == 0x5C { return try scanEscapedString(start: start) }
            if c < 0x20 { throw syntax("control character U+00\(c < 0x10 ? "0" : "")\(String(c, radix: 16, uppercase: true)) in a string (escape it)") }
            pos += 1
        }
        throw syntax("unterminated string", at: open)
    }

    private mutating func scanEscapedString(start: Int) throws(JSONFailure) -> StringToken {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<pos]))
        while pos < end {
            let c = buf[pos]
            if c == 0x22 {
                pos += 1
                return .escaped
            }
            if c < 0x20 { throw syntax("control character U+00\(c < 0x10 ? "0" : "")\(String(c, radix: 16, uppercase: true)) in a string (escape it)") }
            if c != 0x5C {
                scratch.append(c)
                pos += 1
                continue
            }
            let escapeStart = pos
            pos += 1
            guard pos < end else { break }
            let e = buf[pos]
            pos += 1
            switch e {
            case 0x22, 0x5C, 0x2F: scratch.append(e)
            case 0x62: scratch.append(0x08)  // b
            case 0x66: scratch.append(0x0C)  // f
            case 0x6E: scratch.append(0x0A)  // n
            case 0x72: scratch.append(0x0D)  // r
            case 0x74: scratch.append(0x09)  // t
            case 0x75:  // u
                var scalar = UInt32(try hexQuad(escapeStart))
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard end - pos >= 6, buf[pos] == 0x5C, buf[pos + 1] == 0x75 else {
                        throw syntax("unpaired surrogate in \\u escape", at: escapeStart)
                    }
                    pos += 2
                    let low = UInt32(try hexQuad(escapeStart))
                    guard low >= 0xDC00 && low < 0xE000 else { throw syntax("unpaired surrogate in \\u escape", at: escapeStart) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw syntax("unpaired surrogate in \\u escape", at: escapeStart)
                }
                appendUTF8(scalar)
            default:
                throw syntax("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: escapeStart)
            }
        }
        throw syntax("unterminated string", at: start - 1)
    }

    private mutating func hexQuad(_ escapeStart: Int) throws(JSONFailure) -> UInt16 {
        guard end - pos >= 4 else { throw syntax("invalid \\u escape (needs 4 hex digits)", at: escapeStart) }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let c = buf[pos]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw syntax("invalid \\u escape (needs 4 hex digits)", at: escapeStart)
            }
            v = v << 4 | UInt16(d)
            pos += 1
        }
        return v
    }

    private mutating func appendUTF8(_ s: UInt32) {
        switch s {
        case 0..<0x80: scratch.append(UInt8(s))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (s >> 6)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (s >> 12)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (s >> 18)))
            scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    /// The Swift string of a token; `at` is the offset reported for invalid UTF-8.
    func makeString(_ t: StringToken, at offset: Int) throws(JSONFailure) -> String {
        let s: String?
        switch t {
        case .raw(let a, let b): s = String(validating: UnsafeBufferPointer(rebasing: buf[a..<b]), as: UTF8.self)
        case .escaped: s = String(validating: scratch, as: UTF8.self)
        }
        guard let s else { throw syntax("invalid UTF-8 in a string", at: offset) }
        return s
    }

    /// Whether the token's text is exactly `s` (ASCII).
    @inline(__always)
    func token(_ t: StringToken, is s: StaticString) -> Bool {
        switch t {
        case .raw(let a, let b):
            guard b - a == s.utf8CodeUnitCount else { return false }
            let p = s.utf8Start
            for i in 0..<(b - a) where buf[a + i] != p[i] { return false }
            return true
        case .escaped:
            guard scratch.count == s.utf8CodeUnitCount else { return false }
            let p = s.utf8Start
            for i in 0..<scratch.count where scratch[i] != p[i] { return false }
            return true
        }
    }

    mutating func parseString() throws(JSONFailure) -> String {
        let at = pos
        let t = try scanString()
        return try makeString(t, at: at)
    }

    // MARK: Numbers

    enum Number {
        case int(Int64)
        case double(Double)

        var double: Double {
            switch self {
            case .int(let i): Double(i)
            case .double(let d): d
            }
        }
    }

    /// Exact powers of ten for the fast path (10^22 is the largest exactly representable).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    static func isNumberStart(_ c: UInt8) -> Bool { c == 0x2D || (c >= 0x30 && c <= 0x39) }

    /// Reads a number (JSON grammar, strictly); correctly rounded.
    mutating func parseNumber() throws(JSONFailure) -> Number {
        let start = pos
        var negative = false
        if peek() == 0x2D {
            negative = true
            pos += 1
        }
        var mantissa: UInt64 = 0
        var exponent = 0  // value = mantissa × 10^exponent (before truncation effects)
        var truncated = false
        var isInteger = true

        // Integer part: 0 | [1-9][0-9]*
        var c = peek()
        if c == 0x30 {
            pos += 1
        } else if c >= 0x31 && c <= 0x39 {
            while pos < end {
                c = buf[pos]
                guard c >= 0x30 && c <= 0x39 else { break }
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                } else {
                    truncated = true
                    exponent += 1
                }
                pos += 1
            }
        } else {
            throw syntax(pos < end ? "invalid number" : "unexpected end of input in a number")
        }
        // Fraction
        if peek() == 0x2E {
            isInteger = false
            pos += 1
            let fracStart = pos
            while pos < end {
                c = buf[pos]
                guard c >= 0x30 && c <= 0x39 else { break }
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                    exponent -= 1
                } else if c != 0x30 {
                    truncated = true
                }
                pos += 1
            }
            if pos == fracStart { throw syntax("invalid number: digits expected after '.'") }
        }
        // Exponent
        c = peek()
        if c == 0x65 || c == 0x45 {
            isInteger = false
            pos += 1
            var expNegative = false
            c = peek()
            if c == 0x2B || c == 0x2D {
                expNegative = c == 0x2D
                pos += 1
            }
            let expStart = pos
            var e = 0
            while pos < end {
                c = buf[pos]
                guard c >= 0x30 && c <= 0x39 else { break }
                if e < 100_000 { e = e * 10 + Int(c - 0x30) }
                pos += 1
            }
            if pos == expStart { throw syntax("invalid number: digits expected in the exponent") }
            exponent += expNegative ? -e : e
        }
        // A number must not run into letters or other number characters ("1.2.3", "12abc").
        if pos < end {
            c = buf[pos]
            if (c >= 0x30 && c <= 0x39) || c == 0x2E || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) {
                throw syntax("invalid number")
            }
        }

        if isInteger && !truncated {
            if negative {
                if mantissa == 0 { return .double(-0.0) }
                if mantissa <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- mantissa)) }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        // Clinger's fast path: both operands exact, one correctly rounded operation.
        if !truncated && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var d = Double(mantissa)
            d = exponent < 0 ? d / Self.powersOfTen[-exponent] : d * Self.powersOfTen[exponent]
            return .double(negative ? -d : d)
        }
        if mantissa == 0 && !truncated { return .double(negative ? -0.0 : 0.0) }
        // General case: the C library's correctly rounded conversion, through Swift's Double(text).
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw syntax("number \(text) is out of range", at: start) }
        return .double(d)
    }

    // MARK: Generic values

    mutating func parseValue() throws(JSONFailure) -> JSONValue {
        switch peek() {
        case 0x22: return .string(try parseString())
        case 0x7B: return .object(try parseObject())
        case 0x5B:
            var a: [JSONValue] = []
            try forEachElement { r throws(JSONFailure) in a.append(try r.parseValue()) }
            return .array(a)
        case 0x74:
            try literal("true")
            return .bool(true)
        case 0x66:
            try literal("false")
            return .bool(false)
        case 0x6E:
            try literal("null")
            return .null
        case let c where Self.isNumberStart(c):
            switch try parseNumber() {
            case .int(let i): return .int(i)
            case .double(let d): return .number(d)
            }
        default:
            throw unexpected("a JSON value")
        }
    }

    mutating func parseObject() throws(JSONFailure) -> JSONObject {
        guard try objectStart() else { return JSONObject() }
        var members: [JSONObject.Member] = []
        var seen: [String: Int]?  // only for large objects
        repeat {
            let keyAt = pos
            // Two statements: in `makeString(try memberKey(), …)` Swift reads `self` (and so the scratch buffer of an
            // escaped name) before the argument runs, and an escaped name came back as the previous one's text.
            let token = try memberKey()
            let key = try makeString(token, at: keyAt)
            let value: JSONValue
            do throws(JSONFailure) {
                value = try parseValue()
            } catch {
                var e = error
                e.path.append(.key(key))
                throw e
            }
            // Repeated keys: the last value wins, at the first position.
            if members.count < JSONObject.indexThreshold {
                if let i = members.firstIndex(where: { $0.key == key }) {
                    members[i].value = value
                } else {
                    members.append(JSONObject.Member(key: key, value: value))
                }
            } else {
                if seen == nil {
                    var d = [String: Int]()
                    for (i, m) in members.enumerated() { d[m.key] = i }
                    seen = d
                }
                if let i = seen![key] {
                    members[i].value = value
                } else {
                    seen![key] = members.count
                    members.append(JSONObject.Member(key: key, value: value))
                }
            }
        } while try objectNext()
        return JSONObject(uniqueMembers: members)
    }

    mutating func literal(_ word: StaticString) throws(JSONFailure) {
        let n = word.utf8CodeUnitCount
        let p = word.utf8Start
        guard end - pos >= n else { throw syntax("invalid literal (expected '\(word)')") }
        for i in 0..<n where buf[pos + i] != p[i] { throw syntax("invalid literal (expected '\(word)')") }
        pos += n
        if pos < end {
            let c = buf[pos] | 0x20
            if c >= 0x61 && c <= 0x7A { throw syntax("invalid literal (expected '\(word)')") }
        }
    }

    /// Checks and skips one value without building it.
    mutating func skipValue() throws(JSONFailure) {
        switch peek() {
        case 0x22: _ = try scanString()
        case 0x7B:
            guard try objectStart() else { return }
            repeat {
                _ = try memberKey()
                try skipValue()
            } while try objectNext()
        case 0x5B:
            guard try arrayStart() else { return }
            repeat { try skipValue() } while try arrayNext()
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        case let c where Self.isNumberStart(c): _ = try parseNumber()
        default: throw unexpected("a JSON value")
        }
    }

    /// A short description of the kind of value at `pos`, for messages ("a string", "null", ...).
    func kindOfValue() -> String {
        switch peek() {
        case 0x22: "a string"
        case 0x7B: "an object"
        case 0x5B: "an array"
        case 0x74, 0x66: "a boolean"
        case 0x6E: "null"
        case let c where Self.isNumberStart(c): "a number"
        default: "invalid JSON"
        }
    }
}
