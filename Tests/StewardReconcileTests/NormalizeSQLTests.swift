@testable import StewardReconcile
import Testing

/// `normalizeSQL` may only forget what SQLite (the embedded engine) ignores: comments and the
/// amount of white space between tokens. Two texts SQLite reads differently must stay apart.
@Suite struct NormalizeSQLTests {
    func n(_ s: String) -> String { Fingerprinter.normalizeSQL(s) }

    @Test func commentsAndWhiteSpaceBetweenTokensAreForgotten() {
        #expect(n("SELECT a -- why\nFROM t") == "SELECT a FROM t")
        #expect(n("SELECT a/* why */FROM t") == "SELECT a FROM t")
        #expect(n("  SELECT\ta\r\n\u{0C}FROM t ;  -- done ;") == "SELECT a FROM t")
        #expect(n("SELECT 1 /* never closed") == "SELECT 1")
        #expect(n("SELECT 1 /**/") == "SELECT 1")
    }

    @Test func aCommentNeverJoinsOrSplitsTokens() {
        // `1--1` is 1 and a comment; `1 - -1` is 2; `1-/**/-1` is 2 as well.
        #expect(n("SELECT 1--1") == "SELECT 1")
        #expect(n("SELECT 1 - -1") != n("SELECT 1--1"))
        #expect(n("SELECT 1-/**/-1") == "SELECT 1- -1")
        #expect(n("SELECT a -- x\nb") == n("SELECT a b"))
        #expect(n("SELECT a/ *b") != n("SELECT a/*b"))
        #expect(n("SELECT a/**/b") != n("SELECT ab"))
        #expect(n("SELECT /* a */ */ 1") == "SELECT */ 1", "block comments do not nest in SQLite")
    }

    @Test func quotedTextIsKeptAsWritten() {
        #expect(n("SELECT '-- not a comment'") == "SELECT '-- not a comment'")
        #expect(n("SELECT '/* not a comment */  x'") == "SELECT '/* not a comment */  x'")
        #expect(n("SELECT 'it''s  ok', \"a \"\" b\", `c  d`, [e  f]") == "SELECT 'it''s  ok', \"a \"\" b\", `c  d`, [e  f]")
        #expect(n("SELECT \"it's  x\" FROM t") == "SELECT \"it's  x\" FROM t")
        #expect(n("SELECT 'a;' ;") == "SELECT 'a;'")
        #expect(n("SELECT 1 -- it's\nFROM t") == "SELECT 1 FROM t", "a quote inside a comment opens nothing")
    }

    @Test func onlySQLitesWhiteSpaceIsWhiteSpace() {
        // SQLite separates tokens by space, tab, newline, form feed and carriage return only;
        // any other character, a no-break or an em space too, is part of an identifier:
        // `a\u{A0}b` is the column named "a b" (with a no-break space), `a b` is a AS b.
        for space in ["\u{A0}", "\u{2003}", "\u{3000}", "\u{2028}", "\u{85}", "\u{0B}"] {
            #expect(n("SELECT a\(space)b FROM t") != n("SELECT a b FROM t"), "U+\(String(space.unicodeScalars.first!.value, radix: 16))")
            #expect(n("SELECT a\(space)b FROM t") == "SELECT a\(space)b FROM t")
        }
    }
}
