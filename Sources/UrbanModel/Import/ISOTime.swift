public import Foundation

/// ISO 8601 times as UrbanGrid reads and writes them: read with an offset, or without one as local time of the
/// database's zone (a bare date is midnight); written as `yyyy-MM-ddTHH:mm:ss±hh:mm` in that zone.
public enum ISOTime {
    /// Reads `2026-11-21T09:30:00+08:00` (RFC 3339: `Z` or `±hh:mm`, optional fraction of a second), or without an
    /// offset `2026-11-21T09:30`, `2026-11-21 09:30:00`, `2026-11-21` (local time of `zone`; a bare date is midnight).
    /// Strict: every field in range (no 30 February, no hour 25, offsets within ±18:00), nothing before or after, no
    /// other separators; nil otherwise.
    public static func date(_ text: String, in zone: TimeZone) -> Date? {
        guard let p = Parsed(text.trimmingCharacters(in: .whitespaces)) else { return nil }
        return p.date(in: zone)
    }

    /// Reads an RFC 3339 date-time that carries its offset (`Z` or `±hh:mm`), as `date(_:in:)` does; nil without one.
    public static func instant(_ text: String) -> Date? {
        guard let p = Parsed(text), p.offsetSeconds != nil, p.hasTime else { return nil }
        return p.date(in: TimeZone(secondsFromGMT: 0)!)
    }

    /// The fields of an ISO 8601 text, each checked for range.
    struct Parsed {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var nanosecond = 0
        var hasTime = false
        var offsetSeconds: Int?

        init?(_ text: String) {
            let b = Array(text.utf8)
            var i = 0
            func number(_ digits: Int) -> Int? {
                guard i + digits <= b.count else { return nil }
                var v = 0
                for k in i..<(i + digits) {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[k]) else { return nil }
                    v = v * 10 + Int(b[k] - UInt8(ascii: "0"))
                }
                i += digits
                return v
            }
            func expect(_ c: Character) -> Bool {
                guard i < b.count, b[i] == c.asciiValue! else { return false }
                i += 1
                return true
            }
            guard let y = number(4), expect("-"), let mo = number(2), expect("-"), let d = number(2) else { return nil }
            (year, month, day) = (y, mo, d)
            guard (1...12).contains(month), (1...Self.days(year, month)).contains(day) else { return nil }
            if i < b.count {
                guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") else { return nil }
                i += 1
                guard let h = number(2), expect(":"), let mi = number(2) else { return nil }
                (hour, minute, hasTime) = (h, mi, true)
                if i < b.count, b[i] == UInt8(ascii: ":") {
                    i += 1
                    guard let s = number(2) else { return nil }
                    second = s
                    if i < b.count, b[i] == UInt8(ascii: ".") {
                        i += 1
                        var digits = 0
                        var scale = 100_000_000
                        while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
                            if digits < 9 { nanosecond += Int(b[i] - UInt8(ascii: "0")) * scale }
                            scale /= 10
                            digits += 1
                            i += 1
                        }
                        guard digits > 0 else { return nil }
                    }
                }
                guard hour <= 23, minute <= 59, second <= 59 else { return nil }
                if i < b.count {
                    if b[i] == UInt8(ascii: "Z") {
                        i += 1
                        offsetSeconds = 0
                    } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                        i += 1
                        guard let oh = number(2), expect(":"), let om = number(2), oh <= 18, om <= 59, oh * 60 + om <= 18 * 60 else { return nil }
                        offsetSeconds = sign * (oh * 3600 + om * 60)
                    } else {
                        return nil
                    }
                }
            }
            guard i == b.count else { return nil }
        }

        static func days(_ year: Int, _ month: Int) -> Int {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        func date(in zone: TimeZone) -> Date? {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = offsetSeconds.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
            let c = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond)
            return calendar.date(from: c)
        }
    }

    public static func string(_ date: Date, in zone: TimeZone) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: zone, formatOptions: [.withInternetDateTime])
    }
}
