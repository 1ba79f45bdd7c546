import StewardCore

/// Compiles a checked tree to nested closures once, so one policy evaluates many targets
/// without walking or switching over the tree again. Semantics are the interpreter's: both
/// call the same `Semantics`, `Arithmetic` and `Builtin` primitives, and the differential
/// tests hold them to the same results.
typealias Code = @Sendable (inout Frame) throws(EvaluationError) -> Value

/// Holds the compiled `let`s; a `let` may read earlier ones, so the table fills in order.
final class LetTable: @unchecked Sendable {
    var code: [Code] = []
}

struct Compiler {
    let lets = LetTable()

    func compileLets(_ nodes: [TNode]) {
        for n in nodes { lets.code.append(compile(n)) }
    }

    /// The argument of `has` or the left operand of `default`: a missing value at a step of its
    /// optional chain is `.missing`, not POL0601 (§7.2, `Interpreter.probe`).
    func probe(_ n: TNode) -> Code {
        switch n.op {
        case .unwrap(let inner): return probe(inner)
        case .field(let base, _, let i, _):
            let b = probe(base)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let v = try b(&f)
                return Semantics.field(i, of: v, &f)
            }
        case .semverPart(let base, let part):
            let b = probe(base)
            return { (f: inout Frame) throws(EvaluationError) -> Value in Semantics.semverPart(part, of: try b(&f)) }
        case .index(let m, let k):
            let a = probe(m), b = compile(k)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                guard case .map(let map) = try a(&f) else { return .missing }
                return Semantics.entry(try b(&f), in: map) ?? .missing
            }
        case .defaulted(let x, let y):
            let a = probe(x), b = probe(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let v = try a(&f)
                return v.isMissing ? try b(&f) : v
            }
        default: return compile(n)
        }
    }

    func compile(_ n: TNode) -> Code {
        switch n.op {
        case .constant(let v):
            return { (_: inout Frame) throws(EvaluationError) -> Value in v }
        case .slot(let i, _):
            return { (f: inout Frame) throws(EvaluationError) -> Value in f.slots[i] }
        case .letValue(let i, _):
            let table = lets
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                if let v = f.lets[i] { return v }
                if let e = f.letErrors[i] { throw e }
                do throws(EvaluationError) {
                    let v = try table.code[i](&f)
                    f.lets[i] = v
                    return v
                } catch {
                    f.letErrors[i] = error
                    throw error
                }
            }
        case .field(let base, _, let i, _):
            if case .slot(let s, _) = base.op {
                return { (f: inout Frame) throws(EvaluationError) -> Value in
                    let b = f.slots[s]
                    return Semantics.field(i, of: b, &f)
                }
            }
            let b = compile(base)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let v = try b(&f)
                return Semantics.field(i, of: v, &f)
            }
        case .semverPart(let base, let part):
            let b = compile(base)
            return { (f: inout Frame) throws(EvaluationError) -> Value in Semantics.semverPart(part, of: try b(&f)) }
        case .unwrap(let inner):
            let a = compile(inner)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let v = try a(&f)
                if v.isMissing { throw Semantics.missing(inner, lastRead: f.lastRead) }
                return v
            }
        case .index(let m, let k):
            let a = compile(m), b = compile(k)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                guard case .map(let map) = try a(&f) else { return .missing }
                return Semantics.entry(try b(&f), in: map) ?? .missing
            }
        case .not(let x):
            let a = compile(x)
            return { (f: inout Frame) throws(EvaluationError) -> Value in .bool(!(try a(&f)).boolValue) }
        case .and(let x, let y):
            let a = compile(x), b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                guard try a(&f).boolValue else { return .bool(false) }
                return .bool(try b(&f).boolValue)
            }
        case .or(let x, let y):
            let a = compile(x), b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                if try a(&f).boolValue { return .bool(true) }
                return .bool(try b(&f).boolValue)
            }
        case .equal(let x, let y, let negated):
            let a = compile(x), b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let u = try a(&f)
                return .bool((u == (try b(&f))) != negated)
            }
        case .order(let op, let x, let y, let ranks):
            let a = compile(x), b = compile(y)
            let at = n.location
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let u = try a(&f)
                return .bool(try Semantics.order(op, u, try b(&f), ranks: ranks, at: at))
            }
        case .member(let x, let y, let negated):
            let a = compile(x)
            if case .constant(let c) = y.op, let elements = c.elements {
                // A constant collection becomes a hash set; Value hashes as its `==` compares.
                let set = Set(elements)
                return { (f: inout Frame) throws(EvaluationError) -> Value in .bool(set.contains(try a(&f)) != negated) }
            }
            let b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let u = try a(&f)
                return .bool(Semantics.contains(try b(&f), u) != negated)
            }
        case .memberKey(let x, let y, let negated):
            let a = compile(x), b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let k = try a(&f)
                guard case .map(let m) = try b(&f) else { return .bool(negated) }
                return .bool((Semantics.entry(k, in: m) != nil) != negated)
            }
        case .matches(let x, let y, let compiled):
            let a = compile(x), b = compile(y)
            let at = y.location
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let u = try a(&f)
                let p = try b(&f)
                return .bool(try Semantics.matches(u.stringValue, p.stringValue, compiled: compiled, at: at))
            }
        case .arithmetic(let op, let x, let y):
            let a = compile(x), b = compile(y)
            let at = n.location
            if n.type == .string || n.type.element != nil {
                return { (f: inout Frame) throws(EvaluationError) -> Value in
                    let u = try a(&f)
                    let v = try b(&f)
                    try f.step(Semantics.buildCost(op, u, v), at: at)
                    return try Arithmetic.apply(op, u, v, at: at)
                }
            }
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let u = try a(&f)
                return try Arithmetic.apply(op, u, try b(&f), at: at)
            }
        case .negate(let x):
            let a = compile(x)
            let at = n.location
            return { (f: inout Frame) throws(EvaluationError) -> Value in try Arithmetic.negate(try a(&f), at: at) }
        case .defaulted(let x, let y):
            let a = probe(x), b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                let v = try a(&f)
                return v.isMissing ? try b(&f) : v
            }
        case .has(let x):
            let a = probe(x)
            return { (f: inout Frame) throws(EvaluationError) -> Value in .bool(!(try a(&f)).isMissing) }
        case .conditional(let c, let x, let y):
            let k = compile(c), a = compile(x), b = compile(y)
            return { (f: inout Frame) throws(EvaluationError) -> Value in try k(&f).boolValue ? try a(&f) : try b(&f) }
        case .quantifier(let q, let slot, let coll, let filter, let body):
            let c = compile(coll), w = filter.map(compile), b = compile(body)
            let at = n.location
            let every = q == .every
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                for x in try c(&f).elements ?? [] {
                    try f.step(at: at)
                    f.slots[slot] = x
                    if let w, !(try w(&f)).boolValue { continue }
                    if try b(&f).boolValue != every { return .bool(!every) }
                }
                return .bool(every)
            }
        case .count(let slot, let coll, let filter):
            let c = compile(coll), w = filter.map(compile)
            let at = n.location
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                var k: Int64 = 0
                for x in try c(&f).elements ?? [] {
                    try f.step(at: at)
                    f.slots[slot] = x
                    if let w, !(try w(&f)).boolValue { continue }
                    k += 1
                }
                return .int(k)
            }
        case .comprehension(let isSet, let slot, let coll, let filter, let element):
            let c = compile(coll), w = filter.map(compile), e = compile(element)
            let at = n.location, type = n.type.element ?? .any
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                var out: [Value] = []
                for x in try c(&f).elements ?? [] {
                    try f.step(at: at)
                    f.slots[slot] = x
                    if let w, !(try w(&f)).boolValue { continue }
                    out.append(try e(&f))
                }
                return isSet ? Value.makeSet(out, of: type) : .list(out)
            }
        case .list(let items), .set(let items):
            let codes = items.map(compile)
            let isSet = if case .set = n.op { true } else { false }
            let type = n.type.element ?? .any
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                var out: [Value] = []
                out.reserveCapacity(codes.count)
                for c in codes { out.append(try c(&f)) }
                return isSet ? Value.makeSet(out, of: type) : .list(out)
            }
        case .call(let fn, let args):
            let codes = args.map(compile)
            let at = n.location, result = n.type
            let builds = fn == .flatten || fn == .join
            return { (f: inout Frame) throws(EvaluationError) -> Value in
                var values: [Value] = []
                values.reserveCapacity(codes.count)
                for c in codes { values.append(try c(&f)) }
                if builds { try f.step(Semantics.buildCost(fn, values), at: at) }
                return try fn.call(values, result: result, at: at)
            }
        }
    }
}
