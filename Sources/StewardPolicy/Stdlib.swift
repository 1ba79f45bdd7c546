import Foundation
import StewardCore

/// A failure while evaluating, which makes the outcome `error` (§7.1).
public struct EvaluationError: Error, Sendable, Equatable {
    /// POL0601 to POL0606.
    public var id: String
    public var message: String
    public var location: SourceLocation?

    public init(_ id: String, _ message: String, at location: SourceLocation? = nil) {
        self.id = id
        self.message = message
        self.location = location
    }

    static let missingId = "POL0601"
}

/// Why arguments do not fit a function (POL0203).
struct SignatureError: Error {
    let message: String
}

/// The functions of §6. `has` is a special form handled by the checker.
public enum Builtin: String, Sendable, CaseIterable {
    case len, lower, upper, trim, startsWith, endsWith, contains, split, join, keys, distinct, set, flatten
    case first, sum, min, max, all, any, union, intersection, difference
    case semver, timestamp, duration, percent, number, string, int, bool, strings
    case days, hours, minutes, seconds

    /// Names the checker knows, for did-you-mean (`has` included).
    static let names: [String] = allCases.map(\.rawValue) + ["has"]

    /// The result type for these argument types, or a message for POL0203.
    func type(_ args: [PType]) -> Result<PType, SignatureError> {
        func expect(_ n: Int) -> String? { args.count == n ? nil : "`\(rawValue)` takes \(n) argument\(n == 1 ? "" : "s"), found \(args.count)" }
        if let e = expect(arity) { return .failure(SignatureError(message: e)) }
        let a = args.first ?? .error
        let bad = Result<PType, SignatureError>.failure(SignatureError(message: "`\(rawValue)` does not take \(args.map { "`\($0)`" }.joined(separator: ", ")); expected \(signature)"))
        if args.contains(.error) { return .success(resultIfError(args)) }
        switch self {
        case .len:
            switch a {
            case .string, .list, .set, .map: return .success(.int)
            default: return bad
            }
        case .lower, .upper, .trim: return a == .string ? .success(.string) : bad
        case .startsWith, .endsWith, .contains: return args == [.string, .string] ? .success(.bool) : bad
        case .split: return args == [.string, .string] ? .success(.list(.string)) : bad
        case .join:
            return (a == .list(.string) || a == .set(.string) || a == .list(.unknown)) && args[1] == .string ? .success(.string) : bad
        case .keys: if case .map = a { return .success(.list(.string)) } else { return bad }
        case .distinct: if case .list = a { return .success(a) } else { return bad }
        case .set: if case .list(let t) = a { return .success(.set(t)) } else { return bad }
        case .flatten: if case .list(.list(let t)) = a { return .success(.list(t)) } else { return bad }
        case .first: if case .list(let t) = a { return .success(.optional(t)) } else { return bad }
        case .sum:
            if case .list(let t) = a, [.int, .number, .duration, .percent].contains(t) { return .success(t) }
            return bad
        case .min, .max:
            if case .list(let t) = a, t.isOrdered { return .success(.optional(t)) }
            return bad
        case .all, .any: return a == .list(.bool) ? .success(.bool) : bad
        case .union, .intersection, .difference:
            if case .set(let t) = a, args[1] == .set(t) || args[1] == .set(.unknown) { return .success(a) }
            if case .set(.unknown) = a, case .set = args[1] { return .success(args[1]) }
            return bad
        case .semver: return a == .string ? .success(.semver) : bad
        case .timestamp: return a == .string ? .success(.timestamp) : bad
        case .duration: return a == .string ? .success(.duration) : bad
        case .percent: return a.isNumeric ? .success(.percent) : bad
        case .number: return a == .percent || a == .any || a.isNumeric ? .success(.number) : bad
        case .string: return a == .any || (a.isPrintable && !a.isOptional) ? .success(.string) : bad
        case .int: return a == .any ? .success(.int) : bad
        case .bool: return a == .any ? .success(.bool) : bad
        case .strings: return a == .any ? .success(.list(.string)) : bad
        case .days, .hours, .minutes: return a == .duration ? .success(.number) : bad
        case .seconds: return a == .duration ? .success(.int) : bad
        }
    }

