import Foundation
import StewardCore

/// The result of one policy for one target (§7.1).
public enum Outcome: String, Sendable, Codable, Comparable, CaseIterable {
    case pass, fail, error, notApplicable = "not-applicable"

    public static func < (a: Outcome, b: Outcome) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One (policy, target) result that a report shows: a fail or an error (and passes when asked).
public struct Finding: Sendable, Equatable, Codable {
    public var policy: String
    public var level: PolicyLevel
    public var target: String
    public var outcome: Outcome
    public var message: String
    public var hint: String?
    /// The model value that decided it, else the target.
    public var location: SourceLocation
    /// The `require` (or `where`) clause of the policy.
    public var policyLocation: SourceLocation
    /// For errors: POL0601–POL0606.
    public var errorId: String?
    /// Set by waiver resolution.
    public var waiver: WaiverUse?

    public var waived: Bool { waiver != nil }
    public var waivable: Bool { level.waivable }
}

/// The waiver that accepted a finding, as reports show it.
public struct WaiverUse: Sendable, Equatable, Codable {
    public var reason: String
    public var owner: String
    public var expires: String
    public var location: SourceLocation

    public init(reason: String, owner: String, expires: String, location: SourceLocation) {
        self.reason = reason
        self.owner = owner
        self.expires = expires
        self.location = location
    }
}

/// Counts per policy, for reports and benchmarks.
public struct PolicyStats: Sendable, Equatable, Codable {
    public var pass = 0, fail = 0, error = 0, notApplicable = 0
    public var evaluated: Int { pass + fail + error + notApplicable }
}

public struct Evaluation: Sendable {
    /// Fails and errors (and passes when requested), sorted by policy, target, outcome (§7.5).
    public var findings: [Finding]
    public var stats: [String: PolicyStats]
    /// The target ids each policy was evaluated for, for stale-waiver detection: lists, not
    /// sets (hashing 270,000 ids cost more than evaluating them; few callers ever ask).
    public var evaluatedTargets: [String: [String]]
    /// POL0607: messages that could not be rendered.
    public var diagnostics: [Diagnostic]
}

/// A policy compiled to closures, ready for many targets.
public final class CompiledPolicy: Sendable {
    public let policy: CheckedPolicy
    let condition: Code?
    let requirement: Code
    let lets: LetTable

    public init(_ policy: CheckedPolicy) {
        self.policy = policy
        let compiler = Compiler()
        compiler.compileLets(policy.lets)
        self.lets = compiler.lets
        self.condition = policy.condition.map(compiler.compile)
        self.requirement = compiler.compile(policy.requirement)
    }
}

/// Which evaluator decides outcomes. They must agree; `reference` is the slow, obvious one.
public enum EvaluatorKind: Sendable { case compiled, reference }

public enum PolicyEvaluator {
    /// Evaluates policies over the targets of a view. `only` narrows targets by id (for
    /// `check`, which evaluates what a change touches), except for the policies named in
    /// `everywhere`; federation narrows domain policies to their domain (§9).
    public static func evaluate(_ policies: [CompiledPolicy], view: ModelView, only: Set<String>? = nil,
                                everywhere: Set<String> = [], includePasses: Bool = false, evaluator: EvaluatorKind = .compiled,
                                coverage: CoverageRecorder? = nil) -> Evaluation {
        // Policies are independent and the view is immutable: evaluate them in parallel, each
        // into its own slot, then merge in policy order so the result does not depend on timing.
        let results = Slots<PerPolicy>(count: policies.count)
        DispatchQueue.concurrentPerform(iterations: policies.count) { i in
            let only = everywhere.contains(policies[i].policy.id) ? nil : only
            results[i] = evaluateOne(policies[i], view: view, only: only, includePasses: includePasses,
                                     evaluator: coverage == nil ? evaluator : .reference, coverage: coverage)
        }
        var findings: [Finding] = []
        var stats: [String: PolicyStats] = [:]
        var evaluated: [String: [String]] = [:]
        var diagnostics: [Diagnostic] = []
        for (i, c) in policies.enumerated() {
            let r = results[i]!
            findings += r.findings
            stats[c.policy.id] = r.stats
            evaluated[c.policy.id] = r.targets
            diagnostics += r.diagnostics
        }
        findings.sort { ($0.policy, $0.target, $0.outcome) < ($1.policy, $1.target, $1.outcome) }
        return Evaluation(findings: findings, stats: stats, evaluatedTargets: evaluated, diagnostics: diagnostics)
    }

    struct PerPolicy: Sendable {
        var findings: [Finding] = []
        var stats = PolicyStats()
        var targets: [String] = []
        var diagnostics: [Diagnostic] = []
    }

