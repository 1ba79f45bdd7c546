import Foundation
import StewardAudit
import StewardEngine
import StewardGit
import StewardModel
import StewardReconcile

/// What `steward apply` writes to the audit log (docs/audit-log.md §1): a `plan` entry and an
/// `apply-start` when a run starts (again when it resumes), a `product-result` per step, an
/// `apply-done` at the end. Names, counts, measurements and hashes only: never a value of the
/// data (an engine message may quote one, so failures are recorded by id and place).
final class ApplyAudit: ApplyJournal {
    let log: AuditLog
    let signer: AuditLog.Signer?
    let actor: String
    let who: Signature
    let asOf: String
    /// The contract of a dataset (its id), from the mesh being applied.
    let contract: (String) -> Contract?
    /// What this run already recorded (read from the log when it resumes).
    private var recorded: Set<String> = []

    init(repository: Repository, signer: AuditLog.Signer?, actor: String, asOf: Date, contract: @escaping (String) -> Contract?) {
        self.contract = contract
        log = AuditLog(repository: repository)
        self.signer = signer
        self.actor = actor
        let me = repository.defaultSignature()
        who = Signature(name: me.name, email: actor, date: Date())
        self.asOf = TimeText.format(asOf)
    }

    private func key(_ type: AuditEntry.Kind, _ product: String? = nil) -> String {
        product.map { "\(type.rawValue) \($0)" } ?? type.rawValue
    }

    private func append(_ type: AuditEntry.Kind, run: String, target: String, product: String? = nil,
                        details: [String: JSONValue]) throws {
        let k = key(type, product)
        guard type == .applyStart || !recorded.contains(k) else { return }
        let entry = AuditEntry(seq: -1, type: type, run: run, meshCommits: [target], actor: actor,
                               time: TimeText.format(Date()), details: details)
        try log.append(entry, by: Signature(name: who.name, email: who.email, date: Date()), signer: signer)
        recorded.insert(k)
    }

    /// What an interrupted run of this id recorded before it was killed (read once, on resume).
    private var loaded: String?
    private func loadRecorded(_ run: String) throws {
        guard loaded != run else { return }
        loaded = run
        for e in try log.entries() where e.run == run {
            recorded.insert(key(e.type, e.details["product"]?.string))
        }
    }

    func started(run: String, target: String, plan: Plan, resumed: Bool) throws {
        if resumed { try loadRecorded(run) }
        try append(.plan, run: run, target: target, details: [
            "planDigest": .string(plan.digest), "stateTip": plan.stateTip.map(JSONValue.string) ?? .null,
            "unchanged": .number(Double(plan.unchanged)),
            "steps": .array(plan.steps.map { s in
                .object(["product": .string(s.product), "action": .string(s.action.rawValue),
                         "fingerprint": s.fingerprint.map(JSONValue.string) ?? .null,
                         "reasons": .array(s.reasons.map { .string(Self.head($0)) })])
            }),
        ])
        try append(.applyStart, run: run, target: target, details: [
            "planDigest": .string(plan.digest), "resumed": .bool(resumed), "asOf": .string(asOf),
        ])
    }

    func finished(_ step: Applier.StepResult, run: String, target: String) throws {
        var d: [String: JSONValue] = [
            "product": .string(step.product), "action": .string(step.action.rawValue), "outcome": .string(step.outcome.rawValue),
            "version": step.version.map { .number(Double($0)) } ?? .null,
        ]
        if step.outcome == .blocked { d["blockedBy"] = .array(step.reasons.map(JSONValue.string)) }
        if let r = step.report {
            d["engine"] = .string(r.engine)
            d["dataset"] = .string(r.dataset)
            let columns = contract(r.dataset)?.objects.first?.properties ?? []
            d["schema"] = .array(columns.map { .object(["name": .string($0.name), "type": .string($0.logicalType ?? "string")]) })
            d["definition"] = r.definition.map(JSONValue.string) ?? .null
            d["outputFingerprint"] = r.fingerprint.map(JSONValue.string) ?? .null
            d["inputs"] = .array(r.inputs.map { i in
                .object(["port": .string(i.port), "dataset": .string(i.dataset), "version": .number(Double(i.version)),
                         "fingerprint": .string(i.fingerprint)])
            })
            d["rows"] = .object(["in": .number(Double(r.rowsIn)), "purged": .number(Double(r.rowsPurged)),
                                 "undated": .number(Double(r.rowsUndated)), "out": .number(Double(r.rowsOut))])
            d["quality"] = .array(r.quality.map { q in
                .object(["rule": .string(q.rule), "metric": .string(q.metric), "value": q.value.map(JSONValue.number) ?? .null,
                         "count": q.count.map { .number(Double($0)) } ?? .null, "unit": .string(q.unit),
                         "threshold": q.threshold.map(JSONValue.string) ?? .null, "passed": .bool(q.passed),
                         "severity": .string(q.severity)])
            })
            d["masking"] = .array(r.masking.map { m in
                .object(["column": .string(m.column), "strategy": .string(m.strategy), "values": .number(Double(m.values))])
            })
            d["failures"] = .array(r.failures.map { f in
                .object(["id": .string(f.id), "at": f.location.map { .string("\($0)") } ?? .null])
            })
            d["seconds"] = .number((r.seconds * 1000).rounded() / 1000)
            d["asOf"] = .string(r.asOf)
        } else if step.outcome == .failed {
            // Failed before the engine ran (a missing engine, a source that did not load): the
            // reason's head only, since what follows `: ` may quote the source's data.
            d["failures"] = .array(step.reasons.map { .object(["reason": .string(Self.head($0))]) })
        }
        try append(.productResult, run: run, target: target, product: step.product, details: d)
        // Rows removed by the retention SLA, on their own: what a retention audit asks for.
        if let r = step.report, r.outcome == .published, r.rowsPurged > 0 {
            let sla = contract(r.dataset)?.sla("retention")
            try append(.retentionPurge, run: run, target: target, product: step.product, details: [
                "product": .string(step.product), "dataset": .string(r.dataset), "version": r.version.map { .number(Double($0)) } ?? .null,
                "rowsPurged": .number(Double(r.rowsPurged)), "rowsUndated": .number(Double(r.rowsUndated)),
                "rowsKept": .number(Double(r.rowsOut)), "asOf": .string(r.asOf),
                "retentionSeconds": sla?.span.map { .number($0.seconds) } ?? .null,
                "element": sla?.element.map(JSONValue.string) ?? .null,
            ])
        }
    }

    /// A reason's head: what follows `: ` may quote an engine message, and so the data.
    static func head(_ reason: String) -> String {
        reason.range(of: ": ").map { String(reason[..<$0.lowerBound]) } ?? reason
    }

    func done(_ result: Applier.Result) throws {
        if result.resumed { try loadRecorded(result.run) }
        // A resumed run counts what it did before the interruption too (from the state).
        func count(_ o: Applier.StepResult.Outcome) -> JSONValue {
            .number(Double(result.totals?[o.rawValue] ?? result.steps.filter { $0.outcome == o }.count))
        }
        try append(.applyDone, run: result.run, target: result.target, details: [
            "applied": .bool(result.applied), "planDigest": .string(result.planDigest),
            "published": count(.published), "failed": count(.failed), "blocked": count(.blocked),
            "updated": count(.updated), "retired": count(.retired), "unchanged": .number(Double(result.unchanged)),
        ])
    }
}
