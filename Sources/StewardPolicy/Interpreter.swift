import StewardCore

/// What one evaluation of a policy for one target works with: the slots of §5.1 (`mesh`,
/// `evaluation`, the target's bindings, then variables) and the `let` cache.
struct Frame {
    var slots: [Value]
    var lets: [Value?]
    var letErrors: [EvaluationError?]
    let view: ModelView?
    /// Iterations so far, against the budget of §7.6.
    var steps = 0
    /// The position of the last model field read, for the finding's location (§7.5).
    var lastRead: SourceLocation?

    static let budget = 10_000_000

    init(slotCount: Int, letCount: Int, view: ModelView?) {
        slots = Array(repeating: .missing, count: slotCount)
        lets = Array(repeating: nil, count: letCount)
        letErrors = Array(repeating: nil, count: letCount)
        self.view = view
    }

    mutating func reset(bindings: Bindings, mesh: Value, evaluation: Value) {
        slots[0] = mesh
        slots[1] = evaluation
        for (i, v) in bindings.enumerated() { slots[2 + i] = v }
        for i in lets.indices {
            lets[i] = nil
            letErrors[i] = nil
        }
        steps = 0
        lastRead = nil
    }

    /// Counts `count` steps: one per iteration, or one per element or byte of a value about to
    /// be built by concatenation (`Semantics.buildCost`).
    mutating func step(_ count: Int = 1, at location: SourceLocation) throws(EvaluationError) {
        steps += count
        if steps > Self.budget {
            throw EvaluationError("POL0606", "evaluation stopped after \(Self.budget) steps", at: location)
        }
    }
}

/// The reference interpreter: a direct walk of the checked tree that follows §7 to the letter,
/// with no caching beyond what the language defines (`let`s). The compiler must agree with it
/// on every input; explain and coverage run here, where each step can be watched.
struct Interpreter {
    let lets: [TNode]
    /// Called with each boolean sub-condition and its outcome, for explain and coverage.
    var observer: ((TNode, Result<Value, EvaluationError>, Int) -> Void)?
    private var depth = 0

    init(lets: [TNode], observer: ((TNode, Result<Value, EvaluationError>, Int) -> Void)? = nil) {
        self.lets = lets
        self.observer = observer
    }

    /// Evaluates an expression that reads nothing but constants (consts, constant arguments).
    /// Its binders (`every`, `count`, comprehensions) still need their slots.
    static func evaluateConstant(_ n: TNode) throws(EvaluationError) -> Value {
        var frame = Frame(slotCount: n.slotsNeeded, letCount: 0, view: nil)
        var interpreter = Interpreter(lets: [])
        return try interpreter.eval(n, &frame)
    }

    mutating func eval(_ n: TNode, _ f: inout Frame) throws(EvaluationError) -> Value {
        try observed(n, &f) { (this, f) throws(EvaluationError) in try this.evalNode(n, &f) }
    }

    /// Evaluates the argument of `has` or the left operand of `default` (§7.2): a missing value
    /// at a step of its optional chain is `.missing` rather than POL0601. Everything else in it,
    /// a function argument or a map key included, evaluates (and fails) as usual.
    mutating func probe(_ n: TNode, _ f: inout Frame) throws(EvaluationError) -> Value {
        try observed(n, &f) { (this, f) throws(EvaluationError) in try this.probeNode(n, &f) }
    }

    /// Runs `walk` on `n`, telling the observer how a boolean sub-condition came out.
    private mutating func observed(_ n: TNode, _ f: inout Frame,
                                   _ walk: (inout Interpreter, inout Frame) throws(EvaluationError) -> Value) throws(EvaluationError) -> Value {
        guard observer != nil, n.type == .bool else { return try walk(&self, &f) }
        depth += 1
        defer { depth -= 1 }
        do {
            let v = try walk(&self, &f)
            observer?(n, .success(v), depth)
            return v
        } catch {
            observer?(n, .failure(error), depth)
            throw error
        }
    }

    private mutating func probeNode(_ n: TNode, _ f: inout Frame) throws(EvaluationError) -> Value {
        switch n.op {
        case .unwrap(let inner): return try probe(inner, &f)
        case .field(let base, _, let i, _):
            let b = try probe(base, &f)
            return Semantics.field(i, of: b, &f)
        case .semverPart(let base, let part): return Semantics.semverPart(part, of: try probe(base, &f))
        case .index(let m, let k):
            guard case .map(let map) = try probe(m, &f) else { return .missing }
            return Semantics.entry(try eval(k, &f), in: map) ?? .missing
        case .defaulted(let a, let b):
            let v = try probe(a, &f)
            return v.isMissing ? try probe(b, &f) : v
        default: return try evalNode(n, &f)
        }
    }

