import Testing
@testable import UrbanModel

@Suite struct AdminCodeTests {
    @Test func theGusuSampleHasThreeLevels() throws {
        // 320508019044 = 姑苏区 · 金阊街道 · 养育巷社区
        let community = try AdminCode(parsing: "320508019044")
        #expect(community.level == .community)
        #expect(community.countyCode == "320508")
        #expect(community.street == "019")
        #expect(community.community == "044")
        let street = try #require(community.parent)
        #expect(street.code == "320508019")
        #expect(street.level == .street)
        #expect(street.community == nil)
        let county = try #require(street.parent)
        #expect(county.code == "320508")
        #expect(county.level == .county)
        #expect(county.street == nil)
        #expect(county.parent == nil)
        #expect(county == (try AdminCode(parsing: "320508")))
        #expect(street == (try AdminCode(parsing: "320508019")))
        #expect(community.ancestor(at: .county) == county)
        #expect(county.ancestor(at: .community) == nil)
        #expect(county.contains(community))
        #expect(street.contains(community))
        #expect(!community.contains(street))
        #expect(!(try AdminCode(parsing: "320509")).contains(community))
    }

    @Test func aGridCodeLeadsToItsCommunity() throws {
        let g = try GridCode(parsing: "320582110152102")
        let c = try AdminCode(parsing: g.communityCode)
        #expect(c.level == .community)
        #expect(c.parent?.code == g.streetCode)
    }

    @Test func layoutsFromTheShippedFile() throws {
        let all = try CodeLayouts(contentsOfFile: CodesTestData.path("layouts.json"))
        let code = try AdminCode(parsing: "320508019", layouts: try AdminCode.layouts(from: all))
        #expect(code.level == .street)
    }

    @Test(arguments: [
        ("32050801904", ModelError.wrongCodeLength(layout: "admin", code: "32050801904", expected: [6, 9, 12], actual: 11)),
        ("3205", .wrongCodeLength(layout: "admin", code: "3205", expected: [6, 9, 12], actual: 4)),
        ("32050a", .nonDigit(layout: "admin-county", code: "32050a", position: 6, field: "county", character: "a")),
        ("3205080l9044", .nonDigit(layout: "admin-community", code: "3205080l9044", position: 8, field: "street", character: "l")),
        ("000000", .zeroField(layout: "admin-county", code: "000000", field: "county", position: 1)),
        ("320508000", .zeroField(layout: "admin-street", code: "320508000", field: "street", position: 7)),
        ("320508019000", .zeroField(layout: "admin-community", code: "320508019000", field: "community", position: 10)),
    ] as [(String, ModelError)])
    func parseErrors(code: String, expected: ModelError) {
        #expect(throws: expected) { try AdminCode(parsing: code) }
    }
}
