import Foundation
import StewardCore
import StewardModel

/// A runtime value of the policy language. Records are references into a `ModelView`, so the
/// model's cycles (a contract's product, a product's contracts) hold no strong cycles.
public enum Value: Sendable, Hashable {
    /// An absent optional.
    case missing
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    /// Whole seconds.
    case duration(Int64)
    /// Percentage points: `95%` is `percent(95)`.
    case percent(Double)
    /// Boxed: a semver is five words, and every other value fits in two.
    indirect case semver(SemVer)
    /// Seconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    case list([Value])
    /// Distinct and sorted ascending.
    case set([Value])
    case map([String: Value])
    case record(RecordRef)

    /// Builds a set of `element`s: sorted in that type's order, duplicates dropped.
    public static func makeSet(_ values: [Value], of element: PType) -> Value {
        let sorted = values.sorted { Value.order($0, $1, as: element) < 0 }
        var out: [Value] = []
        out.reserveCapacity(sorted.count)
        for v in sorted where out.last != v { out.append(v) }
        return .set(out)
    }

    /// A duration of whole seconds, or nil when the span is fractional or out of range.
    public static func duration(seconds: Double) -> Value? {
        guard seconds.isFinite, seconds == seconds.rounded(), abs(seconds) < 9.2e18 else { return nil }
        return .duration(Int64(seconds))
    }

    public var isMissing: Bool { if case .missing = self { true } else { false } }

    public var elements: [Value]? {
        switch self {
        case .list(let v), .set(let v): v
        default: nil
        }
    }