    private mutating func evalNode(_ n: TNode, _ f: inout Frame) throws(EvaluationError) -> Value {
        switch n.op {
        case .constant(let v): return v
        case .slot(let i, _): return f.slots[i]
        case .letValue(let i, _):
            if let v = f.lets[i] { return v }
            if let e = f.letErrors[i] { throw e }
            do {
                let v = try eval(lets[i], &f)
                f.lets[i] = v
                return v
            } catch {
                f.letErrors[i] = error
                throw error
            }
        case .field(let base, _, let i, _):
            let b = try eval(base, &f)
            return Semantics.field(i, of: b, &f)
        case .semverPart(let base, let part): return Semantics.semverPart(part, of: try eval(base, &f))
        case .unwrap(let inner):
            let v = try eval(inner, &f)
            if v.isMissing { throw Semantics.missing(inner, lastRead: f.lastRead) }
            return v
        case .index(let m, let k):
            guard case .map(let map) = try eval(m, &f) else { return .missing }
            return Semantics.entry(try eval(k, &f), in: map) ?? .missing
        case .not(let a): return .bool(!(try eval(a, &f)).boolValue)
        case .and(let a, let b):
            guard try eval(a, &f).boolValue else { return .bool(false) }
            return .bool(try eval(b, &f).boolValue)
        case .or(let a, let b):
            if try eval(a, &f).boolValue { return .bool(true) }
            return .bool(try eval(b, &f).boolValue)
        case .equal(let a, let b, let negated):
            let x = try eval(a, &f)
            let y = try eval(b, &f)
            return .bool((x == y) != negated)
        case .order(let op, let a, let b, let ranks):
            let x = try eval(a, &f)
            let y = try eval(b, &f)
            return .bool(try Semantics.order(op, x, y, ranks: ranks, at: n.location))
        case .member(let a, let b, let negated):
            let x = try eval(a, &f)
            let y = try eval(b, &f)
            return .bool(Semantics.contains(y, x) != negated)
        case .memberKey(let a, let b, let negated):
            let x = try eval(a, &f)
            guard case .map(let m) = try eval(b, &f) else { return .bool(negated) }
            return .bool((Semantics.entry(x, in: m) != nil) != negated)
        case .matches(let a, let b, let compiled):
            let x = try eval(a, &f)
            let y = try eval(b, &f)
            return .bool(try Semantics.matches(x.stringValue, y.stringValue, compiled: compiled, at: b.location))
        case .arithmetic(let op, let a, let b):
            let x = try eval(a, &f)
            let y = try eval(b, &f)
            try f.step(Semantics.buildCost(op, x, y), at: n.location)
            return try Arithmetic.apply(op, x, y, at: n.location)
        case .negate(let a): return try Arithmetic.negate(try eval(a, &f), at: n.location)
        case .defaulted(let a, let b):
            let v = try probe(a, &f)
            return v.isMissing ? try eval(b, &f) : v
        case .has(let a): return .bool(!(try probe(a, &f)).isMissing)
        case .conditional(let c, let a, let b):
            return try eval(c, &f).boolValue ? try eval(a, &f) : try eval(b, &f)
        case .quantifier(let q, let slot, let coll, let filter, let body):
            for x in try eval(coll, &f).elements ?? [] {
                try f.step(at: n.location)
                f.slots[slot] = x
                if let filter, !(try eval(filter, &f)).boolValue { continue }
                let v = try eval(body, &f).boolValue
                if q == .every && !v { return .bool(false) }
                if q == .some && v { return .bool(true) }
            }
            return .bool(q == .every)
        case .count(let slot, let coll, let filter):
            var k: Int64 = 0
            for x in try eval(coll, &f).elements ?? [] {
                try f.step(at: n.location)
                f.slots[slot] = x
                if let filter, !(try eval(filter, &f)).boolValue { continue }
                k += 1
            }
            return .int(k)
        case .comprehension(let isSet, let slot, let coll, let filter, let element):
            var out: [Value] = []
            for x in try eval(coll, &f).elements ?? [] {
                try f.step(at: n.location)
                f.slots[slot] = x
                if let filter, !(try eval(filter, &f)).boolValue { continue }
                out.append(try eval(element, &f))
            }
            return isSet ? Value.makeSet(out, of: n.type.element ?? .any) : .list(out)
        case .list(let items):
            var out: [Value] = []
            for i in items { out.append(try eval(i, &f)) }
            return .list(out)
        case .set(let items):
            var out: [Value] = []
            for i in items { out.append(try eval(i, &f)) }
            return Value.makeSet(out, of: n.type.element ?? .any)
        case .call(let fn, let args):
            var values: [Value] = []
            for a in args { values.append(try eval(a, &f)) }
            try f.step(Semantics.buildCost(fn, values), at: n.location)
            return try fn.call(values, result: n.type, at: n.location)
        }
    }
}

