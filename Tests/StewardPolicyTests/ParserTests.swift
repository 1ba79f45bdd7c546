import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct ParserTests {
    @Test func aPolicyParsesToItsClauses() throws {
        let (file, ds) = Parser.parse("""
        const max = 365d
        policy privacy.piiRetention {
          title "Retention"
          level mandatory
          target contract
          tags ["privacy", "retention"]
          let pii = [p.name for p in contract.properties where p.pii]
          where len(pii) > 0
          require contract.retention default 0d <= max
          message "{contract.id} keeps {contract.retention}"
          hint "shorten it"
        }
        """, path: "p.policy")
        #expect(ds.isEmpty)
        let p = try #require(file.policies.first)
        #expect(file.consts.map(\.name) == ["max"])
        #expect(p.id == "privacy.piiRetention")
        #expect(p.level == .mandatory)
        #expect(p.target == TargetSpec(.contract))
        #expect(p.tags == ["privacy", "retention"])
        #expect(p.lets.map(\.name) == ["pii"])
        #expect(Printer.expression(p.requirement) == "contract.retention default 0d <= max")
        #expect(p.message.expressions.map(Printer.expression) == ["contract.id", "contract.retention"])
        #expect(p.clauses["require"] == SourceLocation(path: "p.policy", line: 9, column: 3))
    }

    @Test(arguments: [
        ("not a and b", "(not a) and b"),
        ("not a == b", "not (a == b)"),
        ("a or b and c", "a or (b and c)"),
        ("x default 1 + 2 * 3", "x default (1 + (2 * 3))"),
        ("a - b - c", "(a - b) - c"),
        ("-a.b", "-(a.b)"),
        ("a not in b", "a not in b"),
        ("every x in xs: x and y", "every x in xs: (x and y)"),
        ("a and some x in xs where x.ok: x.b", "a and (some x in xs where x.ok: x.b)"),
        ("if a then b else c or d", "if a then b else (c or d)"),
        ("[x.id for x in xs where x.pii]", "[x.id for x in xs where x.pii]"),
        ("count(x in xs where x.pii) > 0", "count(x in xs where x.pii) > 0"),
        ("m[\"k\"].f", "(m[\"k\"]).f"),
    ])
    func precedence(_ source: String, _ grouped: String) throws {
        let (e, ds) = Parser.parseExpression(source)
        #expect(ds.isEmpty)
        let (g, _) = Parser.parseExpression(grouped)
        // Grouping is what the parentheses say; equality ignores the parentheses nodes.
        #expect(strip(try #require(e)) == strip(try #require(g)))
    }

    @Test func printingRoundTrips() throws {
        for source in ["(not a) == b", "a and (b or c)", "(every x in xs: x) and y", "(a and b) or c", "-(a - b)", "a - (b - c)"] {
            let (e, ds) = Parser.parseExpression(source)
            #expect(ds.isEmpty, "\(source)")
            let printed = Printer.expression(try #require(e))
            let (again, _) = Parser.parseExpression(printed)
            #expect(strip(try #require(again)) == strip(try #require(e)), "\(source) printed as \(printed)")
        }
    }

    /// A diagnostic per kind of syntax error, at its place.
    @Test(arguments: [
        ("policy t.p {\n  title \"t\"\n  level mandatory\n  target product\n  require true\n}\n", "POL0011@6:1"),
        (policy("require true\n  require false"), "POL0012@6:3"),
        ("policy t.p {\n  title \"t\"\n  target product\n  level mandatory\n  require true\n  message \"m\"\n}\n", "POL0013@4:3"),
        (policy("require 1 < 2 < 3"), "POL0014@5:17"),
        ("policy T.p {\n}\n", "POL0015@1:8"),
        ("policy a . b {\n}\n", "POL0015@1:10"),
        (policy("require (a"), "POL0010@6:3"),
        (policy("require f(a,"), "POL0010@6:3"),
        (policy("require true", level: "manadtory"), "POL0113@3:9"),
        (policy("require true", target: "products"), "POL0111@4:10"),
        (policy("require true", target: "change to table"), "POL0111@4:20"),
        (policy("require a and"), "POL0010@6:3"),
        (policy("let policy = 1\n  require true"), "POL0010@5:7"),
        (policy("require x == not y"), "POL0010@5:16"),
        ("level mandatory\n", "POL0010@1:1"),
        ("policy t.p {\n  title \"t\"\n", "POL0010@3:1"),
    ])
    func syntaxErrors(_ source: String, _ expected: String) {
        let (_, ds) = Parser.parse(source, path: "p.policy")
        #expect(positions(ds).first == expected, "\(ds.map(\.message))")
    }

    @Test func recoveryReportsEveryBrokenPolicyAndKeepsTheGoodOnes() {
        let (file, ds) = Parser.parse("""
        policy a.one {
          title "one"
          level mandatory
          target product
          require product.name ==
          message "m"
        }
        policy a.two {
          title "two"
          level advisory
          target product
          require true
          message "m"
        }
        policy a.three {
          title 3
          level warning
          target product
          require true
          message "m"
        }
        """, path: "p.policy")
        #expect(positions(ds) == ["POL0010@6:3", "POL0010@16:9"])
        #expect(file.policies.map(\.id) == ["a.two"])
    }

    @Test func interpolationOnlyInMessages() {
        let (file, ds) = Parser.parse(policy("require true", target: "product").replacingOccurrences(of: "message \"m\"", with: "message \"`{product.id}` has {len(product.tags)} tags, \\{literal\\}\""), path: "p.policy")
        #expect(ds.isEmpty)
        #expect(Printer.template(file.policies[0].message) == "\"`{product.id}` has {len(product.tags)} tags, \\{literal\\}\"")
    }

    /// Removes the position-free parentheses nodes, so trees compare by structure.
    func strip(_ e: Expr) -> Expr {
        var e = e
        switch e.kind {
        case .parenthesized(let inner): return strip(inner)
        case .field(let b, let n, let l): e.kind = .field(strip(b), n, l)
        case .index(let a, let b): e.kind = .index(strip(a), strip(b))
        case .call(let n, let args): e.kind = .call(n, args.map(strip))
        case .negate(let a): e.kind = .negate(strip(a))
        case .not(let a): e.kind = .not(strip(a))
        case .binary(let op, let a, let b): e.kind = .binary(op, strip(a), strip(b))
        case .conditional(let a, let b, let c): e.kind = .conditional(strip(a), then: strip(b), else: strip(c))
        case .quantifier(let q, var binder, let body):
            binder.collection = strip(binder.collection)
            binder.filter = binder.filter.map(strip)
            e.kind = .quantifier(q, binder, strip(body))
        case .count(var binder):
            binder.collection = strip(binder.collection)
            binder.filter = binder.filter.map(strip)
            e.kind = .count(binder)
        case .comprehension(let s, let el, var binder):
            binder.collection = strip(binder.collection)
            binder.filter = binder.filter.map(strip)
            e.kind = .comprehension(isSet: s, strip(el), binder)
        case .list(let v): e.kind = .list(v.map(strip))
        case .set(let v): e.kind = .set(v.map(strip))
        case .literal, .name: break
        }
        return e
    }
}
