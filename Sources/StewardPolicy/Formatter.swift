import StewardCore

/// The canonical layout of a `.policy` file (docs/policy-language.md §12), for `steward fmt`.
///
/// The text is printed again from the syntax tree; the tokens supply what the tree drops
/// (numbers with `_` separators, where each clause ends) and comments are re-attached to the
/// item or clause they belong to. A file with a syntax error is never formatted, and the output
/// is parsed again before it is returned: if it would mean something else, or lose a comment,
/// nothing is returned (POL0090), so `fmt` can only ever rewrite a file into an equivalent one.
public enum Formatter {
    /// Clauses longer than this are broken (§12).
    public static let width = 100

    public static func format(_ text: String, path: String) -> (output: String?, diagnostics: [Diagnostic]) {
        let lexed = Lexer.tokenize(text, path: path)
        var parser = Parser(tokens: lexed.tokens, path: path)
        let items = parser.parseItems()
        let diagnostics = (lexed.diagnostics + parser.diagnostics).sorted()
        if diagnostics.contains(where: { $0.severity == .error }) { return (nil, diagnostics) }
        let file = PolicyFile(path: path, items: items, comments: lexed.comments)
        let output = Layout(file: file, tokens: lexed.tokens).print()

        let again = Parser.parse(output, path: path)
        let faithful = !again.diagnostics.contains { $0.severity == .error }
            && again.file.items.map(Canonical.item) == file.items.map(Canonical.item)
            && again.file.comments.map { trimmed($0.text) } == file.comments.map { trimmed($0.text) }
        guard faithful else {
            return (nil, diagnostics + [.error("POL0090", "the formatter cannot print `\(path)` faithfully",
                                               at: SourceLocation(path: path, line: 1, column: 1),
                                               help: "the file is left as it is; please report this as a bug")])
        }
        return (output, diagnostics)
    }

