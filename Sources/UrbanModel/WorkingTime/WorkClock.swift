public import Foundation

/// The working hours of a working day, e.g. `08:30-12:00,14:00-17:30` (7 h): spans of local time, in order, not
/// overlapping, within the day.
public struct WorkSchedule: Hashable, Sendable, CustomStringConvertible {
    /// Minutes from local midnight, `start < end`, in order, disjoint.
    public let spans: [(start: Int, end: Int)]

    /// The default schedule: 08:30–12:00 and 14:00–17:30, 7 working hours a day.
    public static let standard: WorkSchedule = {
        do { return try WorkSchedule("08:30-12:00,14:00-17:30") } catch { preconditionFailure("\(error)") }
    }()

    /// Parses `HH:MM-HH:MM[,HH:MM-HH:MM…]` (24:00 allowed as an end).
    /// - Throws: `ModelError.invalidArgument` naming `work-hours` and the span that is wrong.
    public init(_ text: String) throws {
        var spans: [(start: Int, end: Int)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            func minutes(_ t: Substring) -> Int? {
                let hm = t.split(separator: ":", omittingEmptySubsequences: false)
                guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
                      (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
                return h * 60 + m
            }
            guard ends.count == 2, let a = minutes(ends[0]), let b = minutes(ends[1]), a < b else {
                throw ModelError.invalidArgument(name: "work-hours", reason: "'\(part)' is not a span HH:MM-HH:MM within a day (e.g. 08:30-12:00)")
            }
            if let last = spans.last, a < last.end {
                throw ModelError.invalidArgument(name: "work-hours", reason: "'\(part)' starts before the span before it ends: give the spans in order, not overlapping")
            }
            spans.append((a, b))
        }
        self.spans = spans
    }

    /// Working seconds in one working day.
    public var secondsPerDay: Double { Double(spans.reduce(0) { $0 + $1.end - $1.start }) * 60 }

    public var description: String {
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return spans.map { hm($0.start) + "-" + hm($0.end) }.joined(separator: ",")
    }

    public static func == (a: WorkSchedule, b: WorkSchedule) -> Bool { a.description == b.description }
    public func hash(into h: inout Hasher) { h.combine(description) }
}

/// How far a case is through its limit: `green` under 80 %, `yellow` from 80 % up to the limit, `red` past it.
public enum TimeState: String, Sendable, CaseIterable {
    case green, yellow, red

    /// The state of `used` working seconds against a limit of `limit` working seconds.
    public init(used: Double, limit: Double) {
        if used > limit { self = .red } else if used >= 0.8 * limit { self = .yellow } else { self = .green }
    }
}

/// A time limit in working time: hours, or working days of the schedule (one working day is the schedule's hours,
/// not 24 h).
public enum WorkLimit: Hashable, Sendable {
    case workHours(Double)
    case workDays(Double)

    /// The limit in working seconds under `schedule`.
    public func seconds(_ schedule: WorkSchedule) -> Double {
        switch self {
        case .workHours(let h): h * 3600
        case .workDays(let d): d * schedule.secondsPerDay
        }
    }
}

/// Working time: only the schedule's hours of working days count (the calendar's holidays and make-up days;
/// Monday to Friday in years it does not cover), minus paused spans (a parked case, 挂账). Local days and hours are
/// those of `timeZone`.
public struct WorkClock: Sendable {
    public let schedule: WorkSchedule
    public let calendar: HolidayCalendar
    public let timeZone: TimeZone

    public init(schedule: WorkSchedule = .standard, calendar: HolidayCalendar = .china, timeZone: TimeZone = OpeningHours.chinaStandardTime) {
        self.schedule = schedule
        self.calendar = calendar
        self.timeZone = timeZone
    }

    /// When a deadline falls, and whether it is provisional: working days of a year the calendar does not cover were
    /// counted (Monday to Friday) on the way, so loading that year's calendar may move it.
    public struct Deadline: Hashable, Sendable {
        public var at: Date
        public var provisional: Bool
    }

    /// The instant at which `seconds` of working time, counted from `start` with `paused` spans left out, are used
    /// up (the earliest such instant: the end of a span when the limit ends there). Searches at most 20 years ahead.
    public func deadline(from start: Date, seconds: Double, excluding paused: [DateInterval] = []) -> Deadline? {
        guard seconds > 0 else { return Deadline(at: start, provisional: false) }
        var left = seconds
        var provisional = false
        var day = LocalDate(start, timeZone: timeZone).daysSince1970
        let last = day + 20 * 366
        while day <= last {
            let date = LocalDate(daysSince1970: day)
            // a day of a year without a calendar: its holidays and make-up days are unknown
            if !calendar.covers(date.year) { provisional = true }
            if calendar.isWorkingDay(date) {
                for piece in workingPieces(day: day, from: start, excluding: paused) {
                    let length = piece.end.timeIntervalSince(piece.start)
                    if length >= left { return Deadline(at: piece.start.addingTimeInterval(left), provisional: provisional) }
                    left -= length
                }
            }
            day += 1
        }
        return nil
    }

    /// Working seconds in [`from`, `to`), `paused` spans left out.
    public func workingSeconds(from: Date, to: Date, excluding paused: [DateInterval] = []) -> Double {
        guard to > from else { return 0 }
        var total = 0.0
        let first = LocalDate(from, timeZone: timeZone).daysSince1970, last = LocalDate(to, timeZone: timeZone).daysSince1970
        for day in first...last where calendar.isWorkingDay(LocalDate(daysSince1970: day)) {
            for piece in workingPieces(day: day, from: from, excluding: paused) where piece.start < to {
                total += min(piece.end, to).timeIntervalSince(piece.start)
            }
        }
        return total
    }

    /// The instant of minute `minute` of local day `day`.
    func instant(day: Int, minute: Int) -> Date {
        let guess = Double(day * 86_400 + minute * 60)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: guess))
        return Date(timeIntervalSince1970: guess - Double(offset))
    }

    /// The schedule's spans of local day `day` from `from` on, with the paused spans cut out, in order.
    private func workingPieces(day: Int, from: Date, excluding paused: [DateInterval]) -> [(start: Date, end: Date)] {
        var pieces: [(start: Date, end: Date)] = []
        for span in schedule.spans {
            let a = max(instant(day: day, minute: span.start), from), b = instant(day: day, minute: span.end)
            guard a < b else { continue }
            var parts = [(start: a, end: b)]
            for p in paused {
                parts = parts.flatMap { part -> [(start: Date, end: Date)] in
                    guard p.start < part.end, p.end > part.start else { return [part] }
                    return [(part.start, p.start), (p.end, part.end)].filter { $0.0 < $0.1 }
                }
            }
            pieces += parts
        }
        return pieces
    }
}

/// A store that keeps the city's working hours (set at `init`; the standard schedule when none was set).
public protocol WorkScheduleStore: CityStore {
    var workSchedule: WorkSchedule { get throws }
    func setWorkSchedule(_ schedule: WorkSchedule) throws
}
