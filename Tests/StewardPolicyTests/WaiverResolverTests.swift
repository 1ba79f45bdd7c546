import StewardCore
import StewardModel
import Testing
@testable import StewardPolicy

@Suite struct WaiverResolverTests {
    func waiver(_ policy: String, _ target: String, expires: Int64 = 10_000_000, approvedBy: String = "ada@acme.example",
                index: Int = 0, path: String = "waivers/w.yaml") -> Waiver {
        Waiver(policy: policy, target: target, reason: "r", owner: "sam@acme.example", approvedBy: approvedBy, expires: expires,
               expiresText: "t\(expires)", domain: nil, location: SourceLocation(path: path, line: index + 4, column: 5), index: index)
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

    @Test func firstMeansFirstInPathAndIndexOrderWhateverTheCallersOrder() {
        var a = waiver("a.p", "c.*", index: 3, path: "domains/c/waivers/a.yaml")
        a.reason = "a"
        var b = waiver("a.p", "c.one", index: 0, path: "waivers/b.yaml")
        b.reason = "b"
        var c = waiver("a.p", "c.o*", index: 1, path: "waivers/b.yaml")
        c.reason = "c"
        for order in [[a, b, c], [c, b, a], [b, c, a]] {
            let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail), finding("a.p", "c.two", .fail)], waivers: order,
                                           evaluated: ["a.p": ["c.one", "c.two"]], existing: ["c.one", "c.two"], at: 1_000)
            #expect(r.findings.map { $0.waiver?.reason } == ["a", "a"])
            #expect(r.used.map(\.reason) == ["a"])
            #expect(r.findings[0].waiver?.location == SourceLocation(path: "domains/c/waivers/a.yaml", line: 7, column: 5))
        }
    }

    @Test func usedListsEachWaiverOnceInOrder() {
        let r = WaiverResolver.resolve([
            finding("b.p", "c.one", .fail), finding("a.p", "c.one", .fail), finding("a.p", "c.two", .error),
        ], waivers: [waiver("a.p", "c.*", index: 0), waiver("b.p", "c.one", index: 1), waiver("a.p", "d.*", index: 2)],
           evaluated: ["a.p": ["c.one", "c.two"], "b.p": ["c.one"]], existing: ["c.one", "c.two", "d.x"], at: 1_000)
        #expect(r.findings.map(\.waived) == [true, true, true])
        #expect(r.used.map(\.index) == [0, 1])
    }

    @Test func passAndNotApplicableAreNeverWaived() {
        let outcomes: [Outcome] = [.pass, .notApplicable, .fail, .error]
        let r = WaiverResolver.resolve(outcomes.enumerated().map { finding("a.p", "c.\($0.offset)", $0.element) },
                                       waivers: [waiver("a.p", "c.*")], evaluated: ["a.p": ["c.0", "c.1", "c.2", "c.3"]],
                                       existing: ["c.0", "c.1", "c.2", "c.3"], at: 1_000)
        #expect(r.findings.map(\.waived) == [false, false, true, true])
    }

    @Test func findingsOfAHardPolicyAreNotWaivable() {
        // validate() refuses such a waiver (POL0502); resolve holds the line on its own too.
        let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail, level: .hard), finding("a.p", "c.two", .fail, level: .advisory)],
                                       waivers: [waiver("a.p", "c.*")], evaluated: ["a.p": ["c.one", "c.two"]],
                                       existing: ["c.one", "c.two"], at: 1_000)
        #expect(r.findings.map(\.waived) == [false, true])
        #expect(r.findings.map(\.waivable) == [false, true])
        // A hard finding does not make its matching waiver stale either: the target still fails.
        let hardOnly = WaiverResolver.resolve([finding("a.p", "c.one", .fail, level: .hard)], waivers: [waiver("a.p", "c.one")],
                                              evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(!hardOnly.findings[0].waived)
        #expect(hardOnly.used.isEmpty)
        #expect(hardOnly.diagnostics.isEmpty)
    }

    static let boundaries: [(Int64, String)] = [
        (999, "POL0503"), (1_000, "POL0503"), (1_001, "POL0504"), (1_000 + 14 * 86_400, "POL0504"), (1_001 + 14 * 86_400, ""),
    ]

    @Test(arguments: boundaries)
    func expiryBoundaries(_ expires: Int64, _ id: String) {
        let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail)], waivers: [waiver("a.p", "c.one", expires: expires, index: 2)],
                                       evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(r.diagnostics.map(\.id) == (id.isEmpty ? [] : [id]))
        #expect(r.diagnostics.allSatisfy { $0.location == SourceLocation(path: "waivers/w.yaml", line: 6, column: 5) })
        #expect(r.diagnostics.map(\.severity) == (id == "POL0503" ? [.warning] : id == "POL0504" ? [.note] : []))
        #expect(r.findings[0].waived == (id != "POL0503"))
        #expect(r.used.count == (id == "POL0503" ? 0 : 1))
    }

    @Test func anExpiredWaiverIsNotAlsoStale() {
        let r = WaiverResolver.resolve([], waivers: [waiver("a.p", "c.gone", expires: 500)], evaluated: ["a.p": []],
                                       existing: ["c.one"], at: 1_000)
        #expect(r.diagnostics.map(\.id) == ["POL0503"])
    }

    @Test func aLaterActiveWaiverStillAppliesWhenTheFirstHasExpired() {
        var old = waiver("a.p", "c.*", expires: 500, index: 0)
        old.reason = "old"
        var renewed = waiver("a.p", "c.one", index: 1)
        renewed.reason = "renewed"
        let r = WaiverResolver.resolve([finding("a.p", "c.one", .fail)], waivers: [old, renewed],
                                       evaluated: ["a.p": ["c.one"]], existing: ["c.one"], at: 1_000)
        #expect(r.findings[0].waiver?.reason == "renewed")
        #expect(r.diagnostics.map(\.id) == ["POL0503"])
    }

    /// Every target id of a 10,000-product mesh is a set of 100,000 strings: it is built only
    /// when a waiver went unused, the one case that needs it.
    @Test func theTargetListIsAskedForOnlyWhenAWaiverWentUnused() {
        var asked = 0
        func everything() -> Set<String> { asked += 1; return ["c.one", "c.two"] }
        let used = WaiverResolver.resolve([finding("a.p", "c.one", .fail)], waivers: [waiver("a.p", "c.one")],
                                          evaluated: ["a.p": ["c.one"]], existing: everything(), at: 1_000)
        #expect(used.findings.map(\.waived) == [true] && asked == 0)
        let unused = WaiverResolver.resolve([], waivers: [waiver("a.p", "c.one"), waiver("a.p", "c.zzz", index: 1)],
                                            evaluated: ["a.p": ["c.one"]], existing: everything(), at: 1_000)
        #expect(unused.diagnostics.map(\.id) == ["POL0511", "POL0511"] && asked == 1)
    }

    @Test func staleNeedsEveryMatchedTargetEvaluatedAndPassing() {
        let existing: Set<String> = ["c.one", "c.two"]
        // c.two was not evaluated (a subset run): it might still fail, so the waiver is not stale.
        let partial = WaiverResolver.resolve([finding("a.p", "c.one", .pass)], waivers: [waiver("a.p", "c.*")],
                                             evaluated: ["a.p": ["c.one"]], existing: existing, at: 1_000)
        #expect(partial.diagnostics.isEmpty)
        // Both evaluated, both pass: stale.
        let all = WaiverResolver.resolve([], waivers: [waiver("a.p", "c.*")], evaluated: ["a.p": Array(existing)], existing: existing, at: 1_000)
        #expect(all.diagnostics.map(\.id) == ["POL0511"])
        #expect(all.diagnostics[0].severity == .warning)
        // A failure of another policy on the same target does not keep it alive.
        let other = WaiverResolver.resolve([finding("b.p", "c.one", .fail)], waivers: [waiver("a.p", "c.*")],
                                           evaluated: ["a.p": Array(existing), "b.p": Array(existing)], existing: existing, at: 1_000)
        #expect(other.diagnostics.map(\.id) == ["POL0511"])
        #expect(other.findings.map(\.waived) == [false])
        // A policy not evaluated at all: nothing can be said, unless the pattern matches no target.
        let notRun = WaiverResolver.resolve([], waivers: [waiver("a.p", "c.*"), waiver("a.p", "d.*", index: 1)], evaluated: [:],
                                            existing: existing, at: 1_000)
        #expect(notRun.diagnostics.map { "\($0.id)@\($0.location!.line)" } == ["POL0511@5"])
    }

    @Test func theResultDoesNotDependOnTheWaiversOrder() {
        let ws = [waiver("a.p", "c.*", expires: 1_000 + 86_400, index: 0), waiver("a.p", "x.*", index: 1),
                  waiver("b.p", "c.one", expires: 10, index: 2), waiver("b.p", "c.t*", index: 3)]
        let fs = [finding("a.p", "c.one", .fail), finding("b.p", "c.two", .error), finding("b.p", "c.one", .pass)]
        func run(_ ws: [Waiver]) -> WaiverResolver.Resolution {
            WaiverResolver.resolve(fs, waivers: ws, evaluated: ["a.p": ["c.one", "c.two"], "b.p": ["c.one", "c.two"]],
                                   existing: ["c.one", "c.two"], at: 1_000)
        }
        let first = run(ws)
        #expect(first.diagnostics.map(\.id) == ["POL0504", "POL0503", "POL0511"])
        #expect(first.findings.map(\.waived) == [true, true, false])
        for order in [Array(ws.reversed()), [ws[2], ws[0], ws[3], ws[1]]] {
            let again = run(order)
            #expect(again.diagnostics == first.diagnostics)
            #expect(again.findings == first.findings)
            #expect(again.used == first.used)
        }
    }

    @Test func whoMayApprove() {
        let global = checkPolicies(policy("require contract.source", target: "contract", id: "privacy.soft"))
        let domain = checkPolicies(policy("require contract.source", target: "contract", id: "sales.own"), path: "domains/sales/policies/s.policy")
        let policies = global.policies + domain.policies
        let cases: [(Waiver, Bool)] = [
            (waiver("privacy.soft", "sales.x", approvedBy: "ada@acme.example"), true),      // platform team
            (waiver("privacy.soft", "sales.x", approvedBy: "owner@acme.example"), false),   // a domain owner, for a global policy
            (waiver("sales.own", "sales.x", approvedBy: "owner@acme.example"), true),       // the domain's owner
            (waiver("sales.own", "sales.x", approvedBy: "ada@acme.example"), true),         // or the platform team
            (waiver("sales.own", "sales.x", approvedBy: "carol@acme.example"), false),      // the other domain's owner
        ]
        for (i, (w, ok)) in cases.enumerated() {
            let v = WaiverResolver.validate([w], policies: policies, platformTeam: ["ADA@acme.example"],
                                            domainOwners: ["sales": ["Owner@acme.example"], "customer": ["carol@acme.example"]])
            #expect(v.valid.count == (ok ? 1 : 0), "case \(i)")
            #expect(v.diagnostics.map(\.id) == (ok ? [] : ["POL0508"]), "case \(i)")
            #expect(v.diagnostics.allSatisfy { $0.location == w.location && $0.severity == .error })
        }
    }
}
