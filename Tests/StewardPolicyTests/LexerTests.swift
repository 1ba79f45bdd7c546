import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct LexerTests {
    func kinds(_ text: String) -> [Token.Kind] {
        Lexer.tokenize(text, path: "p.policy").tokens.map(\.kind).dropLast()
    }

    func problems(_ text: String) -> [String] {
        Lexer.tokenize(text, path: "p.policy").diagnostics.map(\.id)
    }

    @Test func wordsAndKeywords() {
        #expect(kinds("policy privacy.piiMasking require property.pii") == [
            .keyword(.policy), .identifier("privacy"), .punctuation("."), .identifier("piiMasking"),
            .keyword(.require), .identifier("property"), .punctuation("."), .identifier("pii"),
        ])
    }

    @Test func literals() {
        #expect(kinds("42 10_000 2.5 95% 0.5%") == [.int(42), .int(10_000), .number(2.5), .percent(95), .percent(0.5)])
        #expect(kinds("365d 6h 30min 2y 3mo 4weeks") == [
            .duration(TimeSpan(365, .days)), .duration(TimeSpan(6, .hours)), .duration(TimeSpan(30, .minutes)),
            .duration(TimeSpan(2, .years)), .duration(TimeSpan(3, .months)), .duration(TimeSpan(4, .weeks)),
        ])
        #expect(kinds("v2.0.0 v1.4.0-rc.1 v2 v1.2") == [
            .semver("2.0.0"), .semver("1.4.0-rc.1"), .identifier("v2"), .identifier("v1"), .punctuation("."), .int(2),
        ])
        #expect(kinds(#""a\"b\n\u{41}" r"\d{2,3}""#) == [.string("a\"b\nA"), .rawString(#"\d{2,3}"#)])
    }

    @Test func operators() {
        #expect(kinds("a <= b != c == d >= e < f > g") == [
            .identifier("a"), .punctuation("<="), .identifier("b"), .punctuation("!="), .identifier("c"),
            .punctuation("=="), .identifier("d"), .punctuation(">="), .identifier("e"), .punctuation("<"),
            .identifier("f"), .punctuation(">"), .identifier("g"),
        ])
    }

    @Test func interpolationOnlyAfterMessageAndHint() {
        let ks = kinds(#"message "`{property.id}` keeps {c.retention}" where x matches "a{2}""#)
        guard case let .interpolated(segments) = ks[1] else {
            Issue.record("not interpolated: \(ks)")
            return
        }
        #expect(segments.count == 4)
        #expect(segments[0] == .text("`"))
        if case let .expression(tokens) = segments[1] {
            #expect(tokens.map(\.kind) == [.identifier("property"), .punctuation("."), .identifier("id"), .endOfFile])
        } else {
            Issue.record("no hole")
        }
        #expect(segments[2] == .text("` keeps "))
        #expect(ks.last == .string("a{2}"))  // braces are ordinary outside message/hint
    }

    @Test func commentsAndPositions() {
        let (tokens, ds, comments) = Lexer.tokenize("# a comment\n  level mandatory # trailing\n", path: "p.policy")
        #expect(ds.isEmpty)
        #expect(comments.map(\.text) == ["# a comment", "# trailing"])
        #expect(comments.map(\.location.line) == [1, 2])
        #expect(tokens.map(\.kind) == [.keyword(.level), .keyword(.mandatory), .endOfFile])
        #expect(tokens[1].location == SourceLocation(path: "p.policy", line: 2, column: 9))
    }

    @Test func errorsAreCollectedAndLexingGoesOn() {
        #expect(problems("3m") == ["POL0005"])
        #expect(problems("3fortnights") == ["POL0004"])
        #expect(problems("1.5d") == ["POL0006"])
        #expect(problems("99999999999999999999") == ["POL0006"])
        #expect(problems(#""open"#) == ["POL0002"])
        #expect(problems(#""bad \q escape""#) == ["POL0003"])
        #expect(problems(#"message "empty {}""#) == ["POL0016"])
        #expect(problems("a ; b @ c") == ["POL0001", "POL0001"])
        #expect(kinds("a ; b") == [.identifier("a"), .identifier("b")])
        let d = Lexer.tokenize("x\n  3m", path: "p.policy").diagnostics.first
        #expect(d?.location == SourceLocation(path: "p.policy", line: 2, column: 3))
        #expect(d?.help == "write `min` for minutes or `mo` for months")
    }
}
