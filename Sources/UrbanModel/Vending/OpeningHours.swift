public import Foundation

/// Permitted hours of a vendor zone (摊点群/流动商贩疏导区) in a subset of the OSM `opening_hours`
/// specification (the grammar below), evaluated in one fixed time zone (Asia/Shanghai by default).
///
/// ## Syntax accepted
/// ```
/// expression  = rule { separator rule }
/// separator   = ";" (spaces allowed around)  -- normal rule: overrides earlier rules on the days it names
///             | "," followed by a space      -- additional rule: adds to (or with off, removes from) earlier ones
///             | "||" (spaces allowed around) -- fallback rule: applies on days the earlier rules leave closed
/// rule        = "24/7" [" " modifier]
///             | days [" " times] [" " modifier] | times [" " modifier] | modifier
/// days        = day { "," day }      day = weekday ["-" weekday] | "PH"    (Fr-Mo wraps over the week end)
/// weekday     = Mo | Tu | We | Th | Fr | Sa | Su                           (case-sensitive)
/// times       = span { "," span }    span = HH:MM "-" HH:MM                (two digits each)
/// modifier    = "off" | "closed" | "open"
/// ```
/// A start time is 00:00...23:59. An end time is 00:00...48:00; an end at or before the start (and not past
/// 24:00) wraps to the next day, so `18:00-02:00` means the same as `18:00-26:00`. A rule without days
/// applies every day; a rule without times covers the whole day (00:00-24:00).
///
/// ## Meaning
/// Each rule gives each day it names a list of open spans measured from **that day's** midnight. A span past
/// 24:00 still belongs to its start day and spills into the next day. Rules are applied left to right, per day:
/// - normal rule (`;`) naming the day: replaces the day's spans with its own; with `off` and no times the day
///   becomes closed; with `off` and times only those times are taken out of the day's spans;
/// - additional rule (`, `): adds its spans to the day's; with `off` takes them out (the whole day if no times);
/// - fallback rule (`||`): used only when the rules before it leave the day with no span at all.
///
/// Because a span belongs to its start day, `Fr 18:00-02:00; Sa off` is open on Saturday 01:00 (Friday's night
/// is untouched by a rule about Saturday), and `We 22:00-02:00; We off` is closed on Thursday 01:00.
/// The Rust `opening-hours` crate (PyPI `opening-hours-py` 2.1.4) decides both the other way round: it lets a
/// later rule for the *next* day cut the spill-over. It also reads `Mo-Th 15:30-19:00, 10:30-15:15` as one rule
/// with two times; here, as in the spec's grammar, `, ` starts an additional rule (10:30-15:15 every day).
/// See Tools/oracle/opening_hours_check.py.
public struct OpeningHours: Hashable, Sendable, CustomStringConvertible {
    /// Monday first, as the OSM syntax lists them.
    public enum Weekday: Int, CaseIterable, Hashable, Sendable, Comparable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        /// The OSM two-letter code (`Mo`...`Su`).
        public var code: String { ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"][rawValue] }

        public init?(code: String) {
            guard let i = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].firstIndex(of: code) else { return nil }
            self.init(rawValue: i)
        }

        /// 1970-01-01 was a Thursday.
        init(daysSince1970 days: Int) {
            self.init(rawValue: ((days + 3) % 7 + 7) % 7)!
        }

