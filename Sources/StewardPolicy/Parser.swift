import StewardCore

/// Parses a `.policy` file (docs/policy-language.md §3.2).
///
/// Items and clauses are read by recursive descent, expressions by precedence climbing (§3.3).
/// The parser never stops at the first problem: it records a diagnostic, skips to the next
/// clause keyword, `}`, `policy` or `const`, and goes on, so one run reports every error. A
/// policy with a syntax error is left out of the result, so it can never run half-read.
public struct Parser {
    private var tokens: [Token]
    private var i = 0
    private let path: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(tokens: [Token], path: String) {
        self.tokens = tokens
        self.path = path
        if tokens.last?.kind != .endOfFile {
            self.tokens.append(Token(.endOfFile, at: tokens.last?.location ?? SourceLocation(path: path, line: 1, column: 1), text: ""))
        }
    }

    /// Lexes and parses `text`; the diagnostics of both phases are returned together.
    public static func parse(_ text: String, path: String) -> (file: PolicyFile, diagnostics: [Diagnostic]) {
        let lexed = Lexer.tokenize(text, path: path)
        var parser = Parser(tokens: lexed.tokens, path: path)
        let items = parser.parseItems()
        let file = PolicyFile(path: path, items: items, comments: lexed.comments)
        return (file, (lexed.diagnostics + parser.diagnostics).sorted())
    }

    /// Parses one expression and nothing after it (for tests and `policy eval`).
    public static func parseExpression(_ text: String, path: String = "<expr>") -> (expr: Expr?, diagnostics: [Diagnostic]) {
        let lexed = Lexer.tokenize(text, path: path)
        var parser = Parser(tokens: lexed.tokens, path: path)
        let e = try? parser.expression()
        if e != nil, parser.current.kind != .endOfFile {
            parser.unexpected("the end of the expression")
        }
        return (parser.diagnostics.isEmpty ? e : nil, lexed.diagnostics + parser.diagnostics)
    }

    /// Raised to unwind to the nearest recovery point; the diagnostic is already recorded.
    struct Bail: Error {}

    // MARK: items

    mutating func parseItems() -> [PolicyFile.Item] {
        var items: [PolicyFile.Item] = []
        while current.kind != .endOfFile {
            switch current.kind {
            case .keyword(.policy):
                if let p = policy() { items.append(.policy(p)) }
            case .keyword(.const):
                do { items.append(.const(try constDecl())) } catch { skip(to: [.policy, .const]) }
            default:
                unexpected("`policy` or `const`")
                advance()
                skip(to: [.policy, .const])
            }
        }
        return items
    }

    private mutating func constDecl() throws -> ConstDecl {
        let start = current.location
        advance()
        let name = try identifier("a constant name")
        try expect("=")
        let value = try expression()
        return ConstDecl(name: name, value: value, location: start)
    }

    static let clauseOrder: [Keyword] = [.title, .level, .target, .tags, .let, .where, .require, .message, .hint]
    static let required: [Keyword] = [.title, .level, .target, .require, .message]

    private mutating func policy() -> PolicyDecl? {
        let start = current.location
        let before = diagnostics.count
        advance()
        let id: String
        do {
            id = try policyId()
            try expect("{")
        } catch {
            skip(to: [.policy, .const])
            return nil
        }
        var title: String?
        var level: PolicyLevel?
        var target: TargetSpec?
        var tags: [String] = []
        var lets: [LetDecl] = []
        var condition: Expr?
        var requirement: Expr?
        var message: Template?
        var hint: Template?
        var clauses: [String: SourceLocation] = [:]
        var lastRank = -1

        while current.kind != .punctuation("}") {
            guard case .keyword(let k) = current.kind, let rank = Self.clauseOrder.firstIndex(of: k) else {
                if current.kind == .endOfFile || current.kind == .keyword(.policy) || current.kind == .keyword(.const) {
                    report("POL0010", "expected `}` to close policy `\(id)`, found \(describe(current))", at: current.location,
                           help: "every policy block ends with `}`")
                    return nil
                }
                unexpected("a clause (`title`, `level`, `target`, `tags`, `let`, `where`, `require`, `message`, `hint`) or `}`")
                advance()
                skip(to: Self.clauseOrder + [.policy, .const])
                continue
            }
            let at = current.location
            if k != .let, clauses[k.rawValue] != nil {
                report("POL0012", "clause `\(k.rawValue)` appears twice in policy `\(id)`", at: at,
                       notes: ["first at \(clauses[k.rawValue]!)"])
            } else if rank < lastRank {
                report("POL0013", "clause `\(k.rawValue)` comes after `\(Self.clauseOrder[lastRank].rawValue)`", at: at,
                       help: "clauses go in this order: \(Self.clauseOrder.map(\.rawValue).joined(separator: ", "))")
            }
            lastRank = max(lastRank, rank)
            if clauses[k.rawValue] == nil { clauses[k.rawValue] = at }
            advance()
            do {
                switch k {
                case .title: title = try plainString("a title string")
                case .level: level = try levelClause()
                case .target: target = try targetClause()
                case .tags: tags = try tagList()
                case .let:
                    let name = try identifier("a name for the `let`")
                    try expect("=")
                    lets.append(LetDecl(name: name, value: try expression(), location: at))
                case .where: condition = try expression()
                case .require: requirement = try expression()
                case .message: message = try template("the message")
                case .hint: hint = try template("the hint")
                default: break
                }
            } catch {
                skip(to: Self.clauseOrder + [.policy, .const])
            }
        }
        let close = current.location
        advance()
        for k in Self.required where clauses[k.rawValue] == nil {
            report("POL0011", "policy `\(id)` has no `\(k.rawValue)` clause", at: close,
                   help: Self.requiredHelp[k])
        }
        guard diagnostics.count == before, let title, let level, let target, let requirement, let message else {
            return nil
        }
        return PolicyDecl(id: id, title: title, level: level, target: target, tags: tags, lets: lets,
                          condition: condition, requirement: requirement, message: message, hint: hint,
                          location: start, clauses: clauses)
    }

