/// Any YAML value, typed the YAML 1.2 core-schema way (so `NO` stays a string).
/// Used where the standards allow any value: custom properties, SLA values, examples.
public indirect enum YAMLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([YAMLValue])
    case map([(String, YAMLValue)])

    public static func == (a: YAMLValue, b: YAMLValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x == y
        case let (.int(x), .double(y)), let (.double(y), .int(x)): Double(x) == y
        case let (.string(x), .string(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.map(x), .map(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case let .bool(b): h.combine(b)
        case let .int(i): h.combine(Double(i))
        case let .double(d): h.combine(d)
        case let .string(s): h.combine(s)
        case let .list(l): h.combine(l)
        case let .map(m):
            for (k, v) in m { h.combine(k); h.combine(v) }
        }
    }

    public var string: String? { if case let .string(s) = self { s } else { nil } }
    public var bool: Bool? { if case let .bool(b) = self { b } else { nil } }
    /// A number, whether written as an integer or not.
    public var number: Double? {
        switch self {
        case let .int(i): Double(i)
        case let .double(d): d
        default: nil
        }
    }
    public var list: [YAMLValue]? { if case let .list(l) = self { l } else { nil } }

    /// The name of the value's type as users read it in messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "a mapping"
        }
    }

    /// A compact rendering: scalars as written, lists as `[a, b]`.
    public var description: String {
        switch self {
        case .null: "null"
        case let .bool(b): String(b)
        case let .int(i): String(i)
        case let .double(d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case let .string(s): s
        case let .list(l): "[" + l.map(\.description).joined(separator: ", ") + "]"
        case let .map(m): "{" + m.map { "\($0): \($1)" }.joined(separator: ", ") + "}"
        }
    }
}