        public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
    }

    /// How a rule is joined to the rules before it.
    public enum Separator: Hashable, Sendable {
        /// `; ` — overrides earlier rules on the days it names.
        case normal
        /// `, ` — adds to earlier rules without overriding.
        case additional
        /// ` || ` — applies on days the earlier rules leave closed.
        case fallback
    }

    /// An open span in minutes from the start day's midnight: `0 <= start < end <= 2880`. Parsed spans start
    /// before 24:00; a span starting later only arises when `off` cuts the head of a span past midnight.
    public struct TimeSpan: Hashable, Sendable, Comparable {
        public let start: Int
        public let end: Int

        public init(start: Int, end: Int) {
            precondition(0 <= start && start < end && end <= 2880, "invalid time span")
            self.start = start
            self.end = end
        }

        public static func < (a: TimeSpan, b: TimeSpan) -> Bool { (a.start, a.end) < (b.start, b.end) }

        static let wholeDay = TimeSpan(start: 0, end: 1440)
    }

    /// One rule, kept in canonical form (times sorted and merged, `closed` read as off).
    public struct Rule: Hashable, Sendable {
        public var separator: Separator
        /// `nil`: every day (no day selector, or `24/7`).
        public var weekdays: Set<Weekday>?
        /// Whether `PH` is among the days. Only meaningful when `weekdays` is not nil.
        public var publicHoliday: Bool
        /// Empty: the whole day.
        public var times: [TimeSpan]
        public var isOff: Bool
        /// Written as `24/7` (kept for the normalized text).
        public var isAlwaysOpen: Bool

        func matches(day: Int, weekday: Weekday, holidays: HolidayCalendar) -> Bool {
            guard let weekdays else { return true }
            if weekdays.contains(weekday) { return true }
            return publicHoliday && holidays.isPublicHoliday(LocalDate(daysSince1970: day))
        }

        var spans: [TimeSpan] { times.isEmpty ? [.wholeDay] : times }
    }

    /// The rules in the order written.
    public let rules: [Rule]

    /// The default evaluation zone: Asia/Shanghai (UTC+8, no daylight saving time since 1991).
    public static let chinaStandardTime: TimeZone =
        TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// Parses OSM `opening_hours` text (the subset on the type).
    /// - Throws: ``OpeningHoursError/syntax(offset:message:input:)`` with the character offset of the problem.
    public init(_ text: String) throws(OpeningHoursError) {
        var parser = Parser(text)
        self.rules = try parser.parseExpression()
    }

    /// Builds from rules (their times should be sorted and non-overlapping, as the parser leaves them).
    public init(rules: [Rule]) {
        self.rules = rules
    }

    // MARK: Normalized text

    /// The canonical text: `; `, `, ` and ` || ` separators, weekdays in week order with runs of three or more
    /// as ranges (`Mo-Fr`, `Mo,We`, `Mo,Fr-Su` for `Fr-Mo`), `PH` last, times sorted and merged, `off` for
    /// `closed`, no `open`. Parsing it gives back an equal value.
    public var normalized: String {
        var out = ""
        for (i, rule) in rules.enumerated() {
            if i > 0 {
                switch rule.separator {
                case .normal: out += "; "
                case .additional: out += ", "
                case .fallback: out += " || "
                }
            }
            out += Self.text(of: rule)
        }
        return out
    }

    public var description: String { normalized }

    static func text(of rule: Rule) -> String {
        var parts: [String] = []
        if rule.isAlwaysOpen {
            parts.append("24/7")
        } else {
            if let weekdays = rule.weekdays {
                var items = Self.dayRuns(weekdays)
                if rule.publicHoliday { items.append("PH") }
                parts.append(items.joined(separator: ","))
            }
            if !rule.times.isEmpty {
                parts.append(rule.times.map(Self.text(of:)).joined(separator: ","))
            }
        }
        if rule.isOff { parts.append("off") }
        return parts.joined(separator: " ")
    }

    static func dayRuns(_ days: Set<Weekday>) -> [String] {
        let sorted = days.sorted()
        var items: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1].rawValue == sorted[j].rawValue + 1 { j += 1 }
            if j - i >= 2 {
                items.append("\(sorted[i].code)-\(sorted[j].code)")
            } else {
                for k in i...j { items.append(sorted[k].code) }
            }
            i = j + 1
        }
        return items
    }

    static func text(of span: TimeSpan) -> String {
        func hm(_ minutes: Int) -> String {
            let h = minutes / 60, m = minutes % 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
        // Prefer the wrapped form (18:00-02:00) whenever it reads back as the same span.
        // 00:00-48:00 stays as written: 00:00-00:00 would read back as 24 hours.
        var end = span.end
        if end > 1440, end - 1440 <= span.start, !(span.start == 0 && end == 2880) { end -= 1440 }
        return "\(hm(span.start))-\(hm(end))"
    }

    // MARK: Evaluation

    /// The open spans of local day `day` (days since 1970-01-01), from the rules that name it, measured from its
    /// midnight; sorted and merged. Spans of the day before that reach past midnight are not included.
    func spans(onDay day: Int, holidays: HolidayCalendar) -> [TimeSpan] {
        let weekday = Weekday(daysSince1970: day)
        var current: [TimeSpan] = []
        for rule in rules {
            let matches = rule.matches(day: day, weekday: weekday, holidays: holidays)
            guard matches else { continue }
            switch rule.separator {
            case .normal:
                if rule.isOff {
                    current = rule.times.isEmpty ? [] : Self.subtract(rule.times, from: current)
                } else {
                    current = rule.spans
                }
            case .additional:
                current = rule.isOff
                    ? (rule.times.isEmpty ? [] : Self.subtract(rule.times, from: current))
                    : Self.merge(current + rule.spans)
            case .fallback:
                if current.isEmpty && !rule.isOff { current = rule.spans }
            }
        }
        return current
    }

    /// The local open spans of `day` as local seconds since 1970, sorted and merged.
    private func localIntervals(onDay day: Int, holidays: HolidayCalendar) -> [(Int, Int)] {
        spans(onDay: day, holidays: holidays).map { (day * 86_400 + $0.start * 60, day * 86_400 + $0.end * 60) }
    }

    /// Whether the zone is open at `date`.
    /// - Parameters:
    ///   - holidays: decides which dates match `PH`.
    ///   - timeZone: the zone the hours are written in.
    public func isOpen(at date: Date, holidays: HolidayCalendar = .none,
                       timeZone: TimeZone = OpeningHours.chinaStandardTime) -> Bool {
        let local = Self.localSeconds(date, timeZone)
        let day = Int((local / 86_400).rounded(.down))
        for d in [day - 1, day] {
            for (a, b) in localIntervals(onDay: d, holidays: holidays) where Double(a) <= local && local < Double(b) {
                return true
            }
        }
        return false
    }

    /// How many days ``nextChange(after:holidays:timeZone:)`` looks ahead before it answers nil.
    public static let searchDays = 400

    /// The first instant after `date` at which the state differs from the state at `date`: the closing time when
    /// open, the opening time when closed. Nil when nothing changes within ``searchDays`` days (`24/7`, `off`).
    public func nextChange(after date: Date, holidays: HolidayCalendar = .none,
                           timeZone: TimeZone = OpeningHours.chinaStandardTime) -> Date? {
        let local = Self.localSeconds(date, timeZone)
        let day = Int((local / 86_400).rounded(.down))
        let open = isOpen(at: date, holidays: holidays, timeZone: timeZone)
        // Merged intervals of days day-1, day, day+1, ... in time order. Day j's intervals start at or after
        // j*86400, so once day k is read every interval starting before (k+1)*86400 is known: those move from
        // `pending` to `merged`, and the rest (spill-only pieces of day k) wait for the next round.
        var merged: [(Int, Int)] = []
        var pending: [(Int, Int)] = []
        for k in (day - 1)...(day + Self.searchDays) {
            let horizon = (k + 1) * 86_400
            pending += localIntervals(onDay: k, holidays: holidays)
            pending.sort { $0.0 < $1.0 }
            let ready = pending.prefix { $0.0 < horizon }
            pending.removeFirst(ready.count)
            for (a, b) in ready {
                if let last = merged.last, a <= last.1 {
                    merged[merged.count - 1].1 = max(last.1, b)
                } else {
                    merged.append((a, b))
                }
            }
            if open {
                // The interval holding `local`; its end is final once no later interval can touch it.
                if let hit = merged.last(where: { Double($0.0) <= local && local < Double($0.1) }), hit.1 < horizon {
                    return Self.date(localSeconds: hit.1, timeZone)
                }
            } else if let next = merged.first(where: { Double($0.0) > local }) {
                return Self.date(localSeconds: next.0, timeZone)
            }
            // Keep the list short: only the last interval can still grow.
            if merged.count > 8 { merged.removeFirst(merged.count - 2) }
        }
        return nil
    }

    /// When the zone next closes, if it is open at `date` (nil if closed, or open for the whole search).
    public func closesAt(after date: Date, holidays: HolidayCalendar = .none,
                         timeZone: TimeZone = OpeningHours.chinaStandardTime) -> Date? {
        isOpen(at: date, holidays: holidays, timeZone: timeZone)
            ? nextChange(after: date, holidays: holidays, timeZone: timeZone) : nil
    }

    /// When the zone next opens, if it is closed at `date` (nil if open, or closed for the whole search).
    public func opensAt(after date: Date, holidays: HolidayCalendar = .none,
                        timeZone: TimeZone = OpeningHours.chinaStandardTime) -> Date? {
        isOpen(at: date, holidays: holidays, timeZone: timeZone)
            ? nil : nextChange(after: date, holidays: holidays, timeZone: timeZone)
    }

    static func localSeconds(_ date: Date, _ zone: TimeZone) -> Double {
        date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
    }

    /// The instant whose local wall time in `zone` is `local` (two refinements cover a DST zone's offsets).
    static func date(localSeconds local: Int, _ zone: TimeZone) -> Date {
        var guess = Date(timeIntervalSince1970: Double(local - zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local)))))
        guess = Date(timeIntervalSince1970: Double(local - zone.secondsFromGMT(for: guess)))
        return guess
    }

    // MARK: Span arithmetic

    static func merge(_ spans: [TimeSpan]) -> [TimeSpan] {
        var out: [TimeSpan] = []
        for s in spans.sorted() {
            if let last = out.last, s.start <= last.end {
                out[out.count - 1] = TimeSpan(start: last.start, end: max(last.end, s.end))
            } else {
                out.append(s)
            }
        }
        return out
    }

    static func subtract(_ cut: [TimeSpan], from spans: [TimeSpan]) -> [TimeSpan] {
        var pieces = spans.map { ($0.start, $0.end) }
        for c in cut {
            pieces = pieces.flatMap { (a, b) -> [(Int, Int)] in
                if c.end <= a || c.start >= b { return [(a, b)] }
                var keep: [(Int, Int)] = []
                if a < c.start { keep.append((a, c.start)) }
                if c.end < b { keep.append((c.end, b)) }
                return keep
            }
        }
        // A piece may start at 24:00 or later (a cut inside a spill); it still belongs to this day.
        return pieces.map { TimeSpan(start: $0.0, end: $0.1) }
    }
}