    static let requiredHelp: [Keyword: String] = [
        .title: "add `title \"...\"`: a one-line name for reports",
        .level: "add `level advisory`, `warning`, `mandatory` or `hard`",
        .target: "add `target product` (or contract, property, domain, grant, input, change)",
        .require: "add `require <condition>`: what must hold for every target",
        .message: "add `message \"...\"`: what a failure says",
    ]

    /// `ident { "." ident }` with no spaces; reserved words are allowed as segments.
    private mutating func policyId() throws -> String {
        let start = current.location
        var segments: [String] = []
        var end = start
        while true {
            let t = current
            let word: String
            switch t.kind {
            case .identifier(let s): word = s
            case .keyword(let k): word = k.rawValue
            default:
                report("POL0015", "expected a policy id such as `privacy.piiMasking`, found \(describe(t))", at: t.location)
                throw Bail()
            }
            if !segments.isEmpty, t.location != end {
                report("POL0015", "a policy id has no spaces around its dots", at: t.location)
                throw Bail()
            }
            segments.append(word)
            advance()
            end = SourceLocation(path: path, line: t.location.line, column: t.location.column + t.text.unicodeScalars.count)
            guard current.kind == .punctuation(".") else { break }
            if current.location != end || peek(1).location.column != end.column + 1 || peek(1).location.line != end.line {
                report("POL0015", "a policy id has no spaces around its dots", at: current.location,
                       help: "write the id as one word: `privacy.piiMasking`")
                throw Bail()
            }
            end.column += 1
            advance()
        }
        let id = segments.joined(separator: ".")
        if !Self.isValidId(id) {
            report("POL0015", "invalid policy id `\(id)`", at: start,
                   help: "an id is lowercase-first segments of letters, digits and `_`, joined by dots, at most 64 characters: `privacy.piiMasking`")
            throw Bail()
        }
        return id
    }

    static func isValidId(_ id: String) -> Bool {
        guard id.count <= 64 else { return false }
        return id.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { seg in
            guard let f = seg.unicodeScalars.first, f >= "a" && f <= "z" else { return false }
            return seg.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
        }
    }

    private mutating func levelClause() throws -> PolicyLevel {
        let t = current
        let word: String
        switch t.kind {
        case .keyword(let k): word = k.rawValue
        case .identifier(let s): word = s
        default: word = ""
        }
        guard let level = PolicyLevel(rawValue: word) else {
            report("POL0113", "unknown level \(describe(t))", at: t.location,
                   help: Suggestions.didYouMean(word, in: PolicyLevel.allCases.map(\.rawValue))
                    ?? "a level is `advisory`, `warning`, `mandatory` or `hard`")
            throw Bail()
        }
        advance()
        return level
    }

