import Foundation

/// Any JSON value of a reference file (decoded with Foundation, independent of our own JSON reader), for reference files whose cases have different shapes.
enum ReferenceValue: Decodable, Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ReferenceValue])
    case object([String: ReferenceValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([ReferenceValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: ReferenceValue].self))
        }
    }

    var double: Double? { if case .number(let d) = self { d } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var array: [ReferenceValue]? { if case .array(let a) = self { a } else { nil } }
}
