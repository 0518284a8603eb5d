import Foundation
import Testing

/// `urbangrid case …`, `assess` and the case tables as a user drives them: a small Zibo city with the bundled
/// reference tables (GeoData/cases), a GCJ-02 report, a dispatch across National Day solved by hand, refusals that
/// change nothing, a 12345 batch that is all or nothing.
@Suite(.serialized) struct CaseCommandTests {
    /// A district, a street and a community as nested squares near Zibo (WGS84), gridded at 500 m.
    func city() throws -> (dir: String, db: String) {
        let dir = try CLI.temporaryDirectory("cases")
        let db = dir + "/city.sqlite"
        func square(_ code: String, _ level: String, _ x0: Double, _ y0: Double, _ size: Double) -> String {
            #"{"type":"Feature","id":"\#(code)","properties":{"code":"\#(code)","level":"\#(level)","name":"\#(level) \#(code)"},"geometry":{"type":"Polygon","coordinates":[[[\#(x0),\#(y0)],[\#(x0 + size),\#(y0)],[\#(x0 + size),\#(y0 + size)],[\#(x0),\#(y0 + size)],[\#(x0),\#(y0)]]]}}"#
        }
        let admin = #"{"type":"FeatureCollection","features":["# + [
            square("370303", "district", 118.00, 36.78, 0.06), square("370303001", "street", 118.00, 36.78, 0.04),
            square("370303001001", "community", 118.00, 36.78, 0.02),
        ].joined(separator: ",") + "]}"
        try admin.write(toFile: dir + "/admin.geojson", atomically: true, encoding: .utf8)
        for args in [["init", db, "--timezone", "Asia/Shanghai"], ["import", db, "--layer", "admin", dir + "/admin.geojson"],
                     ["grid", "build", db, "--shape", "square", "--cell-size", "500"],
                     ["import", db, "--layer", "departments", "GeoData/cases/departments.csv"],
                     ["import", db, "--layer", "routing", "GeoData/cases/routing.csv"], ["import", db, "--layer", "limits", "GeoData/cases/limits.csv"]] {
            let r = try CLI.run(args)
            try #require(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        }
        for (name, role, dept) in [("sup", "supervisor", nil), ("op", "operator", nil), ("lead", "shift_leader", nil), ("disp", "dispatcher", nil),
                                   ("water", "department", "water")] as [(String, String, String?)] {
            let r = try CLI.run(["users", "add", db, "--name", name, "--role", role] + (dept.map { ["--department", $0] } ?? []))
            try #require(r.status == 0, "\(r.stderr)")
        }
        return (dir, db)
    }

