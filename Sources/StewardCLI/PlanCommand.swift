import ArgumentParser
import Foundation
import StewardCore
import StewardGit
import StewardModel
import StewardReconcile

struct PlanCommand: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "What an apply would do: the products to create, rebuild, retry, update or retire, in dependency order.",
        discussion: """
        Compares the applied state (refs/steward/state in the mesh repository) with the mesh at \
        --rev, by fingerprint: a product is rebuilt when its transform, the data-relevant part \
        of its contract, its engine or an input changed, and everything downstream with it; a \
        description or owner change runs nothing. Products the mesh no longer has are kept and \
        listed unless --prune. Nothing is changed. The rules are in docs/reconciler.md.

        Examples:
          steward plan                       # the tip of the main branch
          steward plan --rev HEAD --format json
          steward plan --prune --format markdown
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The mesh revision to plan for; default the main branch of steward.yaml.", valueName: "rev"))
    var rev: String?

    @Flag(help: "Retire products the mesh no longer has (default: keep them, listed as orphans).")
    var prune = false

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    /// The plan as `--format json` prints it; `steward apply --plan FILE` reads it back.
    struct Report: Codable {
        var mesh: String
        /// The revision as named (`main`, `HEAD`, an id): apply refuses if it no longer names `target`.
        var rev: String
        var prune: Bool
        var target: String
        var stateTip: String?
        var applied: String?
        var digest: String
        var summary: [String: Int]
        var steps: [Plan.Step]
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try global.repository(for: "plan")
        guard let planned = try Self.planned(rev, prune: prune, repository: repository, console: console) else { return .usage }
        let (mesh, state, plan) = (planned.mesh, planned.state, planned.plan)
        let summary = Dictionary(uniqueKeysWithValues: Plan.Action.allCases.map { a in (a.rawValue, plan.steps.filter { $0.action == a }.count) })
            .merging(["unchanged": plan.unchanged]) { a, _ in a }
        let report = Report(mesh: mesh.settings.name, rev: planned.rev, prune: prune, target: plan.target, stateTip: plan.stateTip, applied: state.applied,
                            digest: plan.digest, summary: summary, steps: plan.steps)
        switch format {
        case .json: console.out(DiagnosticOutput.encode(report))
        case .markdown: console.out(markdown(report))
        case .text: console.out(text(report))
        }
        return .success
    }

    /// The mesh at the planned revision, the applied state, and the plan between them.
    struct Planned {
        var commit: ObjectID
        var rev: String
        var tree: GitTree
        var mesh: Mesh
        var state: ReconcileState
        var plan: Plan
    }

    /// Plans for `rev` (default: the main branch named by steward.yaml at HEAD). Nil after
    /// printing the errors when that mesh does not load.
    static func planned(_ rev: String?, prune: Bool, repository: Repository, console: Console) throws -> Planned? {
        let (id, named) = try target(rev, repository: repository)
        guard let (tree, mesh) = try load(id, repository: repository, console: console) else { return nil }
        let (state, tip) = try StateStore(repository: repository).read()
        var fingerprints = Fingerprinter(mesh: mesh) { try tree.read($0) }
        do {
            let plan = try Plan.make(mesh: mesh, parts: try fingerprints.all(), state: state, stateTip: tip?.description,
                                     target: id.description, prune: prune)
            ExitLifetime.keep((mesh, state))  // freed by the exit, not one object at a time
            return Planned(commit: id, rev: named, tree: tree, mesh: mesh, state: state, plan: plan)
        } catch let f as Fingerprinter.Failure {
            throw UsageError(message: "cannot plan: \(f)", help: "`steward lint --rev \(id.short)` checks the mesh")
        }
    }

    /// The commit to plan for and the revision that named it: `rev`, or the main branch that
    /// steward.yaml at HEAD names (falling back to `origin/<main>`).
    static func target(_ rev: String?, repository: Repository) throws -> (commit: ObjectID, rev: String) {
        if let rev { return (try repository.resolve(rev), rev) }
        guard let main = try MeshLoader.loadSettings(from: repository.tree(at: repository.resolve("HEAD"))).value?.settings.mainBranch else {
            throw UsageError(message: "no steward.yaml at HEAD to name the main branch", help: "name the revision with --rev")
        }
        return try repository.resolveMainBranch(main)
    }

    /// The whole mesh at `id`; nil after printing its errors when it does not load.
    static func load(_ id: ObjectID, repository: Repository, console: Console) throws -> (GitTree, Mesh)? {
        let tree = try repository.tree(at: id)
        let loaded = try MeshLoader(cache: repository.parseCache()).load(from: tree)
        guard let mesh = loaded.value, !loaded.hasErrors else {
            DiagnosticOutput.text(loaded.diagnostics.filter { $0.severity == .error }, sources: loaded.sources, tree: tree, console: console, toError: true)
            console.err("error: the mesh at \(id.short) does not load; `steward lint --rev \(id.short)` shows every problem")
            return nil
        }
        return (tree, mesh)
    }

    static func symbol(_ a: Plan.Action) -> String {
        switch a {
        case .create: "+"
        case .rebuild: "~"
        case .retry: "↻"
        case .update: "="
        case .retire: "-"
        case .orphan: "?"
        }
    }

    func summaryLine(_ r: Report) -> String {
        let s = r.summary
        return "Plan: \(s["create"] ?? 0) to create, \(s["rebuild"] ?? 0) to rebuild, \(s["retry"] ?? 0) to retry, "
            + "\(s["update"] ?? 0) to update, \(s["retire"] ?? 0) to retire; \(s["orphan"] ?? 0) orphaned, \(s["unchanged"] ?? 0) unchanged."
    }

    func text(_ r: Report) -> String {
        var out = ["plan for \(r.mesh) at \(r.target.prefix(10)) (state \(r.stateTip.map { String($0.prefix(10)) } ?? "empty"), applied \(r.applied.map { String($0.prefix(10)) } ?? "nothing yet"))"]
        if r.steps.isEmpty {
            out.append("")
            out.append("Nothing to do: every product matches \(r.target.prefix(10)).")
            return out.joined(separator: "\n")
        }
        out.append("")
        let width = r.steps.map(\.product.count).max() ?? 0
        for s in r.steps {
            out.append("  \(Self.symbol(s.action)) \(s.action.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(s.product.padding(toLength: width, withPad: " ", startingAt: 0))  \(s.reasons.joined(separator: "; "))")
        }
        out.append("")
        out.append(summaryLine(r))
        out.append("plan digest \(r.digest.prefix(16))")
        return out.joined(separator: "\n")
    }

    func markdown(_ r: Report) -> String {
        var out = ["### Plan for `\(r.mesh)` at `\(r.target.prefix(10))`", "", summaryLine(r), ""]
        guard !r.steps.isEmpty else { return out.joined(separator: "\n") }
        out += ["| | action | product | why |", "|---|---|---|---|"]
        for s in r.steps {
            out.append("| \(Self.symbol(s.action)) | \(s.action.rawValue) | `\(s.product)` | \(s.reasons.joined(separator: "; ").replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return out.joined(separator: "\n")
    }
}
