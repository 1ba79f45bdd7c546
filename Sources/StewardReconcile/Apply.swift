import Foundation
import StewardCore
import StewardEngine
import StewardGit
import StewardModel

/// `steward apply`: makes the materialized products match a mesh commit (docs/reconciler.md §6).
///
/// Under the lease, it plans against the state, records the run and its plan in the state
/// before the engine is touched, then runs the steps in dependency order and checkpoints the
/// state after each product. The engine's own transaction makes each publish atomic; the run
/// id and definition fingerprint the engine keeps with each report let a resumed run take what
/// a killed one already published instead of running it again.
public final class Applier {
    public struct Options: Sendable {
        public var prune = false
        /// The instant retention counts from.
        public var asOf: Date
        public var salt: MaskingSalt?
        /// Who applies (an e-mail), for the lease and the state.
        public var actor: String
        public var leaseDuration: TimeInterval = 600
        /// Wait this long for another apply's lease; nil refuses at once.
        public var wait: TimeInterval?
        /// The digest of a saved plan (`steward plan --format json`): the run refuses, before any
        /// side effect, when the plan it computes now differs (the state or the mesh moved).
        public var expectedDigest: String?

        public init(asOf: Date, actor: String) {
            self.asOf = asOf
            self.actor = actor
        }
    }

    /// What happened to one step of the plan.
    public struct StepResult: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable {
            /// The engine published a new version.
            case published
            /// The engine ran it and it failed: its last good version stays.
            case failed
            /// Not run: an input did not publish in this run.
            case blocked
            /// Only the state changed (output version).
            case updated
            case retired
            /// Kept, not in the mesh (no --prune).
            case orphaned
        }

