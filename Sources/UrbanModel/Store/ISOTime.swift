public import Foundation

/// ISO 8601 times as UrbanGrid reads and writes them: read with an offset, or without one as local time of the
/// database's zone (a bare date is midnight); written as `yyyy-MM-ddTHH:mm:ss±hh:mm` in that zone.
public enum ISOTime {
    public static func date(_ text: String, in zone: TimeZone) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        // Every accepted form is short ASCII: digits, T, Z, ':', '-', '+', '.', ',' and a space. Anything else is
        // refused before Foundation sees it: its DateFormatter traps on some other text (a combining mark after a
        // digit, "1\u{651}", ends the process with "Incorrect range"; found by fuzzing, Tools/FUZZING.md).
        guard t.utf8.count <= 40, t.utf8.allSatisfy(isTimeCharacter) else { return nil }
        let withOffset = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            withOffset.formatOptions = options
            if let d = withOffset.date(from: t) { return d }
        }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            local.dateFormat = format
            if let d = local.date(from: t) { return d }
        }
        return nil
    }

    private static func isTimeCharacter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "T"), UInt8(ascii: "Z"), UInt8(ascii: ":"), UInt8(ascii: "-"),
             UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: " "): true
        default: false
        }
    }

    public static func string(_ date: Date, in zone: TimeZone) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: zone, formatOptions: [.withInternetDateTime])
    }
}
