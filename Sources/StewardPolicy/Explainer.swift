import StewardCore

/// Says why a policy failed or erred for one target (§12, `--explain`): each operand of the
/// `where` and `require` chains with its value, the one that decided, and under it the values
/// it compared, with the model file and line they came from. Runs the reference interpreter,
/// which evaluates one sub-expression at a time; the language is pure, so re-evaluating a part
/// gives the value it had in the real evaluation.
public enum Explainer {
    public static func explain(_ p: CheckedPolicy, target: Target, view: ModelView) -> [String] {
        var e = Session(policy: p, view: view)
        e.frame.reset(bindings: target.bindings, mesh: target.mesh ?? view.mesh, evaluation: view.evaluation)
        if let condition = p.condition {
            guard e.chain(condition, keyword: "where", indent: 0) else { return e.render() }
        }
        _ = e.chain(p.requirement, keyword: "require", indent: 0)
        return e.render()
    }

    /// One run: the frame, the interpreter and the lines written so far.
    struct Session {
        let policy: CheckedPolicy
        let view: ModelView
        var frame: Frame
        var interpreter: Interpreter
        var lines: [(indent: Int, label: String, value: String, note: String)] = []

        init(policy: CheckedPolicy, view: ModelView) {
            self.policy = policy
            self.view = view
            frame = Frame(slotCount: policy.slotCount, letCount: policy.lets.count, view: view)
            interpreter = Interpreter(lets: policy.lets)
        }

        /// Evaluates a node; the text of its value or error, and the model position it read.
        mutating func value(_ n: TNode) -> (Value?, String, SourceLocation?) {
            frame.lastRead = nil
            do {
                let v = try interpreter.eval(n, &frame)
                return (v, describe(v), frame.lastRead)
            } catch {
                return (nil, "error: \(error.message)", error.location)
            }
        }

        /// Explains an `and`/`or` chain operand by operand; returns the chain's truth.
        mutating func chain(_ n: TNode, keyword: String, indent: Int) -> Bool {
            let (op, operands) = Self.flatten(n)
            for (i, operand) in operands.enumerated() {
                let (v, text, _) = value(operand)
                let truth = v?.boolValue ?? false
                let decided = v == nil || (op == "and" && !truth) || (op == "or" && truth) || i == operands.count - 1
                let label = (i == 0 ? keyword : "    " + op) + " " + Printer.expression(operand.source)
                lines.append((indent, label, text, decided && operands.count > 1 ? "← decided" : ""))
                if decided {
                    if Self.flatten(operand).operands.count > 1 {
                        _ = chain(operand, keyword: "", indent: indent + 4)
                    } else {
                        leaves(operand, indent: indent + 6)
                    }
                    return v?.boolValue ?? false
                }
            }
            return true
        }

        static func flatten(_ n: TNode) -> (op: String, operands: [TNode]) {
            switch n.op {
            case .and(let a, let b): return ("and", flattenSame(a, "and") + flattenSame(b, "and"))
            case .or(let a, let b): return ("or", flattenSame(a, "or") + flattenSame(b, "or"))
            default: return ("", [n])
            }
        }

        static func flattenSame(_ n: TNode, _ op: String) -> [TNode] {
            switch (n.op, op) {
            case (.and(let a, let b), "and"), (.or(let a, let b), "or"): flattenSame(a, op) + flattenSame(b, op)
            default: [n]
            }
        }

        /// The values a deciding condition looked at.
        mutating func leaves(_ n: TNode, indent: Int) {
            switch n.op {
            case .not(let x):
                leaves(x, indent: indent)
            case .equal(let a, let b, _), .order(_, let a, let b, _), .member(let a, let b, _),
                 .memberKey(let a, let b, _), .matches(let a, let b, _):
                leaf(a, indent: indent)
                leaf(b, indent: indent)
            case .has(let x):
                leaf(x, indent: indent)
            case .quantifier(let q, let slot, let coll, let filter, let body):
                quantifier(q, slot: slot, coll, filter: filter, body: body, indent: indent)
            case .call(_, let args):
                for a in args { leaf(a, indent: indent) }
            case .unwrap(let x):
                leaves(x, indent: indent)
            default:
                leaf(n, indent: indent)
            }
        }

        /// A value shown as `expression = value   file:line`; literals say nothing new.
        mutating func leaf(_ n: TNode, indent: Int) {
            if case .literal = n.source.kind { return }
            let inner = Self.bare(n)
            if case .constant = inner.op, case .name = n.source.kind {} else if case .constant = inner.op { return }
            let (_, text, at) = value(n)
            lines.append((indent, Printer.expression(n.source), text, at.map(Self.place) ?? ""))
            if case .call = inner.op { leaves(inner, indent: indent + 2) }
        }

        static func bare(_ n: TNode) -> TNode {
            if case .unwrap(let x) = n.op { return bare(x) }
            return n
        }

        mutating func quantifier(_ q: Quantifier, slot: Int, _ coll: TNode, filter: TNode?, body: TNode, indent: Int) {
            guard let elements = (try? interpreter.eval(coll, &frame))?.elements else {
                leaf(coll, indent: indent)
                return
            }
            var tried: [String] = []
            for (i, x) in elements.enumerated() {
                frame.slots[slot] = x
                if let filter, (try? interpreter.eval(filter, &frame))?.boolValue != true { continue }
                let result = try? interpreter.eval(body, &frame)
                tried.append(describe(x))
                if q == .every, result?.boolValue != true {
                    lines.append((indent, "element #\(i + 1) of \(Printer.expression(coll.source))", describe(x), result == nil ? "errs" : "fails"))
                    leaves(body, indent: indent + 2)
                    return
                }
            }
            if q == .some {
                let shown = tried.prefix(3).joined(separator: ", ") + (tried.count > 3 ? ", ..." : "")
                lines.append((indent, "elements tried", "\(tried.count)", shown))
            }
        }

        /// A value as explain shows it: records by their id or name.
        func describe(_ v: Value) -> String {
            switch v {
            case .record(let r):
                for field in ["id", "name", "role", "username"] {
                    if let i = Schema.index(of: field, in: r.kind), case .string(let s) = view.value(r, field: i) {
                        return "\(r.kind.rawValue) \(s)"
                    }
                }
                return "<\(r.kind.rawValue)>"
            case .list(let items), .set(let items):
                let shown = items.prefix(6).map(describe).joined(separator: ", ")
                return "[" + shown + (items.count > 6 ? ", ... (\(items.count))" : "") + "]"
            case .string(let s): return "\"\(s)\""
            default: return v.text
            }
        }

        /// `path:line`, or `path` alone where the line is unknown (a change is about a whole file).
        static func place(_ l: SourceLocation) -> String { l.line > 0 ? "\(l.path):\(l.line)" : l.path }

        func render() -> [String] {
            let width = min(64, lines.map { $0.indent + $0.label.count }.max() ?? 0)
            return lines.map { l in
                var s = String(repeating: " ", count: l.indent) + l.label
                s += String(repeating: " ", count: max(1, width + 2 - s.count)) + l.value
                if !l.note.isEmpty { s += "   " + l.note }
                return s
            }
        }
    }
}

extension Explainer {
    /// The explanation of a finding, found by its policy and target ids.
    public static func explain(_ finding: Finding, policies: [CheckedPolicy], view: ModelView) -> [String] {
        guard let p = policies.first(where: { $0.id == finding.policy }),
              let target = view.targets(for: p.target).first(where: { $0.id == finding.target }) else { return [] }
        return explain(p, target: target, view: view)
    }
}
