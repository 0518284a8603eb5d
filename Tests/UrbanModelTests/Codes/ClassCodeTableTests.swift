import Testing
@testable import UrbanModel

@Suite struct ClassCodeTableTests {
    let components: ClassCodeTable
    let events: ClassCodeTable

    init() throws {
        components = try ClassCodeTable(contentsOfFile: CodesTestData.path("components.csv"))
        events = try ClassCodeTable(contentsOfFile: CodesTestData.path("events.csv"))
    }

    @Test func shippedComponentTableHasTheCoreClasses() {
        #expect(components.majorClasses.map(\.code) == ["01", "02", "03", "04", "05", "06"])
        #expect(components.majorClasses.map(\.nameZH) == ["公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他设施"])
        #expect(components["0101"]?.nameZH == "上水井盖")
        #expect(components["0118"]?.nameZH == "路灯")
        #expect(components["0209"]?.nameZH == "交通标志牌")
        #expect(components["0307"]?.nameZH == "广告牌匾")
        #expect(components["0113"]?.nameZH == "消防设施")
        #expect(components["0101"]?.confidence == .published)
        #expect(components["0101"]?.sources == ["S10", "S11"])
        #expect(components["0101"]?.major == "01")
        #expect(components["0122"] == nil)  // not named in domain-facts: not invented
        #expect(components["0308"] == nil)
        #expect(components["9999"] == nil)
        // The third 房屋土地 item has no stated number: it is shipped, marked unverified.
        #expect(components["0503"]?.confidence == .unverified)
        #expect(components.minorClasses(inMajor: "06").map(\.code) == ["0601", "0602", "0603", "0604", "0605", "0606"])
        #expect(components.minorClasses(inMajor: "02").count == 17)
        #expect(components.minorClasses(inMajor: "07").isEmpty)
    }

    @Test func shippedEventTable() {
        #expect(events.majorClasses.map(\.nameZH) == ["市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序"])
        #expect(events["0501"]?.nameZH == "无照经营游商")
        #expect(events["0401"]?.nameZH == "路面塌陷")
        #expect(events["0504"]?.nameZH == "店外经营")
        #expect(events["05"]?.isMajor == true)
        #expect(events["0501"]?.confidence == .published)
        #expect(events["0507"]?.confidence == .unverified)  // numbering past the first few items is U
        #expect(events.minorClasses(inMajor: "04").count == 9)
    }

    @Test func everyMinorClassExtendsItsMajorClass() {
        for table in [components, events] {
            for entry in table.minorClasses {
                #expect(entry.minor!.hasPrefix(entry.major))
                #expect(entry.minor!.count == 4)
                #expect(table[entry.major]?.isMajor == true)
                #expect(!entry.nameEN.isEmpty)
            }
        }
    }

    @Test func lookupByASplitComponentID() throws {
        let layouts = try CodeLayouts(contentsOfFile: CodesTestData.path("layouts.json"))
        let id = try layouts.layout(named: "component-legacy").split("3205080101000001")
        #expect(components.entry(for: id)?.nameZH == "上水井盖")
        let sewer = try layouts.layout(named: "component-legacy").split("3205820102048188")
        #expect(components.entry(for: sewer)?.nameZH == "污水井盖")
    }

    @Test func quotedFieldsAndOptionalColumns() throws {
        let text = "name_zh,major,minor,name_en,confidence\n\"路灯\",01,,\"lights, \"\"street\"\"\",P\n路灯杆,01,0118,pole,U\n"
        let t = try ClassCodeTable(csv: text, file: "t.csv")
        #expect(t["01"]?.nameEN == "lights, \"street\"")
        #expect(t["0118"]?.sources == [])
        #expect(t["0118"]?.line == 3)
    }

    @Test func toleratesCRLFAndABlankLine() throws {
        let t = try ClassCodeTable(csv: "major,minor,name_zh,name_en,confidence\r\n01,,公用设施,u,P\r\n\r\n01,0101,上水井盖,w,P\r\n", file: "t.csv")
        #expect(t["0101"]?.line == 4)
    }