    private mutating func targetClause() throws -> TargetSpec {
        let t = current
        guard case .identifier(let word) = t.kind, let kind = TargetKind(rawValue: word) else {
            let word = if case .identifier(let s) = t.kind { s } else { t.text }
            report("POL0111", "unknown target \(describe(t))", at: t.location,
                   help: Suggestions.didYouMean(word, in: TargetKind.allCases.map(\.rawValue))
                    ?? "a target is one of: \(TargetKind.allCases.map(\.rawValue).joined(separator: ", "))")
            throw Bail()
        }
        advance()
        guard kind == .change, current.kind == .keyword(.to) else { return TargetSpec(kind) }
        advance()
        let e = current
        guard case .identifier(let w) = e.kind, let entity = EntityKind(rawValue: w) else {
            report("POL0111", "unknown entity \(describe(e)) after `change to`", at: e.location,
                   help: "one of: \(EntityKind.allCases.map(\.rawValue).joined(separator: ", "))")
            throw Bail()
        }
        advance()
        return TargetSpec(.change, entity: entity)
    }

    private mutating func tagList() throws -> [String] {
        try expect("[")
        var tags: [String] = []
        while current.kind != .punctuation("]") {
            tags.append(try plainString("a tag string"))
            if current.kind == .punctuation(",") { advance() } else { break }
        }
        try expect("]")
        return tags
    }

    private mutating func plainString(_ what: String) throws -> String {
        guard case .string(let s) = current.kind else {
            unexpected(what)
            throw Bail()
        }
        advance()
        return s
    }

    private mutating func template(_ what: String) throws -> Template {
        let t = current
        guard case .interpolated(let segments) = t.kind else {
            unexpected("a string for \(what)")
            throw Bail()
        }
        advance()
        var parts: [Template.Part] = []
        for s in segments {
            switch s {
            case .text(let text): parts.append(.text(text))
            case .expression(let tokens):
                guard tokens.count > 1 else { continue }  // `{}`: the lexer reported it
                var sub = Parser(tokens: tokens, path: path)
                let e = try? sub.expression()
                if e != nil, sub.current.kind != .endOfFile { sub.unexpected("`}` closing the interpolation") }
                diagnostics += sub.diagnostics
                if let e, sub.diagnostics.isEmpty { parts.append(.hole(e)) } else { throw Bail() }
            }
        }
        return Template(parts: parts, location: t.location)
    }

    // MARK: expressions

    /// How deeply expressions may nest: the height of an expression's tree, parentheses
    /// included (POL0017). The parser, the checker, the printer, the formatter and both
    /// evaluators recurse once or a few times per level, so the cap keeps all of them far from
    /// the end of the stack, whatever the input.
    public static let maxNesting = 200

    /// The constructs being parsed that wrap a sub-expression (`not`, `-`, parentheses, calls
    /// and brackets with something inside, `if`, quantifiers). Each adds a level to the tree,
    /// so refusing to enter one past the cap refuses only trees that would be too tall, before
    /// recursing any deeper.
    private var nesting = 0

    private mutating func deeper(at location: SourceLocation, _ parse: (inout Parser) throws -> Expr) throws -> Expr {
        // Each construct is a level, and the innermost one has a leaf under it: past
        // `maxNesting - 1` constructs the tree is too tall, however it ends.
        guard nesting + 1 < Self.maxNesting else { throw tooDeep(at: location) }
        nesting += 1
        defer { nesting -= 1 }
        return try parse(&self)
    }

    /// A node of the tree, refused when it would be taller than the cap: the chains built in a
    /// loop (`a and b and ...`, `a.b.c`) grow without recursing.
    private mutating func node(_ kind: ExprKind, at location: SourceLocation) throws -> Expr {
        let e = Expr(kind, at: location)
        guard e.height <= Self.maxNesting else { throw tooDeep(at: location) }
        return e
    }

    private mutating func tooDeep(at location: SourceLocation) -> Bail {
        report("POL0017", "expression nested more than \(Self.maxNesting) levels deep", at: location,
               help: "give parts of it a name with `let`")
        return Bail()
    }

    mutating func expression() throws -> Expr {
        var left = try andExpr()
        while current.kind == .keyword(.or) {
            advance()
            left = try node(.binary(.or, left, try andExpr()), at: left.location)
        }
        return left
    }

    private mutating func andExpr() throws -> Expr {
        var left = try notExpr()
        while current.kind == .keyword(.and) {
            advance()
            left = try node(.binary(.and, left, try notExpr()), at: left.location)
        }
        return left
    }

