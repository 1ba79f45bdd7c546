import ArgumentParser
import Foundation
import StewardCore
import StewardModel
import StewardPolicy

struct Lint: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the whole mesh and report every problem.",
        discussion: """
        Reads steward.yaml, every domain, product (ODPS) and contract (ODCS), and checks the \
        references between them: contract ids, input ports, cycles, transforms, source files, \
        SLA time columns, grants. Then checks every policy file and evaluates every policy over \
        the whole mesh. Without --rev it reads the work tree, uncommitted edits included.

        Examples:
          steward lint                    # the work tree of the repository you are in
          steward lint --rev main         # the mesh as committed on main
          steward lint --explain          # say why each policy finding failed
          steward lint -C ../mesh --format json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Read the mesh at this git revision (branch, tag, commit, HEAD~2) instead of the work tree.", valueName: "rev"))
    var rev: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors (exit 1 when there are any).")
    var strict = false

    @Flag(help: "For each finding, show the condition that decided it and the values it compared.")
    var explain = false

    @Flag(help: "Check the model only; do not evaluate policies.")
    var noPolicies = false

    @Option(help: ArgumentHelp("Evaluate policies as of this UTC time (evaluation.time); default now.", valueName: "timestamp"))
    var time: String?

    func execute(_ console: Console) throws -> ExitStatus {
        let start = Date()
        let source = try MeshSource.open(path: global.repo, revision: rev)
        let cache = source.repository?.parseCache()
        let loaded = try MeshLoader(cache: cache).load(from: source.tree)
        defer { ExitLifetime.keep(loaded); ExitLifetime.keep(cache as Any) }
        Log.logger.debug("loaded mesh from \(source.tree.label) in \(Int(Date().timeIntervalSince(start) * 1000)) ms")
        var ds = loaded.diagnostics
        var sources = loaded.sources
        var policyCount: Int?
        if !noPolicies, let mesh = loaded.value {
            let time = try PolicyLoading.time(time)
            let trace = Trace()
            let set = try PolicyLoading.load(source.tree, mesh: mesh)
            trace.mark("policies parsed and checked")
            ds += set.diagnostics
            sources.merge(set.sources) { a, _ in a }
            // A broken policy disables nothing silently: nothing is evaluated (§8).
            if !set.hasErrors && !loaded.hasErrors {
                let tree = source.tree
                let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: time, command: "lint"),
                                     demand: Demand(set.policies), files: tree,
                                     words: source.repository.flatMap { WordsStore.transforms(gitDir: $0.gitDir) },
                                     reads: source.repository.flatMap { WordsStore.transformReads(gitDir: $0.gitDir) })
                trace.mark("model view built")
                let (result, waived, waiverProblems) = PolicyEvaluator.evaluate(
                    set.policies.map(CompiledPolicy.init), view: view, mesh: mesh, waivers: mesh.waivers)
                let pairs = result.stats.values.map(\.evaluated).reduce(0, +)
                trace.mark("policies evaluated: \(pairs) (policy, target) pairs, \(result.findings.count) findings")
                ds += waived.findings.map { f in
                    var d = PolicyLoading.diagnostic(f)
                    if explain { d.detail = Explainer.explain(f, policies: set.policies, view: view) }
                    return d
                } + result.diagnostics + waiverProblems + waived.diagnostics
                policyCount = set.policies.count
                ExitLifetime.keep(view)
            } else if set.hasErrors {
                ds.sort()
                DiagnosticOutput.text(ds, sources: sources, tree: source.tree, console: console)
                return .usage
            }
        }
        ds.sort()
        switch format {
        case .json:
            console.out(DiagnosticOutput.encode(DiagnosticOutput.json(ds)))
        case .text:
            DiagnosticOutput.text(ds, sources: sources, tree: source.tree, console: console)
            let mesh = loaded.value
            let counts = mesh.map {
                "\(plural($0.domains.count, "domain")), \(plural($0.products.count, "product")), \(plural($0.contracts.count, "contract"))"
                    + (policyCount.map { ", \($0) \($0 == 1 ? "policy" : "policies")" } ?? "")
            } ?? "no mesh"
            let verdict = ds.isEmpty ? "ok" : DiagnosticRenderer.summary(ds)
            console.out("\(source.tree.label): \(counts): \(verdict)")
        }
        let failing = ds.contains { $0.severity == .error || (strict && $0.severity == .warning) }
        if loaded.value == nil { return .usage }
        return failing ? .findings : .success
    }
}

extension Lint {
    /// A file's text, for the transforms `input.reads` looks into.
    static func text(_ tree: any FileTree, _ path: String) -> String? {
        (try? tree.read(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
    }
}

func plural(_ n: Int, _ word: String, _ many: String? = nil) -> String { "\(n) \(n == 1 ? word : many ?? word + "s")" }