    static let header = "major,minor,name_zh,name_en,confidence,sources,note\n"

    @Test(arguments: [
        // (body after the header, expected error); the header is line 1.
        ("01,,公用设施,u,P,,\n01,0101,上水井盖,w\n",
         ModelError.malformedRecord(.init(file: "t.csv", line: 3), reason: "4 fields; the header has 7")),
        ("01,,公用设施,u,P,,\n01,0101,上水井盖,w,P,,\n1x,,x,x,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 4, field: "major"), reason: "'1x' is not a digit code")),
        ("00,,x,x,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 2, field: "major"), reason: "'00' is all zeros")),
        ("01,,公用设施,u,P,,\n01,0201,x,x,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 3, field: "minor"), reason: "'0201' does not extend its major class 01")),
        ("01,,公用设施,u,P,,\n01,0100,x,x,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 3, field: "minor"), reason: "'0100' has an all-zero minor part")),
        ("01,,公用设施,u,P,,\n01,01a1,x,x,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 3, field: "minor"), reason: "'01a1' is not a digit code")),
        ("01,,,u,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 2, field: "name_zh"), reason: "empty name")),
        ("01,,公用设施,u,X,,\n",
         .malformedRecord(.init(file: "t.csv", line: 2, field: "confidence"), reason: "'X' is not one of C, P, U")),
        ("01,,公用设施,u,P,,\n01,0101,a,a,P,,\n01,0101,b,b,P,,\n",
         .duplicateKey(.init(file: "t.csv", line: 4, field: "minor"), key: "0101", firstLine: 3)),
        ("01,0101,上水井盖,w,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 2, field: "major"), reason: "major class 01 has no row of its own")),
        ("01,,\"公用设施,u,P,,\n",
         // the shared CSV reader points at the quote that opens the unclosed field
         .malformedRecord(.init(file: "t.csv", line: 2, field: "character 5"), reason: "a quoted field is not closed")),
        ("01,,\"公用\"设施,u,P,,\n",
         .malformedRecord(.init(file: "t.csv", line: 2, field: "character 9"), reason: "text after a closing quote")),
    ] as [(String, ModelError)])
    func malformedLinesNameFileLineAndField(body: String, expected: ModelError) {
        #expect(throws: expected) { try ClassCodeTable(csv: Self.header + body, file: "t.csv") }
    }

    @Test func headerErrors() {
        #expect(throws: ModelError.malformedRecord(.init(file: "t.csv", line: 1), reason: "empty file: expected a header line")) {
            try ClassCodeTable(csv: "", file: "t.csv")
        }
        #expect(throws: ModelError.malformedRecord(.init(file: "t.csv", line: 1, field: "confidence"), reason: "missing column")) {
            try ClassCodeTable(csv: "major,minor,name_zh,name_en\n", file: "t.csv")
        }
        #expect(throws: ModelError.malformedRecord(.init(file: "t.csv", line: 1, field: "colour"), reason: "unknown column")) {
            try ClassCodeTable(csv: "major,minor,name_zh,name_en,confidence,colour\n", file: "t.csv")
        }
    }

    @Test func missingFileNamesThePath() {
        let path = CodesTestData.path("no-such.csv")
        do {
            _ = try ClassCodeTable(contentsOfFile: path)
            Issue.record("expected an error")
        } catch {
            guard case .unreadableFile(let p, _) = error else { Issue.record("got \(error)"); return }
            #expect(p == path)
        }
    }

    @Test func errorDescriptionsSayWhereAndWhat() {
        let e = ModelError.malformedRecord(.init(file: "GeoData/codes/components.csv", line: 12, field: "minor"), reason: "bad")
        #expect(e.description == "GeoData/codes/components.csv:12 (minor): bad")
    }
}