/// Why `opening_hours` text was rejected.
public enum OpeningHoursError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `offset` counts characters (`Character`s) from the start of `input`; `message` says what was expected.
    case syntax(offset: Int, message: String, input: String)

    public var offset: Int {
        switch self { case .syntax(let offset, _, _): offset }
    }

    public var message: String {
        switch self { case .syntax(_, let message, _): message }
    }

    /// `opening_hours error at offset 6: expected a time HH:MM` followed by the text around the offset
    /// (up to 20 characters each side) with a caret under it.
    public var description: String {
        switch self {
        case .syntax(let offset, let message, let input):
            let chars = Array(input)
            let from = max(0, offset - 20), to = min(chars.count, offset + 20)
            let prefix = from > 0 ? "…" : ""
            let excerpt = prefix + String(chars[from..<to]) + (to < chars.count ? "…" : "")
            let caret = String(repeating: " ", count: prefix.count + offset - from + 1) + "^"
            return "opening_hours error at offset \(offset): \(message)\n  \"\(excerpt)\"\n  \(caret)"
        }
    }
}

// MARK: - Parser

private struct Parser {
    let text: String
    let chars: [Character]
    var pos = 0

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    func error(_ message: String, at offset: Int? = nil) -> OpeningHoursError {
        .syntax(offset: offset ?? pos, message: message, input: text)
    }