        public var product: String
        public var action: Plan.Action
        public var outcome: Outcome
        /// Taken from what an interrupted run of the same id had already done.
        public var resumed: Bool
        /// The engine's version readers see after this step.
        public var version: Int?
        public var rowsIn: Int?
        public var rowsPurged: Int?
        public var rowsOut: Int?
        public var reasons: [String]
        public var seconds: Double
        /// The engine's report (nil when the engine did not run).
        public var report: RunReport?
    }

    /// A source the run loaded (or found loaded) before a product read it.
    public struct SourceLoad: Sendable, Codable, Equatable {
        public var contract: String
        public var outcome: RunReport.Outcome
        public var loaded: Bool
        public var rows: Int?
        public var reasons: [String]
    }

    public enum Event: Sendable {
        /// The run starts (or resumes an interrupted one of the same id and target).
        case started(run: String, plan: Plan, resumed: Bool)
        case stepStarted(Plan.Step, index: Int, total: Int)
        case phase(product: String, String)
        case source(SourceLoad)
        case stepFinished(StepResult, index: Int, total: Int)
    }

    public struct Result: Sendable, Codable {
        public var run: String
        public var target: String
        public var resumed: Bool
        /// Nothing needed running: the state only records the target as applied (or already did).
        public var nothingToDo: Bool
        public var planDigest: String
        public var steps: [StepResult]
        public var sources: [SourceLoad]
        public var unchanged: Int
        /// Whether every step succeeded, so the target is now the applied commit.
        public var applied: Bool
        /// For a resumed run: its outcomes counted over the whole run, before and after the
        /// interruption (from the state), by outcome name.
        public var totals: [String: Int]?
    }

    public enum Failure: Error, CustomStringConvertible {
        case planChanged(expected: String, now: String)

        public var description: String {
            switch self {
            case let .planChanged(e, n):
                "the saved plan (digest \(e.prefix(16))) is not what applying would do now (\(n.prefix(16))): the applied state or the mesh moved since it was made; run `steward plan` again"
            }
        }
    }

    let repository: Repository
    let engines: [String: any Engine]
    let options: Options
    let journal: (any ApplyJournal)?
    let events: @Sendable (Event) -> Void

    public init(repository: Repository, engines: [String: any Engine], options: Options, journal: (any ApplyJournal)? = nil,
                events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.repository = repository
        self.engines = engines
        self.options = options
        self.journal = journal
        self.events = events
    }

    /// Applies `mesh`, read from `tree` at commit `target`. Throws before any side effect when
    /// the lease is held, the saved plan no longer holds, or the mesh cannot be fingerprinted;
    /// throws `EngineError` when the engine cannot work at all (the run then stays `applying`,
    /// and the next apply resumes it).
    public func apply(target: ObjectID, tree: any FileTree, mesh: Mesh) throws -> Result {
        let newRun = Self.runID(Date())
        var lease: Lease
        if let wait = options.wait {
            lease = try Lease.acquire(in: repository, holder: options.actor, run: newRun, for: options.leaseDuration, waitingUpTo: wait)
        } else {
            lease = try Lease.acquire(in: repository, holder: options.actor, run: newRun, for: options.leaseDuration)
        }
        CrashPoint.reach("apply-leased")
        var released = false
        defer { if !released { try? lease.release(in: repository) } }
        let result = try run(newRun, target: target, tree: tree, mesh: mesh, lease: &lease)
        CrashPoint.reach("apply-before-release")
        released = true
        do {
            try lease.release(in: repository)
        } catch Lease.Failure.lost {
            // The run is done and recorded; only the lease had expired and been taken meanwhile.
        }
        return result
    }

    private func run(_ newRun: String, target: ObjectID, tree: any FileTree, mesh: Mesh, lease: inout Lease) throws -> Result {
        let store = StateStore(repository: repository)
        var (state, tip) = try store.read()
        var fingerprinter = Fingerprinter(mesh: mesh) { try tree.read($0) }
        let parts = try fingerprinter.all()
        let interrupted = state.run.flatMap { $0.phase == .applying || $0.phase == .planned ? $0 : nil }
        let resumed = interrupted?.target == target.description
        // A resumed run goes on as it started: a retire it did must not become an orphan.
        let prune = resumed ? interrupted?.prune ?? options.prune : options.prune
        let plan = try Plan.make(mesh: mesh, parts: parts, state: state, stateTip: tip?.description,
                                 target: target.description, prune: prune, missing: try missing(state))
        if let expected = options.expectedDigest, expected != plan.digest {
            throw Failure.planChanged(expected: expected, now: plan.digest)
        }
        let who = Signature(name: "steward", email: options.actor, date: Date())
        let runID = resumed ? interrupted!.id : newRun
        var result = Result(run: runID, target: target.description, resumed: resumed, nothingToDo: false, planDigest: plan.digest,
                            steps: [], sources: [], unchanged: plan.unchanged, applied: false)

        if plan.steps.allSatisfy({ $0.action == .orphan }) {
            result.nothingToDo = true
            result.applied = true
            result.steps = plan.steps.map { Self.orphaned($0) }
            // Also when state.json lacks the digest of what is published (a state written
            // before it was kept), so the next no-op takes the short way.
            let stale = try store.readHeader().header?.published != ReconcileState.digest(published: state.published)
            if state.applied != target.description || interrupted != nil || stale {
                // An interrupted run of this target whose steps are all done: it only lacked its end.
                if resumed {
                    result.totals = Self.totals(of: runID, in: state)
                    try journal?.done(result)
                }
                state.applied = target.description
                if resumed { state.run?.phase = .done } else if interrupted != nil { state.run = nil }  // superseded
                tip = try store.write(state, expecting: tip, changed: [], message: "applied \(target.short): nothing to run", by: who)
            }
            return result
        }

        // The plan and the phase, before anything else happens.
        state.run = ReconcileState.Run(id: runID, target: target.description, phase: .applying, planDigest: plan.digest,
                                       startedBy: resumed ? interrupted!.startedBy : options.actor,
                                       started: resumed ? interrupted!.started : TimeText.format(Date()), prune: prune)
        tip = try store.write(state, expecting: tip, changed: [],
                              message: "\(resumed ? "resume" : "plan") \(target.short) run \(runID): \(plan.steps.count) steps", by: who)
        CrashPoint.reach("apply-plan-recorded")
        try journal?.started(run: runID, target: target.description, plan: plan, resumed: resumed)
        events(.started(run: runID, plan: plan, resumed: resumed))

        let jobs = MeshJobs(mesh: mesh, tree: tree, root: nil, asOf: options.asOf, salt: options.salt)
        var context = StepContext(runID: runID, target: target.description, mesh: mesh, parts: parts, jobs: jobs,
                                  producers: mesh.producerOf, interruptedRun: interrupted?.id)
        for (index, step) in plan.steps.enumerated() {
            CrashPoint.reach("apply-step")
            // Renewed once half of it is gone: before that nobody can have taken it over, and a
            // renewal per product would write a commit per product.
            if lease.holder.expires.timeIntervalSinceNow < options.leaseDuration / 2 {
                lease = try lease.renew(in: repository, for: options.leaseDuration)
            }
            events(.stepStarted(step, index: index, total: plan.steps.count))
            let started = ContinuousClock.now
            var stepResult = try perform(step, &state, &context, &fingerprinter)
            stepResult.seconds = (ContinuousClock.now - started) / .seconds(1)
            result.steps.append(stepResult)
            // A long step may have outlived half the lease: renew (or learn it was taken over)
            // before recording anything, so a run that lost its lease writes nothing more.
            if lease.holder.expires.timeIntervalSinceNow < options.leaseDuration / 2 {
                lease = try lease.renew(in: repository, for: options.leaseDuration)
            }
            if stepResult.outcome != .orphaned { try journal?.finished(stepResult, run: runID, target: target.description) }
            CrashPoint.reach("apply-journaled")
            if stepResult.outcome != .orphaned {
                tip = try store.write(state, expecting: tip, changed: [step.product],
                                      message: "\(step.product) \(stepResult.outcome.rawValue) (run \(runID))", by: who)
            }
            CrashPoint.reach("apply-checkpointed")
            events(.stepFinished(stepResult, index: index, total: plan.steps.count))
        }
        result.sources = context.sources
        result.applied = !result.steps.contains { $0.outcome == .failed || $0.outcome == .blocked }
        if result.applied { state.applied = target.description }
        state.run?.phase = result.applied ? .done : .failed
        if resumed { result.totals = Self.totals(of: runID, in: state) }
        try journal?.done(result)
        CrashPoint.reach("apply-before-done")
        tip = try store.write(state, expecting: tip, changed: [],
                              message: "run \(runID) \(result.applied ? "done" : "failed"): \(target.short)", by: who)
        return result
    }

    /// Products the state has as published (ok) whose engine no longer has that version.
    func missing(_ state: ReconcileState) throws -> Set<String> {
        var out = Set<String>()
        var versions: [String: [String: Int]] = [:]
        for (id, p) in state.products where p.status == .ok {
            guard let dataset = p.dataset, let engineName = p.engine, let engine = engines[engineName],
                  let expected = p.lastGood?.version else { continue }
            if versions[engineName] == nil { versions[engineName] = try engine.publishedVersions() }
            if versions[engineName]![dataset] != expected { out.insert(id) }
        }
        return out
    }

    /// What a run carries from step to step.
    struct StepContext {
        let runID: String
        let target: String
        let mesh: Mesh
        let parts: [String: Fingerprinter.Parts]
        let jobs: MeshJobs
        let producers: [String: String]
        /// The run this one resumes or supersedes: what it published is taken, not redone.
        let interruptedRun: String?
        /// Products that did not publish in this run (failed or blocked): their consumers wait.
        var unpublished: Set<String> = []
        /// Sources checked or loaded in this run, by contract id.
        var loadedSources: [String: SourceLoad] = [:]
        var sources: [SourceLoad] = []
    }

    private func perform(_ step: Plan.Step, _ state: inout ReconcileState, _ c: inout StepContext,
                         _ fingerprinter: inout Fingerprinter) throws -> StepResult {
        let id = step.product
        var r = StepResult(product: id, action: step.action, outcome: .updated, resumed: false, reasons: step.reasons, seconds: 0)
        switch step.action {
        case .orphan:
            return Self.orphaned(step)
        case .update:
            state.products[id]?.outputVersion = step.outputVersion
            r.version = state.products[id]?.lastGood?.version
            return r
        case .retire:
            let before = state.products[id]
            guard let dataset = before?.dataset, let engine = engines[before?.engine ?? "embedded"] else {
                // Marked retired with its data still readable would be a lie: keep it, say why.
                r.outcome = .orphaned
                r.reasons = ["cannot retire: its engine `\(before?.engine ?? "?")` is not available to this apply; kept"]
                return r
            }
            _ = try engine.retire(dataset)
            state.products[id]?.status = .retired
            r.outcome = .retired
            return r
        case .create, .rebuild, .retry:
            break
        }

        let product = c.mesh.products[id]!
        let part = c.parts[id]!
        let dataset = product.outputPorts.compactMap(\.contractId).first ?? id
        let previous = state.products[id]
        func record(_ outcome: StepResult.Outcome, reasons: [String], report: RunReport?) -> StepResult {
            let published = outcome == .published
            let last = ReconcileState.RunResult(run: c.runID, finished: TimeText.format(Date()), rows: report?.rowsOut,
                                                version: published ? report?.version : nil, reasons: reasons)
            state.products[id] = ReconcileState.ProductState(
                fingerprint: part.fingerprint, outputVersion: step.outputVersion, status: published ? .ok : outcome == .blocked ? .blocked : .failed,
                commit: c.target, lastRun: last, lastGood: published ? last : previous?.lastGood,
                engine: part.engine, dataset: dataset)
            if !published { c.unpublished.insert(id) }
            var r = r
            r.outcome = outcome
            r.reasons = published ? step.reasons : reasons  // why it ran, or why it failed
            r.report = report
            r.version = report?.publishedVersion ?? previous?.lastGood?.version
            r.rowsIn = report?.rowsIn
            r.rowsPurged = report?.rowsPurged
            r.rowsOut = report?.rowsOut
            return r
        }

        // Resumed: this run already finished this product before it was interrupted.
        if let previous, previous.lastRun?.run == c.runID, previous.fingerprint == part.fingerprint, previous.status.isUnpublished {
            c.unpublished.insert(id)
            r.outcome = previous.status == .blocked ? .blocked : .failed
            r.reasons = previous.lastRun?.reasons ?? []
            r.resumed = true
            return r
        }

        let producers = c.producers
        let blockers = product.inputPorts.compactMap { port in
            producers[port.contractId].flatMap { c.unpublished.contains($0) ? "`\(port.name)` (\($0))" : nil }
        }
        if !blockers.isEmpty {
            return record(.blocked, reasons: ["blocked: input \(blockers.joined(separator: ", ")) did not publish in this run"], report: nil)
        }
        guard let engine = engines[part.engine] else {
            return record(.failed, reasons: ["the `\(part.engine)` engine is not available to this apply (available: \(engines.keys.sorted().joined(separator: ", ")))"],
                          report: nil)
        }

        // Sources first, each loaded once per content.
        for port in product.inputPorts where producers[port.contractId] == nil {
            let load = try source(port.contractId, engine: engine, &c, &fingerprinter)
            if load.outcome == .failed {
                return record(.failed, reasons: ["source `\(port.contractId)` did not load: " + (load.reasons.first ?? "see its report")],
                              report: nil)
            }
        }

        // A publish by this run that the state did not record before it was interrupted.
        if let s = try engine.state(of: dataset), let last = s.lastReport, last.run == c.runID || last.run != nil && last.run == c.interruptedRun,
           last.definition == part.fingerprint, last.run == c.runID && last.outcome == .failed || (s.version != nil && s.version == last.version) {
            var done = record(last.outcome == .published ? .published : .failed, reasons: last.failures.map(\.message), report: last)
            done.resumed = true
            return done
        }

        var job: DatasetJob
        switch c.jobs.product(id) {
        case let .success(j): job = j
        case let .failure(d): return record(.failed, reasons: [d.message], report: nil)
        }
        job.run = c.runID
        job.definition = part.fingerprint
        let events = self.events
        job.progress = { phase in events(.phase(product: id, phase)) }
        let report = try engine.run(job)
        CrashPoint.reach("apply-engine-ran")
        return record(report.outcome == .published ? .published : .failed, reasons: report.failures.map(\.message), report: report)
    }

    /// Makes sure the source contract's data is loaded as the mesh now describes it.
    private func source(_ contract: String, engine: any Engine, _ c: inout StepContext,
                        _ fingerprinter: inout Fingerprinter) throws -> SourceLoad {
        if let done = c.loadedSources[contract] { return done }
        let definition = try fingerprinter.source(contract)
        var load = SourceLoad(contract: contract, outcome: .published, loaded: false, rows: nil, reasons: [])
        let s = try engine.state(of: contract)
        if let s, let last = s.lastReport, last.definition == definition,
           last.outcome == .published && s.version != nil || last.outcome == .failed && last.run == c.runID {
            load.outcome = last.outcome
            load.rows = s.rows
            load.reasons = last.failures.map(\.message)
        } else {
            switch c.jobs.source(contract) {
            case let .failure(d):
                load.outcome = .failed
                load.reasons = [d.message]
            case var .success(job):
                job.run = c.runID
                job.definition = definition
                let events = self.events
                job.progress = { phase in events(.phase(product: contract, phase)) }
                let report = try engine.run(job)
                CrashPoint.reach("apply-source-loaded")
                load.loaded = true
                load.outcome = report.outcome
                load.rows = report.rowsOut
                load.reasons = report.failures.map { d in d.location.map { "\($0): \(d.message)" } ?? d.message }
            }
        }
        c.loadedSources[contract] = load
        c.sources.append(load)
        events(.source(load))
        return load
    }

    /// What the state says run `id` did to each product, counted by outcome.
    static func totals(of id: String, in state: ReconcileState) -> [String: Int] {
        var out: [String: Int] = [:]
        for p in state.products.values where p.lastRun?.run == id {
            let outcome: StepResult.Outcome = switch p.status {
            case .ok: p.lastRun?.version != nil ? .published : .updated
            case .retired: .retired
            case .failed: .failed
            case .blocked: .blocked
            }
            out[outcome.rawValue, default: 0] += 1
        }
        return out
    }

    static func orphaned(_ step: Plan.Step) -> StepResult {
        StepResult(product: step.product, action: step.action, outcome: .orphaned, resumed: false, reasons: step.reasons, seconds: 0)
    }

    /// `2026-11-23T05:40:12Z-4f2a`: sortable, and unique enough between two applies.
    static func runID(_ now: Date) -> String {
        "\(TimeText.format(now))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }

}

/// Where an apply records what it does beyond the state: the audit log (docs/audit-log.md).
/// Each call comes before the state checkpoint it describes, so a run killed in between
/// calls it again on resume: an implementation must record each (run, step) once.
public protocol ApplyJournal {
    /// The run starts, or an interrupted one resumes.
    func started(run: String, target: String, plan: Plan, resumed: Bool) throws
    func finished(_ step: Applier.StepResult, run: String, target: String) throws
    func done(_ result: Applier.Result) throws
}
