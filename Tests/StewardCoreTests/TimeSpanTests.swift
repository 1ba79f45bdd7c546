import StewardCore
import Testing

@Suite struct TimeSpanTests {
    @Test(arguments: [
        ("6h", TimeSpan(6, .hours)), ("365d", TimeSpan(365, .days)), ("30min", TimeSpan(30, .minutes)),
        ("2y", TimeSpan(2, .years)), ("1.5d", TimeSpan(1.5, .days)), ("3mo", TimeSpan(3, .months)), ("4 weeks", TimeSpan(4, .weeks)),
    ])
    func parses(_ text: String, _ expected: TimeSpan) throws {
        #expect(try TimeSpan.parse(text) == expected)
        #expect(try TimeSpan.parse(text).unit == expected.unit)
    }

    @Test func mIsAmbiguous() {
        #expect(throws: TimeSpan.ParseError.ambiguous("m")) { try TimeSpan.unit("m") }
        #expect(throws: TimeSpan.ParseError.ambiguous("M")) { try TimeSpan.parse("5M") }
        #expect(TimeSpan.ParseError.ambiguous("m").help == "write `min` for minutes or `mo` for months")
    }

    @Test func unknownUnitSuggests() {
        #expect(throws: TimeSpan.ParseError.unknown("dayz")) { try TimeSpan.unit("dayz") }
        #expect(TimeSpan.ParseError.unknown("dayz").help == "did you mean `days`?")
    }

    @Test func comparesAcrossUnits() {
        #expect(TimeSpan(2, .years) == TimeSpan(730, .days))
        #expect(TimeSpan(6, .hours) < TimeSpan(1, .days))
        #expect(TimeSpan(1, .months) > TimeSpan(4, .weeks))
        #expect(TimeSpan(6, .hours).description == "6h")
        #expect(TimeSpan(1.5, .days).description == "1.5d")
    }
}

@Suite struct SuggestionsTests {
    @Test func editDistance() {
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("clasification", "classification") == 1)
        #expect(Suggestions.editDistance("ab", "ba") == 1)
        #expect(Suggestions.editDistance("", "abc") == 3)
    }

    @Test func suggestsOnlyWhenClose() {
        #expect(Suggestions.closest(to: "clasification", in: ["classification", "description"]) == "classification")
        #expect(Suggestions.closest(to: "zzz", in: ["classification", "description"]) == nil)
        #expect(Suggestions.didYouMean("Required", in: ["required"]) == "did you mean `required`?")
    }
}

@Suite struct RepoPathTests {
    @Test func resolvesInside() throws {
        #expect(try RepoPath.resolve("transforms/a.sql", against: "domains/x") == "domains/x/transforms/a.sql")
        #expect(try RepoPath.resolve("./a/../b.sql", against: "domains/x") == "domains/x/b.sql")
        #expect(try RepoPath.resolve("../y/a.sql", against: "domains/x") == "domains/y/a.sql")
    }

    @Test func refusesEscapes() {
        #expect(throws: RepoPath.Problem.escapes("../../../etc/passwd")) {
            try RepoPath.resolve("../../../etc/passwd", against: "domains/x")
        }
        #expect(throws: RepoPath.Problem.absolute("/etc/passwd")) { try RepoPath.resolve("/etc/passwd", against: "d") }
        #expect(throws: RepoPath.Problem.empty) { try RepoPath.resolve("a/..", against: "") }
    }

    @Test func stemAndDirectory() {
        #expect(RepoPath.stem(of: "domains/x/contracts/orders.odcs.yaml") == "orders")
        #expect(RepoPath.directory(of: "domains/x/a.sql") == "domains/x")
        #expect(RepoPath.directory(of: "a.sql") == "")
    }
}

@Suite struct DiagnosticRendererTests {
    @Test func rendersLikeACompiler() {
        let d = Diagnostic.error("MESH0101", "unknown key `clasification` in schema property",
                                 at: SourceLocation(path: "c.odcs.yaml", line: 2, column: 3),
                                 help: "did you mean `classification`?")
        let r = DiagnosticRenderer(source: { $0 == "c.odcs.yaml" ? "a:\n  clasification: x\n" : nil })
        #expect(r.render(d) == """
        error[MESH0101]: unknown key `clasification` in schema property
          --> c.odcs.yaml:2:3
          |
        2 |   clasification: x
          |   ^
          = help: did you mean `classification`?

        """)
        #expect(DiagnosticRenderer.short(d) == "c.odcs.yaml:2:3: error[MESH0101]: unknown key `clasification` in schema property (help: did you mean `classification`?)")
    }

    @Test func withoutSourceOrLocation() {
        let d = Diagnostic.warning("X1", "something", at: nil)
        #expect(DiagnosticRenderer().render(d) == "warning[X1]: something\n")
        #expect(DiagnosticRenderer.summary([d]) == "0 errors, 1 warning")
    }

    @Test func sortsByPlace() {
        let a = Diagnostic.error("B", "b", at: SourceLocation(path: "a", line: 2, column: 1))
        let b = Diagnostic.error("A", "a", at: SourceLocation(path: "a", line: 10, column: 1))
        let c = Diagnostic.error("C", "c", at: SourceLocation(path: "b", line: 1, column: 1))
        #expect([c, b, a].sorted() == [a, b, c])
    }
}