    var atEnd: Bool { pos >= chars.count }
    func peek(_ ahead: Int = 0) -> Character? { pos + ahead < chars.count ? chars[pos + ahead] : nil }

    func lookingAt(_ word: String, wholeWord: Bool = true) -> Bool {
        let w = Array(word)
        guard pos + w.count <= chars.count, Array(chars[pos..<(pos + w.count)]) == w else { return false }
        // A keyword must end at a boundary, so "offx" is not "off".
        if wholeWord, let next = peek(w.count), next.isLetter || next.isNumber { return false }
        return true
    }

    mutating func skipSpaces() { while peek() == " " { pos += 1 } }

    mutating func parseExpression() throws(OpeningHoursError) -> [OpeningHours.Rule] {
        guard !chars.isEmpty else { throw error("empty opening_hours: expected a rule") }
        var rules = [try parseRule(.normal)]
        while !atEnd {
            let separator = try parseSeparator()
            rules.append(try parseRule(separator))
        }
        return rules
    }

    mutating func parseSeparator() throws(OpeningHoursError) -> OpeningHours.Separator {
        let start = pos
        skipSpaces()
        let separator: OpeningHours.Separator
        if peek() == ";" {
            pos += 1
            separator = .normal
        } else if peek() == "|" && peek(1) == "|" {
            pos += 2
            separator = .fallback
        } else if peek() == "," && pos == start && peek(1) == " " {
            pos += 1
            separator = .additional
        } else if atEnd {
            throw error("trailing spaces", at: start)
        } else {
            throw error("expected \"; \", \", \" or \" || \" between rules")
        }
        skipSpaces()
        if atEnd { throw error("expected a rule after the separator") }
        return separator
    }

