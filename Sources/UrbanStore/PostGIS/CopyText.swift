import SpatialCore
import UrbanModel

/// Rows in `COPY … FROM STDIN`'s text format: tab-separated, `\N` for null, backslash escapes, one row per line.
/// Geometries go as hex EWKB with SRID 4326 (the columns are `geometry(…, 4326)`), booleans as `t`/`f`, times as
/// their ISO 8601 text (with offset), reals in Swift's shortest round-tripping form (read back bit for bit).
enum CopyText {
    static func append(_ values: [SQLValue], _ columns: [StoredColumn], to out: inout [UInt8]) throws {
        precondition(values.count == columns.count, "one value per column")
        for (i, (value, column)) in zip(values, columns).enumerated() {
            if i > 0 { out.append(0x09) }
            switch (value, column.kind) {
            case (.null, _):
                out.append(0x5C)
                out.append(UInt8(ascii: "N"))
            case (.integer(let v), .boolean):
                out.append(v != 0 ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case (.integer(let v), _):
                out.appendInt(v)
            case (.real(let v), _):
                if v.isFinite { out.appendDouble(v) } else { out.append(contentsOf: Array("\(v)".utf8)) }
            case (.text(let s), _):
                escape(s, to: &out)
            case (.blob(let wkb), .geometry):
                appendEWKBHex(wkb, srid: 4326, to: &out)
            case (.blob(let bytes), _):  // bytea's hex form, its backslash escaped for COPY
                out.append(contentsOf: [0x5C, 0x5C, UInt8(ascii: "x")])
                appendHex(bytes[...], to: &out)
            }
        }
        out.append(0x0A)
    }

    /// A geometry's ISO WKB (little-endian, 2D) for `append`: a point written here, anything else by GEOS.
    static func wkb(_ g: Geometry) throws -> [UInt8] {
        guard case .point(let p) = g, !p.x.isNaN, !p.y.isNaN else { return try g.wkb }
        var out: [UInt8] = [1, 1, 0, 0, 0]
        out.reserveCapacity(21)
        for v in [p.x, p.y] {
            let bits = v.bitPattern
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * k))) }
        }
        return out
    }

    static func escape(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { u in
            var run = 0
            for i in 0..<u.count {
                let b = u[i]
                guard b == 0x5C || b == 0x0A || b == 0x0D || b == 0x09 else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<i])) }
                run = i + 1
                switch b {
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                default: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                }
            }
            if run < u.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<u.count])) }
        }
    }

    /// ISO WKB (either byte order) as PostGIS's hex EWKB: the SRID flag set in the type word, the SRID after it.
    static func appendEWKBHex(_ wkb: [UInt8], srid: UInt32, to out: inout [UInt8]) {
        guard wkb.count >= 5 else { return appendHex(wkb[...], to: &out) }
        let little = wkb[0] == 1
        var type: UInt32 = 0
        for k in 0..<4 {
            let shift = UInt32(little ? 8 * k : 8 * (3 - k))
            type |= UInt32(wkb[1 + k]) << shift
        }
        type |= 0x2000_0000
        var head: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (wkb[0], 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &head) { h in
            for k in 0..<4 {
                let shift = UInt32(little ? 8 * k : 8 * (3 - k))
                h[1 + k] = UInt8(truncatingIfNeeded: type >> shift)
                h[5 + k] = UInt8(truncatingIfNeeded: srid >> shift)
            }
            appendHex(UnsafeBufferPointer(start: h.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 9), to: &out)
        }
        appendHex(wkb[5...], to: &out)
    }

    static func appendHex<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        let digits: StaticString = "0123456789ABCDEF"
        let d = digits.utf8Start
        out.reserveCapacity(out.count + 2 * bytes.count)
        for b in bytes {
            out.append(d[Int(b >> 4)])
            out.append(d[Int(b & 0x0F)])
        }
    }
}
