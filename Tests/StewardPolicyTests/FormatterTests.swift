import Foundation
import StewardCore
import Testing
@testable import StewardPolicy

/// The canonical formatter (docs/policy-language.md §12): golden layouts, and the properties
/// every formatted file must have (idempotent, same meaning, comments kept).
@Suite struct FormatterTests {
    /// The formatted text, failing the test when the formatter refuses.
    func fmt(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
        let (out, ds) = Formatter.format(text, path: "t.policy")
        #expect(ds.isEmpty, "\(ds.map { "\($0.id) \($0.message)" })", sourceLocation: sourceLocation)
        return out ?? ""
    }

    /// A policy around `clauses` (indented by two spaces), in canonical form.
    func policy(_ clauses: String...) -> String {
        "policy t.p {\n  title \"t\"\n  level mandatory\n  target contract\n"
            + clauses.map { "  " + $0 + "\n" }.joined() + "  message \"m\"\n}\n"
    }

    // MARK: golden layouts

    @Test func messyInputBecomesCanonical() {
        let messy = """
        policy  t.messy{title "Messy"  level   mandatory
        target property tags["a","b",]
        let   x=((property.name))
           where property.pii and(property.masking default "none")!="none"


          require x!=""   and  (property.retention <= 365days) or (x == "a" and x != "b")
        message "{ x } is { property.masking }"    hint "fix \\{it\\}"
        }
        const   max=[ 1,2 , 3, ]


        const other =   {"a"}
        """
        #expect(fmt(messy) == """
        policy t.messy {
          title "Messy"
          level mandatory
          target property
          tags ["a", "b"]
          let x = property.name
          where property.pii and (property.masking default "none") != "none"
          require x != "" and property.retention <= 365d or (x == "a" and x != "b")
          message "{x} is {property.masking}"
          hint "fix \\{it\\}"
        }

        const max = [1, 2, 3]

        const other = {"a"}

        """)
    }

    @Test(arguments: [
        ("365days", "365d"), ("30minutes", "30min"), ("2weeks", "2w"), ("6hours", "6h"), ("1year", "1y"),
        ("3months", "3mo"), ("90sec", "90s"), ("1_000s", "1_000s"), ("10_000", "10_000"), ("1.50", "1.5"),
        ("95.0%", "95%"), ("99.50%", "99.5%"), ("007", "7"), ("v1.4.0-rc.1", "v1.4.0-rc.1"),
        ("0.0000001", "0.0000001"), ("99999999999999999d", "99999999999999999d"),
        (#""a\u{41}\t\"""#, #""aA\t\"""#), (#"r"\d+{2}""#, #"r"\d+{2}""#), (#""{x}""#, #""{x}""#),
    ])
    func literalsAreCanonical(_ written: String, _ canonical: String) {
        #expect(fmt("const c = \(written)\n") == "const c = \(canonical)\n")
    }

    @Test(arguments: [
        ("((a))", "a"),
        ("(a and b) or c", "(a and b) or c"),
        ("a or (b and c)", "a or (b and c)"),
        ("a or (b or c)", "a or (b or c)"),
        ("(a or b) or c", "a or b or c"),
        ("(a or b) and c", "(a or b) and c"),
        ("(not a) == b", "(not a) == b"),
        ("not (a == b)", "not a == b"),
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("-(a)", "-a"),
        ("(every x in xs: x) and y", "(every x in xs: x) and y"),
        ("y and (every x in xs: x)", "y and every x in xs: x"),
        ("(a default 0) >= b", "(a default 0) >= b"),
        ("a default 0 >= b", "a default 0 >= b"),
        ("b < ((a default 0))", "b < (a default 0)"),
        ("(a default b) default c", "a default b default c"),
        ("f((a), [(b)], {(c) for x in (xs) where (x)})", "f(a, [b], {c for x in xs where x})"),
        ("(if a then b else c)", "if a then b else c"),
    ])
    func redundantParenthesesGo(_ written: String, _ canonical: String) {
        #expect(fmt("const c = \(written)\n") == "const c = \(canonical)\n")
    }

    @Test func aLongRequireBreaksBeforeEachOperatorOfItsChain() {
        let one = "require has(contract.retention) and has(contract.retentionElement) and contract.retention <= maxPiiRetention"
        #expect(fmt(policy(one)) == policy("""
        require has(contract.retention)
              and has(contract.retentionElement)
              and contract.retention <= maxPiiRetention
        """))
    }

    @Test func anOrChainBreaksBeforeTheAndsInsideIt() {
        let one = "require (has(contract.retention) and contract.retention <= maxPiiRetention) or contract.status == \"deprecated\" or contract.status == \"retired\""
        #expect(fmt(policy(one)) == policy("""
        require (has(contract.retention) and contract.retention <= maxPiiRetention)
              or contract.status == "deprecated"
              or contract.status == "retired"
        """))
    }

    @Test func aComprehensionBreaksFirstBeforeItsWhereThenInsideTheLongestLine() {
        let one = "let outsiders = distinct([c.author.email for c in change.commits where c.author.email not in domain.owners.members and c.author.email not in mesh.platformTeam.members])"
        #expect(fmt(policy(one, "require len(outsiders) == 0")) == policy("""
        let outsiders = distinct([c.author.email for c in change.commits
              where c.author.email not in domain.owners.members
              and c.author.email not in mesh.platformTeam.members])
        """, "require len(outsiders) == 0"))
    }

    @Test func prefixBodiesAndStringsAreNeverSplit() {
        let body = "some m in product.team.members: lower(m.role default \"\") == \"owner\" and has(m.email) and has(m.name) and m.name != \"nobody\""
        #expect(fmt(policy("require \(body)")) == policy("require \(body)"))
        let message = "message \"" + String(repeating: "long text ", count: 12) + "{contract.id}\""
        let text = "policy t.p {\n  title \"t\"\n  level mandatory\n  target contract\n  require true\n  \(message)\n}\n"
        #expect(fmt(text) == text)
    }

    @Test func aLongConstContinuesFourSpacesIn() {
        let one = "const names = [\"alpha\", \"beta\", \"gamma\", \"delta\"] == [\"epsilon\", \"zeta\"] or len(\"eta theta iota kappa\") > 3 or false"
        #expect(fmt(one + "\n") == """
        const names = ["alpha", "beta", "gamma", "delta"] == ["epsilon", "zeta"]
            or len("eta theta iota kappa") > 3
            or false

        """)
    }

    @Test func commentsStayWithTheirItemOrClause() {
        let text = """
        # header comment

        # attached to the const
        const a = 1   # trailing const  
        policy t.c {   # header trailing
          # before title
          title "t"
          level mandatory   # after level
          target product


              # before require
          require a > 0 # inside the expression
              and a < 10 # at the end
          message "m"
          # before the brace
        } # after the brace


        # at the end of the file
        """
        #expect(fmt(text) == """
        # header comment

        # attached to the const
        const a = 1 # trailing const

        policy t.c { # header trailing
          # before title
          title "t"
          level mandatory # after level
          target product
          # before require
          # inside the expression
          require a > 0 and a < 10 # at the end
          message "m"
          # before the brace
        } # after the brace

        # at the end of the file

        """)
    }

    @Test func aTrailingCommentStaysAtTheEndOfABrokenClause() {
        let one = "require has(contract.retention) and has(contract.retentionElement) and contract.retention <= maxPiiRetention # why"
        #expect(fmt(policy(one)) == policy("""
        require has(contract.retention)
              and has(contract.retentionElement)
              and contract.retention <= maxPiiRetention # why
        """))
    }

    @Test func constsWrittenTogetherStayTogether() {
        #expect(fmt("const a = 1\nconst b = 2\n# c\nconst c = 3 # three\nconst d = 4\n\n\nconst e = 5\npolicy t.p { title \"t\" level hard target product require true message \"m\" }\nconst f = 6\n") == """
        const a = 1
        const b = 2
        # c
        const c = 3 # three
        const d = 4

        const e = 5

        policy t.p {
          title "t"
          level hard
          target product
          require true
          message "m"
        }

        const f = 6

        """)
        #expect(fmt("const a = 1\n\n# free\n\nconst b = 2\n") == "const a = 1\n\n# free\n\nconst b = 2\n")
    }

    @Test func onlyCommentsOrNothing() {
        #expect(fmt("") == "")
        #expect(fmt("\n\n  \n") == "")
        #expect(fmt("# one\n# two\n\n\n# three") == "# one\n# two\n\n# three\n")
    }

    @Test func crlfAndMissingFinalNewline() {
        #expect(fmt("const a = 1\r\n\r\nconst b = 2 # x\r\n") == "const a = 1\n\nconst b = 2 # x\n")
        #expect(fmt("const a = 1") == "const a = 1\n")
    }

    @Test func aFileWithASyntaxErrorIsNotFormatted() {
        let (out, ds) = Formatter.format("const a = 1\npolicy t.p {\n  title \"t\"\n  require (a\n}\n", path: "bad.policy")
        #expect(out == nil)
        #expect(!ds.isEmpty && ds.allSatisfy { $0.severity == .error })
        #expect(Formatter.format("const a = 5m\n", path: "bad.policy").output == nil)
    }

    // MARK: properties

    /// Every policy text the repository holds: the shipped files and the document's blocks.
    static var corpus: [(String, String)] {
        var out: [(String, String)] = []
        let fm = FileManager.default
        var folders = ["policies"]
        let domains = repositoryRoot.appendingPathComponent("domains")
        for d in (try? fm.contentsOfDirectory(atPath: domains.path)) ?? [] { folders.append("domains/\(d)/policies") }
        for folder in folders {
            let url = repositoryRoot.appendingPathComponent(folder)
            guard let walker = fm.enumerator(atPath: url.path) else { continue }
            for case let rel as String in walker where rel.hasSuffix(".policy") {
                if let text = try? String(contentsOf: url.appendingPathComponent(rel), encoding: .utf8) {
                    out.append(("\(folder)/\(rel)", text))
                }
            }
        }
        for (heading, _, text) in DocumentExamplesTests.blocks { out.append((heading, text)) }
        return out
    }

    @Test func theCorpusIsThere() {
        #expect(Self.corpus.filter { $0.0.hasSuffix(".policy") }.count >= 7)
        #expect(Self.corpus.count >= 15)
    }

    @Test func theShippedPoliciesAndTheDocumentAreCanonical() {
        for (name, text) in Self.corpus {
            let out = fmt(text)
            #expect(out == text, "\(name) is not canonical:\n\(out)")
        }
    }

    @Test func formattingIsIdempotentAndKeepsTheMeaning() {
        for (name, text) in Self.corpus {
            // Undo the layout first, so the formatter has something to do.
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let indented = lines.joined(separator: "\n   ")
            let oneLine = lines.filter { !$0.hasPrefix("#") }.joined(separator: " ")
            for input in [text, indented, oneLine] {
                checkProperties(input, name)
            }
        }
    }

    /// Mutated policies (the fuzz corpus): whatever parses formats idempotently, to the same tree.
    @Test func mutatedPoliciesFormatIdempotently() {
        var rng = SplitMix(seed: 7)
        let fuzz = FuzzTests()
        var formatted = 0
        let iterations = Int(ProcessInfo.processInfo.environment["STEWARD_FUZZ_ITERATIONS"] ?? "") ?? 3_000
        for _ in 0..<iterations {
            var scalars = Array(FuzzTests.corpus[Int(rng.next() % UInt64(FuzzTests.corpus.count))].unicodeScalars)
            for _ in 0..<(1 + rng.next() % 3) { fuzz.mutate(&scalars, &rng) }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            if checkProperties(text, "mutant") { formatted += 1 }
        }
        #expect(formatted > iterations / 10, "only \(formatted) mutants parsed")
    }

    /// Generated deep expressions (long enough to be broken), with comments at random places.
    @Test func generatedPoliciesFormatIdempotently() {
        var rng = SplitMix(seed: 12)
        var broken = 0
        for i in 0..<400 {
            var g = ExpressionGenerator(rng: rng)
            let requirement = g.bool(depth: 5), condition = g.bool(depth: 3), names = g.strings(depth: 3)
            rng = g.rng
            var text = """
            policy gen.p\(i) {
              title "generated"
              level mandatory
              target contract
              let names = \(names)
              where \(condition)
              require \(requirement)
              message "{contract.id}"
            }

            """
            // Comments may go wherever a space is: no generated string literal holds one.
            var scalars = Array(text.unicodeScalars)
            for n in 0..<Int(rng.next() % 4) {
                let spaces = scalars.indices.filter { scalars[$0] == " " }
                let at = spaces[Int(rng.next() % UInt64(spaces.count))]
                scalars.replaceSubrange(at...at, with: " # c\(n)\n ".unicodeScalars)
            }
            text = String(String.UnicodeScalarView(scalars))
            checkProperties(text, text)
            if let out = Formatter.format(text, path: "t.policy").output, out.contains("\n      ") { broken += 1 }
        }
        #expect(broken > 100, "only \(broken) generated policies needed breaking")
    }

    /// format(format(x)) == format(x), parse(format(x)) == parse(x) without parentheses, and
    /// the same comments in the same order. Returns whether `text` parsed.
    @discardableResult
    func checkProperties(_ text: String, _ name: String) -> Bool {
        let (out, ds) = Formatter.format(text, path: "t.policy")
        let (before, parseErrors) = Parser.parse(text, path: "t.policy")
        #expect((out == nil) == !parseErrors.isEmpty, "\(name): \(ds.map(\.message))")
        guard let out else { return false }
        #expect(fmt(out) == out, "\(name): not idempotent:\n\(out)")
        let (after, again) = Parser.parse(out, path: "t.policy")
        #expect(again.isEmpty, "\(name): \(again.map(\.message))")
        #expect(after.items.map(strip) == before.items.map(strip), "\(name): the meaning changed:\n\(out)")
        #expect(after.comments.map(\.text) == before.comments.map { Formatter.trimmed($0.text) })
        #expect(out.isEmpty || (out.hasSuffix("\n") && !out.hasSuffix("\n\n")))
        return true
    }

    // MARK: tree comparison

    func strip(_ item: PolicyFile.Item) -> PolicyFile.Item {
        switch item {
        case .const(var c):
            c.value = strip(c.value)
            return .const(c)
        case .policy(var p):
            p.lets = p.lets.map { var l = $0; l.value = strip(l.value); return l }
            p.condition = p.condition.map(strip)
            p.requirement = strip(p.requirement)
            p.message.parts = p.message.parts.map(strip)
            p.hint = p.hint.map { var h = $0; h.parts = h.parts.map(strip); return h }
            return .policy(p)
        }
    }

    func strip(_ part: Template.Part) -> Template.Part {
        if case .hole(let e) = part { return .hole(strip(e)) }
        return part
    }

    /// The expression without `.parenthesized` nodes, which formatting adds and removes.
    func strip(_ e: Expr) -> Expr {
        var e = e
        func binder(_ b: Binder) -> Binder {
            var b = b
            b.collection = strip(b.collection)
            b.filter = b.filter.map(strip)
            return b
        }
        switch e.kind {
        case .parenthesized(let inner): return strip(inner)
        case .literal, .name: return e
        case .field(let b, let n, let l): e.kind = .field(strip(b), n, l)
        case .index(let a, let b): e.kind = .index(strip(a), strip(b))
        case .call(let n, let args): e.kind = .call(n, args.map(strip))
        case .negate(let a): e.kind = .negate(strip(a))
        case .not(let a): e.kind = .not(strip(a))
        case .binary(let op, let a, let b): e.kind = .binary(op, strip(a), strip(b))
        case .conditional(let a, let b, let c): e.kind = .conditional(strip(a), then: strip(b), else: strip(c))
        case .quantifier(let q, let b, let body): e.kind = .quantifier(q, binder(b), strip(body))
        case .count(let b): e.kind = .count(binder(b))
        case .list(let xs): e.kind = .list(xs.map(strip))
        case .set(let xs): e.kind = .set(xs.map(strip))
        case .comprehension(let s, let el, let b): e.kind = .comprehension(isSet: s, strip(el), binder(b))
        }
        return e
    }
}
