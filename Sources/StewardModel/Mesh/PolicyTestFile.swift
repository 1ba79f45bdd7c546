import StewardCore

/// A policy test file (`*.test.yaml`, docs/policy-language.md §11): the policies it
/// exercises and its cases, each a model and the findings expected from it.
public struct PolicyTestSuite: Sendable {
    public var path: String
    /// Policy ids whose findings are compared; empty means every policy in the file's folder.
    public var policies: [(id: String, location: SourceLocation)]
    public var cases: [PolicyTestCase]
}

public struct PolicyTestCase: Sendable {
    public var name: String
    /// `evaluation.time` as written (RFC 3339), or nil for the default.
    public var at: String?
    /// A folder laid out as a mesh, relative to the test file.
    public var mesh: String?
    /// Inline fragments: `mesh` (steward.yaml fields) and `domains` (per domain: `owners`,
    /// `contracts`, `products`), merged over `mesh`.
    public var given: YAMLValue?
    public var expect: [PolicyExpectation]
    /// Inline waivers, as in a waiver file; resolved with the real resolver.
    public var waivers: [Waiver]
    /// The base revision for change policies (same shape as `given`), and the commits
    /// between it and the head (`{id, author, coAuthors, message, time, paths}`).
    public var base: YAMLValue?
    public var commits: YAMLValue?
    public var location: SourceLocation
}

public struct PolicyExpectation: Sendable, Equatable {
    public var policy: String
    public var target: String
    /// `fail`, `error`, `waived`, `pass` or `not-applicable`.
    public var outcome: String
    public var messageContains: String?
    public var location: SourceLocation

    public static let outcomes = ["fail", "error", "waived", "pass", "not-applicable"]
}

public enum PolicyTestFile {
    /// Decodes a test file. Unknown keys are POL0703 (with a "did you mean").
    public static func load(_ bytes: [UInt8], path: String) -> Loaded<PolicyTestSuite> {
        let text: String
        switch YAMLDocument.decodeUTF8(bytes, path: path) {
        case let .success(t): text = t
        case let .failure(d): return Loaded(value: nil, diagnostics: [d], sources: [:])
        }
        let r = Reader(path: path)
        let suite = Documents.root(text, r).flatMap { decode($0, r, path: path) }
        let ds = r.diagnostics.map { d -> Diagnostic in
            var d = d
            if d.id == ModelMessages.unknownKey { d.id = "POL0703" }
            return d
        }
        return Loaded(value: ds.contains { $0.severity == .error } ? nil : suite, diagnostics: ds, sources: [path: text])
    }

    static func decode(_ root: YNode, _ r: Reader, path: String) -> PolicyTestSuite? {
        guard let f = r.fields(root, "policy test file", allowed: ["apiVersion", "kind", "policies", "cases"]) else { return nil }
        if let v = f.string("apiVersion", required: true, in: "policy test file"), v != "steward/v1" {
            r.error(ModelMessages.unsupportedVersion, "unsupported apiVersion `\(v)`", at: f.location(of: "apiVersion"),
                    help: "write `apiVersion: steward/v1`")
        }
        if let k = f.string("kind", required: true, in: "policy test file"), k != "PolicyTest" {
            r.error(ModelMessages.wrongKind, "a policy test file has `kind: PolicyTest`, found `\(k)`", at: f.location(of: "kind"))
        }
        let ids = f.stringList("policies")
        let idNodes = f["policies"]?.items ?? []
        let policies = ids.enumerated().map { (id: $0.element, location: idNodes[safe: $0.offset]?.location ?? f.location) }
        let cases = f.list("cases") { node -> PolicyTestCase? in
            guard let c = r.fields(node, "test case", allowed: ["name", "at", "mesh", "given", "expect", "waivers", "base", "commits"]) else { return nil }
            let name = c.string("name", required: true, in: "test case") ?? ""
            let expect = c.list("expect") { e -> PolicyExpectation? in
                guard let x = r.fields(e, "expected finding", allowed: ["policy", "target", "outcome", "messageContains"]) else { return nil }
                let outcome = x.string("outcome", required: true, in: "expected finding") ?? ""
                if !outcome.isEmpty, !PolicyExpectation.outcomes.contains(outcome) {
                    r.error(ModelMessages.badValue, "unknown outcome `\(outcome)`", at: x.location(of: "outcome"),
                            help: Suggestions.didYouMean(outcome, in: PolicyExpectation.outcomes)
                                ?? "one of: \(PolicyExpectation.outcomes.joined(separator: ", "))")
                }
                return PolicyExpectation(policy: x.string("policy", required: true, in: "expected finding") ?? "",
                                         target: x.string("target", required: true, in: "expected finding") ?? "",
                                         outcome: outcome, messageContains: x.string("messageContains"), location: x.location)
            }
            if c["given"] == nil && c["mesh"] == nil {
                r.error(ModelMessages.missingKey, "test case `\(name)` has neither `mesh` nor `given`", at: c.location,
                        help: "give the model the case runs on")
            }
            if let g = c["given"], g.kind != .mapping {
                r.error(ModelMessages.wrongType, "`given` must be a mapping with `mesh` and `domains`", at: g.location)
            }
            var index = 0
            let waivers = c.list("waivers") { node -> Waiver? in
                defer { index += 1 }
                return WaiverFileDecoder.waiver(node, r, domain: nil, index: index)
            }
            return PolicyTestCase(name: name, at: c.string("at"), mesh: c.string("mesh"), given: c.any("given"),
                                  expect: expect, waivers: waivers, base: c.any("base"), commits: c.any("commits"),
                                  location: c.location)
        }
        return PolicyTestSuite(path: path, policies: policies, cases: cases)
    }
}
