import ArgumentParser
import Foundation
import StewardCore
import StewardDiff
import StewardGit
import StewardModel
import StewardPolicy

struct Check: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "The pre-merge check: semantic diff, breaking changes, impact and policies of a change.",
        discussion: """
        Reads both sides straight from git (nothing is checked out): --base defaults to the \
        merge base of HEAD with the main branch named in steward.yaml, --head to HEAD; \
        --worktree checks uncommitted edits against HEAD. Policies and waivers come from the \
        base, so a change cannot rewrite the rules that judge it; --policies-from head shows \
        what the proposed policies would say, new and changed ones over the whole mesh. Only \
        what the change touches is evaluated, with its producer and its consumers' inputs, \
        unless --all.

        Exit codes: 0 pass, 1 an unwaived mandatory (or hard) finding, 2 usage error or \
        unreadable input (a bad revision, a broken policy, malformed YAML).

        Examples:
          steward check                                # this branch against main
          steward check --base main --head feature/x --format json
          steward check --worktree --explain
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif, junit, github, markdown }
    enum PolicySide: String, ExpressibleByArgument, CaseIterable { case base, head }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The revision the change starts from.", valueName: "rev"))
    var base: String?

    @Option(help: ArgumentHelp("The revision with the change.", valueName: "rev"))
    var head: String?

    @Flag(help: "Check uncommitted edits of the work tree against HEAD.")
    var worktree = false

    @Flag(help: "Evaluate every target of the mesh, not only what the change touches.")
    var all = false

    @Option(help: "Take policies and waivers from the base (default) or the head.")
    var policiesFrom: PolicySide = .base

    @Option(help: ArgumentHelp("Evaluate as of this UTC time (evaluation.time); default now.", valueName: "timestamp"))
    var at: String?

    @Flag(help: "For each finding, show the condition that decided it and the values it compared.")
    var explain = false

    @Option(help: "Output format: text, json, sarif (code scanning), junit, github (workflow annotations) or markdown (a PR comment).")
    var format: Format = .text

    func validate() throws {
        if worktree && (base != nil || head != nil) { throw ValidationError("--worktree compares the work tree with HEAD; drop --base and --head") }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let trace = Trace()
        guard let pair = try RevisionPair.open(path: global.repo, base: base, head: head, worktree: worktree,
                                               help: "run the check inside the mesh repository", console: console) else { return .usage }
        let (repository, baseID, headID) = (pair.repository, pair.baseID, pair.headID)
        let (baseTree, headTree, oldMesh, newMesh) = (pair.baseTree, pair.headTree, pair.base, pair.head)
        trace.mark("both revisions loaded")

        // Rules from the base unless asked otherwise.
        let rulesTree: any FileTree = policiesFrom == .base ? baseTree : headTree
        let rulesMesh = policiesFrom == .base ? oldMesh : newMesh
        let set = try PolicySet.load(from: rulesTree, domains: Array(rulesMesh.domains.keys))
        if set.hasErrors {
            DiagnosticOutput.text(set.diagnostics, sources: set.sources, tree: rulesTree, console: console)
            console.err("error: the policies at the \(policiesFrom.rawValue) revision do not check; nothing was evaluated")
            return .usage
        }

        // What changed, and by whom.
        let files = try fileChanges(repository, baseID: baseID, headID: headID)
        let commits = try self.commits(repository, baseID: baseID, headID: headID, files: files)
        let semantic = MeshDiff.compare(oldMesh, newMesh, changedPaths: Set(files.map(\.path)), transform: pair.text)
        let changes = ChangeSet.build(changes: semantic, files: files, old: oldMesh, new: newMesh, commits: commits)
        trace.mark("diff: \(files.count) files, \(commits.count) commits, \(changes.count) changes")

        let time = try PolicyLoading.time(at)
        let view = ModelView(base: oldMesh, head: newMesh, changes: changes,
                             evaluation: EvaluationInfo(time: time, command: "check", base: baseID.description, head: headID?.description),
                             demand: Demand(set.policies), transform: { Lint.text(headTree, $0) })
        trace.mark("view built")
        let only = all ? nil : scope(changes, old: oldMesh, new: newMesh, view: view)
        // Proposed rules have never judged this mesh: their blast radius is every target.
        let proposed = policiesFrom == .head && !all ? try proposedPolicies(set, base: baseTree, mesh: oldMesh) : []
        let (evaluation, resolution, waiverProblems) = PolicyEvaluator.evaluate(
            set.policies.map(CompiledPolicy.init), view: view, mesh: rulesMesh, waivers: rulesMesh.waivers, only: only,
            everywhere: proposed)
        trace.mark("evaluated")
        let findings = resolution.findings
        let gating = findings.filter { $0.level.gates && !$0.waived && ($0.outcome == .fail || $0.outcome == .error) }
        let report = CheckReport(
            base: baseID.description, head: headID?.description ?? "WORKTREE",
            changes: changes.filter { !$0.summary }.map { c in
                CheckReport.ChangeRow(kind: c.change.kind, entity: c.change.entity, id: c.change.element, path: c.path,
                                      breaking: c.change.breaking, description: c.change.description,
                                      impact: c.change.breaking ? impact(of: c.change, old: oldMesh, new: newMesh) : nil)
            },
            findings: findings.map { f in
                CheckReport.FindingRow(policy: f.policy, level: f.level.rawValue, outcome: f.outcome.rawValue, message: f.message,
                                       hint: f.hint, path: f.location.path, line: f.location.line, column: f.location.column,
                                       target: f.target, waived: f.waived,
                                       explanation: explain ? Explainer.explain(f, policies: set.policies, view: view) : nil,
                                       waiver: f.waiver.map { w in
                                           CheckReport.WaiverRow(reason: w.reason, owner: w.owner, expires: w.expires,
                                                                 path: w.location.path, line: w.location.line)
                                       })
            },
            policies: set.policies.map { p in
                CheckReport.PolicyRow(id: p.id, title: p.decl.title, level: p.level.rawValue, tags: p.decl.tags,
                                      path: p.path, line: p.decl.location.line, evaluated: evaluation.stats[p.id]?.evaluated ?? 0)
            },
            summary: Dictionary(uniqueKeysWithValues: PolicyLevel.allCases.map { level in
                (level.rawValue, findings.filter { !$0.waived && $0.level == level }.count)
            }).merging(["waived": findings.filter(\.waived).count]) { a, _ in a },
            verdict: gating.isEmpty ? "pass" : "fail")
        switch format {
        case .json: console.out(DiagnosticOutput.encode(report))
        case .sarif: console.out(CheckReporters.sarif(report))
        case .junit: console.out(CheckReporters.junit(report))
        case .github: console.out(CheckReporters.github(report))
        case .markdown: console.out(CheckReporters.markdown(report))
        case .text:
            let ds = findings.map { f -> Diagnostic in
                var d = PolicyLoading.diagnostic(f)
                if explain { d.detail = Explainer.explain(f, policies: set.policies, view: view) }
                return d
            } + evaluation.diagnostics + waiverProblems + resolution.diagnostics
            DiagnosticOutput.text(ds.sorted(), sources: set.sources, tree: headTree, console: console)
            let breaking = report.changes.filter(\.breaking)
            console.out("\(baseID.short)..\(headID?.short ?? "work tree"): \(report.changes.count) changes (\(breaking.count) breaking) in \(files.count) files, \(commits.count) commits")
            for c in breaking {
                console.out("  BREAKING \(c.kind) \(c.id): \(c.description)")
                if let i = c.impact {
                    console.out("           impact: \((i.direct + i.transitive).joined(separator: ", ")) (domains \(i.domains.joined(separator: ", ")))")
                }
            }
            console.out("verdict: \(report.verdict)" + (gating.isEmpty ? "" : " (\(gating.count) mandatory finding\(gating.count == 1 ? "" : "s"))"))
        }
        return gating.isEmpty ? .success : .findings
    }

    /// The consumers of a breaking change, through the head's lineage (the base's for what
    /// the head no longer has).
    func impact(of c: Change, old: Mesh, new: Mesh) -> Impact? {
        let inNew = Impact.contract(of: c, in: new)
        let mesh = inNew != nil ? new : old
        let contract = inNew ?? Impact.contract(of: c, in: old)
        let i = Impact.of(contract: contract, product: c.entity == "product" ? c.element : nil, in: mesh, lineage: Lineage(mesh))
        return i.isEmpty ? nil : i
    }

    /// The head's policies that are new, or decide differently from the base's (a changed
    /// declaration or constant); a policy that does not check at the base counts as new.
    func proposedPolicies(_ head: PolicySet, base tree: any FileTree, mesh: Mesh) throws -> Set<String> {
        let base = try PolicySet.load(from: tree, domains: Array(mesh.domains.keys))
        let before = Dictionary(base.policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return Set(head.policies.filter { p in before[p.id].map { !p.decidesLike($0) } ?? true }.map(\.id))
    }

    // MARK: inputs

    func fileChanges(_ repository: Repository, baseID: ObjectID, headID: ObjectID?) throws -> [FileChange] {
        let changes = try headID.map { try repository.changes(from: baseID, to: $0, detectRenames: false) } ?? repository.workTreeChanges(detectRenames: false)
        return changes.map { c in
            FileChange(path: c.path, status: c.status == .added ? .added : (c.status == .deleted ? .removed : .modified))
        }
    }

    /// Commits in base..head with the paths each touched (against its first parent); the work
    /// tree counts as one commit by the configured identity.
    func commits(_ repository: Repository, baseID: ObjectID, headID: ObjectID?, files: [FileChange]) throws -> [CommitInfo] {
        guard let headID else {
            let me = repository.defaultSignature()
            let person = CommitInfo.Person(name: me.name, email: me.email)
            return [CommitInfo(id: "WORKTREE", author: person, committer: person, coAuthors: [], message: "uncommitted edits",
                               time: Int64(Date().timeIntervalSince1970), paths: Set(files.map(\.path)))]
        }
        let reachable = Set(try repository.log(from: baseID).map(\.id))
        return try repository.log(from: headID).filter { !reachable.contains($0.id) }.reversed().map { c in
            let paths = try repository.changes(from: c.parents.first, to: c.id, detectRenames: false).map(\.path)
            let coAuthors = c.trailerValues("Co-authored-by").compactMap(Self.person)
            return CommitInfo(id: c.id.description, author: .init(name: c.author.name, email: c.author.email),
                              committer: .init(name: c.committer.name, email: c.committer.email), coAuthors: coAuthors,
                              message: c.message, time: Int64(c.committer.date.timeIntervalSince1970), paths: Set(paths))
        }
    }

    /// `Name <email>` as in a `Co-authored-by:` trailer.
    static func person(_ s: String) -> CommitInfo.Person? {
        guard let open = s.lastIndex(of: "<"), let close = s.lastIndex(of: ">"), open < close else { return nil }
        let email = String(s[s.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        guard email.contains("@") else { return nil }
        return CommitInfo.Person(name: s[..<open].trimmingCharacters(in: .whitespaces), email: email)
    }

    /// The targets a change touches (docs/check-report.md): every change target; changed
    /// contracts with their properties and grants, their producers, and the inputs that read
    /// them; changed products (an edited transform counts as its product's change) with their
    /// inputs and the contracts they publish, whose targets bind them; everything in a changed
    /// domain, which every target binds.
    func scope(_ changes: [MeshChange], old: Mesh, new: Mesh, view: ModelView) -> Set<String> {
        var contracts = Set<String>(), products = Set<String>(), domains = Set<String>()
        for c in changes where c.summary {
            switch c.change.entity {
            case "contract": contracts.insert(c.change.element)
            case "product": products.insert(c.change.element)
            case "domain": domains.insert(c.change.element)
            case "transform":
                for mesh in [old, new] { products.formUnion(mesh.transforms.filter { $0.value == c.path }.keys) }
            default: break
            }
        }
        var contractRoots = contracts, productRoots = products, inputs = Set<String>()
        for mesh in [old, new] {
            let producers = mesh.producerOf
            productRoots.formUnion(contracts.compactMap { producers[$0] })
            contractRoots.formUnion(products.flatMap { mesh.products[$0]?.outputPorts.compactMap(\.contractId) ?? [] })
            for p in mesh.products.values {
                for port in p.inputPorts where contracts.contains(port.contractId) { inputs.insert("\(p.id)/inputs/\(port.name)") }
            }
        }
        func id(_ record: Value) -> String {
            if case .string(let s)? = view.field("id", of: record) { s } else { "" }
        }
        var out = Set(view.targets(for: TargetSpec(.change)).map(\.id))
        for kind in TargetKind.allCases where kind != .change {
            for t in view.targets(kind) {
                let touched = switch kind {
                case .product: productRoots.contains(t.id)
                case .input: inputs.contains(t.id) || productRoots.contains(id(t.bindings[1]))
                case .contract: contractRoots.contains(t.id)
                case .property: contractRoots.contains(id(t.bindings[2]))
                case .grant: contractRoots.contains(id(t.bindings[1]))
                case .domain, .change: false
                }
                if touched || t.domain.map(domains.contains) == true { out.insert(t.id) }
            }
        }
        return out
    }
}

/// The JSON report of `steward check` (docs/check-report.md).
struct CheckReport: Encodable {
    struct ChangeRow: Encodable {
        var kind: String
        var entity: String
        var id: String
        var path: String
        var breaking: Bool
        var description: String
        /// Products (and their domains) that read what a breaking change touches.
        var impact: Impact?
    }

    struct FindingRow: Encodable {
        var policy: String
        var level: String
        var outcome: String
        var message: String
        var hint: String?
        var path: String
        var line: Int
        var column: Int
        var target: String
        var waived: Bool
        var explanation: [String]?
        /// The waiver that accepted it.
        var waiver: WaiverRow?
    }

    var base: String
    var head: String
    var changes: [ChangeRow]
    var findings: [FindingRow]
    /// Every policy of the set that judged the change (SARIF rules, JUnit suites).
    var policies: [PolicyRow]
    var summary: [String: Int]
    var verdict: String
}
