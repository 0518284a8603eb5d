/// The one table of severity (hazards) and urgency (cases) grades: the number stored, the names people write
/// for it, and the case urgency it means. Used wherever a grade comes in: the hazards layer's `severity` at
/// import, `case report --urgency` and `POST /cases` `urgency`, and the severity filters (`hazards --min-severity`,
/// `GET /hazards?min_severity=`).
///
/// | grade | 中文 (also) | English (also) | case urgency |
/// | --- | --- | --- | --- |
/// | 1 | 一般 (普通, 轻微) | low (normal, minor) | normal |
/// | 2 | 较大 | medium | normal |
/// | 3 | 重大 | high (major) | urgent |
/// | 4 | 紧急 (特别重大, 急) | urgent (critical) | urgent |
///
/// The four Chinese names follow the usual four-step scale of city incident grading (一般 < 较大 < 重大, with the
/// top step written 紧急 in urban-management practice, 特别重大 in emergency plans). Text is matched after trimming
/// spaces; Latin names in any letter case; the numbers `1`–`4` as text or as JSON integers. Anything else is
/// refused with the accepted values (`SeverityGrade.accepted`). A case has two urgencies only: grades 1–2 are
/// `normal`, 3–4 `urgent`, and `normal`/`urgent` themselves are accepted there.
public enum SeverityGrade: Int, Sendable, Hashable, CaseIterable, Comparable {
    case low = 1, medium = 2, high = 3, urgent = 4

    /// The Chinese name shown (一般, 较大, 重大, 紧急).
    public var nameZH: String {
        switch self {
        case .low: "一般"
        case .medium: "较大"
        case .high: "重大"
        case .urgent: "紧急"
        }
    }

    /// The English name shown (low, medium, high, urgent).
    public var nameEN: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .urgent: "urgent"
        }
    }

    /// Every text accepted for the grade, the shown names first.
    public var names: [String] {
        switch self {
        case .low: ["一般", "low", "普通", "轻微", "normal", "minor"]
        case .medium: ["较大", "medium"]
        case .high: ["重大", "high", "major"]
        case .urgent: ["紧急", "urgent", "特别重大", "急", "critical"]
        }
    }

    /// The case urgency of the grade: 1–2 normal, 3–4 urgent.
    public var urgency: CaseWorkflow.Urgency { rawValue >= 3 ? .urgent : .normal }

    /// What an error lists as accepted: `1–4 or 一般/low, 较大/medium, 重大/high, 紧急/urgent`.
    public static var accepted: String {
        "1–4 or " + allCases.map { "\($0.nameZH)/\($0.nameEN)" }.joined(separator: ", ")
    }

    public static func < (a: SeverityGrade, b: SeverityGrade) -> Bool { a.rawValue < b.rawValue }

    /// The grade a text names (a number 1–4 or a name of the table); nil for anything else.
    public init?(text: String) {
        let t = text.trimmingSpaces
        if let n = Int(t), let g = SeverityGrade(rawValue: n) {
            self = g
            return
        }
        let lower = t.lowercased()
        guard let g = Self.allCases.first(where: { $0.names.contains(lower) }) else { return nil }
        self = g
    }

    /// The grade a text names. - Throws: `ModelError.invalidArgument` naming `field` and the accepted values.
    public static func parse(_ text: String, field: String) throws(ModelError) -> SeverityGrade {
        guard let g = SeverityGrade(text: text) else {
            throw .invalidArgument(name: field, reason: "'\(text)' is not a grade: \(accepted)")
        }
        return g
    }
}
