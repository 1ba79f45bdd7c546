import StewardCore

/// Type-checks policies against the object model (docs/policy-language.md §4, §8) and turns
/// them into `TNode` trees. A policy with an error is never returned: it cannot run.
struct Checker {
    /// Constants visible to the policy, already folded.
    let consts: [String: ConstInfo]
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var usedConsts: Set<String> = []

    struct ConstInfo {
        var value: Value
        var type: PType
        var location: SourceLocation
    }

    private enum NameKind { case slot(Int), letValue(Int), const(Value) }

    private struct Name {
        var kind: NameKind
        var type: PType
        var location: SourceLocation
        var used = false
        /// Reported as unused: lets and variables (bindings and `mesh` need no use).
        var id: String?
    }

    private var scopes: [[String: Name]] = []
    private var nextSlot = 0
    private var slotNames: [String] = []
    private var target: TargetSpec?
    /// Inside a const: the model is out of reach (POL0211).
    private var inConst = false
    private var quantifierDepth = 0

    init(consts: [String: ConstInfo]) {
        self.consts = consts
    }

    // MARK: entry points

    /// Checks and folds a const: no model, no bindings.
    mutating func checkConst(_ c: ConstDecl) -> ConstInfo? {
        inConst = true
        defer { inConst = false }
        scopes = [[:]]
        // A const has no bindings: its binders' variables number from slot 0.
        nextSlot = 0
        slotNames = []
        let before = errorCount
        let node = check(c.value)
        guard errorCount == before else { return nil }
        do throws(EvaluationError) {
            let v = try Interpreter.evaluateConstant(node)
            return ConstInfo(value: v, type: node.type, location: c.location)
        } catch {
            report(Self.constantFailure(error), "constant `\(c.name)` cannot be computed: \(error.message)", at: c.value.location)
            return nil
        }
    }

    /// POL0212 for constant arithmetic that overflows or outgrows the step budget, POL0213 for
    /// a failed conversion.
    private static func constantFailure(_ e: EvaluationError) -> String {
        e.id == "POL0603" || e.id == "POL0606" ? "POL0212" : "POL0213"
    }

    mutating func checkPolicy(_ p: PolicyDecl, domain: String?, path: String) -> CheckedPolicy? {
        let before = errorCount
        target = p.target
        scopes = [[:]]
        nextSlot = 0
        slotNames = []
        declare("mesh", .record(.mesh), at: p.location, reportUnused: false)
        declare("evaluation", .record(.evaluation), at: p.location, reportUnused: false)
        for (name, type) in Schema.bindings(for: p.target) {
            declare(name, type, at: p.location, reportUnused: false)
        }
        var lets: [TNode] = []
        for (i, l) in p.lets.enumerated() {
            let node = check(l.value)
            if node.type == .list(.unknown) || node.type == .set(.unknown) {
                report("POL0205", "cannot tell the element type of the empty literal bound to `\(l.name)`", at: l.value.location,
                       help: "a `let` needs a value whose type is known")
            }
            lets.append(node)
            if isVisible(l.name) {
                report("POL0106", "`\(l.name)` is already defined", at: l.location, help: "choose another name")
            } else {
                scopes[0][l.name] = Name(kind: .letValue(i), type: node.type, location: l.location, id: "let")
            }
        }
        let condition = p.condition.map { boolean($0, "the `where` condition") }
        let requirement = boolean(p.requirement, "the `require` condition")
        for (clause, node) in [("where", condition), ("require", requirement)] {
            if let node, case .constant(let v) = node.op {
                warn("POL0214", "the `\(clause)` condition is always \(v.text)", at: node.location)
            }
        }
        let message = template(p.message)
        let hint = p.hint.map { template($0) }
        for (name, n) in scopes[0] where !n.used && n.id == "let" {
            warn("POL0107", "`let \(name)` is never used", at: n.location, help: "remove it, or use it in the condition or the message")
        }
        guard errorCount == before else { return nil }
        return CheckedPolicy(decl: p, domain: domain, path: path, lets: lets, letNames: p.lets.map(\.name),
                             condition: condition, requirement: requirement, message: message, hint: hint,
                             slotCount: nextSlot, slotNames: slotNames,
                             constants: Dictionary(uniqueKeysWithValues: usedConsts.compactMap { name in consts[name].map { (name, $0.value) } }))
    }

