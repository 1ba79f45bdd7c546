import StewardCore

/// Prints expressions on one line, canonically (§12): one space around binary operators,
/// none inside brackets, parentheses only where the grammar needs them (and around an `and`
/// written inside an `or`, which readers like to see). Used by messages, explain and `fmt`.
public enum Printer {
    public static func expression(_ e: Expr) -> String {
        print(e, min: 1, tail: true)
    }

    /// `min` is the lowest precedence that may appear bare here; `tail` says nothing follows,
    /// so a prefix form (`every`, `some`, `if`), whose body extends right, may stay bare.
    static func print(_ e: Expr, min: Int, tail: Bool) -> String {
        switch e.kind {
        case .literal(let l): return literal(l)
        case .name(let n): return n
        case .field(let b, let name, _): return print(b, min: 10, tail: false) + "." + name
        case .index(let b, let k): return print(b, min: 10, tail: false) + "[" + expression(k) + "]"
        case .call(let name, let args): return name + "(" + args.map(expression).joined(separator: ", ") + ")"
        case .negate(let x): return wrap("-" + print(x, min: 9, tail: tail), 9, min)
        case .not(let x): return wrap("not " + print(x, min: 4, tail: tail || min > 4), 4, min)
        case .parenthesized(let inner):
            if case .binary(.and, _, _) = inner.kind, min == 2 || min == 3 {
                return "(" + expression(inner) + ")"
            }
            return print(inner, min: min, tail: tail)
        case .binary(let op, let l, let r):
            let p = op.precedence
            let leftMin = op.isComparison ? p + 1 : p
            let text = print(l, min: leftMin, tail: false) + " " + op.rawValue + " " + print(r, min: p + 1, tail: tail || min > p)
            return wrap(text, p, min)
        case .conditional(let c, let a, let b):
            let text = "if " + expression(c) + " then " + expression(a) + " else " + expression(b)
            return prefix(text, min: min, tail: tail)
        case .quantifier(let q, let binder, let body):
            return prefix(q.rawValue + " " + self.binder(binder) + ": " + expression(body), min: min, tail: tail)
        case .count(let b): return "count(" + binder(b) + ")"
        case .list(let items): return "[" + items.map(expression).joined(separator: ", ") + "]"
        case .set(let items): return "{" + items.map(expression).joined(separator: ", ") + "}"
        case .comprehension(let isSet, let el, let b):
            let inner = expression(el) + " for " + binder(b)
            return isSet ? "{" + inner + "}" : "[" + inner + "]"
        }
    }

    static func binder(_ b: Binder) -> String {
        var s = b.name + " in " + print(b.collection, min: 7, tail: false)
        if let f = b.filter { s += " where " + expression(f) }
        return s
    }

    private static func wrap(_ text: String, _ precedence: Int, _ min: Int) -> String {
        precedence < min ? "(" + text + ")" : text
    }

    /// Prefix forms sit at the level of `not`; bare only when nothing follows them.
    private static func prefix(_ text: String, min: Int, tail: Bool) -> String {
        (min <= 4 && tail) || min <= 1 ? text : "(" + text + ")"
    }

    public static func literal(_ l: Literal) -> String {
        switch l {
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) + ".0" : "\(d)"
        case .percent(let p): Value.format(p) + "%"
        case .duration(let span): Value.format(span.value) + span.unit.rawValue
        case .semver(let v): "v" + v
        case .string(let s): quote(s, interpolated: false)
        case .rawString(let s): "r\"" + s + "\""
        }
    }

    /// A string literal with the escapes it needs; braces are escaped only in messages.
    public static func quote(_ s: String, interpolated: Bool) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "{" where interpolated: out += "\\{"
            case "}" where interpolated: out += "\\}"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// A `message` or `hint` string as written canonically.
    public static func template(_ t: Template) -> String {
        var out = ""
        for part in t.parts {
            switch part {
            case .text(let s): out += String(quote(s, interpolated: true).dropFirst().dropLast())
            case .hole(let e): out += "{" + expression(e) + "}"
            }
        }
        return "\"" + out + "\""
    }
}