    static func trimmed(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

// MARK: - comments and items

/// Places the comments and prints the items of one file.
private struct Layout {
    let file: PolicyFile
    let tokens: [Token]
    /// The text of every literal token as written, by position (holes of messages included).
    var written: [SourceLocation: String] = [:]
    /// Token index of each segment start, sorted: an item, a policy header, a clause, a
    /// policy's closing brace, or the end of the file. A segment runs to the next start.
    var starts: [Int] = []
    var slots: [Int: Slot] = [:]
    var index: [SourceLocation: Int] = [:]
    /// The closing brace of each policy, by the token index of its `policy` keyword.
    var braces: [Int: Int] = [:]

    /// The comments that belong to one segment.
    struct Slot {
        /// On their own lines just before the segment.
        var leading: [Comment] = []
        /// Inside the segment (between its tokens): printed before it.
        var moved: [Comment] = []
        /// After the segment's last token, on the same line.
        var trailing: Comment?
    }

    init(file: PolicyFile, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
        for (i, t) in tokens.enumerated() { index[t.location] = i }
        collectWritten(tokens)

        var set = Set<Int>()
        let itemStarts = file.items.map { item -> Int in
            switch item {
            case .const(let c): index[c.location]!
            case .policy(let p): index[p.location]!
            }
        }
        for (n, item) in file.items.enumerated() {
            set.insert(itemStarts[n])
            guard case .policy(let p) = item else { continue }
            for loc in p.clauses.values { set.insert(index[loc]!) }
            for l in p.lets { set.insert(index[l.location]!) }
            // The closing brace is the last token before the next item (the file has no errors).
            let brace = (n + 1 < itemStarts.count ? itemStarts[n + 1] : tokens.count - 1) - 1
            braces[itemStarts[n]] = brace
            set.insert(brace)
        }
        set.insert(tokens.count - 1)
        starts = set.sorted()
        for c in file.comments { place(c) }
    }

    private mutating func collectWritten(_ tokens: [Token]) {
        for t in tokens {
            switch t.kind {
            case .int, .number, .percent, .duration: written[t.location] = t.text
            case .interpolated(let segments):
                for case .expression(let inner) in segments { collectWritten(inner) }
            default: break
            }
        }
    }

    /// The segment (its start) holding token `i`.
    private func segment(of i: Int) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return starts[lo]
    }

    private func lastToken(of start: Int) -> Int {
        guard let k = starts.firstIndex(of: start), k + 1 < starts.count else { return tokens.count - 1 }
        return starts[k + 1] - 1
    }

    private mutating func place(_ c: Comment) {
        // The first token after the comment; the end-of-file token always is one.
        var lo = 0, hi = tokens.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].location < c.location { lo = mid + 1 } else { hi = mid }
        }
        let next = lo
        if next > 0, tokens[next - 1].location.line == c.location.line {
            let s = segment(of: next - 1)
            if next - 1 == lastToken(of: s) { slots[s, default: Slot()].trailing = c } else { slots[s, default: Slot()].moved.append(c) }
        } else {
            let s = segment(of: next)
            if next == s { slots[s, default: Slot()].leading.append(c) } else { slots[s, default: Slot()].moved.append(c) }
        }
    }

    private func slot(at location: SourceLocation) -> Slot { slots[index[location]!] ?? Slot() }

    // MARK: printing

    func print() -> String {
        var out = ""
        /// The last line of the previous item when it was a const, for keeping groups of consts.
        var constEnd: Int?
        func add(_ lines: [String], tight: Bool = false) {
            out += (out.isEmpty ? "" : tight ? "\n" : "\n\n") + lines.joined(separator: "\n")
        }
        for item in file.items {
            let location: SourceLocation
            switch item {
            case .const(let c): location = c.location
            case .policy(let p): location = p.location
            }
            let s = slot(at: location)
            var (free, attached) = blocks(s.leading, before: location.line)
            for block in free { add(block) }
            let firstLine = location.line - attached.count
            attached += s.moved.map { Formatter.trimmed($0.text) }
            switch item {
            case .const(let c):
                // Consts written on consecutive lines stay a group.
                add(attached + clause(indent: 0, head: "const \(c.name) = ", c.value, trailing: s.trailing),
                    tight: free.isEmpty && constEnd.map { $0 + 1 == firstLine } == true)
                constEnd = tokens[lastToken(of: index[location]!)].location.line
            case .policy(let p):
                add(attached + policy(p, header: s))
                constEnd = nil
            }
        }
        let end = slots[tokens.count - 1] ?? Slot()
        for block in blocks(end.leading, before: nil).free { add(block) }
        return out.isEmpty ? "" : out + "\n"
    }

    /// Splits top-level comments at blank lines: a block right above its item stays attached
    /// to it; any other block is an item of its own.
    private func blocks(_ comments: [Comment], before line: Int?) -> (free: [[String]], attached: [String]) {
        var groups: [[Comment]] = []
        for c in comments {
            if let last = groups.last?.last, c.location.line == last.location.line + 1 {
                groups[groups.count - 1].append(c)
            } else {
                groups.append([c])
            }
        }
        var attached: [String] = []
        if let line, let last = groups.last?.last, last.location.line + 1 == line {
            attached = groups.removeLast().map { Formatter.trimmed($0.text) }
        }
        return (groups.map { $0.map { Formatter.trimmed($0.text) } }, attached)
    }

    private func policy(_ p: PolicyDecl, header: Slot) -> [String] {
        var lines = [withComment("policy \(p.id) {", header.trailing)]
        func add(_ at: SourceLocation?, _ body: (Slot) -> [String]) {
            guard let at else { return }
            let s = slot(at: at)
            lines += (s.leading + s.moved).map { "  " + Formatter.trimmed($0.text) }
            lines += body(s)
        }
        add(p.clauses["title"]) { [withComment("  title " + Printer.quote(p.title, interpolated: false), $0.trailing)] }
        add(p.clauses["level"]) { [withComment("  level " + p.level.rawValue, $0.trailing)] }
        add(p.clauses["target"]) { [withComment("  target " + p.target.description, $0.trailing)] }
        add(p.clauses["tags"]) { s in
            [withComment("  tags [" + p.tags.map { Printer.quote($0, interpolated: false) }.joined(separator: ", ") + "]", s.trailing)]
        }
        for l in p.lets {
            add(l.location) { clause(indent: 2, head: "let \(l.name) = ", l.value, trailing: $0.trailing) }
        }
        if let c = p.condition { add(p.clauses["where"]) { clause(indent: 2, head: "where ", c, trailing: $0.trailing) } }
        add(p.clauses["require"]) { clause(indent: 2, head: "require ", p.requirement, trailing: $0.trailing) }
        add(p.clauses["message"]) { [withComment("  message " + template(p.message), $0.trailing)] }
        if let h = p.hint { add(p.clauses["hint"]) { [withComment("  hint " + template(h), $0.trailing)] } }

        let s = slots[braces[index[p.location]!]!] ?? Slot()
        lines += (s.leading + s.moved).map { "  " + Formatter.trimmed($0.text) }
        lines.append(withComment("}", s.trailing))
        return lines
    }

    private func withComment(_ line: String, _ c: Comment?) -> String {
        c.map { line + " " + Formatter.trimmed($0.text) } ?? line
    }

    private func template(_ t: Template) -> String {
        var out = "\""
        for part in t.parts {
            switch part {
            case .text(let s): out += Printer.quote(s, interpolated: true).dropFirst().dropLast()
            case .hole(let e): out += "{" + Lines(written: written).flat(e) + "}"
            }
        }
        return out + "\""
    }

    /// A clause with an expression, broken into lines as §12 says.
    private func clause(indent: Int, head: String, _ e: Expr, trailing: Comment?) -> [String] {
        var lines = Lines(written: written).layout(e, head: String(repeating: " ", count: indent) + head,
                                                   continuation: String(repeating: " ", count: indent + 4))
        lines[lines.count - 1] = withComment(lines[lines.count - 1], trailing)
        return lines
    }
}

