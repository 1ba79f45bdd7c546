import StewardCore
import StewardModel
import Testing
@testable import StewardPolicy

@Suite struct WaiverResolverTests {
    func waiver(_ policy: String, _ target: String, expires: Int64 = 10_000_000, approvedBy: String = "ada@acme.example",
                index: Int = 0) -> Waiver {
        Waiver(policy: policy, target: target, reason: "r", owner: "sam@acme.example", approvedBy: approvedBy, expires: expires,
               expiresText: "t\(expires)", domain: nil, location: SourceLocation(path: "waivers/w.yaml", line: index + 4, column: 5), index: index)
    }

    func finding(_ policy: String, _ target: String, _ outcome: Outcome, level: PolicyLevel = .mandatory) -> Finding {
        Finding(policy: policy, level: level, target: target, outcome: outcome, message: "m",
                location: SourceLocation(path: "x"), policyLocation: SourceLocation(path: "p"))
    }

    @Test func activeWaiversAcceptFailsAndErrorsButNeverPasses() {
        let r = WaiverResolver.resolve([
            finding("a.p", "c.one", .fail), finding("a.p", "c.two", .error), finding("a.p", "c.three", .pass),
            finding("b.p", "c.one", .fail),
        ], waivers: [waiver("a.p", "c.*")], evaluated: ["a.p": ["c.one", "c.two", "c.three"]], existing: ["c.one", "c.two", "c.three"], at: 1_000)
        #expect(r.findings.map(\.waived) == [true, true, false, false])
        #expect(r.used.count == 1)
        #expect(r.diagnostics.isEmpty)
    }

    @Test func theFirstMatchingWaiverInFileOrderIsCited() {
        var second = waiver("a.p", "c.one", index: 1)
        second.reason = "second"
        var first = waiver("a.p", "c.*", index: 0)
        first.reason = "first"
        let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail)], waivers: [first, second],
                                       evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(r.findings[0].waiver?.reason == "first")
        // The second matches a failing target too, so it is not stale, though unused.
        #expect(r.diagnostics.isEmpty)
    }

    @Test func expiredWaiversCountAsAbsentAndAreReported() {
        let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail)], waivers: [waiver("a.p", "c.one", expires: 1_000)],
                                       evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(!r.findings[0].waived)
        #expect(r.diagnostics.map(\.id) == ["POL0503"])
    }

    @Test func expiringSoonIsNoted() {
        let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail)], waivers: [waiver("a.p", "c.one", expires: 1_000 + 13 * 86_400)],
                                       evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(r.findings[0].waived)
        #expect(r.diagnostics.map(\.id) == ["POL0504"])
        #expect(r.diagnostics[0].severity == .note)
    }

    @Test func staleWaiversBothWays() {
        let nothing = WaiverResolver.resolve([], waivers: [waiver("a.p", "c.gone")], evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(nothing.diagnostics.map(\.id) == ["POL0511"])
        #expect(nothing.diagnostics[0].message.contains("matches no target"))
        let holds = WaiverResolver.resolve([finding("a.p", "c.one", .pass)], waivers: [waiver("a.p", "c.one")],
                                           evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(holds.diagnostics.map(\.id) == ["POL0511"])
        #expect(holds.diagnostics[0].message.contains("stale"))
        // A target that exists but was not evaluated (a subset run) says nothing.
        let subset = WaiverResolver.resolve([], waivers: [waiver("a.p", "c.one")], evaluated: ["a.p": []], existing: ["c.one"], at: 1_000)
        #expect(subset.diagnostics.isEmpty)
    }

    @Test func validation() {
        let set = checkPolicies("""
        policy privacy.soft {
          title "t"
          level mandatory
          target contract
          require contract.source
          message "m"
        }

        policy privacy.firm {
          title "t"
          level hard
          target contract
          require contract.source
          message "m"
        }

        """)
        let domainSet = checkPolicies(policy("require true", target: "contract", id: "sales.own").replacingOccurrences(of: "require true", with: "require contract.source"),
                                      path: "domains/sales/policies/s.policy")
        let v = WaiverResolver.validate([
            waiver("privacy.sfot", "x"), waiver("privacy.firm", "x"), waiver("privacy.soft", "x", approvedBy: "sam@acme.example"),
            waiver("privacy.soft", "x"), waiver("sales.own", "sales.x", approvedBy: "owner@acme.example"),
        ], policies: set.policies + domainSet.policies, platformTeam: ["Ada@acme.example"], domainOwners: ["sales": ["owner@acme.example"]])
        #expect(v.diagnostics.map(\.id) == ["POL0501", "POL0502", "POL0508"])
        #expect(v.diagnostics[0].help == "did you mean `privacy.soft`?")
        #expect(v.valid.map(\.policy) == ["privacy.soft", "sales.own"])
    }
}