    private var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }

    // MARK: scopes

    private func isVisible(_ name: String) -> Bool {
        scopes.contains { $0[name] != nil } || consts[name] != nil
    }

    @discardableResult
    private mutating func declare(_ name: String, _ type: PType, at location: SourceLocation, reportUnused: Bool) -> Int {
        let slot = nextSlot
        nextSlot += 1
        slotNames.append(name)
        scopes[scopes.count - 1][name] = Name(kind: .slot(slot), type: type, location: location, id: reportUnused ? "var" : nil)
        return slot
    }

    private mutating func lookup(_ name: String, at location: SourceLocation, source: Expr) -> TNode {
        for s in scopes.indices.reversed() {
            guard var n = scopes[s][name] else { continue }
            n.used = true
            scopes[s][name] = n
            switch n.kind {
            case .slot(let i): return TNode(.slot(i, name: name), n.type, source)
            case .letValue(let i): return TNode(.letValue(i, name: name), n.type, source)
            case .const(let v): return TNode(.constant(v), n.type, source)
            }
        }
        if let c = consts[name] {
            usedConsts.insert(name)
            return TNode(.constant(c.value), c.type, source)
        }
        if inConst, Schema.allBindingNames.contains(name) || name == "mesh" || name == "evaluation" {
            report("POL0211", "a constant cannot read `\(name)`", at: location,
                   help: "constants are computed before any model is read; use a `let` inside the policy")
        } else if name == "old" || name == "new", let t = target, t.kind == .change {
            report("POL0110", "`\(name)` needs a `target change to <entity>`", at: location,
                   help: "write `target change to contract` (or domain, product, property, grant, input)")
        } else if Schema.allBindingNames.contains(name), let t = target {
            report("POL0104", "`\(name)` is not available in a `target \(t)` policy", at: location,
                   help: "available: \(visibleNames.filter { Schema.allBindingNames.contains($0) || $0 == "mesh" }.joined(separator: ", "))")
        } else {
            report("POL0101", "unknown name `\(name)`", at: location,
                   help: Suggestions.didYouMean(name, in: visibleNames + Builtin.names))
        }
        return TNode(.constant(.missing), .error, source)
    }

    private var visibleNames: [String] {
        (scopes.flatMap(\.keys) + consts.keys).sorted()
    }

    // MARK: expressions

    /// Checks `e`; the result may be optional. `context` types empty literals and enum literals.
    mutating func check(_ e: Expr, context: PType? = nil) -> TNode {
        switch e.kind {
        case .literal(let l): return literal(l, e, context: context)
        case .parenthesized(let inner):
            let n = check(inner, context: context)
            return TNode(n.op, n.type, e)
        case .name(let name): return lookup(name, at: e.location, source: e)
        case .field(let base, let name, let at): return field(base, name, at.wrappedValue, e)
        case .index(let base, let key):
            let m = value(check(base))
            let k = value(check(key))
            guard case .map(let v) = m.type else {
                if m.type != .error { report("POL0201", "`[...]` needs a map, found `\(m.type)`", at: base.location) }
                return TNode(.constant(.missing), .error, e)
            }
            if k.type != .string && k.type != .error { report("POL0201", "a map key is a string, found `\(k.type)`", at: key.location) }
            return TNode(.index(m, k), .optional(v), e)
        case .call(let name, let args): return call(name, args, e)
        case .negate(let inner):
            let n = value(check(inner))
            guard n.type.isNumeric || n.type == .duration || n.type == .percent || n.type == .error else {
                report("POL0201", "unary `-` is not defined for `\(n.type)`", at: e.location)
                return TNode(.constant(.missing), .error, e)
            }
            return fold(TNode(.negate(n), n.type, e))
        case .not(let inner):
            return fold(TNode(.not(boolean(inner, "the operand of `not`")), .bool, e))
        case .binary(let op, let l, let r): return binary(op, l, r, e)
        case .conditional(let c, let a, let b):
            let cn = boolean(c, "the `if` condition")
            let an = value(check(a, context: context))
            let bn = value(check(b, context: context ?? an.type))
            guard let t = unify(an.type, bn.type) else {
                report("POL0201", "the branches of `if` have different types: `\(an.type)` and `\(bn.type)`", at: b.location)
                return TNode(.constant(.missing), .error, e)
            }
            return TNode(.conditional(cn, an, bn), t, e)
        case .quantifier(let q, let binder, let body):
            return scoped(binder) { this, slot, coll, filter in
                let b = this.boolean(body, "the body of `\(q.rawValue)`")
                return TNode(.quantifier(q, slot: slot, coll, filter: filter, body: b), .bool, e)
            }
        case .count(let binder):
            return scoped(binder) { _, slot, coll, filter in
                TNode(.count(slot: slot, coll, filter: filter), .int, e)
            }
        case .comprehension(let isSet, let element, let binder):
            return scoped(binder) { this, slot, coll, filter in
                let el = this.value(this.check(element))
                return TNode(.comprehension(isSet: isSet, slot: slot, coll, filter: filter, element: el),
                             isSet ? .set(el.type) : .list(el.type), e)
            }
        case .list(let items), .set(let items):
            let isSet = if case .set = e.kind { true } else { false }
            var contextElement = context?.unwrapped.element
            var nodes: [TNode] = []
            for item in items {
                let n = value(check(item, context: contextElement))
                if let t = contextElement, unify(t, n.type) == nil {
                    report("POL0206", "\(isSet ? "set" : "list") elements have different types: `\(t)` and `\(n.type)`", at: item.location)
                    return TNode(.constant(.missing), .error, e)
                }
                contextElement = unify(contextElement ?? n.type, n.type)
                nodes.append(n)
            }
            let t = contextElement ?? .unknown
            return fold(TNode(isSet ? .set(nodes) : .list(nodes), isSet ? .set(t) : .list(t), e))
        }
    }

    private mutating func literal(_ l: Literal, _ e: Expr, context: PType?) -> TNode {
        switch l {
        case .bool(let b): return TNode(.constant(.bool(b)), .bool, e)
        case .int(let i): return TNode(.constant(.int(i)), .int, e)
        case .number(let d): return TNode(.constant(.number(d)), .number, e)
        case .percent(let p): return TNode(.constant(.percent(p)), .percent, e)
        case .duration(let span):
            guard let v = Value.duration(seconds: span.seconds) else {
                report("POL0006", "duration `\(Printer.literal(l))` is out of range", at: e.location)
                return TNode(.constant(.missing), .error, e)
            }
            return TNode(.constant(v), .duration, e)
        case .semver(let s):
            guard let v = SemVer(s) else {
                report("POL0007", "`v\(s)` is not a semantic version", at: e.location, help: "write major.minor.patch, as in `v2.0.0`")
                return TNode(.constant(.missing), .error, e)
            }
            return TNode(.constant(.semver(v)), .semver, e)
        case .rawString(let s): return TNode(.constant(.string(s)), .string, e)
        case .string(let s):
            if case .enumeration(let k)? = context?.unwrapped {
                guard k.values.contains(s) else {
                    report("POL0112", "`\(s)` is not a \(k.rawValue)", at: e.location,
                           help: Suggestions.didYouMean(s, in: k.values) ?? "one of: \(k.values.joined(separator: ", "))")
                    return TNode(.constant(.missing), .error, e)
                }
                return TNode(.constant(.string(s)), .enumeration(k), e)
            }
            return TNode(.constant(.string(s)), .string, e)
        }
    }

    private mutating func field(_ base: Expr, _ name: String, _ at: SourceLocation, _ e: Expr) -> TNode {
        let b = value(check(base))
        switch b.type {
        case .error: return TNode(.constant(.missing), .error, e)
        case .record(let kind):
            guard let i = Schema.index(of: name, in: kind) else {
                let names = Schema.fields(of: kind).map(\.name)
                report("POL0102", "`\(kind.rawValue)` has no field `\(name)`", at: at,
                       help: Suggestions.didYouMean(name, in: names) ?? "fields: \(names.joined(separator: ", "))")
                return TNode(.constant(.missing), .error, e)
            }
            return TNode(.field(b, kind, i, name: name), Schema.fields(of: kind)[i].type, e)
        case .semver:
            guard let part = SemverPart(rawValue: name) else {
                report("POL0102", "`semver` has no field `\(name)`", at: at,
                       help: Suggestions.didYouMean(name, in: ["major", "minor", "patch", "prerelease"]) ?? "fields: major, minor, patch, prerelease")
                return TNode(.constant(.missing), .error, e)
            }
            return fold(TNode(.semverPart(b, part), part == .prerelease ? .optional(.string) : .int, e))
        case .map:
            report("POL0102", "a map has no fields; `\(name)` is not one", at: at, help: "read an entry with `[\"\(name)\"]`")
        default:
            report("POL0102", "`\(b.type)` has no field `\(name)`", at: at)
        }
        return TNode(.constant(.missing), .error, e)
    }

    private mutating func call(_ name: String, _ args: [Expr], _ e: Expr) -> TNode {
        if name == "has" {
            guard args.count == 1 else {
                report("POL0203", "`has` takes 1 argument, found \(args.count)", at: e.location)
                return TNode(.constant(.missing), .error, e)
            }
            let n = check(args[0])
            if !n.type.isOptional && n.type != .error && !chainMayBeMissing(n) {
                warn("POL0207", "`has` on a value that is never missing: \(Printer.expression(args[0])) is `\(n.type)`", at: args[0].location,
                     help: "the condition is always true; remove `has`")
            }
            return TNode(.has(n), .bool, e)
        }
        guard let f = Builtin(rawValue: name) else {
            report("POL0103", "unknown function `\(name)`", at: e.location,
                   help: Suggestions.didYouMean(name, in: Builtin.names) ?? "functions: \(Builtin.names.sorted().joined(separator: ", "))")
            for a in args { _ = check(a) }
            return TNode(.constant(.missing), .error, e)
        }
        var nodes: [TNode] = []
        for (i, a) in args.enumerated() {
            let context: PType? = (f == .union || f == .intersection || f == .difference) && i == 1 ? nodes.first?.type : nil
            nodes.append(value(check(a, context: context)))
        }
        if nodes.contains(where: { $0.type == .error }) { return TNode(.constant(.missing), .error, e) }
        // The generic functions (`min`, `set`, `union`, ...) keep an enum type, and with it its
        // order; to the others an enum value is a string.
        var typed = f.type(nodes.map(\.type))
        if case .failure = typed { typed = f.type(nodes.map { Self.asString($0.type) }) }
        switch typed {
        case .failure(let problem):
            report("POL0203", problem.message, at: e.location)
            return TNode(.constant(.missing), .error, e)
        case .success(let t):
            let node = TNode(.call(f, nodes), t, e)
            // Constant arguments are checked now (`semver("2.0")` is POL0213).
            if nodes.allSatisfy({ if case .constant = $0.op { true } else { false } }) {
                do throws(EvaluationError) {
                    return TNode(.constant(try Interpreter.evaluateConstant(node)), t, e)
                } catch {
                    report(Self.constantFailure(error), error.message, at: e.location)
                    return TNode(.constant(.missing), .error, e)
                }
            }
            return node
        }
    }

    /// Enum values are strings to the functions.
    private static func asString(_ t: PType) -> PType {
        switch t {
        case .enumeration: .string
        case .list(.enumeration): .list(.string)
        case .set(.enumeration): .set(.string)
        default: t
        }
    }

    /// Whether a step of the optional chain of `n` can be missing, the case `has` and `default`
    /// are for; the chain is the one `Interpreter.probe` walks (§7.2).
    private func chainMayBeMissing(_ n: TNode) -> Bool {
        switch n.op {
        case .unwrap, .index: true
        case .field(let b, _, _, _), .semverPart(let b, _): chainMayBeMissing(b)
        case .defaulted(_, let b): chainMayBeMissing(b)
        default: false
        }
    }

    private mutating func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr) -> TNode {
        switch op {
        case .and, .or:
            let a = boolean(l, "the left operand of `\(op.rawValue)`")
            let b = boolean(r, "the right operand of `\(op.rawValue)`")
            return fold(TNode(op == .and ? .and(a, b) : .or(a, b), .bool, e))
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let (a, b) = operands(l, r)
            guard let t = unify(a.type, b.type) else {
                report("POL0201", "cannot compare `\(a.type)` with `\(b.type)` using `\(op.rawValue)`", at: e.location)
                return TNode(.constant(.missing), .error, e)
            }
            if op == .equal || op == .notEqual {
                guard t.isEquatable else {
                    report("POL0201", "`\(op.rawValue)` is not defined for `\(t)`", at: e.location, help: "compare a field of it, such as its id")
                    return TNode(.constant(.missing), .error, e)
                }
                return fold(TNode(.equal(a, b, negated: op == .notEqual), .bool, e))
            }
            guard t.isOrdered else {
                report("POL0208", "`\(t)` has no order, so `\(op.rawValue)` is not defined", at: e.location)
                return TNode(.constant(.missing), .error, e)
            }
            let ranks: EnumKind? = if case .enumeration(let k) = t { k } else { nil }
            return fold(TNode(.order(op, a, b, ranks: ranks), .bool, e))
        case .in, .notIn:
            let collection = value(check(r))
            let negated = op == .notIn
            switch collection.type {
            case .list(let t), .set(let t):
                var item = value(check(l, context: t == .unknown ? nil : t))
                if case .enumeration(let k) = item.type, isStringLiteralCollection(r) {
                    // `property.masking in {"hash", "tokenize"}`: the literals are masking values.
                    let converted = value(check(r, context: .set(.enumeration(k))))
                    return fold(TNode(.member(item, converted, negated: negated), .bool, e))
                }
                if unify(item.type, t) == nil {
                    report("POL0201", "`\(op.rawValue)` needs an element of type `\(t)`, found `\(item.type)`", at: l.location)
                    item = TNode(.constant(.missing), .error, l)
                }
                return fold(TNode(.member(item, collection, negated: negated), .bool, e))
            case .map:
                let key = value(check(l))
                if key.type != .string && key.type != .error {
                    report("POL0201", "map keys are strings, found `\(key.type)`", at: l.location)
                }
                return TNode(.memberKey(key, collection, negated: negated), .bool, e)
            case .error:
                _ = check(l)
                return TNode(.constant(.missing), .error, e)
            default:
                _ = check(l)
                report("POL0201", "`\(op.rawValue)` needs a list, set or map on its right, found `\(collection.type)`", at: r.location)
                return TNode(.constant(.missing), .error, e)
            }
        case .matches:
            let a = value(check(l))
            let b = value(check(r))
            for (n, x) in [(a, l), (b, r)] where Self.asString(n.type) != .string && n.type != .error {
                report("POL0201", "`matches` takes strings, found `\(n.type)`", at: x.location)
            }
            var regex: PolicyRegex?
            if case .constant(.string(let pattern)) = b.op {
                do {
                    regex = try PolicyRegex(pattern)
                } catch {
                    report("POL0210", "invalid regular expression: \(error.message)", at: r.location)
                }
            }
            return TNode(.matches(a, b, regex), .bool, e)
        case .default:
            let a = check(l)
            if !a.type.isOptional && a.type != .error && !chainMayBeMissing(a) {
                warn("POL0207", "`default` on a value that is never missing: \(Printer.expression(l)) is `\(a.type)`", at: l.location,
                     help: "remove `default ...`")
            }
            let b = check(r, context: a.type.unwrapped)
            guard let t = unify(a.type.unwrapped, b.type.unwrapped) else {
                report("POL0201", "`default` gives `\(b.type)` for a `\(a.type)`", at: r.location)
                return TNode(.constant(.missing), .error, e)
            }
            return TNode(.defaulted(a, b), b.type.isOptional ? .optional(t) : t, e)
        case .add, .subtract, .multiply, .divide:
            let a = value(check(l))
            let b = value(check(r))
            guard let t = Self.arithmetic(op, a.type, b.type) else {
                report("POL0201", "`\(op.rawValue)` is not defined for `\(a.type)` and `\(b.type)`", at: e.location)
                return TNode(.constant(.missing), .error, e)
            }
            return fold(TNode(.arithmetic(op, a, b), t, e))
        }
    }

    static func arithmetic(_ op: BinaryOp, _ a: PType, _ b: PType) -> PType? {
        if a == .error || b == .error { return .error }
        if a.isNumeric && b.isNumeric {
            if op == .divide { return .number }
            return a == .int && b == .int ? .int : .number
        }
        switch (op, a, b) {
        case (.add, .duration, .duration), (.subtract, .duration, .duration): return .duration
        case (.add, .timestamp, .duration), (.subtract, .timestamp, .duration): return .timestamp
        case (.subtract, .timestamp, .timestamp): return .duration
        case (.add, .percent, .percent), (.subtract, .percent, .percent): return .percent
        case (.add, .string, .string): return .string
        case (.add, .list(let x), .list(let y)) where x == y: return a
        case (.multiply, .duration, .int), (.multiply, .int, .duration): return .duration
        case (.divide, .duration, .duration): return .number
        default: return nil
        }
    }

    /// Both operands of a comparison, with a string literal on either side read as the other
    /// side's enum value.
    private mutating func operands(_ l: Expr, _ r: Expr) -> (TNode, TNode) {
        if isStringLiteral(l) && !isStringLiteral(r) {
            let b = value(check(r))
            return (value(check(l, context: b.type)), b)
        }
        let a = value(check(l))
        return (a, value(check(r, context: a.type)))
    }

    private func isStringLiteral(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(.string): true
        case .parenthesized(let inner): isStringLiteral(inner)
        default: false
        }
    }

    private func isStringLiteralCollection(_ e: Expr) -> Bool {
        switch e.kind {
        case .list(let items), .set(let items): !items.isEmpty && items.allSatisfy(isStringLiteral)
        case .parenthesized(let inner): isStringLiteralCollection(inner)
        default: false
        }
    }

    /// The common type of two operands: equal types, `int` with `number`, an empty literal
    /// with any list or set, and the error type with anything.
    func unify(_ a: PType, _ b: PType) -> PType? {
        if a == b { return a }
        if a == .error || b == .error { return .error }
        if a == .unknown { return b }
        if b == .unknown { return a }
        if a.isNumeric && b.isNumeric { return .number }
        switch (a, b) {
        case (.list(let x), .list(let y)): return unify(x, y).map { .list($0) }
        case (.set(let x), .set(let y)): return unify(x, y).map { .set($0) }
        case (.optional(let x), .optional(let y)): return unify(x, y).map { .optional($0) }
        default: return nil
        }
    }

    // MARK: helpers

    /// A value that must be present: an optional gets an explicit unwrap (POL0601 if missing).
    mutating func value(_ n: TNode) -> TNode {
        guard case .optional(let t) = n.type else { return n }
        return TNode(.unwrap(n), t, n.source)
    }

    private mutating func boolean(_ e: Expr, _ what: String) -> TNode {
        let n = value(check(e))
        if n.type != .bool && n.type != .error {
            report("POL0202", "\(what) must be a bool, found `\(n.type)`", at: e.location)
            return TNode(.constant(.missing), .error, e)
        }
        return n
    }

    /// Checks a binder and its body in a new scope with the variable at a fresh slot.
    private mutating func scoped(_ b: Binder, _ body: (inout Checker, Int, TNode, TNode?) -> TNode) -> TNode {
        let coll = value(check(b.collection))
        var element = PType.error
        switch coll.type {
        case .list(let t), .set(let t): element = t
        case .error: break
        default:
            report("POL0204", "cannot iterate over `\(coll.type)`: it is not a list or set", at: b.collection.location)
        }
        quantifierDepth += 1
        if quantifierDepth == 4 {
            warn("POL0401", "quantifiers nest deeper than three", at: b.location, help: "split the condition with `let`")
        }
        if isVisible(b.name) {
            report("POL0106", "`\(b.name)` is already defined", at: b.location, help: "choose another name for the variable")
        }
        scopes.append([:])
        let slot = declare(b.name, element, at: b.location, reportUnused: true)
        let filter = b.filter.map { boolean($0, "the `where` filter") }
        let node = body(&self, slot, coll, filter)
        if let n = scopes.last?[b.name], !n.used {
            warn("POL0109", "variable `\(b.name)` is never used", at: b.location, help: "use it in the body, or count with `count(...)`")
        }
        scopes.removeLast()
        quantifierDepth -= 1
        return node
    }

    private mutating func template(_ t: Template) -> [TemplatePart] {
        t.parts.map { part in
            switch part {
            case .text(let s): return .text(s)
            case .hole(let e):
                let n = check(e)
                if !n.type.isPrintable && n.type != .error {
                    report("POL0209", "a `\(n.type)` cannot be shown in a message", at: e.location,
                           help: "show one of its fields, such as `.id` or `.name`")
                }
                return .hole(n)
            }
        }
    }

    /// Folds an operation whose operands are all constants, so `100% - minCompleteness` is a
    /// literal at run time. Runtime errors are left for evaluation to report.
    private func fold(_ n: TNode) -> TNode {
        guard n.type != .error, n.children.allSatisfy({ if case .constant = $0.op { true } else { false } }),
              !n.children.isEmpty, let v = try? Interpreter.evaluateConstant(n) else { return n }
        return TNode(.constant(v), n.type, n.source)
    }

    private mutating func report(_ id: String, _ message: String, at: SourceLocation, help: String? = nil) {
        diagnostics.append(.error(id, message, at: at, help: help))
    }

    private mutating func warn(_ id: String, _ message: String, at: SourceLocation, help: String? = nil) {
        diagnostics.append(.warning(id, message, at: at, help: help))
    }
}

extension TNode {
    /// The direct sub-expressions, in evaluation order.
    var children: [TNode] {
        switch op {
        case .constant, .slot, .letValue: []
        case .field(let b, _, _, _), .semverPart(let b, _), .unwrap(let b), .not(let b), .negate(let b), .has(let b): [b]
        case .index(let a, let b), .and(let a, let b), .or(let a, let b), .equal(let a, let b, _),
             .order(_, let a, let b, _), .member(let a, let b, _), .memberKey(let a, let b, _), .matches(let a, let b, _),
             .arithmetic(_, let a, let b), .defaulted(let a, let b): [a, b]
        case .conditional(let a, let b, let c): [a, b, c]
        case .quantifier(_, _, let c, let f, let b): [c] + (f.map { [$0] } ?? []) + [b]
        case .count(_, let c, let f): [c] + (f.map { [$0] } ?? [])
        case .comprehension(_, _, let c, let f, let el): [c] + (f.map { [$0] } ?? []) + [el]
        case .list(let v), .set(let v), .call(_, let v): v
        }
    }
}
