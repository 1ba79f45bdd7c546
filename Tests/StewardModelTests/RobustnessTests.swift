import Foundation
import StewardCore
import Testing
@testable import StewardModel

/// Damaged input never crashes the loader: every official example is truncated, bit-flipped
/// and spliced many times over (seeded, so a failure reproduces), and each result must be a
/// contract or diagnostics with a position inside the file.
@Suite struct RobustnessTests {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let samples: [[UInt8]] = ConformanceTests.files("odcs").prefix(8).compactMap { name in
        try? Array(Data(contentsOf: ConformanceTests.fixtures.appendingPathComponent("odcs/\(name)")))
    }

    static let fragments: [[UInt8]] = [": ", "- ", "[", "]", "{", "}", "&a ", "*a", "\"", "'", "\t", "\n  ", "---\n", "? ",
                                       "!!str ", "|", ">", "#", "\u{FEFF}", "%YAML 1.2\n", "\0", "\u{85}"].map { Array($0.utf8) }

    @Test(arguments: 0..<4)
    func mutatedContractsNeverCrash(_ seed: Int) {
        var rng = SplitMix(state: UInt64(seed) &* 7919)
        for round in 0..<150 {
            var bytes = Self.samples[round % Self.samples.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes.removeSubrange(at...)  // truncate
                case 1: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))  // flip a bit
                case 2: bytes.insert(contentsOf: Self.fragments.randomElement(using: &rng)!, at: at)  // splice syntax
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
                }
            }
            let loaded = Documents.load(bytes, path: "fuzz.odcs.yaml")
            let lines = bytes.count { $0 == 0x0A } + 1
            for d in loaded.diagnostics {
                #expect(d.location?.path == "fuzz.odcs.yaml")
                #expect((d.location?.line ?? 0) <= lines + 1, "seed \(seed) round \(round): \(DiagnosticRenderer.short(d))")
            }
            #expect(loaded.value != nil || loaded.hasErrors, "seed \(seed) round \(round): no value and no error")
        }
    }

    @Test func deepNestingAndHugeMappingsStayBounded() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        _ = Documents.load(Array(("apiVersion: v3.1.0\nkind: DataContract\nschema: " + deep).utf8), path: "deep.odcs.yaml")
        var wide = "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\ncustomProperties:\n  - property: p\n    value:\n"
        for i in 0..<20000 { wide += "      k\(i): \(i)\n" }
        wide += "      k5: again\n"
        let loaded = Documents.load(Array(wide.utf8), path: "wide.odcs.yaml")
        #expect(loaded.errors.map(\.id) == ["MESH0002"])
        #expect(loaded.errors.first?.location?.line == 20009)
    }

    @Test func aliasesAndAnchorsAreResolved() {
        let text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: a
        version: 1.0.0
        status: active
        tags: &t [x, y]
        schema:
          - name: t
            tags: *t
        """
        let loaded = Documents.load(Array(text.utf8), path: "a.odcs.yaml")
        #expect(loaded.errors.isEmpty)
        guard case let .contract(c)? = loaded.value else { Issue.record("no contract"); return }
        #expect(c.objects.first?.tags == ["x", "y"])
    }
}