/// The primitive operations both evaluators share, so they can differ only in how they walk.
enum Semantics {
    static func missing(_ n: TNode, lastRead: SourceLocation?) -> EvaluationError {
        EvaluationError(EvaluationError.missingId, "`\(Printer.expression(n.source))` is missing", at: lastRead ?? n.location)
    }

    /// Field `i` of a record, noting where the model wrote it (§7.5); missing when the base is.
    static func field(_ i: Int, of base: Value, _ f: inout Frame) -> Value {
        guard case .record(let r) = base, let view = f.view else { return .missing }
        let read = view.location(r, field: i)
        if !read.path.isEmpty { f.lastRead = read }
        return view.value(r, field: i)
    }

    static func semverPart(_ part: SemverPart, of base: Value) -> Value {
        guard case .semver(let v) = base else { return .missing }
        switch part {
        case .major: return .int(v.major)
        case .minor: return .int(v.minor)
        case .patch: return .int(v.patch)
        case .prerelease: return v.prerelease.map(Value.string) ?? .missing
        }
    }

    static func order(_ op: BinaryOp, _ x: Value, _ y: Value, ranks: EnumKind?, at location: SourceLocation) throws(EvaluationError) -> Bool {
        let c: Int
        if let ranks {
            guard let a = ranks.rank(x.stringValue), let b = ranks.rank(y.stringValue) else {
                let bad = ranks.rank(x.stringValue) == nil ? x.stringValue : y.stringValue
                throw EvaluationError("POL0604", "`\(bad)` is not a known \(ranks.rawValue), so it cannot be ordered", at: location)
            }
            c = a < b ? -1 : (a == b ? 0 : 1)
        } else {
            c = Value.order(x, y)
        }
        switch op {
        case .less: return c < 0
        case .lessOrEqual: return c <= 0
        case .greater: return c > 0
        default: return c >= 0
        }
    }

    /// What building the result of `x op y` costs against the step budget (§7.6): the length
    /// of a concatenation. Iterations alone would not bound it, as each `let` can double a value.
    static func buildCost(_ op: BinaryOp, _ x: Value, _ y: Value) -> Int {
        guard op == .add else { return 0 }
        switch (x, y) {
        case (.string(let a), .string(let b)): return a.utf8.count + b.utf8.count
        case (.list(let a), .list(let b)): return a.count + b.count
        default: return 0
        }
    }

    /// The same for the functions that concatenate: the length of the list or string they build.
    static func buildCost(_ fn: Builtin, _ args: [Value]) -> Int {
        switch fn {
        case .flatten:
            return (args[0].elements ?? []).reduce(0) { $0 + ($1.elements?.count ?? 0) }
        case .join:
            let parts = args[0].elements ?? []
            return parts.reduce(0) { $0 + $1.text.utf8.count } + max(parts.count - 1, 0) * args[1].stringValue.utf8.count
        default: return 0
        }
    }

    /// The entry of `map` whose key is `key`, compared by scalars as strings are: a Swift
    /// dictionary would also find a canonically equivalent key.
    static func entry(_ key: Value, in map: [String: Value]) -> Value? {
        let k = key.stringValue
        guard let i = map.index(forKey: k), map[i].key.unicodeScalars.elementsEqual(k.unicodeScalars) else { return nil }
        return map[i].value
    }

    static func contains(_ collection: Value, _ x: Value) -> Bool {
        (collection.elements ?? []).contains(x)
    }

    static func matches(_ text: String, _ pattern: String, compiled: PolicyRegex?, at location: SourceLocation) throws(EvaluationError) -> Bool {
        if let compiled { return compiled.matches(text) }
        do {
            return try PolicyRegex(pattern).matches(text)
        } catch {
            throw EvaluationError("POL0605", "invalid regular expression `\(pattern)`: \(error.message)", at: location)
        }
    }
}