    /// The language's equality (§4), and so the one every comparison of values uses: `==`,
    /// `in`, sets, `distinct`, `intersection`, `difference` and hashing. Numbers compare by
    /// exact value (`1 == 1.0`), strings by Unicode scalars as `<` orders them, lists and sets
    /// element by element, maps entry by entry.
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.missing, .missing): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)), (.duration(let x), .duration(let y)), (.timestamp(let x), .timestamp(let y)): x == y
        case (.number(let x), .number(let y)), (.percent(let x), .percent(let y)): x == y
        case (.int(let x), .number(let y)), (.number(let y), .int(let x)): compare(x, y) == 0
        case (.string(let x), .string(let y)): x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case (.semver(let x), .semver(let y)): x == y
        case (.list(let x), .list(let y)), (.set(let x), .set(let y)): x == y
        case (.map(let x), .map(let y)): x == y
        case (.record(let x), .record(let y)): x == y
        default: false
        }
    }

    /// Agrees with `==`: an integral number hashes as the int it equals, a string by its scalars.
    public func hash(into h: inout Hasher) {
        switch self {
        case .missing: h.combine(0)
        case .bool(let b): h.combine(1); h.combine(b)
        case .int(let i): h.combine(2); h.combine(i)
        case .number(let d):
            if let i = Int64(exactly: d) { h.combine(2); h.combine(i) } else { h.combine(3); h.combine(d) }
        case .string(let s):
            h.combine(4)
            for c in s.unicodeScalars { h.combine(c.value) }
            h.combine(UInt32(0x11_0000))  // no scalar has this value: it ends the string
        case .duration(let d): h.combine(5); h.combine(d)
        case .percent(let p): h.combine(6); h.combine(p)
        case .semver(let v): h.combine(7); h.combine(v)
        case .timestamp(let t): h.combine(8); h.combine(t)
        case .list(let v): h.combine(9); h.combine(v)
        case .set(let v): h.combine(10); h.combine(v)
        case .map(let m):
            // Entries in any order: their hashes are summed.
            h.combine(11)
            h.combine(m.count)
            h.combine(m.reduce(0) { sum, entry in
                var e = Hasher()
                e.combine(entry.key)
                e.combine(entry.value)
                return sum &+ e.finalize()
            })
        case .record(let r): h.combine(12); h.combine(r)
        }
    }

    /// Compares an int with a number exactly: a large int is not rounded to a double first.
    static func compare(_ x: Int64, _ y: Double) -> Int {
        if y.isNaN { return 1 }
        if y >= 0x1p63 { return -1 }
        if y < -0x1p63 { return 1 }
        let whole = y.rounded(.down)
        let i = Int64(whole)
        if x != i { return x < i ? -1 : 1 }
        return y > whole ? -1 : 0
    }

    /// A total order used for sets and for `<` between values of one ordered type, agreeing
    /// with `==`. Values of different kinds order by kind, which only sets of `any` ever see.
    public static func order(_ a: Value, _ b: Value) -> Int {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case (.int(let x), .int(let y)): return cmp(x, y)
        case (.number(let x), .number(let y)): return cmp(x, y)
        case (.int(let x), .number(let y)): return compare(x, y)
        case (.number(let x), .int(let y)): return -compare(y, x)
        case (.string(let x), .string(let y)):
            if x.unicodeScalars.elementsEqual(y.unicodeScalars) { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        case (.duration(let x), .duration(let y)), (.timestamp(let x), .timestamp(let y)): return cmp(x, y)
        case (.percent(let x), .percent(let y)): return cmp(x, y)
        case (.semver(let x), .semver(let y)): return x.compare(y)
        case (.list(let x), .list(let y)), (.set(let x), .set(let y)):
            for (u, v) in zip(x, y) {
                let c = order(u, v)
                if c != 0 { return c }
            }
            return cmp(x.count, y.count)
        case (.map(let x), .map(let y)):
            // Entry by entry in key order, as `keys()` lists them.
            let byScalars = { (k: String, l: String) in order(.string(k), .string(l)) < 0 }
            let xs = x.keys.sorted(by: byScalars), ys = y.keys.sorted(by: byScalars)
            for (k, l) in zip(xs, ys) {
                let c = order(.string(k), .string(l))
                if c != 0 { return c }
                let d = order(x[k]!, y[l]!)
                if d != 0 { return d }
            }
            return cmp(xs.count, ys.count)
        case (.record(let x), .record(let y)):
            return cmp(x.kind.ordinal * 1_000_000_000 + Int(x.index), y.kind.ordinal * 1_000_000_000 + Int(y.index))
        default: return cmp(a.kindRank, b.kindRank)
        }
    }

    /// The order of values of the static type `type`: classifications by rank (§4), with
    /// unknown values after the known ones; lists and sets of them element by element; every
    /// other type by `order`. Values alone cannot tell, as enum values are strings.
    static func order(_ a: Value, _ b: Value, as type: PType) -> Int {
        switch type.unwrapped {
        case .enumeration(let kind) where kind.isOrdered:
            switch (kind.rank(a.stringValue), kind.rank(b.stringValue)) {
            case (let x?, let y?): return x < y ? -1 : (x == y ? 0 : 1)
            case (.some, nil): return -1
            case (nil, .some): return 1
            case (nil, nil): return order(a, b)
            }
        case .list(let t), .set(let t):
            guard let xs = a.elements, let ys = b.elements else { return order(a, b) }
            for (x, y) in zip(xs, ys) {
                let c = order(x, y, as: t)
                if c != 0 { return c }
            }
            return xs.count < ys.count ? -1 : (xs.count == ys.count ? 0 : 1)
        default: return order(a, b)
        }
    }

    private var kindRank: Int {
        switch self {
        case .missing: 0
        case .bool: 1
        case .int, .number: 2
        case .string: 3
        case .duration: 4
        case .percent: 5
        case .semver: 6
        case .timestamp: 7
        case .list: 8
        case .set: 9
        case .map: 10
        case .record: 11
        }
    }

    /// A YAML value from the model, as the language sees it (`any`).
    public init(yaml: YAMLValue) {
        switch yaml {
        case .null: self = .missing
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int64(clamping: i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .list(let l): self = .list(l.map { Value(yaml: $0) })
        case .map(let pairs):
            var m: [String: Value] = [:]
            for (k, v) in pairs where m[k] == nil { m[k] = Value(yaml: v) }
            self = .map(m)
        }
    }
}

/// A model record: its kind and its index in the view's table of that kind.
public struct RecordRef: Sendable, Hashable {
    public var kind: RecordKind
    public var index: Int32
}