    private func resultIfError(_ args: [PType]) -> PType {
        switch self {
        case .len, .seconds, .int: .int
        case .lower, .upper, .trim, .join, .string: .string
        case .startsWith, .endsWith, .contains, .all, .any, .bool: .bool
        case .split, .keys, .strings: .list(.string)
        case .semver: .semver
        case .timestamp: .timestamp
        case .duration: .duration
        case .percent: .percent
        case .number, .days, .hours, .minutes: .number
        default: .error
        }
    }

    var arity: Int {
        switch self {
        case .startsWith, .endsWith, .contains, .split, .join, .union, .intersection, .difference: 2
        default: 1
        }
    }

    var signature: String {
        switch self {
        case .len: "string, list, set or map"
        case .lower, .upper, .trim, .semver, .timestamp, .duration: "string"
        case .startsWith, .endsWith, .contains, .split: "string, string"
        case .join: "list<string>, string"
        case .keys: "map"
        case .distinct, .set, .first: "list"
        case .flatten: "list<list<T>>"
        case .sum: "list of int, number, duration or percent"
        case .min, .max: "a list of an ordered type"
        case .all, .any: "list<bool>"
        case .union, .intersection, .difference: "set<T>, set<T>"
        case .percent: "int or number"
        case .number: "percent, int, number or any"
        case .string: "any, or a printable value"
        case .int, .bool, .strings: "any"
        case .days, .hours, .minutes, .seconds: "duration"
        }
    }

