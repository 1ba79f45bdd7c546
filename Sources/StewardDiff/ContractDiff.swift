import Foundation
import StewardCore
import StewardModel

/// Compares two versions of one ODCS contract, element by element, and classifies each change
/// as breaking or not for consumers (docs/breaking-changes.md states the rules and why).
public enum ContractDiff {
    public static func compare(_ old: Contract, _ new: Contract) -> [Change] {
        var d = Differ(old: old, new: new)
        d.run()
        return d.changes
    }
}

private struct Differ {
    let old: Contract
    let new: Contract
    var changes: [Change] = []

    var id: String { new.id }

    mutating func add(_ kind: String, _ entity: String, _ element: String, breaking: Bool, _ text: String, at: SourceLocation?) {
        changes.append(Change(kind, entity: entity, element: element, breaking: breaking, text, at: at))
    }

    mutating func run() {
        contractFields()
        objects()
        sla()
        servers()
        grants()
    }

    // MARK: contract

    mutating func contractFields() {
        if old.version != new.version {
            let major = SemVerParts(new.version).major > SemVerParts(old.version).major
            add("contract.versionChanged", "contract", id, breaking: false,
                "version \(old.version) → \(new.version)\(major ? " (major)" : "")", at: new.location)
        }
        if old.status != new.status {
            let retired = ["retired", "deleted"].contains(new.status.lowercased())
            add("contract.statusChanged", "contract", id, breaking: retired,
                "status \(old.status) → \(new.status)", at: new.location)
        }
        if old.team != new.team {
            add("contract.teamChanged", "contract", id, breaking: false, "team changed", at: new.location)
        }
    }

    // MARK: schema