extension RecordKind {
    /// The table index of the kind; a switch, because this is on every field read.
    var ordinal: Int {
        switch self {
        case .evaluation: 0
        case .mesh: 1
        case .platformTeam: 2
        case .domain: 3
        case .owners: 4
        case .product: 5
        case .input: 6
        case .output: 7
        case .contract: 8
        case .object: 9
        case .property: 10
        case .qualityRule: 11
        case .grant: 12
        case .team: 13
        case .member: 14
        case .slaProperty: 15
        case .server: 16
        case .change: 17
        case .commit: 18
        case .person: 19
        }
    }
}

/// A semantic version (SemVer 2.0.0); build metadata is dropped, as precedence ignores it.
public struct SemVer: Sendable, Hashable, CustomStringConvertible {
    public var major: Int64
    public var minor: Int64
    public var patch: Int64
    public var prerelease: String?

    /// Parses `1.2.3`, `v1.2.3`, `1.2.3-rc.1+build`; nil when it is not SemVer 2.0.0.
    public init?(_ text: String) {
        var s = Substring(text)
        if s.hasPrefix("v") || s.hasPrefix("V") { s = s.dropFirst() }
        if let plus = s.firstIndex(of: "+") {
            let build = s[s.index(after: plus)...]
            guard !build.isEmpty, build.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(Self.isIdentifier) else { return nil }
            s = s[..<plus]
        }
        var pre: Substring?
        if let dash = s.firstIndex(of: "-") {
            pre = s[s.index(after: dash)...]
            s = s[..<dash]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var nums: [Int64] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy(\.isASCIIDigit), p == "0" || !p.hasPrefix("0"), let n = Int64(p) else { return nil }
            nums.append(n)
        }
        if let pre {
            let ids = pre.split(separator: ".", omittingEmptySubsequences: false)
            guard !pre.isEmpty, ids.allSatisfy(Self.isIdentifier) else { return nil }
            for id in ids where id.allSatisfy(\.isASCIIDigit) && id.count > 1 && id.hasPrefix("0") { return nil }
        }
        major = nums[0]
        minor = nums[1]
        patch = nums[2]
        prerelease = pre.map(String.init)
    }

    private static func isIdentifier(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCIIDigit || ($0.isASCII && $0.isLetter) || $0 == "-" }
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.map { "-\($0)" } ?? "")
    }

    /// SemVer precedence: -1, 0 or 1.
    public func compare(_ o: SemVer) -> Int {
        for (a, b) in [(major, o.major), (minor, o.minor), (patch, o.patch)] where a != b {
            return a < b ? -1 : 1
        }
        switch (prerelease, o.prerelease) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let a?, let b?):
            let x = a.split(separator: "."), y = b.split(separator: ".")
            for (p, q) in zip(x, y) where p != q {
                switch (Int64(p), Int64(q)) {
                case (let m?, let n?): return m < n ? -1 : 1
                case (.some, nil): return -1
                case (nil, .some): return 1
                case (nil, nil): return p < q ? -1 : 1
                }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

// MARK: canonical text (§7.4)

extension Value {
    /// How a value prints in messages, explain output and reports.
    public var text: String {
        switch self {
        case .missing: "(missing)"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .number(let d): Self.format(d)
        case .string(let s): s
        case .duration(let s): Self.format(duration: s)
        case .percent(let p): Self.format(p) + "%"
        case .semver(let v): v.description
        case .timestamp(let t): Self.format(timestamp: t)
        case .list(let v), .set(let v): "[" + v.map(\.text).joined(separator: ", ") + "]"
        case .map(let m): "{" + m.keys.sorted().map { "\($0): \(m[$0]!.text)" }.joined(separator: ", ") + "}"
        case .record(let r): "<\(r.kind.rawValue)>"
        }
    }

    /// The shortest form that reads back equal, without a fraction when integral.
    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// The largest of `d`, `h`, `min`, `s` that divides the value.
    public static func format(duration s: Int64) -> String {
        if s == 0 { return "0s" }
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("min", 60)] where s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }

    public static func format(timestamp t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    /// Parses RFC 3339 (`Z` or an offset) to epoch seconds.
    public static func parseTimestamp(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return Int64(d.timeIntervalSince1970) }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return Int64(d.timeIntervalSince1970.rounded(.down)) }
        return nil
    }
}
