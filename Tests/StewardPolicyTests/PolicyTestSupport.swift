import Foundation
import StewardCore
import StewardModel
import StewardTestSupport
import Testing
@testable import StewardPolicy

/// Checks one policy file as if it were `path` in a mesh with the given domains.
func checkPolicies(_ text: String, path: String = "policies/t.policy", domains: [String] = ["sales", "customer"]) -> PolicySet {
    let domain: String? = path.hasPrefix("domains/") ? String(path.split(separator: "/")[1]) : nil
    return PolicySet.check([(path, domain, text)], domains: domains)
}

/// A policy around `body` (the clauses between `target` and `message`), so that the body's
/// first line is line 5 and its text starts at column 3.
func policy(_ body: String, target: String = "property", level: String = "mandatory", id: String = "t.p") -> String {
    """
    policy \(id) {
      title "t"
      level \(level)
      target \(target)
      \(body)
      message "m"
    }

    """
}

/// `id@line:column` of each diagnostic, the form the tests compare.
func positions(_ ds: [Diagnostic]) -> [String] {
    ds.map { "\($0.id)@\($0.location?.line ?? 0):\($0.location?.column ?? 0)" }
}

/// The repository root, found from this file, for the docs and the shipped policies.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    fatalError("no Package.swift above \(#filePath)")
}()

/// Loads the scratch mesh (edited by `prepare`) and evaluates `policyText` over it.
func evaluate(_ policyText: String, path: String = "policies/t.policy", at time: Int64 = 1_782_864_000,
              evaluator: EvaluatorKind = .compiled, prepare: (ScratchMesh) throws -> Void = { _ in }) throws -> (Evaluation, PolicySet) {
    let scratch = try ScratchMesh()
    try prepare(scratch)
    let loaded = try scratch.load()
    guard let mesh = loaded.value, !loaded.hasErrors else {
        throw ScratchError("scratch mesh does not load: \(loaded.diagnostics)")
    }
    let set = checkPolicies(policyText, path: path, domains: Array(mesh.domains.keys))
    guard !set.hasErrors else { throw ScratchError("policy does not check: \(set.diagnostics)") }
    let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: time, command: "test"))
    return (PolicyEvaluator.evaluate(set.policies.map(CompiledPolicy.init), view: view, includePasses: true, evaluator: evaluator), set)
}

/// Evaluates `policyText` with the compiled and the reference evaluator, expects the same
/// findings from both, and the outcomes `expected` (`target outcome[ errorId]` per finding).
func expectOutcomes(_ policyText: String, _ expected: [String], prepare: (ScratchMesh) throws -> Void = { _ in },
                    sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    func outcomes(_ e: Evaluation) -> [String] {
        e.findings.map { "\($0.target) \($0.outcome.rawValue)" + ($0.errorId.map { " \($0)" } ?? "") }
    }
    let (compiled, _) = try evaluate(policyText, evaluator: .compiled, prepare: prepare)
    let (reference, _) = try evaluate(policyText, evaluator: .reference, prepare: prepare)
    #expect(compiled.findings == reference.findings,
            "compiled \(outcomes(compiled)), reference \(outcomes(reference))", sourceLocation: sourceLocation)
    #expect(outcomes(compiled) == expected, sourceLocation: sourceLocation)
}
