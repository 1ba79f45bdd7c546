import Foundation
import StewardCore
import Testing

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