    mutating func parseRule(_ separator: OpeningHours.Separator) throws(OpeningHoursError) -> OpeningHours.Rule {
        var rule = OpeningHours.Rule(separator: separator, weekdays: nil, publicHoliday: false, times: [],
                                     isOff: false, isAlwaysOpen: false)
        var hasSelector = false
        if lookingAt("24/7", wholeWord: false) {
            pos += 4
            rule.isAlwaysOpen = true
            hasSelector = true
        } else {
            if let c = peek(), c.isLetter, !isModifierAhead() {
                let (days, ph) = try parseDays()
                rule.weekdays = days
                rule.publicHoliday = ph
                hasSelector = true
                if peek() == " ", let next = peek(1), next.isNumber {
                    pos += 1
                }
            }
            if let c = peek(), c.isNumber {
                rule.times = try parseTimes()
                hasSelector = true
            }
        }
        if peek() == " " && hasSelector {
            // A modifier may follow; otherwise the space belongs to a separator.
            let save = pos
            pos += 1
            if !isModifierAhead() { pos = save }
        }
        if isModifierAhead() {
            if lookingAt("off") {
                pos += 3
                rule.isOff = true
            } else if lookingAt("closed") {
                pos += 6
                rule.isOff = true
            } else {
                pos += 4 // open
            }
            hasSelector = true
        }
        guard hasSelector else {
            throw error("expected a weekday (Mo Tu We Th Fr Sa Su), PH, a time HH:MM, 24/7 or off")
        }
        if rule.weekdays == nil && rule.times.isEmpty && !rule.isOff {
            rule.isAlwaysOpen = true // "24/7" or a bare "open"
        }
        if rule.isAlwaysOpen && rule.isOff { rule.isAlwaysOpen = false } // "24/7 off" is just "off"
        // The rule must end here: at the end, or at a separator.
        if let c = peek(), !(c == " " || c == ";" || c == "," || c == "|") {
            throw error("unexpected \"\(c)\"")
        }
        return rule
    }

    func isModifierAhead() -> Bool { lookingAt("off") || lookingAt("closed") || lookingAt("open") }

    mutating func parseDays() throws(OpeningHoursError) -> (Set<OpeningHours.Weekday>, Bool) {
        var days = Set<OpeningHours.Weekday>()
        var ph = false
        while true {
            if peek() == "P" && peek(1) == "H" {
                pos += 2
                ph = true
            } else {
                let first = try parseWeekday()
                if peek() == "-" {
                    pos += 1
                    let last = try parseWeekday()
                    var d = first.rawValue
                    while true {
                        days.insert(OpeningHours.Weekday(rawValue: d)!)
                        if d == last.rawValue { break }
                        d = (d + 1) % 7
                    }
                } else {
                    days.insert(first)
                }
            }
            // A comma continues the list only when a day follows at once; ", " separates rules.
            if peek() == ",", let next = peek(1), next.isLetter {
                pos += 1
            } else {
                break
            }
        }
        return (days, ph)
    }

    mutating func parseWeekday() throws(OpeningHoursError) -> OpeningHours.Weekday {
        guard let a = peek(), let b = peek(1), let day = OpeningHours.Weekday(code: String([a, b])) else {
            throw error("expected a weekday Mo, Tu, We, Th, Fr, Sa, Su or PH")
        }
        pos += 2
        return day
    }

    mutating func parseTimes() throws(OpeningHoursError) -> [OpeningHours.TimeSpan] {
        var spans: [OpeningHours.TimeSpan] = []
        while true {
            let start = try parseTime(isEnd: false)
            guard peek() == "-" else { throw error("expected \"-\" and an end time") }
            pos += 1
            var end = try parseTime(isEnd: true)
            if end <= 1440 && end <= start { end += 1440 } // past midnight: belongs to the start day
            spans.append(OpeningHours.TimeSpan(start: start, end: end))
            // "," then a time continues the list; ", " separates rules.
            if peek() == ",", peek(1) != " " {
                pos += 1
                guard let c = peek(), c.isNumber else { throw error("expected a time HH:MM after \",\"") }
            } else {
                break
            }
        }
        return OpeningHours.merge(spans)
    }

    /// `HH:MM` in minutes. A start is 00:00...23:59; an end 00:00...48:00.
    mutating func parseTime(isEnd: Bool) throws(OpeningHoursError) -> Int {
        let start = pos
        func digit(_ c: Character?) -> Int? { c.flatMap { $0.isASCII ? $0.wholeNumberValue : nil } }
        guard let h1 = digit(peek()), let h2 = digit(peek(1)), peek(2) == ":", let m1 = digit(peek(3)),
              let m2 = digit(peek(4)) else {
            throw error("expected a time HH:MM")
        }
        if let extra = digit(peek(5)) { _ = extra; throw error("expected a time HH:MM", at: start) }
        let hour = h1 * 10 + h2, minute = m1 * 10 + m2
        if minute > 59 { throw error("minute \(m1)\(m2) is not 00-59", at: start + 3) }
        if isEnd {
            if hour > 48 || (hour == 48 && minute > 0) {
                throw error("end time \(h1)\(h2):\(m1)\(m2) is after 48:00", at: start)
            }
        } else if hour > 23 {
            throw error("start hour \(h1)\(h2) is not 00-23", at: start)
        }
        pos += 5
        return hour * 60 + minute
    }
}
