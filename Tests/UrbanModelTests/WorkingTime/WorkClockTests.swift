import Foundation
import Testing
@testable import UrbanModel

/// Working time on the State Council's 2025–2026 calendar, every deadline solved by hand from the arrangement
/// tables (operations note §7: National Day 2026-10-01…07 with make-up Saturday 10-10, Spring Festival 2026-02-15…23
/// with make-up Saturdays 02-14 and 02-28) and the default schedule 08:30–12:00, 14:00–17:30 (7 h a day).
@Suite struct WorkClockTests {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    let clock = WorkClock()

    func t(_ text: String) -> Date { ISOTime.date(text, in: Self.zone)! }
    func iso(_ d: Date?) -> String? { d.map { ISOTime.string($0, in: Self.zone) } }

    /// The built-in calendar is the shipped file, and counts the working days chinese_calendar 1.11.0 counts
    /// (248 in 2025 and in 2026).
    @Test func builtInCalendarIsTheShippedFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../GeoData/holidays/cn-holidays-2025-2026.csv").standardizedFileURL
        let file = try String(contentsOf: url, encoding: .utf8)
        #expect(file.trimmingCharacters(in: .newlines) == HolidayCalendar.chinaCSV)
        let cal = HolidayCalendar.china
        #expect(cal.years == [2025, 2026] && cal.holidays.count + cal.workingDays.count == 72)
        for year in [2025, 2026] {
            let first = LocalDate(year: year, month: 1, day: 1)!.daysSince1970, last = LocalDate(year: year, month: 12, day: 31)!.daysSince1970
            #expect((first...last).count { cal.isWorkingDay(LocalDate(daysSince1970: $0)) } == 248, "\(year)")
        }
        #expect(cal.isMakeUpWorkingDay(LocalDate("2026-10-10")!) && cal.isWorkingDay(LocalDate("2026-10-10")!))
        #expect(cal.isWorkingDay(LocalDate("2026-10-08")!))  // the Thursday after National Day works
        #expect(!cal.isWorkingDay(LocalDate("2026-10-07")!) && cal.holidays[LocalDate("2026-10-07")!] == "国庆节")
    }

    @Test(arguments: [
        // dispatched the afternoon before National Day, 1 working day (7 h): 1.5 h on 09-30, then 10-08 08:30–12:00
        // and 14:00–16:00
        ("2026-09-30T16:00", WorkLimit.workDays(1), "2026-10-08T16:00:00+08:00"),
        // a make-up Saturday counts: 0.5 h on Friday 10-09, then 3.5 h on Saturday 10-10
        ("2026-10-09T17:00", .workHours(4), "2026-10-10T12:00:00+08:00"),
        // Spring Festival: 6.5 h on Friday 02-13, 7 h on make-up Saturday 02-14, 02-15…23 off, 7 h on 02-24, 0.5 h on 02-25
        ("2026-02-13T09:00", .workDays(3), "2026-02-25T09:00:00+08:00"),
        // reported at night: the clock starts at 08:30 the next working day (Monday, the weekend skipped)
        ("2026-11-06T21:00", .workHours(2), "2026-11-09T10:30:00+08:00"),
        // a limit that ends with a span ends at its end, not at the next start
        ("2026-11-02T14:00", .workHours(3.5), "2026-11-02T17:30:00+08:00"),
        // 2025's National Day (10-01…08) and make-up Saturday 10-11: Tuesday 09-30 17:00 + 1 h → 10-09 09:00
        ("2025-09-30T17:00", .workHours(1), "2025-10-09T09:00:00+08:00"),
    ])
    func deadlines(start: String, limit: WorkLimit, expected: String) throws {
        let d = try #require(clock.deadline(from: t(start), seconds: limit.seconds(.standard)))
        #expect(iso(d.at) == expected && !d.provisional)
        // the working time from the start to the deadline is the limit
        #expect(abs(clock.workingSeconds(from: t(start), to: d.at) - limit.seconds(.standard)) < 1e-6)
    }

    /// Past the calendar's last year the days count Monday to Friday and the deadline is provisional.
    @Test func pastTheCalendarTheDeadlineIsProvisional() throws {
        let d = try #require(clock.deadline(from: t("2026-12-31T17:00"), seconds: WorkLimit.workDays(1).seconds(.standard)))
        #expect(iso(d.at) == "2027-01-01T17:00:00+08:00" && d.provisional)
        // the next year's file dropped in: 2027-01-01 a holiday, the deadline moves to Monday 01-04 (3.5 h + 3 h) and
        // is final
        let next = try HolidayCalendar(csv: "date,kind\n2027-01-01,holiday\n")
        let loaded = WorkClock(calendar: .china.merging(next))
        let again = try #require(loaded.deadline(from: t("2026-12-31T17:00"), seconds: WorkLimit.workDays(1).seconds(.standard)))
        #expect(iso(again.at) == "2027-01-04T17:00:00+08:00" && !again.provisional)
        // within the calendar, even across New Year's Eve of a covered year: final
        #expect(try #require(clock.deadline(from: t("2025-12-31T17:00"), seconds: 3600)).provisional == false)
    }

    /// Parked spans do not count: Monday 08:30 + 7 h parked 10:00–15:00 → 1.5 h + 2.5 h, then Tuesday 08:30–11:30.
    @Test func parkedTimeIsLeftOut() throws {
        let parked = [DateInterval(start: t("2026-11-02T10:00"), end: t("2026-11-02T15:00"))]
        let d = try #require(clock.deadline(from: t("2026-11-02T08:30"), seconds: 7 * 3600, excluding: parked))
        #expect(iso(d.at) == "2026-11-03T11:30:00+08:00")
        #expect(clock.workingSeconds(from: t("2026-11-02T08:30"), to: t("2026-11-02T17:30"), excluding: parked) == 4 * 3600)
        #expect(clock.workingSeconds(from: t("2026-11-02T08:30"), to: t("2026-11-02T17:30")) == 7 * 3600)
    }

    @Test func timeStatesAtEightyAndHundredPercent() {
        #expect(TimeState(used: 0.79, limit: 1) == .green)
        #expect(TimeState(used: 0.8, limit: 1) == .yellow)
        #expect(TimeState(used: 1, limit: 1) == .yellow)
        #expect(TimeState(used: 1.01, limit: 1) == .red)
    }

    @Test func schedules() throws {
        #expect(WorkSchedule.standard.secondsPerDay == 7 * 3600)
        let night = try WorkSchedule("07:00-11:00,17:00-24:00")
        #expect(night.secondsPerDay == 11 * 3600 && night.description == "07:00-11:00,17:00-24:00")
        for bad in ["08:30-12:00,11:00-17:30", "8:30-12:00", "12:00-08:30", "08:30-25:00", "", "08:30"] {
            #expect(throws: ModelError.self, "\(bad)") { try WorkSchedule(bad) }
        }
        // a team working evenings: Friday 19:00 + 6 h → 5 h to midnight, then Monday 07:00–08:00
        let d = WorkClock(schedule: night).deadline(from: t("2026-11-06T19:00"), seconds: 6 * 3600)
        #expect(iso(d?.at) == "2026-11-09T08:00:00+08:00")
    }

    /// The official file's header form, the legacy form, and their errors with the line.
    @Test func calendarFilesBothForms() throws {
        let cal = try HolidayCalendar(csv: """
            # a comment
            date,weekday,kind,festival_en,festival_zh,in_lieu
            2027-01-01,Fri,holiday,New Year's Day,元旦,0
            2027-02-06,Sat,workday,Spring Festival,春节,0
            """)
        #expect(cal.holidays == [LocalDate("2027-01-01")!: "元旦"] && cal.workingDays == [LocalDate("2027-02-06")!: "春节"])
        #expect(cal.years == [2027])
        #expect(throws: HolidayCalendarError.line(2, message: "kind must be holiday or makeup_workday, found \"weekend\"")) {
            try HolidayCalendar(csv: "date,kind\n2027-01-02,weekend")
        }
        #expect(throws: HolidayCalendarError.line(1, message: "the header must name the columns date and kind, found date,name")) {
            try HolidayCalendar(csv: "date,name\n2027-01-02,x")
        }
        #expect(throws: HolidayCalendarError.line(2, message: "expected 2 fields as the header names, found 3")) {
            try HolidayCalendar(csv: "date,kind\n2027-01-02,holiday,x")
        }
        // the headerless form of earlier releases still reads, `workday` making a make-up day
        let legacy = try HolidayCalendar(csv: "2027-01-01,元旦\n2027-02-06,调休,workday")
        #expect(legacy.isPublicHoliday(LocalDate("2027-01-01")!) && legacy.isMakeUpWorkingDay(LocalDate("2027-02-06")!))
    }
}
