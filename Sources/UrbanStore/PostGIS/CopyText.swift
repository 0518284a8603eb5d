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
                out.append(contentsOf: Array(#"\N"#.utf8))
            case (.integer(let v), .boolean):
                out.append(v != 0 ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case (.integer(let v), _):
                out.append(contentsOf: Array(String(v).utf8))
            case (.real(let v), _):
                out.append(contentsOf: Array("\(v)".utf8))
            case (.text(let s), _):
                escape(s, to: &out)
            case (.blob(let wkb), .geometry):
                appendEWKBHex(wkb, srid: 4326, to: &out)
            case (.blob(let bytes), _):  // bytea's hex form, its backslash escaped for COPY
                out.append(contentsOf: Array(#"\\x"#.utf8))
                appendHex(bytes, to: &out)
            }
        }
        out.append(0x0A)
    }

    static func escape(_ s: String, to out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default: out.append(b)
            }
        }
    }

    /// ISO WKB (either byte order) as PostGIS's hex EWKB: the SRID flag set in the type word, the SRID after it.
    static func appendEWKBHex(_ wkb: [UInt8], srid: UInt32, to out: inout [UInt8]) {
        guard wkb.count >= 5 else { return appendHex(wkb, to: &out) }
        let little = wkb[0] == 1
        var type: UInt32 = 0
        for k in 0..<4 {
            let shift = UInt32(little ? 8 * k : 8 * (3 - k))
            type |= UInt32(wkb[1 + k]) << shift
        }
        type |= 0x2000_0000
        func word(_ v: UInt32) -> [UInt8] {
            (0..<4).map { k -> UInt8 in
                let shift = UInt32(little ? 8 * k : 8 * (3 - k))
                return UInt8(truncatingIfNeeded: v >> shift)
            }
        }
        appendHex([wkb[0]] + word(type) + word(srid), to: &out)
        appendHex(Array(wkb[5...]), to: &out)
    }

    static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        let digits = Array("0123456789ABCDEF".utf8)
        out.reserveCapacity(out.count + 2 * bytes.count)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
    }
}
