/// How sure we are of a code-table entry or layout, with the tags of `domain-facts.md`.
public enum Confidence: String, Hashable, Sendable, CaseIterable {
    /// [C] confirmed from a primary or authoritative source, or checked with a tool.
    case confirmed = "C"
    /// [P] seen in public deployed systems or secondary sources, not checked against the standard's text.
    case published = "P"
    /// [U] unverified: design for change.
    case unverified = "U"
}