// MARK: - expressions

/// Prints an expression like `Printer.expression`, with the places where §12 may break it.
private struct Lines {
    let written: [SourceLocation: String]

    enum Piece {
        case text(String)
        /// A space, or a line break when its group is broken.
        case gap(Int)
    }

    /// Break points that are taken together: the `where` of a binder, or the operators of an
    /// `or` or `and` chain.
    struct Group {
        enum Kind: Int { case `where`, or, and }
        var kind: Kind
        var depth: Int
    }

    private var pieces: [Piece] = []
    private var groups: [Group] = []
    /// False inside prefix-form bodies, which §12 never splits.
    private var breakable = true

    init(written: [SourceLocation: String]) { self.written = written }

    /// The expression on one line.
    func flat(_ e: Expr) -> String {
        var copy = self
        copy.breakable = false
        copy.emit(e, min: 1, tail: true, depth: 0)
        return copy.render(head: "", continuation: "", broken: []).lines[0]
    }

    /// The expression after `head`, broken step by step until every line fits: each step breaks
    /// the best group with a break point on the longest line that is still too long.
    func layout(_ e: Expr, head: String, continuation: String) -> [String] {
        var copy = self
        copy.emit(e, min: 1, tail: true, depth: 0)
        var broken = Set<Int>()
        while true {
            let (lines, gapLines) = copy.render(head: head, continuation: continuation, broken: broken)
            let long = lines.indices.filter { lines[$0].count > Formatter.width }
                .sorted { (lines[$0].count, $1) > (lines[$1].count, $0) }
            let choice = long.lazy.compactMap { line in
                copy.groups.indices
                    .filter { !broken.contains($0) && gapLines[$0, default: []].contains(line) }
                    .min { a, b in
                        let x = copy.groups[a], y = copy.groups[b]
                        return (x.kind.rawValue, x.depth, a) < (y.kind.rawValue, y.depth, b)
                    }
            }.first
            guard let g = choice else { return lines }
            broken.insert(g)
        }
    }

    /// The lines, and for each group the lines its break points fall on.
    private func render(head: String, continuation: String, broken: Set<Int>) -> (lines: [String], gapLines: [Int: [Int]]) {
        var lines: [String] = []
        var current = head
        var at: [Int: [Int]] = [:]
        for p in pieces {
            switch p {
            case .text(let s): current += s
            case .gap(let g):
                at[g, default: []].append(lines.count)
                if broken.contains(g) {
                    lines.append(current)
                    current = continuation
                } else {
                    current += " "
                }
            }
        }
        lines.append(current)
        return (lines, at)
    }

