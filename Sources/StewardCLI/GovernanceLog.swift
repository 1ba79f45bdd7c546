import ArgumentParser
import Foundation
import StewardCore
import StewardEngine
import StewardDiff
import StewardGit
import StewardModel
import StewardPolicy

/// `steward log` (`Log` is the logging setup).
struct GovernanceLog: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The mesh's governance history: per commit, what changed, whether it broke consumers, and the verdict.",
        discussion: """
        Walks the first-parent history back from --rev, newest first, and lists the commits \
        that changed the mesh (steward.yaml, policies/, waivers/, domains/). A merge is shown \
        once, with the pull request's changes (against its first parent) and its commits. For \
        each: who, when, the message, the domains and products changed, the semantic changes \
        (breaking ones named), and the verdict as `steward check` of that commit would have \
        given it then: policies and waivers of the parent, evaluation time the commit's. \
        Verdicts are cached in the repository's git folder by commit. The rules are in \
        docs/history.md.

        Examples:
          steward log --limit 20
          steward log --domain customer --since 2026-01-01 --format markdown
          steward log --author sam@acme.example --no-verdict --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The revision to start from.", valueName: "rev"))
    var rev: String = "HEAD"

    @Option(help: ArgumentHelp("Only commits that changed this domain's folder (repeatable).", valueName: "domain"))
    var domain: [String] = []

    @Option(help: ArgumentHelp("Only commits made at or after this date (YYYY-MM-DD or RFC 3339, UTC).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only commits made before the end of this date (YYYY-MM-DD) or this instant.", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("Only commits by this author (part of a name or e-mail, any case); a merge matches its pull request's authors too.", valueName: "who"))
    var author: String?

    @Option(help: ArgumentHelp("List at most this many commits.", valueName: "n"))
    var limit: Int?

    @Flag(help: "Leave out the policy verdicts (faster: no policy is evaluated).")
    var noVerdict = false

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    struct Report: Encodable {
        var rev: String
        var domains: [String]?
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
        /// A merge's pull request: the commits it brought in, oldest first.
        var pullRequest: [CommitRow]?
        var domains: [String]
        var products: [String]
        /// Changed mesh files outside the domains (settings, policies, waivers).
        var files: [String]
        var changes: [Diff.Row]
        var breaking: Int
        /// pass or fail; absent with --no-verdict.
        var verdict: String?
        /// Fails and errors of every level, as check reported them.
        var findings: [CheckReport.FindingRow]?
    }

    struct CommitRow: Encodable {
        var id: String
        var author: String
        var email: String
        var message: String
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try global.repository(for: "log")
        let window = try DateWindow(since: since, until: until)
        let start = try repository.resolve(rev)
        try checkDomains(repository.tree(at: start))
        let cache = repository.parseCache()
        let trace = Trace()
        let verdicts = VerdictCache(directory: URL(fileURLWithPath: repository.gitDir).appendingPathComponent("steward/verdicts"))
        let walked = try repository.log(from: start, firstParentOnly: true)
        trace.mark("walk: \(walked.count) first-parent commits")

        var entries: [Entry] = []
        for commit in walked {
            if let limit, entries.count >= limit { break }
            let when = commit.committer.date
            if let to = window.to, when >= to { continue }
            if let from = window.from, when < from { break }  // first-parent history runs back in commit time, near enough
            let paths = try repository.changes(from: commit.parents.first, to: commit.id, detectRenames: false).flatMap { [$0.path] + [$0.oldPath].compactMap { $0 } }
            let meshPaths = Set(paths.filter(MeshLoader.isMeshPath))
            let changedDomains = Set(meshPaths.compactMap(HistoryTarget.domain(ofPath:)))
            if meshPaths.isEmpty || (!domain.isEmpty && changedDomains.isDisjoint(with: domain)) { continue }
            let pullRequest = commit.isMerge
                ? try repository.log(from: commit.id, hiding: [commit.parents[0]]).filter { $0.id != commit.id }.reversed()
                    .map { CommitRow(id: $0.id.description, author: $0.author.name, email: $0.author.email, message: $0.summary) }
                : nil
            if let author {
                let people = [(commit.author.name, commit.author.email)] + (pullRequest ?? []).map { ($0.author, $0.email) }
                if !people.contains(where: { $0.0.localizedCaseInsensitiveContains(author) || $0.1.localizedCaseInsensitiveContains(author) }) { continue }
            }
            var (entry, touched) = try describe(commit, paths: meshPaths, domains: changedDomains, repository: repository, cache: cache)
            entry.pullRequest = pullRequest
            if !noVerdict {
                let key = "\(commit.id)/log"
                let findings = try verdicts.findings(key) ?? {
                    let f = try verdict(commit, touched: touched, repository: repository, cache: cache)
                    try verdicts.store(key, f)
                    return f
                }()
                entry.findings = findings
                entry.verdict = findings.contains(where: \.gates) ? "fail" : "pass"
            }
            entries.append(entry)
        }
        trace.mark("\(entries.count) commits described")
        let report = Report(rev: start.description, domains: domain.isEmpty ? nil : domain, commits: entries)
        switch format {
        case .json: console.out(DiagnosticOutput.encode(report))
        case .markdown: console.out(markdown(report))
        case .text: console.out(text(report))
        }
        return .success
    }

    /// A --domain that is not a domain at --rev is a typo more often than a domain since removed.
    func checkDomains(_ tree: any FileTree) throws {
        let known = Set(try tree.files(under: MeshLoader.domainsRoot).compactMap(HistoryTarget.domain(ofPath:)))
        for d in domain where !known.contains(d) {
            throw UsageError(message: "no domain `\(d)` at \(rev)",
                             help: Suggestions.didYouMean(d, in: Array(known)) ?? "the domains are the folders under domains/: \(known.sorted().joined(separator: ", "))")
        }
    }

    // MARK: one commit

    /// The commit's semantic changes against its first parent, with the domains and products
    /// they belong to: the changed domains are loaded whole on both sides, so a contract's
    /// change is filed under the product that publishes it.
    func describe(_ commit: Commit, paths: Set<String>, domains: Set<String>, repository: Repository,
                  cache: ParseCache) throws -> (Entry, Touched) {
        let newTree = try repository.tree(at: commit.id)
        let new = try HistoryTarget.load(newTree, domains: domains, cache: cache)
        var old = Mesh(settings: new.settings)
        var oldTree: (any FileTree)?
        if let parent = commit.parents.first {
            let t = try repository.tree(at: parent)
            old = try HistoryTarget.load(t, domains: domains, cache: cache)
            oldTree = t
        }
        let changes = MeshDiff.compare(old, new, changedPaths: paths) { side, path in
            let tree: (any FileTree)? = side == .old ? oldTree : newTree
            return tree.flatMap { Lint.text($0, path) }
        }
        let touched = Touched.of(changes, paths: paths, domains: domains, old: old, new: new)
        let rows = changes.map { Diff.row($0, impact: nil) }
        let entry = Entry(id: commit.id.description, author: commit.author.name, email: commit.author.email,
                          date: TimeText.format(commit.committer.date), message: commit.summary, merge: commit.isMerge,
                          pullRequest: nil, domains: domains.sorted(), products: touched.products.sorted(),
                          files: paths.filter { HistoryTarget.domain(ofPath: $0) == nil }.sorted(),
                          changes: rows, breaking: rows.filter(\.breaking).count, verdict: nil, findings: nil)
        return (entry, touched)
    }

    /// The findings of `check` of the commit against its first parent, evaluated on the
    /// neighbourhood of what it changed (docs/history.md §6).
    func verdict(_ commit: Commit, touched: Touched, repository: Repository, cache: ParseCache) throws -> [CheckReport.FindingRow] {
        let run = try CommitVerdict.run(commit, repository: repository, cache: cache,
                                        neighbourhood: { try touched.neighbourhood(at: $0, cache: cache) },
                                        complete: touched.resolvesInputs) { pair, changes, view in
            Check.scope(changes, old: pair.base, new: pair.head, view: view)
        }
        return run?.resolution.findings.filter { $0.outcome != .pass }.map { CheckReport.FindingRow($0) } ?? []
    }

    // MARK: output

    func text(_ r: Report) -> String {
        var out = ["log from \(r.rev.prefix(7))\(r.domains.map { " of \($0.joined(separator: ", "))" } ?? ""): \(plural(r.commits.count, "commit"))"]
        for e in r.commits {
            out.append("")
            let merged = e.pullRequest.map { pr in
                "  merge of \(plural(pr.count, "commit")) by \(Array(Set(pr.map(\.email))).sorted().joined(separator: ", "))"
            } ?? ""
            out.append("commit \(e.id.prefix(10))  \(e.date)  \(e.author) <\(e.email)>\(merged)")
            out.append("    \(e.message)")
            var what: [String] = []
            if !e.domains.isEmpty { what.append("domains \(e.domains.joined(separator: ", "))") }
            if !e.products.isEmpty { what.append("products \(e.products.joined(separator: ", "))") }
            if !e.files.isEmpty { what.append("files \(e.files.joined(separator: ", "))") }
            what.append("\(plural(e.changes.count, "change")) (\(e.breaking) breaking)")
            out.append("    " + what.joined(separator: " · "))
            for c in e.changes where c.breaking {
                out.append("    BREAKING \(c.kind) \(c.id): \(c.description)")
            }
            if let verdict = e.verdict, let findings = e.findings {
                let gating = findings.filter(\.gates)
                let others = findings.filter { !$0.gates && !$0.waived }.count
                var counts: [String] = []
                if !gating.isEmpty { counts.append("\(plural(gating.count, "mandatory finding"))") }
                if others > 0 { counts.append("\(others) advisory or warning") }
                out.append("    verdict: \(verdict)" + (counts.isEmpty ? "" : " (\(counts.joined(separator: "; ")))"))
                for f in gating {
                    out.append("      \(f.level) \(f.policy) \(f.target): \(f.outcome == "error" ? "[error] " : "")\(f.message)")
                }
            }
        }
        return out.joined(separator: "\n")
    }

    func markdown(_ r: Report) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = ["### Governance log", "",
                   "\(plural(r.commits.count, "commit")) from `\(r.rev.prefix(10))`\(r.domains.map { " in \($0.map { "`\($0)`" }.joined(separator: ", "))" } ?? "").", "",
                   "| commit | date | author | message | products | changes | verdict |", "|---|---|---|---|---|---|---|"]
        for e in r.commits {
            let who = cell(e.author) + (e.pullRequest.map { " (merge of \(plural($0.count, "commit")))" } ?? "")
            let products = (e.products.map { "`\($0)`" } + e.files.map { "`\($0)`" }).joined(separator: "<br>")
            let changes = "\(e.changes.count)" + (e.breaking > 0 ? ", **\(e.breaking) breaking**" : "")
            let verdict = e.verdict.map { v in
                let n = e.findings?.filter(\.gates).count ?? 0
                return (v == "fail" ? "**fail**" : v) + (n > 0 ? " (\(plural(n, "mandatory finding")))" : "")
            } ?? ""
            out.append("| `\(e.id.prefix(10))` | \(e.date) | \(who) | \(cell(e.message)) | \(products) | \(changes) | \(verdict) |")
        }
        return out.joined(separator: "\n")
    }
}

extension CheckReport.FindingRow {
    /// An unwaived fail or error of a mandatory or hard policy: it blocks a merge.
    var gates: Bool { PolicyLevel(rawValue: level)?.gates == true && !waived && outcome != "pass" }
}