    static func evaluateOne(_ compiled: CompiledPolicy, view: ModelView, only: Set<String>?, includePasses: Bool,
                            evaluator: EvaluatorKind, coverage: CoverageRecorder? = nil) -> PerPolicy {
        let p = compiled.policy
        var out = PerPolicy()
        var frame = Frame(slotCount: p.slotCount, letCount: p.lets.count, view: view)
        // Targets read in place, through a pointer: a copy of each was a sixth of the evaluation.
        view.targets(for: p.target).withUnsafeBufferPointer { targets in
            for t in targets.indices {
                let target = targets.baseAddress! + t
                if let d = p.domain, target.pointee.domain != d { continue }
                if let only, !only.contains(target.pointee.id) { continue }
                out.targets.append(target.pointee.id)
                frame.reset(bindings: target.pointee.bindings, mesh: target.pointee.mesh ?? view.mesh, evaluation: view.evaluation)
                let result = evaluator == .compiled ? run(compiled, &frame) : runReference(p, &frame, coverage: coverage)
                coverage?.outcome(result, of: p)
                switch result {
                case .notApplicable: out.stats.notApplicable += 1
                case .pass:
                    out.stats.pass += 1
                    if includePasses {
                        out.findings.append(Finding(policy: p.id, level: p.level, target: target.pointee.id, outcome: .pass, message: "",
                                                    location: target.pointee.location, policyLocation: requireLocation(p)))
                    }
                case .fail(let decidedAt):
                    out.stats.fail += 1
                    let (message, problems1) = render(p.message, p, &frame, coverage: coverage)
                    let (hint, problems2) = p.hint.map { render($0, p, &frame, coverage: coverage) } ?? (nil, [])
                    out.diagnostics += problems1 + problems2
                    out.findings.append(Finding(policy: p.id, level: p.level, target: target.pointee.id, outcome: .fail,
                                                message: message ?? "", hint: hint,
                                                // A change is about its file; what a change policy read last (often the
                                                // owners in steward.yaml) would point away from it.
                                                location: p.target.kind == .change ? target.pointee.location : (decidedAt ?? target.pointee.location),
                                                policyLocation: requireLocation(p)))
                case .error(let e, let inWhere):
                    out.stats.error += 1
                    out.findings.append(Finding(policy: p.id, level: p.level, target: target.pointee.id, outcome: .error,
                                                message: "cannot evaluate \(inWhere ? "`where`" : "`require`"): \(e.message)",
                                                hint: nil, location: e.location ?? target.pointee.location,
                                                policyLocation: inWhere ? (p.decl.clauses["where"] ?? p.decl.location) : requireLocation(p),
                                                errorId: e.id))
                }
            }
        }
        return out
    }

    enum Result {
        case notApplicable, pass
        case fail(SourceLocation?)
        case error(EvaluationError, inWhere: Bool)
    }

    static func run(_ c: CompiledPolicy, _ f: inout Frame) -> Result {
        if let condition = c.condition {
            do {
                guard try condition(&f).boolValue else { return .notApplicable }
            } catch {
                return .error(error, inWhere: true)
            }
        }
        f.lastRead = nil
        do {
            return try c.requirement(&f).boolValue ? .pass : .fail(f.lastRead)
        } catch {
            return .error(error, inWhere: false)
        }
    }

    static func runReference(_ p: CheckedPolicy, _ f: inout Frame, coverage: CoverageRecorder? = nil) -> Result {
        var i = Interpreter(lets: p.lets, observer: coverage.map { recorder in { node, result, _ in recorder.saw(node, result) } })
        if let condition = p.condition {
            do {
                guard try i.eval(condition, &f).boolValue else { return .notApplicable }
            } catch {
                return .error(error, inWhere: true)
            }
        }
        f.lastRead = nil
        do {
            return try i.eval(p.requirement, &f).boolValue ? .pass : .fail(f.lastRead)
        } catch {
            return .error(error, inWhere: false)
        }
    }

    static func requireLocation(_ p: CheckedPolicy) -> SourceLocation {
        p.decl.clauses["require"] ?? p.decl.location
    }

    /// Renders a message or hint; a failed interpolation shows `(error: …)` and is reported
    /// (POL0607) without changing the outcome (§7.2).
    static func render(_ parts: [TemplatePart], _ p: CheckedPolicy, _ f: inout Frame,
                       coverage: CoverageRecorder? = nil) -> (String?, [Diagnostic]) {
        var out = ""
        var problems: [Diagnostic] = []
        var i = Interpreter(lets: p.lets, observer: coverage.map { recorder in { node, result, _ in recorder.saw(node, result) } })
        for part in parts {
            switch part {
            case .text(let s): out += s
            case .hole(let n):
                do {
                    out += try i.eval(n, &f).text
                } catch {
                    out += "(error: \(error.message))"
                    problems.append(.warning("POL0607", "policy `\(p.id)` could not render `{\(Printer.expression(n.source))}`: \(error.message)",
                                             at: n.location))
                }
            }
        }
        return (out, problems)
    }
}
