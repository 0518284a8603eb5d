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

    /// `yyyy-MM-ddTHH:mm:ss±hh:mm` in `zone` (`Z` when the offset is zero), whole seconds (the fraction dropped), as
    /// Foundation's `ISO8601DateFormatter` with `.withInternetDateTime` writes it, without making a formatter (an ICU
    /// calendar) for every time written.
    public static func string(_ date: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: date)
        // to the millisecond first (as ICU's UDate), then the whole second
        let seconds = Int64(((date.timeIntervalSince1970 * 1000).rounded() / 1000).rounded(.down)) + Int64(offset)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = Int(seconds - days * 86_400)
        let d = LocalDate(daysSince1970: Int(days))
        var out = [UInt8]()
        out.reserveCapacity(25)
        func two(_ n: Int) {
            out.append(UInt8(48 + n / 10))
            out.append(UInt8(48 + n % 10))
        }
        let y = d.year
        out.append(contentsOf: [UInt8(48 + y / 1000 % 10), UInt8(48 + y / 100 % 10), UInt8(48 + y / 10 % 10), UInt8(48 + y % 10)])
        out.append(45); two(d.month); out.append(45); two(d.day)
        out.append(84); two(inDay / 3600); out.append(58); two(inDay / 60 % 60); out.append(58); two(inDay % 60)
        if offset == 0 {
            out.append(90)
        } else {
            let a = abs(offset)
            out.append(offset < 0 ? 45 : 43); two(a / 3600); out.append(58); two(a / 60 % 60)
            if a % 60 != 0 { out.append(58); two(a % 60) }  // local mean time before standard zones (1900: +08:05:43)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