    private mutating func text(_ s: String) { pieces.append(.text(s)) }

    private mutating func group(_ kind: Group.Kind, _ depth: Int) -> Int {
        groups.append(Group(kind: kind, depth: depth))
        return groups.count - 1
    }

    /// Mirrors `Printer.print` (same `min` and `tail` rules), so the one-line text is the same.
    /// `chain` is the `or`/`and` group of the operator whose left operand this is, so a chain
    /// `a or b or c` is one group.
    private mutating func emit(_ e: Expr, min: Int, tail: Bool, depth: Int, chain: (BinaryOp, Int)? = nil) {
        let d = depth + 1
        switch e.kind {
        case .literal(let l): text(literal(l, at: e.location))
        case .name(let n): text(n)
        case .field(let b, let name, _):
            emit(b, min: 10, tail: false, depth: d)
            text("." + name)
        case .index(let b, let k):
            emit(b, min: 10, tail: false, depth: d)
            text("[")
            emit(k, min: 1, tail: true, depth: d)
            text("]")
        case .call(let name, let args):
            text(name + "(")
            list(args, depth: d)
            text(")")
        case .negate(let x):
            parenthesized(9 < min) {
                $0.text("-")
                $0.emit(x, min: 9, tail: tail, depth: d)
            }
        case .not(let x):
            parenthesized(4 < min) {
                $0.text("not ")
                $0.emit(x, min: 4, tail: tail || min > 4, depth: d)
            }
        case .parenthesized(let inner):
            if case .binary(.and, _, _) = inner.kind, min == 2 || min == 3 {
                text("(")
                emit(inner, min: 1, tail: true, depth: depth)
                text(")")
            } else {
                emit(inner, min: min, tail: tail, depth: depth, chain: chain)
            }
        case .binary(let op, let l, let r):
            let p = op.precedence
            let wrap = p < min
            var g: Int?
            if breakable, op == .or || op == .and {
                if !wrap, let chain, chain.0 == op { g = chain.1 } else { g = group(op == .or ? .or : .and, depth) }
            }
            parenthesized(wrap) {
                if op.isComparison, let x = $0.defaulted(l) {
                    $0.parenthesized(true) { $0.emit(x, min: 1, tail: true, depth: d) }
                } else {
                    $0.emit(l, min: op.isComparison ? p + 1 : p, tail: false, depth: d, chain: g.map { (op, $0) })
                }
                if let g { $0.pieces.append(.gap(g)) } else { $0.text(" ") }
                $0.text(op.rawValue + " ")
                if op.isComparison, let x = $0.defaulted(r) {
                    $0.parenthesized(true) { $0.emit(x, min: 1, tail: true, depth: d) }
                } else {
                    $0.emit(r, min: p + 1, tail: tail || min > p, depth: d)
                }
            }
        case .conditional(let c, let a, let b):
            prefix(min: min, tail: tail) {
                let saved = $0.breakable
                $0.breakable = false
                $0.text("if ")
                $0.emit(c, min: 1, tail: true, depth: d)
                $0.text(" then ")
                $0.emit(a, min: 1, tail: true, depth: d)
                $0.text(" else ")
                $0.emit(b, min: 1, tail: true, depth: d)
                $0.breakable = saved
            }
        case .quantifier(let q, let b, let body):
            prefix(min: min, tail: tail) {
                $0.text(q.rawValue + " ")
                $0.binder(b, depth: d)
                $0.text(": ")
                let saved = $0.breakable
                $0.breakable = false
                $0.emit(body, min: 1, tail: true, depth: d)
                $0.breakable = saved
            }
        case .count(let b):
            text("count(")
            binder(b, depth: d)
            text(")")
        case .list(let items):
            text("[")
            list(items, depth: d)
            text("]")
        case .set(let items):
            text("{")
            list(items, depth: d)
            text("}")
        case .comprehension(let isSet, let el, let b):
            text(isSet ? "{" : "[")
            emit(el, min: 1, tail: true, depth: d)
            text(" for ")
            binder(b, depth: d)
            text(isSet ? "}" : "]")
        }
    }