    func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.status) \(r.stdout) \(r.stderr)")
    }

    @Test func aCaseAcrossNationalDay() throws {
        let (dir, db) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // reported from a phone in GCJ-02: stored in WGS84 (the offset here is a few hundred metres)
        let gcj = (118.015, 36.795)
        let report = try CLI.run(["case", "report", db, "--kind", "component", "--class", "0101", "--lon", "\(gcj.0)", "--lat", "\(gcj.1)", "--crs", "GCJ02",
                                  "--description", "上水井盖破损", "--as", "sup", "--at", "2026-09-30T15:00", "--format", "json"])
        let c = try json(report)
        let id = try #require(c["id"] as? String)
        #expect(id == "C20260930000001" && c["status"] as? String == "reported" && c["department_id"] as? String == "water")
        #expect(c["community_code"] as? String == "370303001001" && c["street_code"] as? String == "370303001" && c["district_code"] as? String == "370303")
        #expect(abs((c["lon"] as? Double ?? 0) - gcj.0) > 0.003 && (c["grid_code"] as? String)?.hasPrefix("370303001001") == true)
        for (args, user, at) in [(["file"], "lead", "2026-09-30T15:30"), (["dispatch"], "disp", "2026-09-30T16:00")] {
            let r = try CLI.run(["case"] + args + [db, id, "--as", user, "--at", at, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        // 2 work days = 14 h from Wed 30 Sep 16:00: 1.5 h, National Day 1–7 Oct off, Thu 8 Oct 7 h, Fri 9 Oct 3.5 h + 2 h → 16:00
        let shown = try json(try CLI.run(["case", "show", db, id, "--format", "json", "--now", "2026-10-09T12:00"]))
        #expect(shown["deadline"] as? String == "2026-10-09T16:00:00+08:00" && shown["deadline_provisional"] as? Bool == false)
        #expect(shown["work_hours_used"] as? Double == 12 && shown["time_state"] as? String == "yellow")  // 12 of 14 h: 86 %
        // refusals: exit 2 with the reason, nothing changed
        let wrongRole = try CLI.run(["case", "check", db, id, "--passed", "true", "--as", "water"])
        #expect(wrongRole.status == 2 && wrongRole.stderr.contains("check is for role supervisor, not department"))
        let illegal = try CLI.run(["case", "file", db, id, "--as", "lead"])
        #expect(illegal.status == 2 && illegal.stderr.contains("file is not possible for a case that is dispatched"))
        let stale = try CLI.run(["case", "handle", db, id, "--as", "water", "--if-version", "1"])
        #expect(stale.status == 2 && stale.stderr.contains("is at version 3, not 1"))
        let unknown = try CLI.run(["case", "handle", db, id, "--as", "nobody"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no user named 'nobody'"))
        #expect(try json(try CLI.run(["case", "show", db, id, "--format", "json"]))["version"] as? Int == 3)
        for (args, user, at) in [(["handle", "--note", "已更换"], "water", "2026-10-09T10:00"), (["check", "--passed", "true"], "sup", "2026-10-09T11:00")] {
            let r = try CLI.run(["case"] + args + [db, id, "--as", user, "--at", at])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let closed = try json(try CLI.run(["case", "show", db, id, "--format", "json"]))
        // closed Fri 11:00: 1.5 + 7 + 2.5 = 11 of 14 h (79 %): green
        #expect(closed["status"] as? String == "closed" && closed["time_state"] as? String == "green" && (closed["events"] as? [Any])?.count == 5)
        // the assessment of that fortnight by department: one due, closed on time
        let a = try CLI.run(["assess", db, "--by", "department", "--from", "2026-09-28", "--to", "2026-10-12", "--format", "csv"])
        #expect(a.status == 0 && a.stdout == """
            key,reported,filed,dispatched,due,closed,closed_on_time,handled_on_time,rework,extended,closure_rate,on_time_closure_rate,on_time_handling_rate,rework_rate
            water,1,1,1,1,1,1,1,0,0,1.0,1.0,1.0,0.0

            """, "\(a.stdout)\(a.stderr)")
        let table = try CLI.run(["case", "list", db])
        #expect(table.status == 0 && table.stdout.contains(id) && table.stdout.contains("closed"))
        // a case reported for a hazard takes its point and class; closing the case resolves the hazard
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","id":"hz-7","properties":{"kind":"部件","class_code":"0102","status":"open","reported_at":"2026-11-02T08:00"},"geometry":{"type":"Point","coordinates":[118.005,36.785]}}]}"#
            .write(toFile: dir + "/hazards.geojson", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["import", db, "--layer", "hazards", dir + "/hazards.geojson"]).status == 0)
        let h = try json(try CLI.run(["case", "report", db, "--hazard", "hz-7", "--as", "sup", "--at", "2026-11-03T09:00", "--format", "json"]))
        let hid = try #require(h["id"] as? String)
        #expect(h["hazard_id"] as? String == "hz-7" && h["kind"] as? String == "component" && h["class_code"] as? String == "0102")
        #expect(h["class_name"] as? String == "污水井盖")  // the component 0102 (the event 0102 is 暴露垃圾)
        #expect(h["lon"] as? Double == 118.005 && h["department_id"] as? String == "water")
        for (args, user, at) in [(["file"], "lead", "2026-11-03T09:10"), (["dispatch"], "disp", "2026-11-03T09:20"), (["handle"], "water", "2026-11-03T10:00"),
                                 (["check", "--passed", "true"], "sup", "2026-11-03T11:00")] {
            #expect(try CLI.run(["case"] + args + [db, hid, "--as", user, "--at", at]).status == 0)
        }
        let history = try CLI.run(["hazards", "history", db, "hz-7", "--format", "json"])
        #expect(history.stdout.contains(#""to":"resolved""#) && history.stdout.contains("case \(hid) closed"), "\(history.stdout)")
        let missing = try CLI.run(["case", "report", db, "--hazard", "nope", "--as", "sup"])
        #expect(missing.status == 2 && missing.stderr.contains("no hazard with id 'nope'"))
    }

    @Test func aHotlineBatchIsAllOrNothing() throws {
        let (dir, db) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let header = "id,reported_at,class_code,kind,description,lon,lat\n"
        try (header + "W001,2026-12-01T09:00,0102,event,暴露垃圾,118.005,36.785\nW002,2026-12-01T09:05,0101,事件,私搭乱建,118.006,36.786\n")
            .write(toFile: dir + "/good.csv", atomically: true, encoding: .utf8)
        try (header + "W003,2026-12-01T09:00,0102,event,a,118.005,36.785\nW004,2026-12-01T09:05,0102,vehicle,b,118.006,36.786\n")
            .write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["case", "import", db, dir + "/bad.csv", "--as", "op"])
        #expect(bad.status == 2 && bad.stderr.contains("bad.csv:3 (kind)"), "\(bad.stderr)")
        #expect(try CLI.run(["case", "list", db, "--format", "json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let good = try CLI.run(["case", "import", db, dir + "/good.csv", "--as", "op", "--format", "json"])
        #expect(good.status == 0, "\(good.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["case", "list", db, "--format", "json"]).stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["external_id"] as? String } == ["W002", "W001"] && list.allSatisfy { $0["status"] as? String == "verifying" && $0["source"] as? String == "hotline" })
        #expect(list[0]["department_id"] as? String == "enforcement" && list[1]["department_id"] as? String == "sanitation")
        // the same orders again: refused, nothing added
        let again = try CLI.run(["case", "import", db, dir + "/good.csv", "--as", "op"])
        #expect(again.status == 2 && again.stderr.contains("work order 'W001' is stored already"))
        // a supervisor may not enter a batch as hotline operator? (supervisors report too) – a viewer may not
        _ = try CLI.run(["users", "add", db, "--name", "v", "--role", "viewer"])
        let viewer = try CLI.run(["case", "import", db, dir + "/good.csv", "--as", "v"])
        #expect(viewer.status == 2 && viewer.stderr.contains("may not report"))
        // a routing table naming an unknown department is refused and the old one kept
        try "kind,class_code,district_code,department_id\nevent,01,,nobody\n".write(toFile: dir + "/routing.csv", atomically: true, encoding: .utf8)
        let routing = try CLI.run(["import", db, "--layer", "routing", dir + "/routing.csv"])
        #expect(routing.status == 2 && routing.stderr.contains("'nobody'"))
    }
}
