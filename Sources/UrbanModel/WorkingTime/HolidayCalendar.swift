public import Foundation

/// A calendar day with no time and no zone: `yyyy-MM-dd` in the proleptic Gregorian calendar.
///
/// Opening hours are evaluated on local days of one time zone; a `LocalDate` is such a day. It converts to and
/// from a day number (days since 1970-01-01) so that day arithmetic needs no `Calendar`.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (month 1...12, day within the month, year 1...9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysInMonth(year: year, month: month)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `yyyy-MM-dd` (four, two and two digits).
    public init?(_ text: some StringProtocol) {
        let c = Array(text.utf8)
        guard c.count == 10, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard c[i] >= UInt8(ascii: "0"), c[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(c[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date `days` days after 1970-01-01 (negative before it). Howard Hinnant's `civil_from_days`.
    public init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01. Howard Hinnant's `days_from_civil`.
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The weekday of this date.
    public var weekday: OpeningHours.Weekday { OpeningHours.Weekday(daysSince1970: daysSince1970) }

    /// The local date of `date` in `timeZone`.
    public init(_ date: Date, timeZone: TimeZone) {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        self.init(daysSince1970: Int((local / 86_400).rounded(.down)))
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Public holidays (`PH` in opening hours) and China's make-up working days (调休上班), by local date, for the years
/// a calendar file covers.
///
/// Semantics, deliberately simple because OSM `opening_hours` cannot express 调休:
/// - A date in ``holidays`` matches the `PH` selector. Its weekday still matches as usual (`Mo-Fr 08:00-18:00`
///   names a holiday Monday too), so an expression says `PH off` or `PH 10:00-14:00` *after* the weekday rules
///   to let the holiday override them.
/// - A date in ``workingDays`` is never `PH`, and is otherwise evaluated with the rules of **its own weekday**:
///   a make-up working Sunday uses the `Su` rules, not those of some weekday it replaces. A zone that should
///   trade on make-up days as on workdays needs a date-specific rule, which this subset does not have.
/// - A date cannot be both.
/// - A working day (the case clocks' `WorkClock`) is Monday to Friday and not a holiday, or a make-up day. In a year
///   the calendar does not cover (``covers(_:)``) holidays are unknown: Monday to Friday count.
///
/// File format (``init(csv:)``), the State Council's arrangement as `GeoData/holidays/` ships it: UTF-8 CSV with a
/// header naming at least `date` (`yyyy-MM-dd`) and `kind` (`holiday` or `makeup_workday`; `workday` is read as
/// `makeup_workday`), in any order; other columns are allowed and the first of `festival_zh`, `festival_en`, `name`
/// names the day. Every year with a row counts as covered. Next year's file is dropped in beside this one and read
/// with it (``merging(_:)``). The earlier headerless form `yyyy-MM-dd,name[,workday|holiday]` is still read.
/// `#` starts a comment line; blank lines are skipped; fields are trimmed.
public struct HolidayCalendar: Hashable, Sendable {
    /// Holiday dates and their names.
    public private(set) var holidays: [LocalDate: String]
    /// Make-up working days (调休上班) and their names.
    public private(set) var workingDays: [LocalDate: String]
    /// The years the calendar covers (every year with a listed date).
    public private(set) var years: Set<Int>

    /// No holidays and no make-up days: `PH` never matches, and no year is covered.
    public static let none = HolidayCalendar()

    /// A calendar from dates already parsed. A date in both dictionaries is treated as a working day. The years
    /// covered are those of the dates unless given.
    public init(holidays: [LocalDate: String] = [:], workingDays: [LocalDate: String] = [:], years: Set<Int>? = nil) {
        self.holidays = holidays.filter { workingDays[$0.key] == nil }
        self.workingDays = workingDays
        self.years = years ?? Set(holidays.keys.map(\.year) + workingDays.keys.map(\.year))
    }

    /// Parses the CSV described on the type.
    /// - Throws: ``HolidayCalendarError/line(_:message:)`` naming the 1-based line and what is wrong.
    public init(csv text: String) throws(HolidayCalendarError) {
        var holidays: [LocalDate: String] = [:]
        var workingDays: [LocalDate: String] = [:]
        // the header's columns (nil: the headerless date,name[,kind] form)
        var columns: (date: Int, kind: Int, name: Int?, count: Int)?
        var sawData = false
        // "\r\n" is one Character, and a newline like "\n" and "\r".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawData, columns == nil, LocalDate(fields[0]) == nil, fields.contains(where: { $0.lowercased() == "date" }) {
                let names = fields.map { $0.lowercased() }
                guard let d = names.firstIndex(of: "date"), let k = names.firstIndex(of: "kind") else {
                    throw .line(number, message: "the header must name the columns date and kind, found \(fields.joined(separator: ","))")
                }
                let name = ["festival_zh", "festival_en", "name"].lazy.compactMap { names.firstIndex(of: $0) }.first
                columns = (d, k, name, fields.count)
                continue
            }
            sawData = true
            let dateText: String, name: String, kind: String
            if let c = columns {
                guard fields.count == c.count else {
                    throw .line(number, message: "expected \(c.count) fields as the header names, found \(fields.count)")
                }
                dateText = fields[c.date]
                kind = fields[c.kind]
                name = c.name.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? kind
            } else {
                guard fields.count == 2 || fields.count == 3 else {
                    throw .line(number, message: "expected date,name or date,name,workday; found \(fields.count) fields")
                }
                dateText = fields[0]
                name = fields[1]
                guard !name.isEmpty else { throw .line(number, message: "the holiday name is empty") }
                kind = fields.count == 3 ? fields[2] : "holiday"
            }
            guard let date = LocalDate(dateText) else {
                throw .line(number, message: "expected a date yyyy-MM-dd, found \"\(dateText)\"")
            }
            guard holidays[date] == nil, workingDays[date] == nil else {
                throw .line(number, message: "\(date) is listed twice")
            }
            switch kind {
            case "holiday": holidays[date] = name
            case "makeup_workday", "workday": workingDays[date] = name
            default:
                throw .line(number, message: columns == nil
                    ? "the third field must be workday or holiday, found \"\(kind)\""
                    : "kind must be holiday or makeup_workday, found \"\(kind)\"")
            }
        }
        self.init(holidays: holidays, workingDays: workingDays)
    }

    /// Reads ``init(csv:)`` text from a file.
    public init(contentsOf url: URL) throws {
        try self.init(csv: String(contentsOf: url, encoding: .utf8))
    }

    /// This calendar and `other` together (another year's file dropped in). A date listed by both takes `other`'s kind.
    public func merging(_ other: HolidayCalendar) -> HolidayCalendar {
        var holidays = self.holidays, workingDays = self.workingDays
        for (d, n) in other.holidays {
            holidays[d] = n
            workingDays[d] = nil
        }
        for (d, n) in other.workingDays {
            workingDays[d] = n
            holidays[d] = nil
        }
        return HolidayCalendar(holidays: holidays, workingDays: workingDays, years: years.union(other.years))
    }

    /// Whether the calendar lists the holidays of `year`.
    public func covers(_ year: Int) -> Bool { years.contains(year) }

    /// Whether `date` matches `PH`: listed as a holiday and not as a working day.
    public func isPublicHoliday(_ date: LocalDate) -> Bool {
        holidays[date] != nil && workingDays[date] == nil
    }

    /// Whether `date` is a make-up working day (调休上班).
    public func isMakeUpWorkingDay(_ date: LocalDate) -> Bool { workingDays[date] != nil }

    /// Whether `date` is a working day: Monday to Friday and not a holiday, or a make-up day. In a year the calendar
    /// does not cover, Monday to Friday.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if workingDays[date] != nil { return true }
        if holidays[date] != nil { return false }
        let w = date.weekday
        return w != .saturday && w != .sunday
    }

    /// Whether the local date of `date` in `timeZone` matches `PH`.
    public func isPublicHoliday(_ date: Date, timeZone: TimeZone = OpeningHours.chinaStandardTime) -> Bool {
        isPublicHoliday(LocalDate(date, timeZone: timeZone))
    }
}

/// Why a holiday file was rejected.
public enum HolidayCalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number and what is wrong with it.
    case line(Int, message: String)

    public var description: String {
        switch self {
        case .line(let n, let message): "holiday calendar line \(n): \(message)"
        }
    }
}
