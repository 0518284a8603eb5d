import Foundation
import Testing
@testable import UrbanModel

// Reference week: 2026-03-02 is a Monday ... 2026-03-08 a Sunday (2026-01-01 was a Thursday).

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!
private let utc = TimeZone(secondsFromGMT: 0)!

/// `yyyy-MM-ddTHH:mm` wall time in `zone`, converted by Foundation's Calendar (independent of the evaluator's
/// own day arithmetic).
func wallTime(_ text: String, _ zone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) -> Date {
    let p = text.split(whereSeparator: { "-T:".contains($0) }).map { Int($0)! }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    return calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4]))!
}

/// The wall time of `date` in `zone` as `yyyy-MM-ddTHH:mm`.
func wallText(_ date: Date?, _ zone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) -> String? {
    guard let date else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    return String(format: "%04d-%02d-%02dT%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
}

private func open(_ expr: String, _ time: String, _ holidays: HolidayCalendar = .none) throws -> Bool {
    try OpeningHours(expr).isOpen(at: wallTime(time), holidays: holidays)
}

private func next(_ expr: String, _ time: String, _ holidays: HolidayCalendar = .none) throws -> String? {
    wallText(try OpeningHours(expr).nextChange(after: wallTime(time), holidays: holidays))
}

@Suite struct OpeningHoursEvaluationTests {
    @Test func pastMidnightBelongsToTheStartDay() throws {
        let e = "Fr,Sa 18:00-02:00"
        #expect(try !open(e, "2026-03-06T17:59"))
        #expect(try open(e, "2026-03-06T18:00"))
        #expect(try open(e, "2026-03-06T23:30"))        // Fr 23:30
        #expect(try open(e, "2026-03-07T01:59"))        // Sa 01:59, spill from Fr
        #expect(try !open(e, "2026-03-07T02:00"))       // Sa 02:00
        #expect(try open(e, "2026-03-08T01:00"))        // Su 01:00, spill from Sa
        #expect(try !open(e, "2026-03-08T02:00"))
        #expect(try !open(e, "2026-03-06T01:00"))       // Fr 01:00: Thursday has no hours
        #expect(try next(e, "2026-03-06T23:30") == "2026-03-07T02:00")
        #expect(try next(e, "2026-03-07T02:00") == "2026-03-07T18:00")
        #expect(try next(e, "2026-03-07T20:00") == "2026-03-08T02:00")
        #expect(try next(e, "2026-03-08T01:00") == "2026-03-08T02:00")
        #expect(try next(e, "2026-03-08T02:00") == "2026-03-13T18:00")
    }

    @Test func extendedHoursAnd24() throws {
        #expect(try open("18:00-26:00", "2026-03-04T01:30"))
        #expect(try next("18:00-26:00", "2026-03-04T01:30") == "2026-03-04T02:00")
        #expect(try OpeningHours("18:00-26:00") == OpeningHours("18:00-02:00"))
        // Monday 18:00 to Wednesday 00:00.
        #expect(try open("Mo 18:00-48:00", "2026-03-03T12:00"))
        #expect(try next("Mo 18:00-48:00", "2026-03-03T12:00") == "2026-03-04T00:00")
        #expect(try !open("Mo 18:00-48:00", "2026-03-04T00:00"))
        // 24:00 as an end.
        #expect(try open("Tu,Th 20:00-24:00", "2026-03-03T23:59"))
        #expect(try !open("Tu,Th 20:00-24:00", "2026-03-04T00:00"))
        #expect(try next("Tu,Th 20:00-24:00", "2026-03-03T21:00") == "2026-03-04T00:00")
        // 10:00-10:00 is 24 hours from 10:00, every day: always open.
        #expect(try open("10:00-10:00", "2026-03-04T09:00"))
        #expect(try next("10:00-10:00", "2026-03-04T09:00") == nil)
    }

    @Test func daySelectors() throws {
        let range = "Mo-Fr 08:00-12:00,13:00-17:30"
        #expect(try open(range, "2026-03-02T08:00"))
        #expect(try !open(range, "2026-03-02T12:30"))
        #expect(try next(range, "2026-03-02T12:30") == "2026-03-02T13:00")
        #expect(try open(range, "2026-03-06T17:29"))
        #expect(try !open(range, "2026-03-06T17:30"))
        #expect(try next(range, "2026-03-06T17:30") == "2026-03-09T08:00")
        #expect(try !open(range, "2026-03-07T10:00"))

        let wrap = "Fr-Mo 16:00-22:00"
        #expect(try open(wrap, "2026-03-08T17:00"))       // Su
        #expect(try open(wrap, "2026-03-02T17:00"))       // Mo
        #expect(try !open(wrap, "2026-03-03T17:00"))      // Tu
        #expect(try next(wrap, "2026-03-03T17:00") == "2026-03-06T16:00")

        let list = "Mo,We,Fr 09:00-10:00"
        #expect(try open(list, "2026-03-04T09:30"))
        #expect(try !open(list, "2026-03-03T09:30"))

        // A rule with only times applies every day; days without times mean the whole day.
        #expect(try open("10:00-12:00", "2026-03-08T11:00"))
        #expect(try open("Mo-Fr", "2026-03-06T23:59"))
        #expect(try next("Mo-Fr", "2026-03-04T12:00") == "2026-03-07T00:00")
    }

    @Test func laterRuleOverridesItsDays() throws {
        let e = "Mo-Fr 08:00-18:00; We off"
        #expect(try !open(e, "2026-03-04T10:00"))
        #expect(try next(e, "2026-03-04T10:00") == "2026-03-05T08:00")
        #expect(try open(e, "2026-03-03T10:00"))
        #expect(try next(e, "2026-03-03T10:00") == "2026-03-03T18:00")
        #expect(try open("Mo-Fr 17:00-22:00; Sa,Su 10:00-23:00", "2026-03-07T10:00"))
        #expect(try !open("Mo-Fr 08:00-18:00; Fr 10:00-12:00", "2026-03-06T09:00"))
        #expect(try !open("Mo-Fr 08:00-18:00; We closed", "2026-03-04T10:00"))
        // off with times takes only those times out.
        let lunch = "Mo-Fr 08:00-18:00; We 12:00-13:00 off"
        #expect(try open(lunch, "2026-03-04T10:00"))
        #expect(try next(lunch, "2026-03-04T10:00") == "2026-03-04T12:00")
        #expect(try !open(lunch, "2026-03-04T12:30"))
        #expect(try next(lunch, "2026-03-04T12:30") == "2026-03-04T13:00")
    }

    @Test func additionalAndFallbackRules() throws {
        let add = "Mo-Su 10:00-12:00, Mo-Fr 14:00-18:00"
        #expect(try open(add, "2026-03-02T11:00"))
        #expect(try open(add, "2026-03-02T15:00"))
        #expect(try !open(add, "2026-03-07T15:00"))
        #expect(try open(add, "2026-03-07T11:00"))
        #expect(try !open("Mo-Fr 08:00-18:00, We 12:00-13:00 off", "2026-03-04T12:30"))
        #expect(try !open("Mo-Fr 08:00-18:00, We off", "2026-03-04T10:00"))

        let fb = "Mo-Fr 08:00-12:00 || 13:00-14:00"
        #expect(try open(fb, "2026-03-07T13:30"))         // Sa: no hours before, the fallback applies
        #expect(try !open(fb, "2026-03-06T13:30"))        // Fr has hours: no fallback
        #expect(try next(fb, "2026-03-06T13:30") == "2026-03-07T13:00")
        #expect(try open("Mo-Fr 08:00-12:00; Sa off || 10:00-11:00", "2026-03-07T10:30"))
    }

    @Test func alwaysAndNever() throws {
        #expect(try open("24/7", "2026-03-04T03:00"))
        #expect(try next("24/7", "2026-03-04T03:00") == nil)
        #expect(try OpeningHours("24/7").closesAt(after: wallTime("2026-03-04T03:00")) == nil)
        #expect(try !open("off", "2026-03-04T03:00"))
        #expect(try next("off", "2026-03-04T03:00") == nil)
        #expect(try !open("24/7 off", "2026-03-04T03:00"))
        #expect(try open("Mo-Su 00:00-24:00", "2026-03-04T03:00"))
        #expect(try next("Mo-Su 00:00-24:00", "2026-03-04T03:00") == nil)
        #expect(try next("24/7; Su off", "2026-03-04T03:00") == "2026-03-08T00:00")
        #expect(try next("24/7; Su off", "2026-03-08T03:00") == "2026-03-09T00:00")
    }

    @Test func opensAtAndClosesAt() throws {
        let hours = try OpeningHours("Mo-Fr 08:00-18:00")
        #expect(wallText(hours.closesAt(after: wallTime("2026-03-02T09:00"))) == "2026-03-02T18:00")
        #expect(hours.opensAt(after: wallTime("2026-03-02T09:00")) == nil)
        #expect(wallText(hours.opensAt(after: wallTime("2026-03-06T19:00"))) == "2026-03-09T08:00")
        #expect(hours.closesAt(after: wallTime("2026-03-06T19:00")) == nil)
    }

    @Test func publicHolidays() throws {
        let cal = HolidayCalendar(holidays: [LocalDate("2026-03-02")!: "test holiday"])
        let e = "Mo-Fr 08:00-18:00; PH off"
        #expect(try !open(e, "2026-03-02T10:00", cal))   // holiday Monday
        #expect(try open(e, "2026-03-02T10:00"))         // no calendar: a plain Monday
        #expect(try next(e, "2026-03-02T10:00", cal) == "2026-03-03T08:00")
        #expect(try next(e, "2026-03-01T10:00", cal) == "2026-03-03T08:00")
        let ph = "Mo-Fr 08:00-18:00; PH 10:00-14:00"
        #expect(try !open(ph, "2026-03-02T09:00", cal))
        #expect(try open(ph, "2026-03-02T10:00", cal))
        #expect(try next(ph, "2026-03-02T10:00", cal) == "2026-03-02T14:00")
        #expect(try open("Sa,Su,PH 10:00-12:00", "2026-03-02T11:00", cal))
        #expect(try !open("Sa,Su,PH 10:00-12:00", "2026-03-03T11:00", cal))
        // Holiday search goes past the 8-day week: a holiday 30 days ahead is found.
        let far = HolidayCalendar(holidays: [LocalDate("2026-04-01")!: "far"])
        #expect(try next("24/7; PH off", "2026-03-02T10:00", far) == "2026-04-01T00:00")
        #expect(try next("24/7; PH off", "2026-04-01T10:00", far) == "2026-04-02T00:00")
    }

    @Test func makeUpWorkingDayIsNeverPHAndKeepsItsWeekday() throws {
        // Sunday 2026-03-08 as a make-up working day (also listed as a holiday: the working day wins).
        let cal = HolidayCalendar(holidays: [LocalDate("2026-03-08")!: "x"],
                                  workingDays: [LocalDate("2026-03-08")!: "调休上班"])
        #expect(cal.isMakeUpWorkingDay(LocalDate("2026-03-08")!))
        #expect(!cal.isPublicHoliday(LocalDate("2026-03-08")!))
        #expect(try !open("PH 10:00-12:00", "2026-03-08T11:00", cal))
        // Its own weekday's rules: Su, not Mo-Fr.
        #expect(try !open("Mo-Fr 08:00-18:00", "2026-03-08T11:00", cal))
        #expect(try open("Mo-Fr 08:00-18:00; Su 09:00-12:00", "2026-03-08T11:00", cal))
    }

    @Test func timeZones() throws {
        let hours = try OpeningHours("Fr,Sa 18:00-02:00")
        // 15:30 UTC on Friday is 23:30 in Shanghai.
        let instant = wallTime("2026-03-06T15:30", utc)
        #expect(hours.isOpen(at: instant))
        #expect(hours.isOpen(at: instant, timeZone: shanghai))
        #expect(hours.isOpen(at: instant, timeZone: TimeZone(secondsFromGMT: 8 * 3600)!))
        #expect(!hours.isOpen(at: instant, timeZone: utc))
        // Closes at 02:00 Saturday Shanghai = 18:00 Friday UTC.
        #expect(wallText(hours.nextChange(after: instant), utc) == "2026-03-06T18:00")
        #expect(wallText(hours.nextChange(after: instant, timeZone: utc), utc) == "2026-03-06T18:00")
        // Read in UTC the same instant is 15:30 Friday: closed, opening at 18:00 UTC.
        #expect(wallText(hours.nextChange(after: instant, timeZone: utc), utc) == "2026-03-06T18:00")
        #expect(wallText(hours.nextChange(after: wallTime("2026-03-06T18:00", utc), timeZone: utc), utc)
                == "2026-03-07T02:00")
        #expect(OpeningHours.chinaStandardTime.secondsFromGMT(for: instant) == 8 * 3600)
        // Seconds inside a minute do not move the boundaries.
        let justBefore = wallTime("2026-03-07T01:59").addingTimeInterval(59.5)
        #expect(hours.isOpen(at: justBefore))
        #expect(wallText(hours.nextChange(after: justBefore)) == "2026-03-07T02:00")
    }

    /// UrbanModel's reading where the Rust `opening-hours` crate (opening-hours-py 2.1.4) differs; see the type doc.
    @Test func spillOverAndOverridesFollowTheStartDay() throws {
        #expect(try open("Fr 18:00-02:00; Sa off", "2026-03-07T01:00"))     // oracle: closed
        #expect(try !open("We 22:00-02:00; We off", "2026-03-05T01:00"))    // oracle: open
        #expect(try !open("Fr 18:00-02:00; Fr off", "2026-03-07T01:00"))
    }
}

