import ArgumentParser
import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardGit
import StewardModel
import StewardPolicy
import StewardReconcile

struct ApplyCommand: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Materialize the products so they match the mesh: run what the plan says, publish only what passes.",
        discussion: """
        Takes the lease (refs/steward/lock), plans against the applied state (refs/steward/state), \
        records the run before touching the engine, then runs each product in dependency order: \
        its transform over its declared inputs, in the sandbox; schema, quality rules, masking \
        and retention checked before it is published. A product that fails keeps its last good \
        version and blocks its consumers; independent products go on. The state is checkpointed \
        after each product, so an apply killed at any moment is resumed by the next one, which \
        redoes nothing already done. With nothing changed, apply does nothing and says so.

        The warehouse is `warehouse` in steward.yaml (default .steward/warehouse, relative to \
        the repository). Hashed and tokenized columns need STEWARD_MASKING_SALT.

        Exit codes: 0 every product published (or nothing to do), 1 some product failed or was \
        blocked, 2 usage error, a refused saved plan, or another apply holding the lease.

        Examples:
          steward apply                            # the tip of the main branch
          steward apply --wait 600       # wait up to 10 minutes for another apply
          steward plan --format json > plan.json && steward apply --plan plan.json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The mesh revision to apply; default the main branch of steward.yaml.", valueName: "rev"))
    var rev: String?

    @Option(help: ArgumentHelp("Apply this saved plan (`steward plan --format json`), refusing if the state or the revision moved since.",
                               valueName: "file"))
    var plan: String?

    @Flag(help: "Retire products the mesh no longer has (default: keep them, listed as orphans).")
    var prune = false

    @Option(help: ArgumentHelp("When another apply holds the lease, wait for it up to this many seconds (default: refuse at once).",
                               valueName: "seconds"))
    var wait: Int?

    @Option(name: .customLong("as-of"),
            help: ArgumentHelp("Count retention from this UTC time instead of now (for sample data).", valueName: "timestamp"))
    var asOf: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try global.repository(for: "apply")
        let instant = try Self.instant(asOf)
        let salt: MaskingSalt?
        do {
            salt = try MaskingSalt.fromEnvironment()
        } catch {
            throw UsageError(message: error.message, help: error.help)
        }
        var saved: PlanCommand.Report?
        if let plan { saved = try Self.readPlan(plan) }
        if saved != nil && (rev != nil || prune) {
            throw UsageError(message: "--plan fixes the revision and --prune; do not give them again", help: "apply the plan alone")
        }
        let named = saved?.rev ?? rev
        let (target, _) = try PlanCommand.target(named, repository: repository)
        let store = StateStore(repository: repository)
        if let saved {
            guard saved.target == target.description else {
                throw UsageError(message: "the saved plan is for \(saved.target.prefix(10)), but `\(saved.rev)` is now \(target.short)",
                                 help: "run `steward plan` again and apply the new plan")
            }
            let tip = try store.readHeader().tip?.description
            guard saved.stateTip == tip else {
                throw UsageError(message: "the applied state moved since the plan was made (state \(saved.stateTip.map { String($0.prefix(10)) } ?? "empty") then, \(tip.map { String($0.prefix(10)) } ?? "empty") now)",
                                 help: "run `steward plan` again and apply the new plan")
            }
        } else if !prune, let header = try store.readHeader().header, header.applied == target.description,
                  header.run.map({ $0.phase == .done }) ?? true, (header.failed ?? []).isEmpty,
                  try Self.warehouseHolds(header.published, at: target, repository: repository) {
            // Same commit, same fingerprints, and the warehouse holds the versions the state
            // says: nothing can differ, and the mesh need not be loaded. (Data gone from the
            // warehouse sends apply the long way, which rebuilds what was lost.)
            try Lease.clearAbandoned(in: repository)
            return report(nothingToDo: target, console)
        }

        guard let (tree, mesh) = try PlanCommand.load(target, repository: repository, console: console) else { return .usage }
        let me = repository.defaultSignature()
        var options = Applier.Options(asOf: instant, actor: ProcessInfo.processInfo.environment["STEWARD_ACTOR"] ?? me.email)
        options.prune = saved?.prune ?? prune
        options.wait = wait.map(TimeInterval.init)
        options.expectedDigest = saved?.digest
        options.salt = salt
        let engine = try EmbeddedEngine(warehouse: Self.warehouse(mesh.settings.warehouse, repository: repository))
        let display = ApplyDisplay(console: console, live: format == .text && isatty(STDERR_FILENO) == 1, streaming: format == .text)
        let journal = ApplyAudit(repository: repository, signer: try AuditSigning.signer(keys: mesh.settings.auditKeys),
                                 actor: options.actor, asOf: instant) { mesh.contracts[$0] }
        let applier = Applier(repository: repository, engines: [engine.name: engine], options: options, journal: journal) {
            display.handle($0)
        }
        let result: Applier.Result
        do {
            result = try applier.apply(target: target, tree: tree, mesh: mesh)
        } catch let f as Lease.Failure {
            if case .lost = f {
                throw UsageError(message: "\(f)", help: "the run stays open; the apply that took the lease over resumes it, or the next one does")
            }
            throw UsageError(message: "\(f)", help: wait == nil ? "wait for it with --wait SECONDS" : "try again later")
        } catch let f as Applier.Failure {
            throw UsageError(message: "\(f)", help: nil)
        } catch let f as StewardReconcile.Fingerprinter.Failure {
            throw UsageError(message: "cannot plan: \(f)", help: "`steward lint --rev \(target.short)` checks the mesh")
        } catch let e as EngineError {
            display.finish()
            throw UsageError(message: "the engine stopped: \(e.message)",
                             help: (e.help.map { $0 + "; " } ?? "") + "the run stays open and the next `steward apply` resumes it")
        }
        display.finish()
        ExitLifetime.keep(mesh)
        switch format {
        case .json: console.out(DiagnosticOutput.encode(result))
        case .text: console.out(display.summary(result, mesh: mesh.settings.name))
        }
        return result.applied ? .success : .findings
    }

    func report(nothingToDo target: ObjectID, _ console: Console) -> ExitStatus {
        switch format {
        case .json:
            struct Nothing: Encodable { var target: String; var nothingToDo = true; var applied = true }
            console.out(DiagnosticOutput.encode(Nothing(target: target.description)))
        case .text:
            console.out("Nothing to do: \(target.short) is applied and every product is up to date.")
        }
        return .success
    }

    static func readPlan(_ path: String) throws -> PlanCommand.Report {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError(message: "cannot read the plan `\(path)`", help: "save one with `steward plan --format json > \(path)`")
        }
        do {
            return try JSONDecoder().decode(PlanCommand.Report.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw notAPlan(path, "no `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw notAPlan(path, "`\(context.codingPath.map(\.stringValue).joined(separator: "."))` has the wrong type")
        } catch {
            throw notAPlan(path, "it is not JSON")
        }
    }

    static func notAPlan(_ path: String, _ why: String) -> UsageError {
        UsageError(message: "`\(path)` is not a plan saved by `steward plan --format json`: \(why)",
                   help: "save the plan again with `steward plan --format json > \(path)`")
    }

    static func instant(_ text: String?) throws -> Date {
        Date(timeIntervalSince1970: TimeInterval(try PolicyLoading.time(text)))
    }

    /// Whether the warehouse that steward.yaml at `commit` names (read alone) publishes exactly
    /// the product versions whose digest the state keeps.
    static func warehouseHolds(_ digest: String?, at commit: ObjectID, repository: Repository) throws -> Bool {
        guard let digest else { return false }
        guard let mesh = try MeshLoader.loadSettings(from: repository.tree(at: commit)).value else { return false }
        let folder = warehouse(mesh.settings.warehouse, repository: repository)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(EmbeddedEngine.fileName).path) else {
            return digest == ReconcileState.digest(published: [:])
        }
        let engine = try EmbeddedEngine(warehouse: folder)
        return ReconcileState.digest(published: try engine.publishedVersions()) == digest
    }

    /// The warehouse folder: absolute as written, or relative to the repository's work tree
    /// (its git folder when bare).
    static func warehouse(_ setting: String, repository: Repository) -> URL {
        if setting.hasPrefix("/") { return URL(fileURLWithPath: setting) }
        return URL(fileURLWithPath: repository.workdir ?? repository.gitDir).appendingPathComponent(setting)
    }
}

/// What `apply` shows while it runs: on a terminal, a live line per product (phase, elapsed)
/// on standard error; in text mode, a line per finished product on standard output, so a CI
/// log reads as it goes.
final class ApplyDisplay: @unchecked Sendable {
    let console: Console
    let live: Bool
    let streaming: Bool
    private let lock = NSLock()
    private var current: (product: String, index: Int, total: Int, started: ContinuousClock.Instant)?
    private var width = 0

    init(console: Console, live: Bool, streaming: Bool) {
        self.console = console
        self.live = live
        self.streaming = streaming
    }

    func handle(_ event: Applier.Event) {
        lock.withLock {
            switch event {
            case let .started(run, plan, resumed):
                width = plan.steps.map(\.product.count).max() ?? 0
                if streaming {
                    console.out("\(resumed ? "resuming" : "apply") run \(run) at \(plan.target.prefix(10)): \(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s"), \(plan.unchanged) unchanged")
                }
            case let .stepStarted(step, index, total):
                current = (step.product, index, total, .now)
                status("\(step.action.rawValue)")
            case let .phase(product, phase):
                if current?.product == product { status(phase) } else { status("\(product): \(phase)") }
            case let .source(load):
                guard streaming else { return }
                clear()
                let what = load.outcome == .failed ? "FAILED  " + load.reasons.joined(separator: "; ")
                    : (load.loaded ? "loaded" : "already loaded") + (load.rows.map { ", \($0) rows" } ?? "")
                console.out("  source \(load.contract): \(what)")
            case let .stepFinished(result, _, _):
                current = nil
                guard streaming else { return }
                clear()
                console.out(line(result))
            }
        }
    }

    private func status(_ phase: String) {
        guard live, let c = current else { return }
        let elapsed = ContinuousClock.now - c.started
        let text = "[\(c.index + 1)/\(c.total)] \(c.product)  \(phase)…  \(String(format: "%.1f", elapsed / .seconds(1)))s"
        // One terminal line at most: a wrapped line would not be erased by the next update.
        var size = winsize()
        let width = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 1 ? Int(size.ws_col) - 1 : 100
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text.prefix(width))".utf8))
    }

    private func clear() {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func finish() { lock.withLock { clear() } }

    func line(_ r: Applier.StepResult) -> String {
        let name = r.product.padding(toLength: width, withPad: " ", startingAt: 0)
        var cells = ["  \(PlanCommand.symbol(r.action)) \(name)"]
        switch r.outcome {
        case .published:
            var what = "published v\(r.version ?? 0)"
            if let rows = r.rowsOut { what += ", \(rows) rows" }
            if let purged = r.rowsPurged, purged > 0 { what += ", \(purged) purged by retention" }
            if let masked = r.report?.masking, !masked.isEmpty { what += ", masked \(masked.map { "\($0.column) (\($0.strategy))" }.joined(separator: ", "))" }
            if r.seconds > 0, let rows = r.rowsIn, !r.resumed { what += String(format: " in %.2fs (%.0f rows/s)", r.seconds, Double(rows) / max(r.seconds, 1e-6)) }
            if r.resumed { what += " (published before the interruption)" }
            cells.append(what)
        case .failed:
            cells.append("FAILED" + (r.version.map { ", v\($0) stays published" } ?? ", nothing published") + ": " + r.reasons.joined(separator: "; "))
            // What to do about it, as the engine says (once per distinct help).
            var helps: [String] = []
            for h in r.report?.failures.compactMap(\.help) ?? [] where !helps.contains(h) { helps.append(h) }
            return ([cells.joined(separator: "  ")] + helps.map { "      help: \($0)" }).joined(separator: "\n")
        case .blocked:
            cells.append(r.reasons.joined(separator: "; ") + (r.version.map { "; v\($0) stays published" } ?? ""))
        case .updated:
            cells.append("updated: " + r.reasons.joined(separator: "; "))
        case .retired:
            cells.append("retired")
        case .orphaned:
            cells.append("orphaned, kept: " + r.reasons.joined(separator: "; "))
        }
        return cells.joined(separator: "  ")
    }

    func summary(_ r: Applier.Result, mesh: String) -> String {
        if r.nothingToDo {
            let orphans = r.steps.filter { $0.outcome == .orphaned }.count
            return "Nothing to run: \(mesh) at \(r.target.prefix(10)) is applied\(orphans > 0 ? " (\(orphans) orphaned product\(orphans == 1 ? "" : "s") kept; --prune retires them)" : "")."
        }
        func count(_ o: Applier.StepResult.Outcome) -> Int { r.steps.filter { $0.outcome == o }.count }
        var out = streaming ? [""] : r.steps.map(line)
        out.append("Apply: \(count(.published)) published, \(count(.failed)) failed, \(count(.blocked)) blocked, \(count(.updated)) updated, "
                   + "\(count(.retired)) retired; \(r.unchanged) unchanged.")
        out.append(r.applied ? "\(r.target.prefix(10)) is applied (run \(r.run))."
                   : "\(r.target.prefix(10)) is not fully applied: the failed products keep their last good version; fix them and apply again (`steward status` lists them).")
        return out.joined(separator: "\n")
    }
}
