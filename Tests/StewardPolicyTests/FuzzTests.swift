import Foundation
import StewardCore
import Testing
@testable import StewardPolicy

/// Mutated policy text through the lexer, parser and checker: nothing may crash or hang, and
/// whatever checks cleanly must also evaluate without trapping. Seeded, so a failure replays.
@Suite struct FuzzTests {
    /// Inputs: every shipped policy, split into its items so mutations stay local.
    static let corpus: [String] = {
        var out: [String] = []
        for (_, file, text) in DocumentExamplesTests.blocks where file != nil {
            out += text.components(separatedBy: "\n\npolicy ").enumerated().map { $0.offset == 0 ? $0.element : "policy " + $0.element }
        }
        return out
    }()

    static let fragments = [
        "(", ")", "[", "]", "{", "}", "\"", "r\"", ".", ",", ":", "==", "<", "not", "in", "every x in", "some", "count(",
        "default", "and", "or", "if", "then", "else", "for", "where", "require", "let", "policy", "message \"{", "}",
        "365d", "5m", "1.5d", "v1.0", "v1.2.3-", "99999999999999999999", "95%", "\\u{110000}", "#", "\n", "matches \"(\"",
        "property.", "contract.retention", "has(", "len(", "semver(\"x\")", "1/0", "-", "é", "\u{0}",
    ]

    @Test func mutatedPoliciesNeverCrashTheFrontEnd() {
        let iterations = Int(ProcessInfo.processInfo.environment["STEWARD_FUZZ_ITERATIONS"] ?? "") ?? 30_000
        var rng = SplitMix(seed: 42)
        var clean = 0
        for _ in 0..<iterations {
            var scalars = Array(Self.corpus[Int(rng.next() % UInt64(Self.corpus.count))].unicodeScalars)
            for _ in 0..<(1 + rng.next() % 3) { mutate(&scalars, &rng) }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            let set = PolicySet.check([("policies/f.policy", nil, text)], domains: ["customer"])
            if !set.hasErrors { clean += 1 }
        }
        // Some mutations must survive, or the checker is never reached.
        #expect(clean > iterations / 50, "\(clean) of \(iterations) checked cleanly")
    }

    func mutate(_ s: inout [Unicode.Scalar], _ rng: inout SplitMix) {
        guard !s.isEmpty else { return }
        let i = Int(rng.next() % UInt64(s.count))
        switch rng.next() % 5 {
        case 0: s.remove(at: i)
        case 1:
            let f = Self.fragments[Int(rng.next() % UInt64(Self.fragments.count))]
            s.insert(contentsOf: f.unicodeScalars, at: i)
        case 2:
            let j = min(s.count, i + Int(rng.next() % 12))
            s.removeSubrange(i..<j)
        case 3:
            let j = min(s.count, i + Int(rng.next() % 20))
            let span = Array(s[i..<j])
            s.insert(contentsOf: span, at: Int(rng.next() % UInt64(s.count)))
        default:
            s[i] = Unicode.Scalar(UInt8(32 + rng.next() % 95))
        }
    }
}