@Suite struct OpeningHoursSyntaxTests {
    @Test(arguments: [
        ("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH off", "Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH off"),
        ("Fr-Mo 10:00-12:00", "Mo,Fr-Su 10:00-12:00"),
        ("Sa,Su closed", "Sa,Su off"),
        ("Mo,Tu,We 09:00-11:00,08:00-10:00", "Mo-We 08:00-11:00"),
        ("PH,Su off", "Su,PH off"),
        ("Mo-Fr 08:00-18:00 ;We off", "Mo-Fr 08:00-18:00; We off"),
        ("Mo-Fr 08:00-12:00||Sa 10:00-11:00", "Mo-Fr 08:00-12:00 || Sa 10:00-11:00"),
        ("Mo-Su 10:00-12:00, Mo-Fr 14:00-18:00", "Mo-Su 10:00-12:00, Mo-Fr 14:00-18:00"),
        ("18:00-26:00", "18:00-02:00"),
        ("02:00-27:00", "02:00-27:00"),
        ("Mo 18:00-48:00", "Mo 18:00-48:00"),
        ("00:00-48:00", "00:00-48:00"),
        ("00:00-24:00", "00:00-24:00"),
        ("10:00-10:00", "10:00-10:00"),
        ("24/7", "24/7"),
        ("open", "24/7"),
        ("24/7 off", "off"),
        ("closed", "off"),
        ("Mo-Fr 08:00-18:00 open", "Mo-Fr 08:00-18:00"),
    ])
    func normalized(input: String, expected: String) throws {
        let hours = try OpeningHours(input)
        #expect(hours.normalized == expected)
        #expect(try OpeningHours(hours.normalized) == hours)
        #expect(try OpeningHours(hours.normalized).normalized == expected)
    }

