import ArgumentParser
import Foundation
import StewardAudit
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
        --worktree checks uncommitted edits against HEAD; --at REV re-evaluates the whole \
        mesh as it stood at a past commit, with that commit's change against its first \
        parent, as of its commit time. Policies and waivers come from the base, so a change \
        cannot rewrite the rules that judge it; --policies-from head shows what the proposed \
        policies would say, and --policies-from REV what another revision's would (today's \
        main judging an old commit); rules that differ from the base's are evaluated over \
        the whole mesh. Only what the change touches is evaluated, with its producer and its \
        consumers' inputs, unless --all.

        Exit codes: 0 pass, 1 an unwaived mandatory (or hard) finding, 2 usage error or \
        unreadable input (a bad revision, a broken policy, malformed YAML).

        Examples:
          steward check                                # this branch against main
          steward check --base main --head feature/x --format json
          steward check --worktree --explain
          steward check --at v1.4.0                    # the mesh as it stood, by its own rules
          steward check --at HEAD~30 --policies-from main   # would today's rules have allowed it?
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif, junit, github, markdown }
    /// `base`, `head`, or a revision.
    enum PolicySide: ExpressibleByArgument, Equatable {
        case base, head
        case revision(String)
        init(argument: String) {
            self = argument == "base" ? .base : argument == "head" ? .head : .revision(argument)
        }
        var name: String {
            switch self {
            case .base: "base"
            case .head: "head"
            case .revision(let r): r
            }
        }
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The revision the change starts from.", valueName: "rev"))
    var base: String?

    @Option(help: ArgumentHelp("The revision with the change.", valueName: "rev"))
    var head: String?

    @Flag(help: "Check uncommitted edits of the work tree against HEAD.")
    var worktree = false

    @Flag(help: "Evaluate every target of the mesh, not only what the change touches.")
    var all = false

    @Option(help: ArgumentHelp("Re-evaluate the whole mesh as it stood at this commit (its change against its first parent, as of its commit time).", valueName: "rev"))
    var at: String?

    @Option(help: ArgumentHelp("Take policies and waivers from the base (default), the head, or this revision.", valueName: "base|head|rev"))
    var policiesFrom: PolicySide = .base

    @Option(help: ArgumentHelp("Evaluate as of this UTC time (evaluation.time); default now, or the commit time with --at.", valueName: "timestamp"))
    var time: String?

    @Flag(help: "For each finding, show the condition that decided it and the values it compared.")
    var explain = false

    @Flag(help: "Append a `check` entry with the verdict and findings to the audit log (refs/steward/audit).")
    var record = false

    /// Loads both sides whole even when the change needs a few domains: the reference the
    /// scoped load is tested against (docs/check-report.md, "What is loaded").
    @Flag(name: .customLong("whole-mesh"), help: .hidden)
    var wholeMesh = false

    @Option(help: "Output format: text, json, sarif (code scanning), junit, github (workflow annotations) or markdown (a PR comment).")
    var format: Format = .text

    func validate() throws {
        if worktree && (base != nil || head != nil) { throw ValidationError("--worktree compares the work tree with HEAD; drop --base and --head") }
        if record && worktree { throw ValidationError("--record audits commits; the work tree is not one") }
        if at != nil && (worktree || base != nil || head != nil) {
            throw ValidationError("--at judges one commit against its first parent; drop --base, --head and --worktree")
        }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let trace = Trace()
        // The signing key before any work: the keys are HEAD's, as `audit verify` reads them (a
        // pull request that edits the keys does not decide how its own check is signed).
        let signer = try record ? AuditSigning.signer(keys: AuditSigning.meshKeys(global.repository(for: "check"))) : nil
        let pair: RevisionPair
        var loadedDomains: Set<String>?
        var evaluationTime = try time.map(PolicyLoading.time)
        if let at {
            guard let opened = try RevisionPair.open(path: global.repo, at: at, help: "run the check inside the mesh repository",
                                                     console: console) else { return .usage }
            pair = opened
            if evaluationTime == nil { evaluationTime = try Int64(pair.repository.commit(pair.headID!).committer.date.timeIntervalSince1970) }
        } else if let scoped = try scopedPair(console, trace: trace) {
            guard let opened = scoped else { return .usage }
            pair = opened
            // --all: the head is whole and the base has every domain's waivers.
            loadedDomains = all ? nil : Set(opened.head.domains.keys).union(opened.base.domains.keys)
        } else {
            guard let opened = try RevisionPair.open(path: global.repo, base: base, head: head, worktree: worktree,
                                                     help: "run the check inside the mesh repository", console: console) else { return .usage }
            pair = opened
        }
        let (baseID, headID, headTree, oldMesh, newMesh) = (pair.baseID, pair.headID, pair.headTree, pair.base, pair.head)
        trace.mark("both revisions loaded")
        let rules: CheckRun.Rules
        let rulesCommit: String
        switch policiesFrom {
        case .base: (rules, rulesCommit) = (.base, baseID.description)
        case .head: (rules, rulesCommit) = (.head, headID?.description ?? "WORKTREE")
        case .revision(let rev):
            let id = try pair.repository.resolve(rev)
            rulesCommit = id.description
            let tree = try pair.repository.tree(at: id)
            guard let mesh = try RevisionPair.load(tree, "--policies-from", console, cache: pair.repository.parseCache()) else { return .usage }
            rules = .other(tree: tree, mesh: mesh)
        }
        // --at asks about the mesh as it stood: all of it.
        let everything = all || at != nil
        let run: CheckRun
        do {
            run = try CheckRun.run(pair, rules: rules, time: evaluationTime ?? PolicyLoading.time(nil), command: "check",
                                   trace: trace, loadedDomains: loadedDomains) { changes, view in
                everything ? nil : Self.scope(changes, old: oldMesh, new: newMesh, view: view)
            }
        } catch let broken as CheckRun.BrokenPolicies {
            DiagnosticOutput.text(broken.set.diagnostics, sources: broken.set.sources, tree: broken.tree, console: console)
            console.err("error: the policies at the \(policiesFrom.name) revision do not check; nothing was evaluated")
            return .usage
        }
        // Freeing the views and meshes of a large mesh takes longer than the report: the process ends instead.
        defer { ExitLifetime.keep(run); ExitLifetime.keep(pair) }
        let (set, changes, view, evaluation, resolution) = (run.set, run.changes, run.view, run.evaluation, run.resolution)
        let findings = resolution.findings
        let gating = run.gating
        let report = CheckReport(
            base: baseID.description, head: headID?.description ?? "WORKTREE",
            policiesFrom: rulesCommit, time: Value.format(timestamp: run.time),
            changes: changes.filter { !$0.summary }.map { c in
                CheckReport.ChangeRow(kind: c.change.kind, entity: c.change.entity, id: c.change.element, path: c.path,
                                      breaking: c.change.breaking, description: c.change.description,
                                      impact: c.change.breaking ? impact(of: c.change, old: oldMesh, new: newMesh) : nil)
            },
            findings: findings.map { f in
                CheckReport.FindingRow(f, explanation: explain ? Explainer.explain(f, policies: set.policies, view: view) : nil)
            },
            policies: set.policies.map { p in
                CheckReport.PolicyRow(id: p.id, title: p.decl.title, level: p.level.rawValue, tags: p.decl.tags,
                                      path: p.path, line: p.decl.location.line, evaluated: evaluation.stats[p.id]?.evaluated ?? 0)
            },
            summary: Dictionary(uniqueKeysWithValues: PolicyLevel.allCases.map { level in
                (level.rawValue, findings.count { !$0.waived && $0.level == level })
            }).merging(["waived": findings.count(where: \.waived)]) { a, _ in a },
            verdict: gating.isEmpty ? "pass" : "fail")
        trace.mark("report made")
        defer { trace.mark("report written") }
        if record { try self.record(report, repository: pair.repository, signer: signer, console: console) }
        switch format {
        case .json: console.out(report.json)
        case .sarif: console.out(CheckReporters.sarif(report))
        case .junit: console.out(CheckReporters.junit(report))
        case .github: console.out(CheckReporters.github(report))
        case .markdown: console.out(CheckReporters.markdown(report))
        case .text:
            let ds = findings.map { f -> Diagnostic in
                var d = PolicyLoading.diagnostic(f)
                if explain { d.detail = Explainer.explain(f, policies: set.policies, view: view) }
                return d
            } + evaluation.diagnostics + run.waiverProblems + resolution.diagnostics
            DiagnosticOutput.text(ds.sorted(), sources: set.sources, tree: headTree, console: console)
            let breaking = report.changes.filter(\.breaking)
            console.out("\(baseID.short)..\(headID?.short ?? "work tree"): \(plural(report.changes.count, "semantic change")) (\(breaking.count) breaking) in \(plural(run.files.count, "file")), \(plural(run.commits.count, "commit"))")
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

    /// A check of commits with the base's rules loads only what its scope needs
    /// (docs/check-report.md, "What is loaded"); with --all, the head whole and the base so.
    /// Nil: load the whole mesh (--at, the work tree, other rules, a policy that reads the whole
    /// mesh, or --whole-mesh);
    /// .some(nil): a side does not load, the errors are printed.
    func scopedPair(_ console: Console, trace: Trace) throws -> RevisionPair?? {
        guard !worktree, !wholeMesh, policiesFrom == .base else { return nil }
        // Policies that read the mesh's domains or a contract's consumers see past any scope:
        // asked of the base's policies before anything is loaded.
        let needsWhole: (GitTree) throws -> String? = { tree in
            let files = SubsetTree(tree, folders: try RevisionPair.policyFolders(tree), files: [])
            let set = try PolicySet.load(from: files, domains: try tree.folders(in: MeshLoader.domainsRoot))
            let demand = Demand(set.policies)
            return demand.wants(.mesh, "domains") || demand.wants(.contract, "consumers")
                ? "a policy reads mesh.domains or contract.consumers" : nil
        }
        switch try RevisionPair.openScoped(path: global.repo, base: base, head: head, help: "run the check inside the mesh repository",
                                           console: console, wholeHead: all, needsWhole: needsWhole, trace: trace) {
        case .failed: return .some(nil)
        case .whole(let why):
            trace.mark("whole mesh: \(why)")
            return nil
        case .pair(let pair): return pair
        }
    }

    /// The check as an audit entry: the commits, the rules' commit, the verdict, the findings
    /// and the waivers used (docs/audit-log.md §1). Who: `STEWARD_ACTOR`, else git's identity.
    func record(_ r: CheckReport, repository: Repository, signer: AuditLog.Signer?, console: Console) throws {
        let me = repository.defaultSignature()
        let actor = ProcessInfo.processInfo.environment["STEWARD_ACTOR"] ?? me.email
        let findings: [JSONValue] = r.findings.map { f in
            var o: [String: JSONValue] = ["policy": .string(f.policy), "level": .string(f.level), "outcome": .string(f.outcome),
                                          "target": .string(f.target), "waived": .bool(f.waived)]
            if let w = f.waiver { o["waiver"] = .object(["reason": .string(w.reason), "owner": .string(w.owner), "expires": .string(w.expires)]) }
            return .object(o)
        }
        let entry = AuditEntry(seq: -1, type: .check, meshCommits: [r.base, r.head], policyRevision: r.policiesFrom, actor: actor,
                               time: r.time, details: [
                                   "verdict": .string(r.verdict), "findings": .array(findings),
                                   "changes": .number(Double(r.changes.count)), "breaking": .number(Double(r.changes.filter(\.breaking).count)),
                                   "summary": .object(r.summary.mapValues { .number(Double($0)) }),
                               ])
        let log = AuditLog(repository: repository)
        let (written, _) = try log.append(entry, by: Signature(name: me.name, email: actor, date: Date()), signer: signer)
        // Each waiver that let a finding pass, on its own: who accepted what risk, until when.
        var waivers = 0
        for f in r.findings where f.waived {
            guard let w = f.waiver else { continue }
            let used = AuditEntry(seq: -1, type: .waiverUsed, meshCommits: [r.base, r.head], policyRevision: r.policiesFrom, actor: actor,
                                  time: r.time, details: [
                                      "check": .number(Double(written.seq)), "policy": .string(f.policy), "level": .string(f.level),
                                      "target": .string(f.target), "reason": .string(w.reason), "owner": .string(w.owner),
                                      "expires": .string(w.expires),
                                  ])
            try log.append(used, by: Signature(name: me.name, email: actor, date: Date()), signer: signer)
            waivers += 1
        }
        console.err("recorded as audit entry \(written.seq)" + (waivers > 0 ? ", with \(plural(waivers, "waiver-used entry", "waiver-used entries"))" : ""))
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

    /// The targets a change touches (docs/check-report.md): every change target; changed
    /// contracts with their properties and grants, their producers, and the inputs that read
    /// them; changed products (an edited transform counts as its product's change) with their
    /// inputs and the contracts they publish, whose targets bind them; everything in a changed
    /// domain, which every target binds.
    static func scope(_ changes: [MeshChange], old: Mesh, new: Mesh, view: ModelView) -> Set<String> {
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

extension CheckReport.FindingRow {
    init(_ f: Finding, explanation: [String]? = nil) {
        self.init(policy: f.policy, level: f.level.rawValue, outcome: f.outcome.rawValue, message: f.message,
                  hint: f.hint, path: f.location.path, line: f.location.line, column: f.location.column,
                  target: f.target, waived: f.waived, explanation: explanation,
                  waiver: f.waiver.map { w in
                      CheckReport.WaiverRow(reason: w.reason, owner: w.owner, expires: w.expires, path: w.location.path, line: w.location.line)
                  })
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

    struct FindingRow: Codable {
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
    /// The commit whose policies and waivers judged (WORKTREE for the work tree's).
    var policiesFrom: String
    /// evaluation.time, RFC 3339.
    var time: String
    var changes: [ChangeRow]
    var findings: [FindingRow]
    /// Every policy of the set that judged the change (SARIF rules, JUnit suites).
    var policies: [PolicyRow]
    var summary: [String: Int]
    var verdict: String
}

extension CheckReport {
    /// The report as `DiagnosticOutput.encode` writes it, byte for byte, written directly
    /// (`JSONText`): the encoder took 35-40 ms on the 3,774 findings of a large mesh's
    /// `check --all`. Members go in sorted order; `CheckReportJSONTests` holds the two equal.
    var json: String {
        var out = JSONText(capacity: 512 * (findings.count + changes.count + policies.count) + 1024)
        out.beginObject()
        out.member("base", base)
        out.key("changes")
        out.beginArray()
        for c in changes {
            out.beginObject()
            out.member("breaking", c.breaking)
            out.member("description", c.description)
            out.member("entity", c.entity)
            out.member("id", c.id)
            if let i = c.impact {
                out.key("impact")
                out.beginObject()
                out.member("direct", i.direct)
                out.member("domains", i.domains)
                out.member("transitive", i.transitive)
                out.endObject()
            }
            out.member("kind", c.kind)
            out.member("path", c.path)
            out.endObject()
        }
        out.endArray()
        out.key("findings")
        out.beginArray()
        for f in findings {
            out.beginObject()
            out.member("column", f.column)
            out.member("explanation", f.explanation)
            out.member("hint", f.hint)
            out.member("level", f.level)
            out.member("line", f.line)
            out.member("message", f.message)
            out.member("outcome", f.outcome)
            out.member("path", f.path)
            out.member("policy", f.policy)
            out.member("target", f.target)
            out.member("waived", f.waived)
            if let w = f.waiver {
                out.key("waiver")
                out.beginObject()
                out.member("expires", w.expires)
                out.member("line", w.line)
                out.member("owner", w.owner)
                out.member("path", w.path)
                out.member("reason", w.reason)
                out.endObject()
            }
            out.endObject()
        }
        out.endArray()
        out.member("head", head)
        out.key("policies")
        out.beginArray()
        for p in policies {
            out.beginObject()
            out.member("evaluated", p.evaluated)
            out.member("id", p.id)
            out.member("level", p.level)
            out.member("line", p.line)
            out.member("path", p.path)
            out.member("tags", p.tags)
            out.member("title", p.title)
            out.endObject()
        }
        out.endArray()
        out.member("policiesFrom", policiesFrom)
        out.key("summary")
        out.beginObject()
        for (level, count) in summary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { out.member(level, count) }
        out.endObject()
        out.member("time", time)
        out.member("verdict", verdict)
        out.endObject()
        return out.text
    }
}
