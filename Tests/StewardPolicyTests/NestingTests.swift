import Foundation
import StewardCore
import StewardModel
import StewardTestSupport
import Testing
@testable import StewardPolicy

/// The cap on expression nesting (`Parser.maxNesting`, POL0017): past it a diagnostic, never a
/// stack overflow; at it, every phase that walks the tree fits a thread's stack.
@Suite struct NestingTests {
    /// The default stack of a main thread. The tests run on a thread of this size because the
    /// threads Swift Testing gives them may be smaller (512 KiB on macOS): in a debug build a
    /// tree at the cap takes up to about 4 MiB in the compiler and the reference interpreter,
    /// whose unoptimised frames are large. Raising the cap far enough fails here first.
    static let stack = 8 << 20

    /// Requirements of a `target property` policy whose trees are exactly at the cap.
    static let atTheCap: [String] = [
        String(repeating: "not ", count: 198) + "property.pii",
        String(repeating: "(", count: 198) + "property.pii" + String(repeating: ")", count: 198),
        String(repeating: "- ", count: 196) + "len(property.name) < 0",
        String(repeating: "lower(", count: 197) + "property.name" + String(repeating: ")", count: 197) + " == \"a\"",
        Array(repeating: "property.pii", count: 199).joined(separator: " and "),
        (0..<198).map { "every x\($0) in [1]: " }.joined() + "true",
    ]

    @Test func treesAtTheCapParseAndOneLevelMoreDoesNot() {
        for requirement in Self.atTheCap {
            let (heights, deeper) = onThread(stackSize: Self.stack) {
                let (file, ds) = Parser.parse(policy("require " + requirement), path: "p.policy")
                let (_, deeper) = Parser.parse(policy("require not (" + requirement + ")"), path: "p.policy")
                return (ds.map(\.id) + file.policies.map { "height \($0.requirement.height)" }, deeper.map(\.id))
            }
            #expect(heights == ["height \(Parser.maxNesting)"])
            #expect(deeper == ["POL0017"])
        }
    }

    /// The checker, the formatter, the compiler, both evaluators, coverage and explain all walk
    /// the tree recursively; at the cap they must all finish.
    @Test func treesAtTheCapGoThroughEveryPhase() {
        let problems = onThread(stackSize: Self.stack) { () -> [String] in
            var problems: [String] = []
            do {
                let mesh = try ScratchMesh().load().value!
                let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 0, command: "test"))
                for requirement in Self.atTheCap {
                    let text = policy("require " + requirement).replacingOccurrences(of: "message \"m\"", with: "message \"{\(requirement)}\"")
                    let set = checkPolicies(text)
                    guard let p = set.policies.first else {
                        problems.append("does not check: \(set.diagnostics.map(\.message))")
                        continue
                    }
                    if Formatter.format(text, path: "p.policy").output == nil { problems.append("does not format: \(requirement.prefix(20))") }
                    let compiled = CompiledPolicy(p)
                    let fast = PolicyEvaluator.evaluateOne(compiled, view: view, only: nil, includePasses: true, evaluator: .compiled)
                    let coverage = CoverageRecorder()
                    let reference = PolicyEvaluator.evaluateOne(compiled, view: view, only: nil, includePasses: true,
                                                                evaluator: .reference, coverage: coverage)
                    if fast.findings != reference.findings { problems.append("evaluators disagree: \(requirement.prefix(20))") }
                    _ = coverage.report([p])
                    if let target = view.targets(for: p.target).first { _ = Explainer.explain(p, target: target, view: view) }
                }
            } catch {
                problems.append("\(error)")
            }
            return problems
        }
        #expect(problems.isEmpty)
    }

    /// Nesting past the cap is a diagnostic where it happens, never a stack overflow; chains
    /// that the parser builds in a loop (`a and b and ...`, `a.b.c...`) count as nesting too,
    /// because every later walk of the tree recurses through them.
    @Test(arguments: [
        (String(repeating: "not ", count: 2_000) + "true", "POL0017@5:807"),
        (String(repeating: "(", count: 2_000) + "true" + String(repeating: ")", count: 2_000), "POL0017@5:210"),
        (String(repeating: "-", count: 2_000) + "1 < 0", "POL0017@5:210"),
        (String(repeating: "lower(", count: 2_000) + "\"a\"" + String(repeating: ")", count: 2_000) + " == \"a\"", "POL0017@5:1205"),
        (Array(repeating: "true", count: 2_000).joined(separator: " and "), "POL0017@5:11"),
        ("property" + String(repeating: ".name", count: 2_000) + " == \"a\"", "POL0017@5:11"),
    ])
    func nestingIsCapped(_ requirement: String, _ expected: String) {
        let (diagnostics, policies) = onThread(stackSize: Self.stack) {
            let (file, ds) = Parser.parse(policy("require " + requirement), path: "p.policy")
            return (positions(ds), file.policies.count)
        }
        #expect(diagnostics == [expected])
        #expect(policies == 0)
    }

}

/// Runs `body` on a new thread with a stack of `stackSize` bytes and waits for its result.
func onThread<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) -> T {
    let result = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        result.value = body()
        done.signal()
    }
    thread.stackSize = stackSize
    thread.start()
    done.wait()
    return result.value!
}

/// Written by one thread before it signals, read by another after waiting.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