    @Test(arguments: [
        ("", 0, "empty opening_hours: expected a rule"),
        ("Mo-Fr 25:00-26:00", 6, "start hour 25 is not 00-23"),
        ("24:00-26:00", 0, "start hour 24 is not 00-23"),
        ("Mo-Fr 08:60-09:00", 9, "minute 60 is not 00-59"),
        ("Mo-Fr 08:00-09:60", 15, "minute 60 is not 00-59"),
        ("Mo-Fr 08:00-49:00", 12, "end time 49:00 is after 48:00"),
        ("08:00-48:01", 6, "end time 48:01 is after 48:00"),
        ("Mo-Fr 8:00-09:00", 6, "expected a time HH:MM"),
        ("Mo-Fr 08:000-09:00", 6, "expected a time HH:MM"),
        ("Mo-Fr 08:00-9", 12, "expected a time HH:MM"),
        ("Mo-Fr 08:00", 11, "expected \"-\" and an end time"),
        ("Mo-Xy 08:00-09:00", 3, "expected a weekday Mo, Tu, We, Th, Fr, Sa, Su or PH"),
        ("xyz", 0, "expected a weekday Mo, Tu, We, Th, Fr, Sa, Su or PH"),
        ("mo-fr 08:00-18:00", 0, "expected a weekday Mo, Tu, We, Th, Fr, Sa, Su or PH"),
        (" Mo", 0, "expected a weekday (Mo Tu We Th Fr Sa Su), PH, a time HH:MM, 24/7 or off"),
        ("Mo-Fr 08:00-18:00;", 18, "expected a rule after the separator"),
        ("Mo-Fr 08:00-18:00; ", 19, "expected a rule after the separator"),
        ("Mo-Fr 08:00-18:00,Sa off", 18, "expected a time HH:MM after \",\""),
        ("Mo-Fr 08:00-18:00 foo", 18, "expected \"; \", \", \" or \" || \" between rules"),
        ("Mo-Fr 08:00-12:00 ,Sa 10:00-11:00", 18, "expected \"; \", \", \" or \" || \" between rules"),
        ("Mo-Fr 08:00-18:00 ", 17, "trailing spaces"),
        ("Mo-Fr 08:00-18:00x", 17, "unexpected \"x\""),
        ("24/7x", 4, "unexpected \"x\""),
    ])
    func errors(input: String, offset: Int, message: String) {
        #expect(throws: OpeningHoursError.syntax(offset: offset, message: message, input: input)) {
            try OpeningHours(input)
        }
    }

    @Test func errorDescriptionQuotesTheText() {
        let error = OpeningHoursError.syntax(offset: 9, message: "minute 60 is not 00-59", input: "Mo-Fr 08:60-09:00")
        #expect(error.description == """
            opening_hours error at offset 9: minute 60 is not 00-59
              "Mo-Fr 08:60-09:00"
                        ^
            """)
        let long = String(repeating: "Mo 08:00-09:00; ", count: 4) + "Tu 8:00"
        do {
            _ = try OpeningHours(long)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 67)
            let lines = error.description.split(separator: "\n")
            #expect(lines[1] == "  \"… Mo 08:00-09:00; Tu 8:00\"")
            #expect(lines[2] == String(repeating: " ", count: 24) + "^")
        }
    }
}

@Suite struct HolidayCalendarTests {
    @Test func parsesLinesCommentsAndWorkdays() throws {
        let cal = try HolidayCalendar(csv: """
            # comment
            2026-01-01,元旦

            2026-10-10, 调休上班 ,workday\r
            2026-05-01,劳动节,holiday
            """)
        #expect(cal.holidays == [LocalDate("2026-01-01")!: "元旦", LocalDate("2026-05-01")!: "劳动节"])
        #expect(cal.workingDays == [LocalDate("2026-10-10")!: "调休上班"])
        #expect(cal.isPublicHoliday(wallTime("2026-01-01T00:00")))
        #expect(!cal.isPublicHoliday(wallTime("2026-01-01T00:00"), timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    @Test(arguments: [
        ("2026-01-01", 1, "expected date,name or date,name,workday; found 1 fields"),
        ("# c\n2026-13-01,x", 2, "expected a date yyyy-MM-dd, found \"2026-13-01\""),
        ("2026-02-29,x", 1, "expected a date yyyy-MM-dd, found \"2026-02-29\""),
        ("2026-1-01,x", 1, "expected a date yyyy-MM-dd, found \"2026-1-01\""),
        ("2026-01-01,", 1, "the holiday name is empty"),
        ("2026-01-01,a\n2026-01-01,b,workday", 2, "2026-01-01 is listed twice"),
        ("2026-01-01,a,weekend", 1, "the third field must be workday or holiday, found \"weekend\""),
        ("2026-01-01,a,b,c", 1, "expected date,name or date,name,workday; found 4 fields"),
    ])
    func errorsNameTheLine(text: String, line: Int, message: String) {
        #expect(throws: HolidayCalendarError.line(line, message: message)) { try HolidayCalendar(csv: text) }
    }

    /// The shipped State Council calendar: National Day 2026 is 10-01…07, so a zone with `PH off` reopens on 10-08.
    @Test func shippedCalendarLoads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../GeoData/holidays/cn-holidays-2025-2026.csv").standardizedFileURL
        let cal = try HolidayCalendar(contentsOf: url)
        #expect(cal.holidays.count == 61 && cal.workingDays.count == 11 && cal == HolidayCalendar.china)
        let hours = try OpeningHours("Mo-Su 08:00-20:00; PH off")
        #expect(!hours.isOpen(at: wallTime("2026-10-01T10:00"), holidays: cal))
        #expect(wallText(hours.nextChange(after: wallTime("2026-10-01T10:00"), holidays: cal)) == "2026-10-08T08:00")
    }

    @Test func localDateArithmetic() {
        #expect(LocalDate(daysSince1970: 0).description == "1970-01-01")
        #expect(LocalDate("2026-03-02")!.daysSince1970 == 20_514)
        #expect(LocalDate("2026-03-02")!.weekday == .monday)
        #expect(LocalDate("1969-12-31")!.daysSince1970 == -1)
        #expect(LocalDate("1969-12-31")!.weekday == .wednesday)
        #expect(LocalDate("2000-02-29") != nil)
        #expect(LocalDate("1900-02-29") == nil)
        for d in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(daysSince1970: d).daysSince1970 == d)
        }
    }
}
