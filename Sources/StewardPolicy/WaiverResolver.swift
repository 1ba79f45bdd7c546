import StewardCore
import StewardModel

/// The one code path that decides which findings waivers accept (§10). `lint`, `check`,
/// `history`, `policy test` and later `apply` and audit replay all call it, so they cannot
/// disagree about a waiver.
public enum WaiverResolver {
    /// Days before expiry when a waiver is noted as expiring soon (POL0504).
    public static let soon: Int64 = 14 * 86_400

    /// Drops waivers that name an unknown policy (POL0501), a `hard` one (POL0502), or whose
    /// approver may not approve them (POL0508): platform team for global policies; the
    /// domain's owners or the platform team for domain policies.
    public static func validate(_ waivers: [Waiver], policies: [CheckedPolicy], platformTeam: [String],
                                domainOwners: [String: [String]]) -> (valid: [Waiver], diagnostics: [Diagnostic]) {
        let byId = Dictionary(policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let platform = Set(platformTeam.map { $0.lowercased() })
        var valid: [Waiver] = []
        var ds: [Diagnostic] = []
        for w in waivers {
            guard let p = byId[w.policy] else {
                ds.append(.error("POL0501", "waiver names unknown policy `\(w.policy)`", at: w.location,
                                 help: Suggestions.didYouMean(w.policy, in: byId.keys) ?? "see `steward policy list`"))
                continue
            }
            if !p.level.waivable {
                ds.append(.error("POL0502", "policy `\(p.id)` is hard and cannot be waived", at: w.location,
                                 help: "fix the finding; hard policies admit no exceptions"))
                continue
            }
            let approvers = p.domain.map { platform.union((domainOwners[$0] ?? []).map { $0.lowercased() }) } ?? platform
            if !approvers.contains(w.approvedBy) {
                let who = p.domain.map { "an owner of domain \($0) or the platform team" } ?? "the platform team"
                ds.append(.error("POL0508", "`\(w.approvedBy)` may not approve a waiver of `\(p.id)`", at: w.location,
                                 help: "it must be approved by \(who): \(approvers.sorted().joined(separator: ", "))"))
                continue
            }
            valid.append(w)
        }
        return (valid, ds)
    }

    public struct Resolution: Sendable {
        /// The findings, with `waiver` set on those a waiver accepts.
        public var findings: [Finding]
        /// Expired (POL0503), expiring soon (POL0504) and stale (POL0511) waivers.
        public var diagnostics: [Diagnostic]
        /// Waivers that accepted at least one finding, for reports and the audit log.
        public var used: [Waiver]
    }

    /// Applies waivers at time `at` (§10 steps 1–3). `evaluated` are the target ids each policy
    /// was evaluated for; `existing` every target id the mesh has, to tell a waiver that
    /// matches nothing from one that matched only passing targets (asked for only when a
    /// waiver went unused: on a large mesh the set costs more than the rest of this).
    public static func resolve(_ findings: [Finding], waivers: [Waiver], evaluated: [String: [String]],
                               existing allTargets: @autoclosure () -> Set<String>, at: Int64) -> Resolution {
        var ds: [Diagnostic] = []
        var active: [Waiver] = []
        // "First" means first in (file path, index) order, whatever order the caller passes.
        for w in waivers.sorted(by: { ($0.path, $0.index, $0.location) < ($1.path, $1.index, $1.location) }) {
            if w.expires <= at {
                ds.append(.warning("POL0503", "waiver of `\(w.policy)` for `\(w.target)` expired on \(w.expiresText) and no longer counts",
                                   at: w.location, help: "renew it with a new approval, or fix the finding"))
            } else {
                if w.expires - at <= soon {
                    ds.append(Diagnostic(.note, "POL0504", "waiver of `\(w.policy)` for `\(w.target)` expires on \(w.expiresText)",
                                         at: w.location, help: "renew it with a new approval, or fix the finding before then"))
                }
                active.append(w)
            }
        }
        var out = findings
        var usedIndexes = Set<Int>()
        for i in out.indices where (out[i].outcome == .fail || out[i].outcome == .error) && out[i].waivable {
            if let k = active.firstIndex(where: { $0.policy == out[i].policy && $0.matches(out[i].target) }) {
                let w = active[k]
                out[i].waiver = WaiverUse(reason: w.reason, owner: w.owner, expires: w.expiresText, location: w.location)
                usedIndexes.insert(k)
            }
        }
        var failing: [String: Set<String>] = [:]
        for f in findings where f.outcome == .fail || f.outcome == .error { failing[f.policy, default: []].insert(f.target) }
        var existing: Set<String>?
        var judged: [String: Set<String>] = [:]  // evaluated ids by policy, built once
        for (k, w) in active.enumerated() where !usedIndexes.contains(k) {
            if existing == nil { existing = allTargets() }
            let matching = existing!.filter { w.matches($0) }
            if matching.contains(where: { failing[w.policy]?.contains($0) ?? false }) { continue }
            if matching.isEmpty {
                ds.append(.warning("POL0511", "waiver of `\(w.policy)` for `\(w.target)` matches no target", at: w.location,
                                   help: "remove it, or correct the target id"))
                continue
            }
            let policyJudged = judged[w.policy] ?? Set(evaluated[w.policy] ?? [])
            judged[w.policy] = policyJudged
            if matching.allSatisfy(policyJudged.contains) {
                ds.append(.warning("POL0511", "waiver of `\(w.policy)` for `\(w.target)` is stale: the policy now holds", at: w.location,
                                   help: "remove the waiver"))
            }
        }
        return Resolution(findings: out, diagnostics: ds, used: usedIndexes.sorted().map { active[$0] })
    }
}

extension PolicyEvaluator {
    /// Evaluates and then applies the mesh's waivers: what every command that reports policy
    /// findings runs. Invalid waivers are reported and ignored.
    public static func evaluate(_ policies: [CompiledPolicy], view: ModelView, mesh: Mesh, waivers: [Waiver],
                                only: Set<String>? = nil, everywhere: Set<String> = [],
                                includePasses: Bool = false) -> (Evaluation, WaiverResolver.Resolution, [Diagnostic]) {
        let e = evaluate(policies, view: view, only: only, everywhere: everywhere, includePasses: includePasses)
        let checked = WaiverResolver.validate(waivers, policies: policies.map(\.policy), platformTeam: mesh.settings.platformTeam.members,
                                              domainOwners: mesh.domains.mapValues(\.owners.members))
        guard case .timestamp(let at) = view.field("time", of: view.evaluation) ?? .missing else { preconditionFailure("evaluation.time") }
        let r = WaiverResolver.resolve(e.findings, waivers: checked.valid, evaluated: e.evaluatedTargets,
                                       existing: view.allTargetIds, at: at)
        return (e, r, checked.diagnostics)
    }
}
