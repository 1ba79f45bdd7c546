import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct CheckerTests {
    /// One case per checker diagnostic: the source, where it is reported, and the help.
    @Test(arguments: [
        (policy("require propertee.pii"), "POL0101@5:11", "did you mean `property`?"),
        (policy("require property.clasification == \"public\""), "POL0102@5:20", "did you mean `classification`?"),
        (policy("require property.semver.major > 1"), "POL0102@5:20", nil),
        (policy("require lowr(property.name) == \"a\""), "POL0103@5:11", "did you mean `lower`?"),
        (policy("require input.name == \"x\"", target: "property"), "POL0104@5:11", nil),
        (policy("require new.version.major > 1", target: "change"), "POL0110@5:11", nil),
        (policy("let names = property.tags\n  let names = property.name\n  require len(names) > 0"), "POL0106@6:3", nil),
        (policy("require some property in property.tags: true"), "POL0106@5:16", nil),
        (policy("let unused = 1\n  require property.pii"), "POL0107@5:3", nil),
        (policy("require every t in property.tags: true"), "POL0109@5:17", nil),
        (policy("require property.masking == \"hashed\""), "POL0112@5:31", "did you mean `hash`?"),
        (policy("require property.classification >= \"secret\""), "POL0112@5:38", nil),
        (policy("require property.masking in {\"hash\", \"tokenise\"}"), "POL0112@5:40", "did you mean `tokenize`?"),
        (policy("require property.name + 1 == \"a\""), "POL0201@5:11", nil),
        (policy("require property.name"), "POL0202@5:11", nil),
        (policy("where 1\n  require true"), "POL0202@5:9", nil),
        (policy("require len(property.name, 2) > 0"), "POL0203@5:11", nil),
        (policy("require lower(property.tags) == \"a\""), "POL0203@5:11", nil),
        (policy("require every t in property.name: t == \"a\""), "POL0204@5:22", nil),
        (policy("let e = []\n  require len(e) == 0"), "POL0205@5:11", nil),
        (policy("require [1, \"a\"] == []"), "POL0206@5:15", nil),
        (policy("require has(property.name)"), "POL0207@5:15", nil),
        (policy("require property.tags < [\"a\"]"), "POL0208@5:11", nil),
        (policy("require true").replacingOccurrences(of: "message \"m\"", with: "message \"{property}\""), "POL0209@6:13", nil),
        (policy("require property.name matches \"[a-z\""), "POL0210@5:33", nil),
        ("const c = property.name\n", "POL0211@1:11", nil),
        ("const c = 9223372036854775807 + 1\n" + policy("require c > 0"), "POL0212@1:11", nil),
        (policy("require semver(\"2.0\") > v1.0.0"), "POL0213@5:11", nil),
        (policy("require 1 < 2"), "POL0214@5:11", nil),
        (policy("require every a in property.tags: every b in property.tags: every c in property.tags: every d in property.tags: a == b and c == d"), "POL0401@5:95", nil),
    ] as [(String, String, String?)])
    func diagnostics(_ source: String, _ expected: String, _ help: String?) throws {
        let set = checkPolicies(source)
        let d = try #require(set.diagnostics.first { positions([$0]) == [expected] }, "\(set.diagnostics.map { "\(positions([$0])[0]) \($0.message)" })")
        if let help { #expect(d.help == help) }
    }

    @Test func aBrokenPolicyIsNeverKept() {
        let set = checkPolicies(policy("require property.pii and property.nme == \"x\""))
        #expect(set.hasErrors)
        #expect(set.policies.isEmpty)
    }

    @Test func federationRules() {
        let domainPolicy = checkPolicies(policy("require true", id: "privacy.x"), path: "domains/sales/policies/a.policy")
        #expect(positions(domainPolicy.diagnostics) == ["POL0301@1:1"])
        let globalWithDomainName = checkPolicies(policy("require true", id: "sales.x"))
        #expect(positions(globalWithDomainName.diagnostics) == ["POL0302@1:1"])
        let set = PolicySet.check([
            ("policies/a.policy", nil, "const limit = 3\n" + policy("require len(property.tags) < limit", id: "a.one")),
            ("domains/sales/policies/b.policy", "sales", "const limit = 4\n" + policy("require len(property.tags) < limit", id: "sales.two")),
            ("policies/c.policy", nil, policy("require true", id: "a.one")),
        ], domains: ["sales"])
        #expect(positions(set.diagnostics).sorted() == ["POL0105@1:1", "POL0303@1:1"])
        #expect(set.hasErrors)
    }

    @Test func unusedConstIsAWarning() {
        let set = checkPolicies("const unused = 1\n" + policy("require property.pii"))
        #expect(positions(set.diagnostics) == ["POL0108@1:1"])
        #expect(!set.hasErrors)
    }

    @Test func constantsFold() throws {
        let set = checkPolicies("const a = 95%\nconst b = 100% - a\nconst c = 2y\n" + policy("require (property.completeness default 0%) >= b and property.name != string(c)"))
        #expect(!set.hasErrors, "\(set.diagnostics)")
        let p = try #require(set.policies.first)
        guard case .and(let left, _) = p.requirement.op, case .order(_, _, let bound, _) = left.op, case .constant(let v) = bound.op else {
            Issue.record("expected a folded constant, found \(p.requirement.op)")
            return
        }
        #expect(v == .percent(5))
    }

    @Test func optionalsAreUnwrappedExplicitly() throws {
        let set = checkPolicies(policy("require property.masking != \"none\"", target: "property"))
        let p = try #require(set.policies.first)
        guard case .equal(let left, _, _) = p.requirement.op, case .unwrap = left.op else {
            Issue.record("`property.masking` should be unwrapped: \(p.requirement.op)")
            return
        }
    }

    /// `check --policies-from head` widens a policy's scope when it decides differently from
    /// the base's: layout and position do not count, its rule and its constants do.
    @Test func aPolicyDecidesLikeAnotherVersionUnlessItsRuleOrConstantsChange() throws {
        let text = """
        const maxAge = 30d

        policy t.retention {
          title "t"
          level mandatory
          target contract
          require (contract.retention default 0d) <= maxAge
          message "m"
        }

        """
        func only(_ text: String) throws -> CheckedPolicy { try #require(checkPolicies(text).policies.first) }
        let original = try only(text)
        #expect(original.constants == ["maxAge": .duration(seconds: 30 * 86_400)!])
        #expect(original.decidesLike(try only("\n\n" + text.replacingOccurrences(of: "  require", with: "    require"))))
        #expect(!original.decidesLike(try only(text.replacingOccurrences(of: "= 30d", with: "= 60d"))))
        #expect(!original.decidesLike(try only(text.replacingOccurrences(of: "<= maxAge", with: "< maxAge"))))
    }
}