    /// `not`, and the prefix forms whose last part extends to the right (§3.3 level 1).
    private mutating func notExpr() throws -> Expr {
        let at = current.location
        switch current.kind {
        case .keyword(.not) where peek(1).kind != .keyword(.in):
            return try deeper(at: at) { p in
                p.advance()
                return try p.node(.not(try p.notExpr()), at: at)
            }
        case .keyword(.if):
            return try deeper(at: at) { p in
                p.advance()
                let c = try p.expression()
                try p.expectKeyword(.then)
                let a = try p.expression()
                try p.expectKeyword(.else)
                return try p.node(.conditional(c, then: a, else: try p.expression()), at: at)
            }
        case .keyword(.every), .keyword(.some):
            let q: Quantifier = current.kind == .keyword(.every) ? .every : .some
            return try deeper(at: at) { p in
                p.advance()
                let b = try p.binder()
                try p.expect(":")
                return try p.node(.quantifier(q, b, try p.expression()), at: at)
            }
        default:
            return try comparison()
        }
    }

    /// Comparisons do not associate: `a < b < c` is POL0014.
    private mutating func comparison() throws -> Expr {
        let left = try defaulted()
        guard let op = binaryOperator(), op.isComparison else { return left }
        advance(op == .notIn ? 2 : 1)
        let e = try node(.binary(op, left, try defaulted()), at: left.location)
        if let next = binaryOperator(), next.isComparison {
            report("POL0014", "comparisons do not chain: `\(op.rawValue)` is followed by `\(next.rawValue)`",
                   at: current.location, help: "combine the comparisons with `and`")
            throw Bail()
        }
        return e
    }

    private mutating func defaulted() throws -> Expr {
        var left = try additive()
        while current.kind == .keyword(.default) {
            advance()
            left = try node(.binary(.default, left, try additive()), at: left.location)
        }
        return left
    }

    private mutating func additive() throws -> Expr {
        var left = try multiplicative()
        while let op = binaryOperator(), op == .add || op == .subtract {
            advance()
            left = try node(.binary(op, left, try multiplicative()), at: left.location)
        }
        return left
    }

    private mutating func multiplicative() throws -> Expr {
        var left = try unary()
        while let op = binaryOperator(), op == .multiply || op == .divide {
            advance()
            left = try node(.binary(op, left, try unary()), at: left.location)
        }
        return left
    }

    private func binaryOperator() -> BinaryOp? {
        switch current.kind {
        case .keyword(.or): .or
        case .keyword(.and): .and
        case .keyword(.in): .in
        case .keyword(.not) where peek(1).kind == .keyword(.in): .notIn
        case .keyword(.matches): .matches
        case .keyword(.default): .default
        case .punctuation(let p): BinaryOp(rawValue: p)
        default: nil
        }
    }

    private mutating func unary() throws -> Expr {
        if current.kind == .punctuation("-") {
            let at = current.location
            return try deeper(at: at) { p in
                p.advance()
                return try p.node(.negate(try p.unary()), at: at)
            }
        }
        return try postfix()
    }

