import Foundation
import SpatialCore
import Testing
@testable import UrbanModel

/// Who is on duty, by hand from the State Council calendar (operations-domain §7, GeoData/holidays): 2026-10-01 to
/// 10-07 are National Day holidays, 2026-10-09 is an ordinary Friday, 2026-10-10 a make-up working Saturday.
@Suite struct DutyRosterTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    static func time(_ text: String) -> Date { ISOTime.date(text, in: shanghai)! }

    static func roster(_ chiefs: [Chief]) -> DutyRoster { DutyRoster(chiefs: chiefs, holidays: .china, timeZone: shanghai) }

    static let weekdays = try! OpeningHours("Mo-Fr 08:30-17:30; PH off")

    @Test func rolesWithoutAColumnKeepTheirOldMeaning() {
        #expect(ChiefRole.of(stated: nil, gridCode: "999901001001001", segmentID: nil, poiID: nil) == .gridChief)
        #expect(ChiefRole.of(stated: nil, gridCode: nil, segmentID: "12", poiID: nil) == .roadChief)
        #expect(ChiefRole.of(stated: nil, gridCode: "999901001001001", segmentID: "12", poiID: nil) == .gridChief)
        #expect(ChiefRole.of(stated: nil, gridCode: nil, segmentID: nil, poiID: "p1") == .frontage)
        #expect(ChiefRole.of(stated: "street_chief", gridCode: "999901001001001", segmentID: nil, poiID: nil) == .streetChief)
    }

    @Test func weekdayHoursOnAFridayAndOnNationalDay() {
        let a = Chief(id: "a", name: "王A", role: .gridChief, phone: "1", backup: "李B", onDuty: Self.weekdays, gridCode: "999901001001001")
        let b = Chief(id: "b", name: "李B", role: .gridChief, phone: "2", gridCode: "999901001001002")  // no hours: always on duty
        let roster = Self.roster([a, b])
        #expect(roster.gridChief("999901001001001") == a)
        // Friday 2026-10-09 10:00: inside Mo-Fr 08:30-17:30, not a holiday
        #expect(roster.isOnDuty(a, at: Self.time("2026-10-09T10:00+08:00")))
        let friday = roster.duty(of: a, at: Self.time("2026-10-09T10:00+08:00"))
        #expect(friday.onDuty == true && friday.responsible == a && friday.note == nil)
        // 17:30 is the end: off; 08:30 the start: on
        #expect(!roster.isOnDuty(a, at: Self.time("2026-10-09T17:30+08:00")))
        #expect(roster.isOnDuty(a, at: Self.time("2026-10-09T08:30+08:00")))
        // Thursday 2026-10-01 10:00: a weekday but a public holiday, PH off: the backup answers
        let holiday = roster.duty(of: a, at: Self.time("2026-10-01T10:00+08:00"))
        #expect(holiday.onDuty == false && holiday.responsible == b)
        #expect(holiday.note == "王A is off duty: the backup 李B answers")
        // the same instant written in UTC (02:00Z is 10:00 in Shanghai)
        #expect(roster.duty(of: a, at: Self.time("2026-10-01T02:00:00Z")).responsible == b)
        // Saturday 2026-10-10 is a make-up working day, but Mo-Fr names weekdays only: off
        #expect(!roster.isOnDuty(a, at: Self.time("2026-10-10T10:00+08:00")))
        // without PH off, the holiday Thursday is an ordinary Thursday
        let plain = Chief(id: "c", name: "C", role: .gridChief, onDuty: try! OpeningHours("Mo-Fr 08:30-17:30"))
        #expect(roster.isOnDuty(plain, at: Self.time("2026-10-01T10:00+08:00")))
    }

    @Test func nobodyWhenTheBackupIsMissingOrOffDutyToo() {
        let nights = try! OpeningHours("18:00-08:00")
        let a = Chief(id: "a", name: "A", role: .roadChief, backup: "B", onDuty: Self.weekdays, segmentID: "7")
        let b = Chief(id: "b", name: "B", role: .roadChief, onDuty: nights, segmentID: "8")
        let alone = Chief(id: "c", name: "C", role: .gridChief, onDuty: Self.weekdays, gridCode: "999901001001003")
        let stranger = Chief(id: "d", name: "D", role: .gridChief, backup: "not a chief", onDuty: Self.weekdays, gridCode: "999901001001004")
        let roster = Self.roster([a, b, alone, stranger])
        #expect(roster.roadChief("7") == a && roster.roadChief("8") == b && roster.roadChief("9") == nil)
        // Sunday 2026-10-11 12:00: A is off (weekend), B works nights only: nobody
        let noon = roster.duty(of: a, at: Self.time("2026-10-11T12:00+08:00"))
        #expect(noon.nobody && noon.onDuty == false && noon.responsible == nil)
        #expect(noon.note == "no one on duty: A and the backup B are both off duty")
        // Sunday 2026-10-11 20:00: B is on nights
        #expect(roster.duty(of: a, at: Self.time("2026-10-11T20:00+08:00")).responsible == b)
        // no backup at all
        let c = roster.duty(of: alone, at: Self.time("2026-10-11T12:00+08:00"))
        #expect(c.nobody && c.note == "no one on duty: C is off duty and has no backup")
        // a backup who is no chief of this city answers whenever needed (nothing says when they are off)
        let d = roster.duty(of: stranger, at: Self.time("2026-10-11T12:00+08:00"))
        #expect(!d.nobody && d.responsible?.name == "not a chief")
        // a charge without a chief: nothing to say, and not "nobody"
        let none = roster.duty(of: nil, at: Self.time("2026-10-11T12:00+08:00"))
        #expect(none.onDuty == nil && !none.nobody)
    }

    @Test func theResponsibilityKeysFollowTheLookupKeys() {
        var r = LookupResult(lon: 24.5, lat: 60.25)
        r.gridCode = "999901001001001"
        var d = Responsibility(at: "2026-10-01T10:00:00+08:00")
        d.phone = "12319"
        d.onDuty = false
        d.dutyNote = "no one on duty: A is off duty and has no backup"
        d.roadChief = "路长"
        d.frontageUnit = "p1"
        r.responsibility = d
        var out: [UInt8] = []
        r.appendJSON(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == """
            {"lon":24.5,"lat":60.25,"grid_code":"999901001001001","community_code":null,"street_code":null,"district_code":null,"chief":null,\
            "segment_id":null,"segment_distance_m":null,"at":"2026-10-01T10:00:00+08:00","phone":"12319","on_duty":false,"responsible":null,\
            "responsible_phone":null,"duty_note":"no one on duty: A is off duty and has no backup","road_chief":"路长","road_chief_phone":null,\
            "road_chief_on_duty":null,"road_responsible":null,"frontage_unit":"p1","frontage_holder":null,"frontage_holder_phone":null}
            """)
    }
}
