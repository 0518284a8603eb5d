import Testing
@testable import UrbanModel

@Suite struct CodeLayoutTests {
    let layouts: CodeLayouts

    init() throws {
        layouts = try CodeLayouts(contentsOfFile: CodesTestData.path("layouts.json"))
    }

    @Test func shippedLayouts() throws {
        #expect(layouts.layouts.map(\.name) == [
            "grid", "component-legacy", "component-new", "event-new", "admin-county", "admin-street", "admin-community",
        ])
        func shape(_ name: String) throws -> [String] {
            try layouts.layout(named: name).fields.map { "\($0.name)\($0.length)" }
        }
        #expect(try shape("grid") == ["county6", "street3", "community3", "sequence3"])
        #expect(try shape("component-legacy") == ["county6", "major2", "minor2", "sequence6"])
        #expect(try shape("component-new") == ["county6", "major2", "minor3", "sequence6"])
        #expect(try shape("event-new") == ["county6", "major2", "minor3"])
        #expect(layouts["grid"]?.length == 15)
        #expect(layouts["component-legacy"]?.length == 16)
        #expect(layouts["component-new"]?.length == 17)
        #expect(layouts["event-new"]?.length == 11)
        #expect(layouts["component-new"]?.confidence == .unverified)
        #expect(layouts["event-new"]?.confidence == .unverified)
        #expect(["admin-county", "admin-street", "admin-community"].map { layouts[$0]?.length } == [6, 9, 12])
        #expect(layouts["grid"]?.field(named: "sequence")?.offset == 12)
    }

    @Test func builtInLayoutsMirrorTheShippedFile() throws {
        #expect(layouts["grid"] == CodeLayout.grid)
        #expect(try AdminCode.layouts(from: layouts) == CodeLayout.admin)
    }

    @Test func splitsTheDeployedSamples() throws {
        let grid = try layouts.layout(named: "grid").split("320582110152102")
        #expect(grid.values == ["320582", "110", "152", "102"])
        let part = try layouts.layout(named: "component-legacy").split("3205080101000001")
        #expect(part["county"] == "320508")
        #expect(part["major"] == "01")
        #expect(part["minor"] == "01")
        #expect(part["sequence"] == "000001")
        #expect(part["colour"] == nil)
        let event = try layouts.layout(named: "event-new").split("32050805001")
        #expect(event.values == ["320508", "05", "001"])
    }

    @Test func splitErrors() throws {
        let legacy = try layouts.layout(named: "component-legacy")
        #expect(throws: ModelError.wrongCodeLength(layout: "component-legacy", code: "320508010100001", expected: [16], actual: 15)) {
            try legacy.split("320508010100001")
        }
        #expect(throws: ModelError.nonDigit(layout: "component-legacy", code: "32050801O1000001", position: 9, field: "minor", character: "O")) {
            try legacy.split("32050801O1000001")
        }
        #expect(throws: ModelError.zeroField(layout: "component-legacy", code: "0000000101000001", field: "county", position: 1)) {
            try legacy.split("0000000101000001")
        }
        #expect(throws: ModelError.zeroField(layout: "component-legacy", code: "3205080001000001", field: "major", position: 7)) {
            try legacy.split("3205080001000001")
        }
        #expect(!legacy.isValid(""))
        #expect(legacy.isValid("3205820102048188"))
        #expect(throws: ModelError.unknownLayout("grid-2030")) { try layouts.layout(named: "grid-2030") }
    }

    @Test func composePadsAndChecksRanges() throws {
        #expect(try CodeLayout.grid.compose(["county": 320582, "street": 0, "community": 7, "sequence": 1]) == "320582000007001")
        #expect(throws: ModelError.fieldOutOfRange(layout: "grid", field: "street", value: 1000, allowed: 0...999)) {
            try CodeLayout.grid.compose(["county": 320582, "street": 1000, "community": 7, "sequence": 1])
        }
    }

    @Test(arguments: [
        ("{", "line 1, column 2"),
        (#"{"layouts": 3}"#, "layouts"),
        (#"{"layouts": [{"confidence": "P", "fields": [{"name": "a", "length": 2}]}]}"#, "layouts[0].name"),
        (#"{"layouts": [{"name": "x", "confidence": "Q", "fields": [{"name": "a", "length": 2}]}]}"#, "layouts[0].confidence"),
        (#"{"layouts": [{"name": "x", "confidence": "P", "fields": []}]}"#, "layouts[0].fields"),
        (#"{"layouts": [{"name": "x", "confidence": "P", "fields": [{"name": "a", "length": 0}]}]}"#, "layouts[0].fields[0].length"),
        (#"{"layouts": [{"name": "x", "confidence": "P", "fields": [{"name": "a", "length": 2, "nonZero": 1}]}]}"#, "layouts[0].fields[0].nonZero"),
        (#"{"layouts": [{"name": "x", "confidence": "P", "fields": [{"name": "a", "length": 2}, {"name": "a", "length": 1}]}]}"#, "layouts[0].fields"),
        (#"{"layouts": [{"name": "x", "length": 4, "confidence": "P", "fields": [{"name": "a", "length": 2}]}]}"#, "layouts[0].length"),
        (#"{"layouts": [{"name": "x", "confidence": "P", "fields": [{"name": "a", "length": 2}]}, {"name": "x", "confidence": "P", "fields": [{"name": "a", "length": 2}]}]}"#, "layouts[1].name"),
    ])
    func malformedLayoutsNameTheJSONPath(json: String, path: String) {
        do {
            _ = try CodeLayouts(json: json, file: "l.json")
            Issue.record("expected an error for \(json)")
        } catch {
            guard case .malformedRecord(let at, _) = error else { Issue.record("got \(error)"); return }
            #expect(at.file == "l.json")
            #expect(at.field == path)
        }
    }
}
