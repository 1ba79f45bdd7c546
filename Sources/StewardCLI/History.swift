import ArgumentParser
import Foundation
import StewardAudit
import StewardCore
import StewardEngine
import StewardDiff
import StewardGit
import StewardModel
import StewardPolicy

struct History: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every commit that changed a product or contract, with its semantic diff and the verdict at the time.",
        discussion: """
        Follows the product's file, its output contracts and its transform (a contract: its \
        file) back from --rev, through renames, newest first. For each commit: who, when, \
        the message, the semantic diff against its first parent (the engine of `steward diff`), \
        and the findings on the target as `steward check` of that commit would have reported \
        them: policies and waivers of the parent, evaluation time the commit's. Verdicts are \
        cached in the repository's git folder by commit. The rules are in docs/history.md.

        Examples:
          steward history sales.daily_sales
          steward history customer.customer_360 --since 2026-01-01 --format json
          steward history sales.orders_raw --rev release/2026-06 --no-verdict
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A product id (<domain>.<name>) or a contract id.", valueName: "product-or-contract"))
    var target: String

    @Option(help: ArgumentHelp("The revision to start from.", valueName: "rev"))
    var rev: String = "HEAD"

    @Option(help: ArgumentHelp("Only commits made at or after this date (YYYY-MM-DD or RFC 3339, UTC).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only commits made before the end of this date (YYYY-MM-DD) or this instant.", valueName: "date"))
    var until: String?

    @Flag(help: "Leave out the policy verdicts (faster: no policy is evaluated).")
    var noVerdict = false

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    struct Report: Encodable {
        var target: String
        var kind: String
        var rev: String
        /// The paths followed at --rev.
        var paths: [String]
        var commits: [Entry]
    }

    struct Entry: Encodable {
        var id: String
        var author: String
        var email: String
        /// Commit time, RFC 3339 UTC.
        var date: String
        var message: String
        var merge: Bool
        var files: [FileRow]
        var changes: [Diff.Row]
        /// pass or fail; absent with --no-verdict.
        var verdict: String?
        var findings: [CheckReport.FindingRow]?
        /// What applies materialized from this commit (the audit log's product results for
        /// the target whose applied commit has this one as its latest change of the target).
        var materialized: [Materialized] = []
    }

    struct Materialized: Encodable {
        var run: String?
        /// The mesh commit the apply made live.
        var applied: String
        var time: String
        var product: String
        var outcome: String
        var version: Int?
        var rows: Int?
    }

    struct FileRow: Encodable {
        var status: String
        var path: String
        var oldPath: String?
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try global.repository(for: "history")
        let window = try DateWindow(since: since, until: until)
        let start = try repository.resolve(rev)
        let cache = repository.parseCache()
        let located = try HistoryTarget.locate(target, in: repository.tree(at: start), cache: cache)
        let trace = Trace()
        let walked = try repository.pathHistory(from: start, paths: located.paths)
        trace.mark("walk: \(walked.count) commits touch \(located.paths.count) paths")
        let verdicts = VerdictCache(directory: URL(fileURLWithPath: repository.gitDir).appendingPathComponent("steward/verdicts"))

        let steps = walked.filter { step in
            let when = step.commit.committer.date
            return window.contains(when)
        }
        var entries: [Entry] = []
        for step in steps {
            let commit = step.commit
            let changes = try semanticDiff(step, located: located, repository: repository, cache: cache)
            entries.append(Entry(id: commit.id.description, author: commit.author.name, email: commit.author.email,
                                 date: TimeText.format(commit.committer.date), message: commit.summary, merge: commit.isMerge,
                                 files: step.changes.map { FileRow(status: $0.status.rawValue, path: $0.path, oldPath: $0.status == .renamed ? $0.oldPath : nil) },
                                 changes: changes, verdict: nil, findings: nil))
        }
        trace.mark("\(entries.count) commits diffed")
        if !noVerdict {
            let keys = steps.map { "\($0.commit.id)/\(located.id)" }
            var findings = keys.map { verdicts.findings($0) }
            // Commits are judged independently: on every core (git reads are serialized by the
            // repository; loading, the view and evaluation are not).
            let missing = findings.indices.filter { findings[$0] == nil }
            let judged = try concurrentMap(missing.count) { k in
                try Self.verdict(at: steps[missing[k]].commit, located: located, repository: repository, cache: cache)
            }
            for (k, i) in missing.enumerated() {
                let f = judged[k]
                try verdicts.store(keys[i], f)
                findings[i] = f
            }
            for i in entries.indices {
                entries[i].findings = findings[i]
                entries[i].verdict = findings[i]!.contains(where: \.gates) ? "fail" : "pass"
            }
        }
        trace.mark("\(entries.count) commits described")
        try Self.joinMaterializations(&entries, located: located, repository: repository, from: start)
        trace.mark("materializations joined")
        let report = Report(target: located.id, kind: located.kind.rawValue, rev: start.description, paths: located.paths, commits: entries)
        switch format {
        case .json: console.out(DiagnosticOutput.encode(report))
        case .markdown: console.out(markdown(report))
        case .text: console.out(text(report))
        }
        return .success
    }

    /// Places each product result of the audit log under the newest listed commit its applied
    /// commit contains: the last change of the target that the apply made live.
    static func joinMaterializations(_ entries: inout [Entry], located: HistoryTarget, repository: Repository, from start: ObjectID) throws {
        guard !entries.isEmpty else { return }
        func contains(_ descendant: ObjectID, _ ancestor: ObjectID) -> Bool {
            descendant == ancestor || (try? repository.mergeBase(ancestor, descendant)) == ancestor
        }
        // Where each applied commit's results go (nil: after --rev, or before every listed commit);
        // many results share one apply, so each applied commit is placed once.
        var placed: [ObjectID: Int?] = [:]
        for e in try AuditLog(repository: repository).entries() where e.type == .productResult {
            guard let product = e.details["product"]?.string, let applied = e.meshCommits.first,
                  let target = ObjectID(hex: applied) else { continue }
            let dataset = e.details["dataset"]?.string
            guard located.kind == .product ? product == located.id : (dataset == located.id || located.contracts.contains(dataset ?? "")) else { continue }
            if placed[target] == nil {
                // An apply of a commit after --rev made later changes live, not these.
                placed[target] = contains(start, target)
                    ? entries.indices.first { i in ObjectID(hex: entries[i].id).map { contains(target, $0) } ?? false } : nil
            }
            guard let i = placed[target] ?? nil else { continue }
            entries[i].materialized.append(Materialized(
                run: e.run, applied: applied, time: e.time, product: product, outcome: e.details["outcome"]?.string ?? "?",
                version: e.details["version"]?.number.map { Int($0) }, rows: e.details["rows"]?.field("out")?.number.map { Int($0) }))
        }
    }

    // MARK: one commit

    /// What the commit changed in the target: the semantic diff of the followed files between
    /// the first parent and the commit (loaded alone, with their domains' settings), kept to
    /// the target's elements.
    func semanticDiff(_ step: PathCommit, located: HistoryTarget, repository: Repository, cache: ParseCache) throws -> [Diff.Row] {
        let commit = step.commit
        let newPaths = step.changes.compactMap(\.newPath), oldPaths = step.changes.compactMap(\.oldPath)
        let files = Set(newPaths + oldPaths + located.paths)
        let domainFiles = Set(files.compactMap(HistoryTarget.domain(ofPath:)).map { "\(MeshLoader.domainsRoot)/\($0)/domain.yaml" })
        func load(_ tree: any FileTree) throws -> Mesh {
            try MeshLoader(cache: cache, partial: true).load(from: SubsetTree(tree, folders: [], files: files.union(domainFiles).union([MeshLoader.settingsPath])))
                .value ?? Mesh(settings: MeshSettings(name: ""))
        }
        let newTree = try repository.tree(at: commit.id)
        let new = try load(newTree)
        var old = Mesh(settings: new.settings)
        var oldTree: (any FileTree)?
        if let parent = commit.parents.first {
            let t = try repository.tree(at: parent)
            old = try load(t)
            oldTree = t
        }
        let changed = Set(newPaths + oldPaths)
        let changes = MeshDiff.compare(old, new, changedPaths: changed) { side, path in
            let tree: (any FileTree)? = side == .old ? oldTree : newTree
            return tree.flatMap { Lint.text($0, path) }
        }
        let ids = located.elementIDs(in: [old, new])
        return changes.filter { c in ids.contains { c.element == $0 || c.element.hasPrefix($0 + ".") } }.map { Diff.row($0, impact: nil) }
    }

    /// The findings on the target as `check` of the commit against its first parent would have
    /// reported them, evaluated on the target's neighbourhood (docs/history.md §3).
    static func verdict(at commit: Commit, located: HistoryTarget, repository: Repository, cache: ParseCache) throws -> [CheckReport.FindingRow] {
        let run = try CommitVerdict.run(commit, repository: repository, cache: cache,
                                        neighbourhood: { try HistoryTarget.neighbourhood(of: located, at: $0, cache: cache) },
                                        complete: located.resolvesInputs, focus: located.focus) { _, _, view in
            view.allTargetIds.filter(located.owns)
        }
        return run?.resolution.findings.filter { located.owns($0.target) && $0.outcome != .pass }.map { CheckReport.FindingRow($0) } ?? []
    }

    // MARK: dates


    // MARK: output

    func text(_ r: Report) -> String {
        var out = ["history of \(r.kind) \(r.target) from \(r.rev.prefix(7)): \(plural(r.commits.count, "commit"))",
                   "following \(r.paths.joined(separator: ", "))"]
        for e in r.commits {
            out.append("")
            out.append("commit \(e.id.prefix(10))\(e.merge ? " (merge)" : "")  \(e.date)  \(e.author) <\(e.email)>")
            out.append("    \(e.message)")
            for f in e.files {
                out.append("    \(f.status.padding(toLength: 8, withPad: " ", startingAt: 0)) \(f.oldPath.map { "\($0) -> " } ?? "")\(f.path)")
            }
            for c in e.changes {
                out.append("    \(c.breaking ? "BREAKING " : "")\(c.kind) \(c.id): \(c.description)")
            }
            if let verdict = e.verdict, let findings = e.findings {
                let shown = findings.filter { !$0.waived }
                out.append("    verdict: \(verdict)" + (shown.isEmpty ? "" : " (\(plural(shown.count, "finding")))"))
                for f in findings {
                    out.append("      \(f.waived ? "waived " : "")\(f.level) \(f.policy) \(f.target): \(f.outcome == "error" ? "[error] " : "")\(f.message)")
                }
            }
            for m in e.materialized {
                out.append("    materialized: \(Self.describe(m))")
            }
        }
        return out.joined(separator: "\n")
    }

    static func describe(_ m: Materialized) -> String {
        let what = m.outcome == "published" ? "published v\(m.version ?? 0)" + (m.rows.map { ", \($0) rows" } ?? "")
            : m.outcome + (m.version.map { " (v\($0) stayed published)" } ?? "")
        return "\(what), \(m.time) by run \(m.run ?? "?") (applied \(m.applied.prefix(10)))"
    }

    func markdown(_ r: Report) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = ["### History of \(r.kind) `\(r.target)`", "",
                   "\(plural(r.commits.count, "commit")) from `\(r.rev.prefix(10))`, following \(r.paths.map { "`\($0)`" }.joined(separator: ", ")).", "",
                   "| commit | date | author | message | changes | verdict | materialized |", "|---|---|---|---|---|---|---|"]
        for e in r.commits {
            let changes = e.changes.map { "\($0.breaking ? "**breaking** " : "")\($0.kind) `\($0.id)`" }.joined(separator: "<br>")
            let verdict = e.verdict.map { v in
                let n = e.findings?.filter { !$0.waived }.count ?? 0
                return v + (n > 0 ? " (\(plural(n, "finding")))" : "")
            } ?? ""
            let made = e.materialized.map { cell(Self.describe($0)) }.joined(separator: "<br>")
            out.append("| `\(e.id.prefix(10))` | \(e.date) | \(cell(e.author)) | \(cell(e.message)) | \(changes) | \(verdict) | \(made) |")
        }
        return out.joined(separator: "\n")
    }
}

/// Verdicts by commit and target, kept in the git folder. A verdict is fixed by the commit id:
/// the commit fixes both sides, the policies and waivers (the parent's) and the evaluation
/// time (the commit's). The folder name carries the tool version, so a new version re-judges.
struct VerdictCache {
    let directory: URL

    init(directory: URL) {
        self.directory = directory.appendingPathComponent(Steward.configuration.version)
    }

    func url(_ key: String) -> URL {
        directory.appendingPathComponent(key.replacingOccurrences(of: "/", with: "_") + ".json")
    }

    func findings(_ key: String) -> [CheckReport.FindingRow]? {
        guard let data = try? Data(contentsOf: url(key)) else { return nil }
        return try? JSONDecoder().decode([CheckReport.FindingRow].self, from: data)  // a damaged entry is judged again
    }

    func store(_ key: String, _ findings: [CheckReport.FindingRow]) throws {
        // Best effort: a read-only repository still gets its history, only slower next time.
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let data = try? JSONEncoder().encode(findings) else { return }
        let tmp = url(key).appendingPathExtension("tmp\(getpid())")
        if (try? data.write(to: tmp)) != nil { rename(tmp.path, url(key).path) }  // atomic: readers see old or new
    }
}

/// `--since` and `--until` of the history commands: from the start of `since` (a date, or an
/// RFC 3339 instant) to the end of `until`.
struct DateWindow {
    var from: Date?
    var to: Date?

    init(since: String?, until: String?) throws {
        from = try since.map { try Self.instant($0, endOfDay: false) }
        to = try until.map { try Self.instant($0, endOfDay: true) }
    }

    func contains(_ d: Date) -> Bool { from.map { d >= $0 } ?? true && to.map { d < $0 } ?? true }

    static func instant(_ s: String, endOfDay: Bool) throws -> Date {
        if let t = Value.parseTimestamp(s) { return Date(timeIntervalSince1970: TimeInterval(t)) }
        if let t = Value.parseTimestamp(s + "T00:00:00Z") {
            return Date(timeIntervalSince1970: TimeInterval(t + (endOfDay ? 86_400 : 0)))
        }
        throw UsageError(message: "`\(s)` is not a date", help: "write YYYY-MM-DD or RFC 3339, such as 2026-06-30T00:00:00Z")
    }
}