    /// Runs the function. Arguments have the types `type` accepted; `result` is the type it
    /// gave the call, which values alone cannot tell (the zero of an empty `sum`, the order of
    /// classifications).
    func call(_ a: [Value], result: PType, at location: SourceLocation) throws(EvaluationError) -> Value {
        func conversion(_ what: String) -> EvaluationError {
            EvaluationError("POL0602", "cannot convert `\(a[0].text)` to \(what)", at: location)
        }
        switch self {
        case .len:
            switch a[0] {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .list(let v), .set(let v): return .int(Int64(v.count))
            case .map(let m): return .int(Int64(m.count))
            default: return .int(0)
            }
        case .lower: return .string(a[0].stringValue.lowercased())
        case .upper: return .string(a[0].stringValue.uppercased())
        case .trim: return .string(a[0].stringValue.trimmingSpace(newlines: true))
        case .startsWith: return .bool(a[0].stringValue.unicodeScalars.starts(with: a[1].stringValue.unicodeScalars))
        case .endsWith: return .bool(a[0].stringValue.unicodeScalars.reversed().starts(with: a[1].stringValue.unicodeScalars.reversed()))
        case .contains:
            let n = a[1].stringValue
            return .bool(n.isEmpty || a[0].stringValue.range(of: n, options: .literal) != nil)
        case .split:
            let sep = a[1].stringValue
            guard !sep.isEmpty else { throw EvaluationError("POL0602", "`split` needs a non-empty separator", at: location) }
            return .list(Self.split(a[0].stringValue, on: sep).map(Value.string))
        case .join: return .string((a[0].elements ?? []).map(\.text).joined(separator: a[1].stringValue))
        case .keys:
            guard case .map(let m) = a[0] else { return .list([]) }
            return .list(m.keys.sorted { Value.order(.string($0), .string($1)) < 0 }.map(Value.string))
        case .distinct:
            var seen = Set<Value>()
            return .list((a[0].elements ?? []).filter { seen.insert($0).inserted })
        case .set: return Value.makeSet(a[0].elements ?? [], of: result.element ?? .any)
        case .flatten: return .list((a[0].elements ?? []).flatMap { $0.elements ?? [] })
        case .first: return a[0].elements?.first ?? .missing
        case .sum: return try Self.sum(a[0].elements ?? [], of: result, at: location)
        case .min, .max:
            let v = a[0].elements ?? []
            guard var best = v.first else { return .missing }
            let element = result.unwrapped
            if case .enumeration(let kind) = element, kind.isOrdered, let bad = v.first(where: { kind.rank($0.stringValue) == nil }) {
                throw EvaluationError("POL0604", "`\(bad.stringValue)` is not a known \(kind.rawValue), so it cannot be ordered", at: location)
            }
            for x in v.dropFirst() {
                let c = Value.order(x, best, as: element)
                if (self == .min && c < 0) || (self == .max && c > 0) { best = x }
            }
            return best
        case .all: return .bool((a[0].elements ?? []).allSatisfy { $0 == .bool(true) })
        case .any: return .bool((a[0].elements ?? []).contains { $0 == .bool(true) })
        case .union: return Value.makeSet((a[0].elements ?? []) + (a[1].elements ?? []), of: result.element ?? .any)
        case .intersection:
            let b = Set(a[1].elements ?? [])
            return .set((a[0].elements ?? []).filter { b.contains($0) })
        case .difference:
            let b = Set(a[1].elements ?? [])
            return .set((a[0].elements ?? []).filter { !b.contains($0) })
        case .semver:
            guard let v = SemVer(a[0].stringValue) else { throw conversion("a semantic version") }
            return .semver(v)
        case .timestamp:
            guard let t = Value.parseTimestamp(a[0].stringValue) else { throw conversion("a timestamp (RFC 3339)") }
            return .timestamp(t)
        case .duration:
            let text = a[0].stringValue.replacingOccurrences(of: " ", with: "")
            guard let span = try? TimeSpan.parse(text), let v = Value.duration(seconds: span.seconds) else { throw conversion("a duration") }
            return v
        case .percent:
            switch a[0] {
            case .int(let i): return .percent(Double(i))
            case .number(let d): return .percent(d)
            default: throw conversion("a percent")
            }
        case .number:
            switch a[0] {
            case .percent(let p): return .number(p)
            case .int(let i): return .number(Double(i))
            case .number(let d) where d.isFinite: return a[0]  // YAML's .nan and .inf are no numbers here
            default: throw conversion("a number")
            }
        case .string:
            switch a[0] {
            case .string: return a[0]
            case .map, .list, .set, .record, .missing: throw conversion("a string")
            default: return .string(a[0].text)
            }
        case .int:
            switch a[0] {
            case .int: return a[0]
            case .number(let d) where d == d.rounded() && abs(d) < 9e18: return .int(Int64(d))
            default: throw conversion("an int")
            }
        case .bool:
            guard case .bool = a[0] else { throw conversion("a bool") }
            return a[0]
        case .strings:
            guard let v = a[0].elements, v.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                if case .string = a[0] { return .list([a[0]]) }
                throw conversion("a list of strings")
            }
            return .list(v)
        case .days, .hours, .minutes:
            let size: Double = self == .days ? 86_400 : (self == .hours ? 3_600 : 60)
            return .number(Double(a[0].durationValue) / size)
        case .seconds: return .int(a[0].durationValue)
        }
    }

    /// The parts of `text` between occurrences of `separator`, found by Unicode scalars as `==`
    /// compares strings (Foundation's `components(separatedBy:)` matches canonical equivalents).
    static func split(_ text: String, on separator: String) -> [String] {
        let scalars = Array(text.unicodeScalars), sep = Array(separator.unicodeScalars)
        var parts: [String] = []
        var start = 0, i = 0
        while i + sep.count <= scalars.count {
            if scalars[i..<i + sep.count].elementsEqual(sep) {
                parts.append(String(String.UnicodeScalarView(scalars[start..<i])))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(String(String.UnicodeScalarView(scalars[start...])))
        return parts
    }

    /// Adds from the zero of the list's type, so an empty list gives that zero (`0s`, `0%`) and
    /// a `list<number>` whose elements happen to be ints adds as numbers.
    static func sum(_ v: [Value], of type: PType, at location: SourceLocation) throws(EvaluationError) -> Value {
        var acc: Value = switch type {
        case .number: .number(0)
        case .duration: .duration(0)
        case .percent: .percent(0)
        default: .int(0)
        }
        for x in v { acc = try Arithmetic.apply(.add, acc, x, at: location) }
        return acc
    }
}

extension Value {
    var stringValue: String { if case .string(let s) = self { s } else { "" } }
    var durationValue: Int64 { if case .duration(let d) = self { d } else { 0 } }
    var boolValue: Bool { if case .bool(let b) = self { b } else { false } }

}

/// `+ - * /` and unary `-` on runtime values (§4 operator typing).
enum Arithmetic {
    static func apply(_ op: BinaryOp, _ a: Value, _ b: Value, at location: SourceLocation) throws(EvaluationError) -> Value {
        func overflow() -> EvaluationError { EvaluationError("POL0603", "arithmetic overflow in `\(a.text) \(op.rawValue) \(b.text)`", at: location) }
        func checked(_ r: (Int64, Bool)) throws(EvaluationError) -> Int64 {
            if r.1 { throw overflow() }
            return r.0
        }
        switch (op, a, b) {
        case (.add, .int(let x), .int(let y)): return .int(try checked(x.addingReportingOverflow(y)))
        case (.subtract, .int(let x), .int(let y)): return .int(try checked(x.subtractingReportingOverflow(y)))
        case (.multiply, .int(let x), .int(let y)): return .int(try checked(x.multipliedReportingOverflow(by: y)))
        case (.add, .duration(let x), .duration(let y)): return .duration(try checked(x.addingReportingOverflow(y)))
        case (.subtract, .duration(let x), .duration(let y)): return .duration(try checked(x.subtractingReportingOverflow(y)))
        case (.add, .timestamp(let x), .duration(let y)): return .timestamp(try checked(x.addingReportingOverflow(y)))
        case (.subtract, .timestamp(let x), .duration(let y)): return .timestamp(try checked(x.subtractingReportingOverflow(y)))
        case (.subtract, .timestamp(let x), .timestamp(let y)): return .duration(try checked(x.subtractingReportingOverflow(y)))
        case (.multiply, .duration(let x), .int(let y)), (.multiply, .int(let y), .duration(let x)):
            return .duration(try checked(x.multipliedReportingOverflow(by: y)))
        case (.divide, .duration(let x), .duration(let y)):
            guard y != 0 else { throw EvaluationError("POL0603", "division by zero", at: location) }
            return .number(Double(x) / Double(y))
        case (.add, .percent(let x), .percent(let y)): return .percent(x + y)
        case (.subtract, .percent(let x), .percent(let y)): return .percent(x - y)
        case (.add, .string(let x), .string(let y)): return .string(x + y)
        case (.add, .list(let x), .list(let y)): return .list(x + y)
        default:
            guard let x = a.double, let y = b.double else {
                throw EvaluationError("POL0603", "`\(op.rawValue)` is not defined for `\(a.text)` and `\(b.text)`", at: location)
            }
            let r: Double
            switch op {
            case .add: r = x + y
            case .subtract: r = x - y
            case .multiply: r = x * y
            default:
                guard y != 0 else { throw EvaluationError("POL0603", "division by zero", at: location) }
                r = x / y
            }
            guard r.isFinite else { throw overflow() }
            return .number(r)
        }
    }

    static func negate(_ a: Value, at location: SourceLocation) throws(EvaluationError) -> Value {
        // -Int64.min does not fit: an error, not a trap.
        func negated(_ x: Int64) throws(EvaluationError) -> Int64 {
            let (r, overflow) = Int64(0).subtractingReportingOverflow(x)
            if overflow { throw EvaluationError("POL0603", "arithmetic overflow in `-(\(a.text))`", at: location) }
            return r
        }
        switch a {
        case .int(let x): return .int(try negated(x))
        case .number(let x): return .number(-x)
        case .duration(let x): return .duration(try negated(x))
        case .percent(let x): return .percent(-x)
        default: return a
        }
    }
}

extension Value {
    var double: Double? {
        switch self {
        case .int(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
}

extension Substring {
    /// `trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)`, without
    /// Foundation when the text is ASCII, where those sets are the space and the tab, and with
    /// newlines also LF, VT, FF and CR: `trim` of every contract's description and the
    /// approvers of every grant spent most of their time in Foundation.
    func trimmingSpace(newlines: Bool) -> String {
        let bytes = utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces) }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || (newlines && $0 >= 0x0A && $0 <= 0x0D) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension String {
    func trimmingSpace(newlines: Bool) -> String { self[...].trimmingSpace(newlines: newlines) }
}