    mutating func objects() {
        let oldByName = Dictionary(old.objects.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newByName = Dictionary(new.objects.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for o in old.objects where newByName[o.name] == nil {
            add("object.removed", "contract", "\(id).\(o.name)", breaking: true,
                "object `\(o.name)` removed with its \(o.properties.count) properties", at: new.location)
        }
        for o in new.objects {
            guard let before = oldByName[o.name] else {
                add("object.added", "contract", "\(id).\(o.name)", breaking: false, "object `\(o.name)` added", at: o.location)
                continue
            }
            properties(before, o)
            quality(before.quality, o.quality, element: "\(id).\(o.name)", entity: "contract", at: o.location)
        }
    }

    mutating func properties(_ a: SchemaObject, _ b: SchemaObject) {
        let before = SchemaProperty.flatten(a.properties)
        let after = SchemaProperty.flatten(b.properties)
        let beforeByPath = Dictionary(before.map { ($0.path, $0.property) }, uniquingKeysWith: { x, _ in x })
        let afterByPath = Dictionary(after.map { ($0.path, $0.property) }, uniquingKeysWith: { x, _ in x })
        var removed = before.filter { afterByPath[$0.path] == nil }
        var added = after.filter { beforeByPath[$0.path] == nil }
        // A removed and an added property with the same stable id (or physical name) is a rename.
        var renames: [(String, String, SchemaProperty, SchemaProperty)] = []
        for r in removed {
            if let i = added.firstIndex(where: { Self.sameIdentity(r.property, $0.property) }) {
                renames.append((r.path, added[i].path, r.property, added[i].property))
                added.remove(at: i)
            }
        }
        removed.removeAll { r in renames.contains { $0.0 == r.path } }
        for r in removed {
            add("property.removed", "property", "\(id).\(a.name).\(r.path)", breaking: true,
                "`\(a.name).\(r.path)` removed", at: b.location)
        }
        for x in added {
            add("property.added", "property", "\(id).\(b.name).\(x.path)", breaking: false,
                "`\(b.name).\(x.path)` added\(x.property.required ? " (required)" : "")", at: x.property.location)
        }
        for (from, to, p, q) in renames {
            let first = changes.count
            add("property.renamed", "property", "\(id).\(b.name).\(to)", breaking: true,
                "`\(a.name).\(from)` renamed to `\(to)`", at: q.location)
            property(p, q, element: "\(id).\(b.name).\(to)")
            // The base knows the property, and everything said about it, by its old name.
            for i in first..<changes.count { changes[i].previousElement = "\(old.id).\(a.name).\(from)" }
        }
        for x in after {
            if let p = beforeByPath[x.path] { property(p, x.property, element: "\(id).\(b.name).\(x.path)") }
        }
    }

    static func sameIdentity(_ a: SchemaProperty, _ b: SchemaProperty) -> Bool {
        if let x = a.id, let y = b.id { return x == y }
        if let x = a.physicalName, let y = b.physicalName { return x == y }
        return false
    }

    mutating func property(_ p: SchemaProperty, _ q: SchemaProperty, element e: String) {
        let at = q.location
        let name = "`\(e.split(separator: ".").dropFirst(2).joined(separator: "."))`"
        for (label, x, y) in [("logicalType", p.logicalType, q.logicalType), ("physicalType", p.physicalType, q.physicalType)] where x != y {
            let direction = TypeWidth.compare(x, y)
            add("property.typeChanged", "property", e, breaking: true,
                "\(name) \(label) \(x ?? "(none)") → \(y ?? "(none)")\(direction.map { " (\($0))" } ?? "")", at: at)
        }
        if p.required != q.required {
            add(q.required ? "property.requiredAdded" : "property.requiredRemoved", "property", e, breaking: !q.required,
                "\(name) is \(q.required ? "now required" : "no longer required")", at: at)
        }
        if p.unique != q.unique {
            add(q.unique ? "property.uniqueAdded" : "property.uniqueRemoved", "property", e, breaking: !q.unique,
                "\(name) is \(q.unique ? "now unique" : "no longer unique")", at: at)
        }
        if p.primaryKey != q.primaryKey || (p.primaryKey && p.primaryKeyPosition != q.primaryKeyPosition) {
            add("property.primaryKeyChanged", "property", e, breaking: true,
                "\(name) \(q.primaryKey ? (p.primaryKey ? "moves in the primary key" : "joins the primary key") : "leaves the primary key")", at: at)
        }
        classification(p.classification, q.classification, element: e, name: name, at: at)
        constraints(p.logicalTypeOptions, q.logicalTypeOptions, element: e, name: name, at: at)
        if p.isPII != q.isPII {
            add(q.isPII ? "pii.added" : "pii.removed", "property", e, breaking: !q.isPII,
                "\(name) is \(q.isPII ? "now tagged pii" : "no longer tagged pii")", at: at)
        }
        let m1 = p.anonymizationStrategy.flatMap { $0 == "none" ? nil : $0 }
        let m2 = q.anonymizationStrategy.flatMap { $0 == "none" ? nil : $0 }
        if m1 != m2 {
            // Any change of masking changes the values consumers read (hash to tokenize breaks joins).
            add(m2 == nil ? "masking.removed" : "masking.changed", "property", e, breaking: true,
                "\(name) masking \(m1 ?? "none") → \(m2 ?? "none")", at: at)
        }
        if p.criticalDataElement != q.criticalDataElement {
            add(q.criticalDataElement ? "criticalDataElement.added" : "criticalDataElement.removed", "property", e, breaking: false,
                "\(name) is \(q.criticalDataElement ? "now" : "no longer") a critical data element", at: at)
        }
        quality(p.quality, q.quality, element: e, entity: "property", at: at)
    }

    static let classificationOrder = ["public", "internal", "confidential", "restricted"]

    mutating func classification(_ a: String?, _ b: String?, element e: String, name: String, at: SourceLocation) {
        guard a?.lowercased() != b?.lowercased() else { return }
        switch (a, b) {
        case (nil, let y?):
            add("classification.added", "property", e, breaking: false, "\(name) classified \(y)", at: at)
        case (let x?, nil):
            add("classification.removed", "property", e, breaking: true, "\(name) classification \(x) removed", at: at)
        case (let x?, let y?):
            let i = Self.classificationOrder.firstIndex(of: x.lowercased())
            let j = Self.classificationOrder.firstIndex(of: y.lowercased())
            // An unknown level cannot be ordered: treat the change as a loosening, the safe side.
            let tightened = i != nil && j != nil && j! > i!
            add(tightened ? "classification.tightened" : "classification.loosened", "property", e, breaking: !tightened,
                "\(name) classification \(x) → \(y)", at: at)
        default: break
        }
    }

    // MARK: quality

    mutating func quality(_ a: [QualityRule], _ b: [QualityRule], element e: String, entity: String, at: SourceLocation) {
        var remaining = a
        for rule in b {
            guard let i = remaining.firstIndex(where: { Self.sameRule($0, rule) }) else {
                add("quality.added", entity, e, breaking: false, "quality rule \(Self.describe(rule)) added on `\(e)`", at: rule.location)
                continue
            }
            let before = remaining.remove(at: i)
            let boundChanged = before.threshold != rule.threshold || QualityBounds.unit(before) != QualityBounds.unit(rule) || before.query != rule.query
            guard boundChanged || before.arguments != rule.arguments else { continue }
            let bound = boundChanged ? QualityBounds.compare(before, rule) : .tightened
            let arguments = before.arguments == rule.arguments ? .tightened : QualityBounds.compareArguments(before.arguments, rule.arguments)
            let direction: QualityBounds.Direction = bound == .tightened && arguments == .tightened ? .tightened : .loosened
            add(direction == .tightened ? "quality.tightened" : "quality.loosened", entity, e, breaking: direction != .tightened,
                "quality rule \(Self.describe(before)) → \(Self.describe(rule)) on `\(e)`", at: rule.location)
        }
        for rule in remaining {
            add("quality.removed", entity, e, breaking: true, "quality rule \(Self.describe(rule)) removed from `\(e)`", at: at)
        }
    }

    /// `logicalTypeOptions`: a constraint that admits fewer values is a stronger promise to
    /// readers; one that admits more, or that cannot be ordered (a new `pattern`), is breaking.
    mutating func constraints(_ a: [String: YAMLValue], _ b: [String: YAMLValue], element e: String, name: String, at: SourceLocation) {
        for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
            let tightened = Constraints.tightened(key, from: a[key], to: b[key])
            add(tightened ? "constraint.tightened" : "constraint.loosened", "property", e, breaking: !tightened,
                "\(name) \(key) \(a[key].map { "\($0)" } ?? "(none)") → \(b[key].map { "\($0)" } ?? "(none)")", at: at)
        }
    }

    static func sameRule(_ a: QualityRule, _ b: QualityRule) -> Bool {
        if let x = a.name, let y = b.name { return x == y }
        return a.type == b.type && a.metric == b.metric && (a.type != .sql || a.query == b.query || (a.metric == nil && b.metric == nil && a.name == b.name))
    }

    static func describe(_ r: QualityRule) -> String {
        let what = r.name ?? r.metric ?? r.type.rawValue
        let bound = r.threshold.map { " \($0)" } ?? ""
        let unit = r.unit.map { $0 == "percent" ? "%" : " \($0)" } ?? ""
        return "`\(what)\(bound)\(r.threshold == nil ? "" : unit)`"
    }

    // MARK: SLA

    mutating func sla() {
        let e = id
        // Retention: shorter (or newly bounded) history breaks consumers who read it.
        switch (old.retention, new.retention) {
        case (nil, let y?):
            add("retention.added", "contract", e, breaking: true, "retention \(y) added: rows older than that are purged", at: new.sla("retention")?.location)
        case (let x?, nil):
            add("retention.removed", "contract", e, breaking: false, "retention \(x) removed", at: new.location)
        case (let x?, let y?) where x != y:
            add(y < x ? "retention.shortened" : "retention.lengthened", "contract", e, breaking: y < x,
                "retention \(x) → \(y)", at: new.sla("retention")?.location)
        default: break
        }
        switch (old.freshness, new.freshness) {
        case (nil, let y?):
            add("freshness.added", "contract", e, breaking: false, "freshness \(y) promised", at: (new.sla("latency") ?? new.sla("freshness"))?.location)
        case (let x?, nil):
            add("freshness.removed", "contract", e, breaking: true, "freshness promise \(x) removed", at: new.location)
        case (let x?, let y?) where x != y:
            add(y > x ? "freshness.loosened" : "freshness.tightened", "contract", e, breaking: y > x,
                "freshness \(x) → \(y)", at: (new.sla("latency") ?? new.sla("freshness"))?.location)
        default: break
        }
        let f1 = old.frequency, f2 = new.frequency
        if f1 != f2 {
            let looser = f2 == nil || (f1 != nil && f2! > f1!)
            add("frequency.changed", "contract", e, breaking: looser && f1 != nil,
                "frequency \(f1.map { "\($0)" } ?? "(none)") → \(f2.map { "\($0)" } ?? "(none)")", at: new.sla("frequency")?.location ?? new.location)
        }
    }

    mutating func servers() {
        func key(_ s: Server) -> String { "\(s.server)|\(s.type)|\(s.path ?? "")|\(s.format ?? "")" }
        let a = old.servers.map(key).sorted(), b = new.servers.map(key).sorted()
        if a != b {
            add("server.changed", "contract", id, breaking: true,
                "servers \(old.servers.map(\.server).joined(separator: ", ")) → \(new.servers.map(\.server).joined(separator: ", ")) (location or format changed)",
                at: new.servers.first?.location ?? new.location)
        }
    }

    // MARK: grants

    mutating func grants() {
        let before = Dictionary(old.roles.map { ($0.role, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.roles.map { ($0.role, $0) }, uniquingKeysWith: { a, _ in a })
        for r in old.roles where after[r.role] == nil {
            add("grant.revoked", "grant", "\(id)/grants/\(r.role)", breaking: true,
                "role `\(r.role)` revoked (domains: \(r.grantedDomains.joined(separator: ", ")))", at: new.location)
        }
        for r in new.roles {
            guard let p = before[r.role] else {
                add("grant.added", "grant", "\(id)/grants/\(r.role)", breaking: false,
                    "role `\(r.role)` granted to \(r.grantedDomains.joined(separator: ", "))", at: r.location)
                continue
            }
            let lost = Set(p.grantedDomains).subtracting(r.grantedDomains).sorted()
            let gained = Set(r.grantedDomains).subtracting(p.grantedDomains).sorted()
            let piiLost = p.allowsPII && !r.allowsPII
            let piiGained = !p.allowsPII && r.allowsPII
            // Access changed or dropped: consumers can no longer count on what they had.
            if !lost.isEmpty || piiLost || p.access != r.access {
                var what: [String] = []
                if !lost.isEmpty { what.append("no longer granted to \(lost.joined(separator: ", "))") }
                if piiLost { what.append("no longer allows PII") }
                if p.access != r.access { what.append("access \(p.access ?? "(none)") → \(r.access ?? "(none)")") }
                add("grant.narrowed", "grant", "\(id)/grants/\(r.role)", breaking: true, "role `\(r.role)` \(what.joined(separator: "; "))", at: r.location)
            } else if !gained.isEmpty || piiGained {
                var what: [String] = []
                if !gained.isEmpty { what.append("now granted to \(gained.joined(separator: ", "))") }
                if piiGained { what.append("now allows PII") }
                add("grant.widened", "grant", "\(id)/grants/\(r.role)", breaking: false, "role `\(r.role)` \(what.joined(separator: "; "))", at: r.location)
            }
        }
    }
}

/// Major version of a version string, leniently (`v2`, `2.1`, `2.0.0`).
struct SemVerParts {
    let major: Int
    init(_ s: String) {
        let t = s.hasPrefix("v") ? s.dropFirst() : Substring(s)
        major = Int(t.split(separator: ".").first ?? "") ?? 0
    }
}

/// Whether a type change widens or narrows, for the known ladders; nil when unrelated.
enum TypeWidth {
    static let ladders: [[String]] = [
        ["tinyint", "smallint", "int", "integer", "bigint"],
        ["int8", "int16", "int32", "int64"],
        ["float", "real", "double"],
        ["integer", "number"],
        ["date", "timestamp"],
    ]

    static func compare(_ a: String?, _ b: String?) -> String? {
        guard let a = a?.lowercased(), let b = b?.lowercased() else { return nil }
        for ladder in ladders {
            if let i = ladder.firstIndex(of: a), let j = ladder.firstIndex(of: b), i != j {
                return j > i ? "widened" : "narrowed"
            }
        }
        let n1 = length(a), n2 = length(b)
        if let n1, let n2, base(a) == base(b), n1 != n2 { return n2 > n1 ? "widened" : "narrowed" }
        return nil
    }

    static func length(_ t: String) -> Int? {
        guard let open = t.firstIndex(of: "("), let close = t.firstIndex(of: ")") else { return nil }
        return Int(t[t.index(after: open)..<close].split(separator: ",").first ?? "")
    }

    static func base(_ t: String) -> String { String(t.prefix { $0 != "(" }) }
}

/// Whether a quality rule's bound got looser or tighter. A threshold accepts a set of measured
/// values; the bound is tightened exactly when the new set lies inside the old one, so a strict
/// bound (`<`, `>`) becoming inclusive (`≤`, `≥`) at the same value is a loosening.
enum QualityBounds {
    enum Direction { case tightened, loosened, unknown }

    /// One end of an interval. Infinite ends are exclusive.
    struct End: Equatable {
        var value: Double
        var inclusive: Bool
        static let below = End(value: -.infinity, inclusive: false)
        static let above = End(value: .infinity, inclusive: false)
    }

    /// The values a threshold accepts: an interval, or everything outside one.
    enum Accepted: Equatable {
        case inside(End, End)
        case outside(End, End)
    }

    static func accepted(_ t: Threshold?) -> Accepted? {
        switch t {
        case .mustBe(let v)?: v.number.map { .inside(End(value: $0, inclusive: true), End(value: $0, inclusive: true)) }
        case .mustNotBe(let v)?: v.number.map { .outside(End(value: $0, inclusive: true), End(value: $0, inclusive: true)) }
        case .mustBeGreaterThan(let v)?: .inside(End(value: v, inclusive: false), .above)
        case .mustBeGreaterOrEqualTo(let v)?: .inside(End(value: v, inclusive: true), .above)
        case .mustBeLessThan(let v)?: .inside(.below, End(value: v, inclusive: false))
        case .mustBeLessOrEqualTo(let v)?: .inside(.below, End(value: v, inclusive: true))
        case .mustBeBetween(let a, let b)?: .inside(End(value: a, inclusive: true), End(value: b, inclusive: true))
        case .mustNotBeBetween(let a, let b)?: .outside(End(value: a, inclusive: true), End(value: b, inclusive: true))
        case nil: nil
        }
    }

    /// A rule's `arguments`: fewer `validValues` or more `invalidValues` accept fewer values;
    /// any other argument change cannot be ordered.
    static func compareArguments(_ a: YAMLValue?, _ b: YAMLValue?) -> Direction {
        func map(_ v: YAMLValue?) -> [String: YAMLValue] {
            if case .map(let pairs)? = v { return Dictionary(pairs, uniquingKeysWith: { _, last in last }) }
            return [:]
        }
        func set(_ v: YAMLValue?) -> Set<YAMLValue>? {
            if case .list(let items)? = v { return Set(items) }
            return v == nil ? nil : [v!]
        }
        let (x, y) = (map(a), map(b))
        guard a == nil || !x.isEmpty, b == nil || !y.isEmpty else { return .unknown }  // not a map: cannot be read
        var out = Direction.tightened
        for key in Set(x.keys).union(y.keys) where x[key] != y[key] {
            let (old, new) = (set(x[key]), set(y[key]))
            let tighter: Bool = switch key {
            case "validValues": new.map { n in old.map { n.isSubset(of: $0) } ?? true } ?? false
            case "invalidValues": new.map { n in old.map { n.isSuperset(of: $0) } ?? true } ?? false
            default: false
            }
            if !tighter { out = .loosened }
        }
        return out
    }

    /// What a rule's bound counts: rows unless it says otherwise, as the object model reads it.
    static func unit(_ r: QualityRule) -> String { r.unit ?? "rows" }

    static func compare(_ a: QualityRule, _ b: QualityRule) -> Direction {
        guard unit(a) == unit(b), a.query == b.query, let x = accepted(a.threshold), let y = accepted(b.threshold) else { return .unknown }
        return contains(x, y) ? .tightened : .loosened
    }

    /// Whether every value `inner` accepts, `outer` accepts too.
    static func contains(_ outer: Accepted, _ inner: Accepted) -> Bool {
        switch (outer, inner) {
        case let (.inside(lo, hi), .inside(l, h)):
            return within(lower: l, of: lo) && within(upper: h, of: hi)
        case let (.outside(lo, hi), .outside(l, h)):
            // Less is accepted when more is excluded.
            return contains(.inside(l, h), .inside(lo, hi))
        case let (.outside(lo, hi), .inside(l, h)):
            return below(h, lo) || below(hi, l)
        case let (.inside(lo, hi), .outside):
            return lo == .below && hi == .above
        }
    }

    /// Whether a lower end `l` admits nothing below what `bound` admits.
    static func within(lower l: End, of bound: End) -> Bool {
        l.value > bound.value || (l.value == bound.value && (bound.inclusive || !l.inclusive))
    }

    static func within(upper h: End, of bound: End) -> Bool {
        h.value < bound.value || (h.value == bound.value && (bound.inclusive || !h.inclusive))
    }

    /// Whether an upper end lies strictly below a lower end: the two intervals share no value.
    static func below(_ upper: End, _ lower: End) -> Bool {
        upper.value < lower.value || (upper.value == lower.value && !(upper.inclusive && lower.inclusive))
    }
}

/// The order of `logicalTypeOptions` values: lower bounds tighten upwards, upper bounds
/// downwards; adding a constraint tightens, removing one loosens; others (`pattern`,
/// `format`) cannot be ordered, so any change to them loosens.
enum Constraints {
    static let lower: Set<String> = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"]
    static let upper: Set<String> = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"]

    static func tightened(_ key: String, from a: YAMLValue?, to b: YAMLValue?) -> Bool {
        guard let b else { return false }
        guard let a else { return true }
        guard let x = order(a), let y = order(b) else { return false }
        if lower.contains(key) { return y >= x }
        if upper.contains(key) { return y <= x }
        return false
    }

    /// Numbers, and dates or timestamps as text (ISO 8601 orders as text within one form).
    static func order(_ v: YAMLValue) -> Double? {
        if let n = v.number { return n }
        if case .string(let s) = v, let d = ISO8601DateFormatter().date(from: s.count == 10 ? s + "T00:00:00Z" : s) {
            return d.timeIntervalSince1970
        }
        return nil
    }
}
