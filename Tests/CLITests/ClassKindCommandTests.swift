import Foundation
import Testing

/// Hazard and case classes as (kind, code) and the grade table, as a user meets them on the command line: an
/// ambiguous or unknown kind and an unknown grade refuse the file with exit 2 and the place, storing nothing;
/// answers carry `kind` and the Chinese `class_name` of GeoData/codes (GB/T 30428.2 names, domain-facts §1.3).
@Suite(.serialized) struct ClassKindCommandTests {
    func city() throws -> (dir: String, db: String) {
        let dir = try CLI.temporaryDirectory("kinds")
        let db = dir + "/city.sqlite"
        for args in [["init", db], ["users", "add", db, "--name", "sup", "--role", "supervisor"]] {
            let r = try CLI.run(args)
            try #require(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        }
        return (dir, db)
    }

    func hazards(_ features: [String], _ path: String) throws {
        let list = features.enumerated().map { i, props in
            #"{"type":"Feature","id":"h\#(i + 1)","properties":{\#(props)},"geometry":{"type":"Point","coordinates":[118.01,36.79]}}"#
        }
        try (#"{"type":"FeatureCollection","features":["# + list.joined(separator: ",") + "]}").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func unclearKindsAndUnknownGradesStoreNothing() throws {
        let (dir, db) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/hazards.geojson"
        let refusals: [(props: String, message: String)] = [
            (#""class_code":"0101","status":"open""#,
             "hazards.geojson (features[1].properties.kind): missing, and class code '0101' is in both tables (component 上水井盖, event 私搭乱建): give kind component (部件) or event (事件)"),
            (#""class_code":"0101","kind":"thing","status":"open""#, "(features[1].properties.kind): 'thing' is not component (部件) or event (事件)"),
            (#""class_code":"0118","kind":"event","status":"open""#,
             "(features[1].properties.class_code): unknown class code '0118' for kind event: not in the event (事件) table loaded into this database (it is a component class, 路灯: is kind wrong?)"),
            (#""class_code":"0118","status":"open","severity":"很严重""#,
             "(features[1].properties.severity): \"很严重\" is not a grade: 1–4 or 一般/low, 较大/medium, 重大/high, 紧急/urgent"),
        ]
        for r in refusals {
            try hazards([#""class_code":"0118","status":"open""#, r.props], file)
            let run = try CLI.run(["import", db, "--layer", "hazards", file])
            #expect(run.status == 2 && run.stderr.contains(r.message), "\(run.status) \(run.stderr)")
        }
        // nothing was stored: the good file afterwards finds the layer empty
        try hazards([#""class_code":"0118","status":"open","severity":"较大""#, #""class_code":"0101","kind":"事件","status":"open","severity":"紧急""#,
                     #""class_code":"0101","component_id":"3705030101000001","status":"resolved","severity":1"#], file)
        let ok = try CLI.run(["import", db, "--layer", "hazards", file])
        #expect(ok.status == 0 && ok.stdout.contains("imported 3 features into hazards (3 in the layer now)"), "\(ok.stdout)\(ok.stderr)")

        let near = ["hazards", db, "--near", "118.01,36.79", "--radius", "10"]
        let all = try CLI.run(near + ["--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]], "\(all.stdout)\(all.stderr)")
        #expect(list.map { "\($0["id"]!) \($0["kind"]!) \($0["class_code"]!) \($0["class_name"]!) \($0["severity"]!)" } == [
            "h1 component 0118 路灯 2", "h2 event 0101 私搭乱建 4", "h3 component 0101 上水井盖 1"])
        let urgent = try CLI.run(near + ["--min-severity", "重大", "--format", "json"])
        #expect(urgent.status == 0 && urgent.stdout.contains(#""id":"h2""#) && !urgent.stdout.contains(#""id":"h1""#), "\(urgent.stdout)")
        let events = try CLI.run(near + ["--kind", "事件", "--class", "0101"])
        #expect(events.status == 0 && events.stdout.contains("私搭乱建") && !events.stdout.contains("上水井盖"), "\(events.stdout)")
        #expect(events.stdout.split(separator: "\n").first?.contains("class name") == true)
        let badGrade = try CLI.run(near + ["--min-severity", "huge"])
        #expect(badGrade.status == 2 && badGrade.stderr.contains("--min-severity 'huge' is not a grade: 1–4 or 一般/low"), "\(badGrade.stderr)")
        let geojson = try CLI.run(near + ["--format", "geojson"])
        #expect(geojson.stdout.contains(#""class_name":"上水井盖""#) && geojson.stdout.contains(#""kind":"event""#), "\(geojson.stdout)")
        // the export of the layer carries the class name too
        let out = dir + "/h.geojson"
        let export = try CLI.run(["--layer", "hazards", db, "--format", "geojson", "--out", out], executable: "urbangrid-export")
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try String(contentsOfFile: out, encoding: .utf8)
        #expect(exported.contains(#""class_name":"私搭乱建""#) && exported.contains(#""class_name":"路灯""#), "\(exported)")
    }

    @Test func caseUrgencyGradesAndClassNames() throws {
        let (dir, db) = try city()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = ["case", "report", db, "--lon", "118.01", "--lat", "36.79", "--as", "sup", "--format", "json"]
        let urgent = try CLI.run(base + ["--kind", "事件", "--class", "0101", "--urgency", "紧急"])
        #expect(urgent.status == 0 && urgent.stdout.contains(#""class_name":"私搭乱建""#) && urgent.stdout.contains(#""urgency":"urgent""#), "\(urgent.stdout)\(urgent.stderr)")
        let normal = try CLI.run(base + ["--kind", "component", "--class", "0101", "--urgency", "较大"])
        #expect(normal.status == 0 && normal.stdout.contains(#""class_name":"上水井盖""#) && normal.stdout.contains(#""urgency":"normal""#), "\(normal.stdout)")
        let badUrgency = try CLI.run(base + ["--kind", "event", "--class", "0101", "--urgency", "soon"])
        #expect(badUrgency.status == 2 && badUrgency.stderr.contains("urgency: 'soon' is not an urgency: normal or urgent, or a grade 1–4"), "\(badUrgency.stderr)")
        let wrongKind = try CLI.run(base + ["--kind", "event", "--class", "0601"])
        #expect(wrongKind.status == 2 && wrongKind.stderr.contains("class_code: '0601' is not in the event (事件) table of this city (it is a component class, 重大危险源"),
                "\(wrongKind.stderr)")
        // a 12345 batch: a class its kind's table lacks refuses the batch at its line; grades as urgency
        let header = "id,reported_at,class_code,kind,urgency,description,lon,lat\n"
        try (header + "W1,2026-12-01T09:00,0504,事件,紧急,店外经营,118.01,36.79\nW2,2026-12-01T09:05,0601,event,1,x,118.01,36.79\n")
            .write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let badBatch = try CLI.run(["case", "import", db, dir + "/bad.csv", "--as", "sup"])
        #expect(badBatch.status == 2 && badBatch.stderr.contains("bad.csv:3 (class_code): '0601' is not in the event (事件) table"), "\(badBatch.stderr)")
        try (header + "W1,2026-12-01T09:00,0504,事件,紧急,店外经营,118.01,36.79\n").write(toFile: dir + "/good.csv", atomically: true, encoding: .utf8)
        let goodBatch = try CLI.run(["case", "import", db, dir + "/good.csv", "--as", "sup"])
        #expect(goodBatch.status == 0, "\(goodBatch.stderr)")
        let listed = try CLI.run(["case", "list", db, "--format", "json"])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(cases.count == 3)  // the refused reports and the refused batch stored nothing
        #expect(Set(cases.compactMap { $0["class_name"] as? String }) == ["私搭乱建", "上水井盖", "店外经营"])
        #expect(cases.first { $0["external_id"] as? String == "W1" }?["urgency"] as? String == "urgent")
    }
}
