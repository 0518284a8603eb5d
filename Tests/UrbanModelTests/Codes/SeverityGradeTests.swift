import Testing
@testable import UrbanModel

/// The one grade table (severity of hazards, urgency of cases): every written form of the table in the README and
/// `SeverityGrade`'s doc maps to its number, unknown text is refused naming the field and the accepted values.
@Suite struct SeverityGradeTests {
    @Test(arguments: [
        ("1", 1), ("一般", 1), ("low", 1), ("LOW", 1), ("普通", 1), ("轻微", 1), ("normal", 1), ("minor", 1),
        ("2", 2), ("较大", 2), ("medium", 2), ("Medium", 2),
        ("3", 3), ("重大", 3), ("high", 3), ("major", 3),
        ("4", 4), ("紧急", 4), ("urgent", 4), ("特别重大", 4), ("急", 4), ("critical", 4), (" 4 ", 4), (" 重大", 3),
    ])
    func writtenGrades(text: String, number: Int) {
        #expect(SeverityGrade(text: text)?.rawValue == number, "\(text)")
    }

    @Test(arguments: ["0", "5", "-1", "", "huge", "一般般", "3.5", "高高", "lowest"])
    func unknownGradesAreRefused(text: String) {
        #expect(SeverityGrade(text: text) == nil)
        #expect(throws: ModelError.invalidArgument(name: "severity", reason: "'\(text)' is not a grade: 1–4 or 一般/low, 较大/medium, 重大/high, 紧急/urgent")) {
            try SeverityGrade.parse(text, field: "severity")
        }
    }

    @Test func namesAndUrgencies() {
        #expect(SeverityGrade.allCases.map(\.nameZH) == ["一般", "较大", "重大", "紧急"])
        #expect(SeverityGrade.allCases.map(\.nameEN) == ["low", "medium", "high", "urgent"])
        #expect(SeverityGrade.allCases.map(\.urgency) == [.normal, .normal, .urgent, .urgent])
        #expect(SeverityGrade.low < SeverityGrade.urgent)
    }

    /// A case's urgency: its own two words, or a grade (1–2 normal, 3–4 urgent); anything else names the field.
    @Test func caseUrgencyTakesTheGrades() throws {
        for (text, urgency) in [("normal", CaseWorkflow.Urgency.normal), ("urgent", .urgent), ("一般", .normal), ("较大", .normal),
                                ("重大", .urgent), ("紧急", .urgent), ("low", .normal), ("high", .urgent), ("2", .normal), ("3", .urgent),
                                ("普通", .normal), ("急", .urgent)] {
            #expect(try CaseDesk.urgency(text) == urgency, "\(text)")
        }
        #expect(throws: CaseError.invalid(field: "urgency", reason: "'soon' is not an urgency: normal or urgent, or a grade 1–4 or 一般/low, 较大/medium, 重大/high, 紧急/urgent (1–2 normal, 3–4 urgent)")) {
            try CaseDesk.urgency("soon")
        }
    }
}