    /// A `default` written in parentheses: kept as an operand of a comparison, where
    /// `(x default 0) >= y` reads better than relying on `default` binding tighter (§12).
    private func defaulted(_ e: Expr) -> Expr? {
        guard case .parenthesized(var inner) = e.kind else { return nil }
        while case .parenthesized(let x) = inner.kind { inner = x }
        if case .binary(.default, _, _) = inner.kind { return inner }
        return nil
    }

    private mutating func list(_ items: [Expr], depth: Int) {
        for (i, item) in items.enumerated() {
            if i > 0 { text(", ") }
            emit(item, min: 1, tail: true, depth: depth)
        }
    }

    private mutating func binder(_ b: Binder, depth: Int) {
        text(b.name + " in ")
        emit(b.collection, min: 7, tail: false, depth: depth)
        guard let f = b.filter else { return }
        if breakable { pieces.append(.gap(group(.where, depth))) } else { text(" ") }
        text("where ")
        emit(f, min: 1, tail: true, depth: depth)
    }

    private mutating func parenthesized(_ wrap: Bool, _ body: (inout Lines) -> Void) {
        if wrap { text("(") }
        body(&self)
        if wrap { text(")") }
    }

    /// Prefix forms sit at the level of `not`; bare only when nothing follows them.
    private mutating func prefix(min: Int, tail: Bool, _ body: (inout Lines) -> Void) {
        parenthesized(!((min <= 4 && tail) || min <= 1), body)
    }

    /// `Printer.literal`, except that numbers keep their `_` separators as written, and the
    /// written digits stand in for a value Swift would print with an exponent.
    private func literal(_ l: Literal, at location: SourceLocation) -> String {
        let canonical = Printer.literal(l)
        guard let text = written[location] else { return canonical }
        let keep = text.contains("_") || canonical.contains("e")
        switch l {
        case .int, .number, .percent: return keep ? text : canonical
        case .duration(let span):
            return keep ? String(text.prefix { $0.isNumber || $0 == "_" }) + span.unit.rawValue : canonical
        default: return canonical
        }
    }
}

// MARK: - meaning

/// The tree without what formatting may change (parentheses, positions), for the self-check.
private enum Canonical {
    static func item(_ item: PolicyFile.Item) -> PolicyFile.Item {
        switch item {
        case .const(var c):
            c.value = expr(c.value)
            return .const(c)
        case .policy(var p):
            p.lets = p.lets.map { var l = $0; l.value = expr(l.value); return l }
            p.condition = p.condition.map(expr)
            p.requirement = expr(p.requirement)
            p.message = template(p.message)
            p.hint = p.hint.map(template)
            return .policy(p)
        }
    }

    static func template(_ t: Template) -> Template {
        var t = t
        t.parts = t.parts.map { if case .hole(let e) = $0 { .hole(expr(e)) } else { $0 } }
        return t
    }

    static func expr(_ e: Expr) -> Expr {
        var e = e
        switch e.kind {
        case .parenthesized(let inner): return expr(inner)
        case .literal, .name: break
        case .field(let b, let n, let l): e.kind = .field(expr(b), n, l)
        case .index(let b, let k): e.kind = .index(expr(b), expr(k))
        case .call(let n, let args): e.kind = .call(n, args.map(expr))
        case .negate(let x): e.kind = .negate(expr(x))
        case .not(let x): e.kind = .not(expr(x))
        case .binary(let op, let l, let r): e.kind = .binary(op, expr(l), expr(r))
        case .conditional(let c, let a, let b): e.kind = .conditional(expr(c), then: expr(a), else: expr(b))
        case .quantifier(let q, let b, let body): e.kind = .quantifier(q, binder(b), expr(body))
        case .count(let b): e.kind = .count(binder(b))
        case .list(let items): e.kind = .list(items.map(expr))
        case .set(let items): e.kind = .set(items.map(expr))
        case .comprehension(let s, let el, let b): e.kind = .comprehension(isSet: s, expr(el), binder(b))
        }
        return e
    }

    static func binder(_ b: Binder) -> Binder {
        var b = b
        b.collection = expr(b.collection)
        b.filter = b.filter.map(expr)
        return b
    }
}