    private mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if current.kind == .punctuation(".") {
                advance()
                let at = current.location
                let name: String
                switch current.kind {
                case .identifier(let s): name = s
                case .keyword(let k): name = k.rawValue  // `change.summary` is fine; keywords as field names read well
                default:
                    unexpected("a field name after `.`")
                    throw Bail()
                }
                advance()
                e = try node(.field(e, name, Located(wrappedValue: at)), at: e.location)
            } else if current.kind == .punctuation("[") {
                let base = e
                e = try deeper(at: current.location) { p in
                    p.advance()
                    let key = try p.expression()
                    try p.expect("]")
                    return try p.node(.index(base, key), at: base.location)
                }
            } else {
                return e
            }
        }
    }

    private mutating func primary() throws -> Expr {
        let t = current
        let at = t.location
        switch t.kind {
        case .keyword(.true): advance(); return Expr(.literal(.bool(true)), at: at)
        case .keyword(.false): advance(); return Expr(.literal(.bool(false)), at: at)
        case .int(let v): advance(); return Expr(.literal(.int(v)), at: at)
        case .number(let v): advance(); return Expr(.literal(.number(v)), at: at)
        case .percent(let v): advance(); return Expr(.literal(.percent(v)), at: at)
        case .duration(let v): advance(); return Expr(.literal(.duration(v)), at: at)
        case .semver(let v): advance(); return Expr(.literal(.semver(v)), at: at)
        case .string(let v): advance(); return Expr(.literal(.string(v)), at: at)
        case .rawString(let v): advance(); return Expr(.literal(.rawString(v)), at: at)
        case .interpolated:
            report("POL0016", "interpolation is only allowed in `message` and `hint`", at: at)
            throw Bail()
        case .identifier(let name):
            guard peek(1).kind == .punctuation("(") else {
                advance()
                return Expr(.name(name), at: at)
            }
            if peek(2).kind == .punctuation(")") {
                advance(3)
                return Expr(.call(name, []), at: at)
            }
            return try deeper(at: at) { p in
                p.advance(2)
                var args: [Expr] = []
                while p.current.kind != .punctuation(")") {
                    args.append(try p.expression())
                    if p.current.kind == .punctuation(",") { p.advance() } else { break }
                }
                try p.expect(")")
                return try p.node(.call(name, args), at: at)
            }
        case .keyword(.count):
            return try deeper(at: at) { p in
                p.advance()
                try p.expect("(")
                let b = try p.binder()
                try p.expect(")")
                return try p.node(.count(b), at: at)
            }
        case .punctuation("("):
            return try deeper(at: at) { p in
                p.advance()
                let inner = try p.expression()
                try p.expect(")")
                return try p.node(.parenthesized(inner), at: at)
            }
        case .punctuation("["), .punctuation("{"):
            let isSet = t.kind == .punctuation("{")
            let close = isSet ? "}" : "]"
            if peek(1).kind == .punctuation(close) {
                advance(2)
                return Expr(isSet ? .set([]) : .list([]), at: at)
            }
            return try deeper(at: at) { p in
                p.advance()
                let first = try p.expression()
                if p.current.kind == .keyword(.for) {
                    p.advance()
                    let b = try p.binder()
                    try p.expect(close)
                    return try p.node(.comprehension(isSet: isSet, first, b), at: at)
                }
                var elements = [first]
                while p.current.kind == .punctuation(",") {
                    p.advance()
                    if p.current.kind == .punctuation(close) { break }
                    elements.append(try p.expression())
                }
                try p.expect(close)
                return try p.node(isSet ? .set(elements) : .list(elements), at: at)
            }
        case .keyword(.not), .keyword(.if), .keyword(.every), .keyword(.some):
            // A prefix form as an operand of a tighter operator needs parentheses.
            report("POL0010", "`\(t.text)` here needs parentheses", at: at,
                   help: "write `(\(t.text) ...)` when it is an operand of another operator")
            throw Bail()
        default:
            unexpected("an expression")
            throw Bail()
        }
    }

    /// `x in xs [where c]`. The collection is parsed at additive level so `in` is not read as
    /// the membership operator.
    private mutating func binder() throws -> Binder {
        let at = current.location
        let name = try identifier("a variable name")
        try expectKeyword(.in)
        let collection = try additive()
        var filter: Expr?
        if current.kind == .keyword(.where) {
            advance()
            filter = try expression()
        }
        return Binder(name: name, collection: collection, filter: filter, location: at)
    }

    // MARK: tokens

    var current: Token { tokens[i] }

    private func peek(_ n: Int) -> Token { tokens[min(i + n, tokens.count - 1)] }

    private mutating func advance(_ n: Int = 1) {
        i = min(i + n, tokens.count - 1)
    }

    private mutating func identifier(_ what: String) throws -> String {
        guard case .identifier(let s) = current.kind else {
            if case .keyword(let k) = current.kind {
                report("POL0010", "expected \(what), found the reserved word `\(k.rawValue)`", at: current.location,
                       help: "choose another name; reserved words cannot name things")
            } else {
                unexpected(what)
            }
            throw Bail()
        }
        advance()
        return s
    }

    private mutating func expect(_ punctuation: String) throws {
        guard current.kind == .punctuation(punctuation) else {
            unexpected("`\(punctuation)`")
            throw Bail()
        }
        advance()
    }

    private mutating func expectKeyword(_ k: Keyword) throws {
        guard current.kind == .keyword(k) else {
            unexpected("`\(k.rawValue)`")
            throw Bail()
        }
        advance()
    }

    /// Skips to a recovery point: one of `keywords`, or `}` (consumed only when `keywords`
    /// are item keywords, so a policy block can still see its own closing brace).
    private mutating func skip(to keywords: [Keyword]) {
        while true {
            switch current.kind {
            case .endOfFile: return
            case .keyword(let k) where keywords.contains(k): return
            case .punctuation("}"):
                if keywords.contains(.title) { return }
                advance()
                return
            default: advance()
            }
        }
    }

    mutating func unexpected(_ expected: String) {
        report("POL0010", "expected \(expected), found \(describe(current))", at: current.location)
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .endOfFile: "the end of the file"
        case .keyword(let k): "`\(k.rawValue)`"
        case .interpolated: "a string"
        default: "`\(t.text)`"
        }
    }

    private mutating func report(_ id: String, _ message: String, at: SourceLocation, notes: [String] = [], help: String? = nil) {
        // One diagnostic per position: recovery may reach the same token twice.
        if diagnostics.last?.location == at { return }
        diagnostics.append(.error(id, message, at: at, notes: notes, help: help))
    }
}
