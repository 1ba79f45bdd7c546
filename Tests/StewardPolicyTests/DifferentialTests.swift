import StewardCore
import StewardModel
import Testing
@testable import StewardPolicy

/// The compiled evaluator against the reference interpreter (Cedar's differential testing,
/// scaled down): random well-typed policies over the example mesh must give the same
/// outcome, message, error id and location from both.
@Suite struct DifferentialTests {
    @Test func compiledAgreesWithTheReference() throws {
        let loaded = try MeshLoader().load(from: FolderTree(root: repositoryRoot))
        let mesh = try #require(loaded.value)
        let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 1_782_864_000, command: "test"))
        var rng = SplitMix(seed: 20261123)
        var checked = 0
        var outcomes: [Outcome: Int] = [:]
        for i in 0..<1500 {
            var g = ExpressionGenerator(rng: rng)
            let requirement = g.bool(depth: 4)
            let condition = g.rng.next() % 3 == 0 ? "  where \(g.bool(depth: 2))\n" : ""
            rng = g.rng
            let text = """
            policy gen.p\(i) {
              title "generated"
              level mandatory
              target contract
            \(condition)  require \(requirement)
              message "{contract.id}: {len(contract.properties)} {contract.retention} {contract.version}"
            }

            """
            let set = checkPolicies(text, domains: Array(mesh.domains.keys))
            guard !set.hasErrors, let p = set.policies.first else {
                Issue.record("generated policy does not check:\n\(text)\n\(set.diagnostics.map(\.message))")
                continue
            }
            checked += 1
            let compiled = [CompiledPolicy(p)]
            let fast = PolicyEvaluator.evaluate(compiled, view: view, includePasses: true, evaluator: .compiled)
            let reference = PolicyEvaluator.evaluate(compiled, view: view, includePasses: true, evaluator: .reference)
            #expect(fast.findings == reference.findings, "\(text)")
            // The view built for just this policy's demand must give the same findings.
            if i % 5 == 0 {
                let narrow = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 1_782_864_000, command: "test"), demand: Demand([p]))
                #expect(PolicyEvaluator.evaluate(compiled, view: narrow, includePasses: true).findings == fast.findings, "\(text)")
            }
            #expect(fast.stats == reference.stats, "\(text)")
            for f in reference.findings { outcomes[f.outcome, default: 0] += 1 }
        }
        #expect(checked == 1500)
        // The generator must exercise every outcome, or the comparison proves little.
        #expect((outcomes[.pass] ?? 0) > 1000 && (outcomes[.fail] ?? 0) > 1000 && (outcomes[.error] ?? 0) > 100, "\(outcomes)")
    }
}

/// A small deterministic random generator (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates well-typed expressions for a `target contract` policy. Property variables
/// (`v0`, `v1`, ...) come into scope inside quantifiers and comprehensions.
struct ExpressionGenerator {
    var rng: SplitMix
    var variables: [String] = []
    var nextVariable = 0

    mutating func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }

    mutating func property() -> String? { variables.isEmpty ? nil : pick(variables) }

    mutating func bool(depth: Int) -> String {
        if depth <= 0 {
            var leaves = ["contract.source", "has(contract.retention)", "has(contract.product)", "true", "false",
                          "contract.status == \"active\"", "len(contract.grants) > 0"]
            if let v = property() {
                leaves += ["\(v).pii", "\(v).required", "has(\(v).masking)", "\(v).criticalDataElement",
                           "(\(v).classification default \"public\") >= \"confidential\"", "\(v).masking != \"none\""]
            }
            return pick(leaves)
        }
        switch rng.next() % 12 {
        case 0: return "(\(bool(depth: depth - 1)) and \(bool(depth: depth - 1)))"
        case 1: return "(\(bool(depth: depth - 1)) or \(bool(depth: depth - 1)))"
        case 2: return "not \(bool(depth: depth - 1))"
        case 3: return "\(int(depth: depth - 1)) \(pick(["<", "<=", "==", "!=", ">", ">="])) \(int(depth: depth - 1))"
        case 4: return "\(string(depth: depth - 1)) \(pick(["==", "!=", "<"])) \(string(depth: depth - 1))"
        case 5, 6:
            let v = bind()
            defer { unbind() }
            let filter = rng.next() % 2 == 0 ? " where \(bool(depth: depth - 2))" : ""
            return "(\(pick(["every", "some"])) \(v) in contract.properties\(filter): \(bool(depth: depth - 1)))"
        case 7: return "\(string(depth: depth - 1)) in \(strings(depth: depth - 1))"
        case 8: return "\(duration(depth: depth - 1)) \(pick(["<", "<=", ">"])) \(duration(depth: depth - 1))"
        case 9: return "(if \(bool(depth: depth - 1)) then \(bool(depth: depth - 1)) else \(bool(depth: depth - 1)))"
        case 10:
            // Ints against constant collections of numbers, which the compiler hashes: `1 in [1.0]`.
            let n = int(depth: depth - 1)
            return pick(["\(n) in [0.0, 1.0, 3.0]", "[\(n)] in [[0.0], [1.0], [3.0]]", "\(n) not in {1.0, 2.0}"])
        default: return "\(string(depth: depth - 1)) matches \(pick(["\".*a.*\"", "\"[a-z_.]+\"", "\"(?i)CUSTOMER.*\""]))"
        }
    }

    mutating func bind() -> String {
        let v = "v\(nextVariable)"
        nextVariable += 1
        variables.append(v)
        return v
    }

    mutating func unbind() { variables.removeLast() }

    mutating func int(depth: Int) -> String {
        if depth <= 0 { return pick(["0", "1", "3", "len(contract.properties)", "len(contract.tags)", "contract.version.major"]) }
        switch rng.next() % 5 {
        case 0:
            let v = bind()
            defer { unbind() }
            return "count(\(v) in contract.properties where \(bool(depth: depth - 1)))"
        case 1: return "(\(int(depth: depth - 1)) \(pick(["+", "-", "*"])) \(int(depth: depth - 1)))"
        case 2: return "len(\(strings(depth: depth - 1)))"
        case 3: return "len(\(string(depth: depth - 1)))"
        default: return "len(distinct(\(strings(depth: depth - 1))))"
        }
    }

    mutating func string(depth: Int) -> String {
        var leaves = ["contract.id", "contract.domain", "\"customer\"", "(contract.name default \"\")", "contract.product.name"]
        if let v = property() { leaves += ["\(v).name", "\(v).logicalType", "string(\(v).masking default \"none\")"] }
        if depth <= 0 { return pick(leaves) }
        switch rng.next() % 4 {
        case 0: return "lower(\(string(depth: depth - 1)))"
        case 1: return "join(\(strings(depth: depth - 1)), \",\")"
        default: return pick(leaves)
        }
    }

    mutating func strings(depth: Int) -> String {
        if depth <= 0 { return pick(["contract.tags", "[\"a\", \"customer\"]", "contract.product.tags"]) }
        let v = bind()
        defer { unbind() }
        let filter = rng.next() % 2 == 0 ? " where \(bool(depth: depth - 1))" : ""
        return "[\(string(depth: depth - 1)) for \(v) in contract.properties\(filter)]"
    }

    mutating func duration(depth: Int) -> String {
        let leaves = ["contract.retention", "(contract.retention default 0d)", "(contract.freshness default 1d)", "365d", "6h", "contract.freshness"]
        if depth <= 0 { return pick(leaves) }
        return rng.next() % 3 == 0 ? "(\(duration(depth: depth - 1)) + \(duration(depth: depth - 1)))" : pick(leaves)
    }
}
