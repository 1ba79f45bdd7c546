import Foundation
import StewardCore
import StewardDiff
import StewardGit
import StewardModel
import StewardPolicy

/// One evaluation of a change as `steward check` makes it: the files and commits between the
/// two sides, the semantic diff, the model view and the policies' findings with waivers
/// applied. `check` reports it; `history` keeps the findings on one product at each commit.
struct CheckRun {
    /// The policies that judged the change, and the tree they came from.
    var set: PolicySet
    var rulesTree: any FileTree
    /// evaluation.time.
    var time: Int64
    var files: [FileChange]
    var commits: [CommitInfo]
    var changes: [MeshChange]
    var view: ModelView
    var evaluation: Evaluation
    var resolution: WaiverResolver.Resolution
    var waiverProblems: [Diagnostic]

    /// The policies at the chosen side do not check: nothing was evaluated.
    struct BrokenPolicies: Error {
        var set: PolicySet
        var tree: any FileTree
    }

    /// Where the policies and waivers that judge a change come from.
    enum Rules {
        case base, head
        /// Another revision's, such as today's main judging an old commit.
        case other(tree: any FileTree, mesh: Mesh)
    }

    /// Evaluates the change from `pair.base` to `pair.head` with the policies and waivers of
    /// `rules`, as of `time`. `scope` picks the targets to evaluate from the changes and the
    /// view; nil evaluates everything.
    /// `loadedDomains`: the pair holds only these domains (a scoped load); waivers of targets
    /// in other domains cannot match anything evaluated, so they are left out rather than
    /// reported as matching nothing.
    /// `focus`: the products and contracts the findings asked for are about, given both
    /// sides; when no policy reads a domain's lists or a contract's consumers, the view is
    /// built from them alone (with their producers) instead of every loaded domain.
    static func run(_ pair: RevisionPair, rules: Rules, time: Int64, command: String,
                    trace: Trace = Trace(), loadedDomains: Set<String>? = nil,
                    focus: ((Mesh, Mesh) -> (products: Set<String>, contracts: Set<String>))? = nil,
                    scope: ([MeshChange], ModelView) -> Set<String>?) throws -> CheckRun {
        var pair = pair
        let (rulesTree, rulesMesh): (any FileTree, Mesh) = switch rules {
        case .base: (pair.baseTree, pair.base)
        case .head: (pair.headTree, pair.head)
        case .other(let tree, let mesh): (tree, mesh)
        }
        let domainNames: [String] = if case .base = rules, let all = pair.baseDomainNames { all } else { Array(rulesMesh.domains.keys) }
        let set = try PolicySet.load(from: rulesTree, domains: domainNames)
        if set.hasErrors { throw BrokenPolicies(set: set, tree: rulesTree) }
        let demand = Demand(set.policies)
        if let focus, !demand.wants(.domain, "products"), !demand.wants(.domain, "contracts"), !demand.wants(.contract, "consumers") {
            let (products, contracts) = focus(pair.base, pair.head)
            pair.base = pair.base.keeping(products: products, contracts: contracts)
            pair.head = pair.head.keeping(products: products, contracts: contracts)
        }

        // What changed, and by whom.
        let files = try fileChanges(pair)
        let commits = try self.commits(pair, files: files)
        let diffHead = pair.headForDiff
        let semantic = MeshDiff.compare(pair.base, diffHead, changedPaths: Set(files.map(\.path)), transform: pair.text)
        let changes = ChangeSet.build(changes: semantic, files: files, old: pair.base, new: diffHead, commits: commits)
        trace.mark("diff: \(files.count) files, \(commits.count) commits, \(changes.count) changes")

        let headTree = pair.headTree
        let view = ModelView(base: pair.base, head: pair.head, changes: changes,
                             evaluation: EvaluationInfo(time: time, command: command, base: pair.baseID.description,
                                                        head: pair.headID?.description),
                             demand: demand, files: headTree, words: WordsStore.transforms(gitDir: pair.repository.gitDir),
                             reads: WordsStore.transformReads(gitDir: pair.repository.gitDir))
        trace.mark("view built")
        let only = scope(changes, view)
        // Rules other than the base's have never judged this mesh: those that differ from the
        // base's have every target as their blast radius.
        var proposed = Set<String>()
        if case .base = rules {} else if only != nil { proposed = try proposedPolicies(set, base: pair.baseTree, mesh: pair.base) }
        let waivers = loadedDomains.map { loaded in rulesMesh.waivers.filter { Self.mayConcern($0.target, loaded) } } ?? rulesMesh.waivers
        let (evaluation, resolution, waiverProblems) = PolicyEvaluator.evaluate(
            set.policies.map(CompiledPolicy.init), view: view, mesh: rulesMesh, waivers: waivers,
            only: only, everywhere: proposed)
        trace.mark("evaluated")
        return CheckRun(set: set, rulesTree: rulesTree, time: time, files: files, commits: commits, changes: changes, view: view,
                        evaluation: evaluation, resolution: resolution, waiverProblems: waiverProblems)
    }

    /// Whether a waiver target can name something in `domains`: ids start with their domain
    /// (`<domain>.<name>...`), change targets with their file (`domains/<domain>/...`); any
    /// other target (a file outside the domains) is kept.
    static func mayConcern(_ target: String, _ domains: Set<String>) -> Bool {
        if target.hasPrefix("\(MeshLoader.domainsRoot)/") { return HistoryTarget.domain(ofPath: target).map(domains.contains) ?? true }
        guard let dot = target.firstIndex(of: "."), !target[..<dot].contains("/") else { return true }  // a file outside the domains
        return domains.contains(String(target[..<dot]))
    }

    /// The findings that gate a merge: unwaived fails and errors of mandatory and hard policies.
    var gating: [Finding] {
        resolution.findings.filter { $0.level.gates && !$0.waived && ($0.outcome == .fail || $0.outcome == .error) }
    }

    /// The head's policies that are new, or decide differently from the base's (a changed
    /// declaration or constant); a policy that does not check at the base counts as new.
    static func proposedPolicies(_ head: PolicySet, base tree: any FileTree, mesh: Mesh) throws -> Set<String> {
        let base = try PolicySet.load(from: tree, domains: Array(mesh.domains.keys))
        let before = Dictionary(base.policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return Set(head.policies.filter { p in before[p.id].map { !p.decidesLike($0) } ?? true }.map(\.id))
    }

    static func fileChanges(_ pair: RevisionPair) throws -> [FileChange] {
        let changes = try pair.headID.map { try pair.repository.changes(from: pair.baseID, to: $0, detectRenames: false) }
            ?? pair.repository.workTreeChanges(detectRenames: false)
        // Files outside the mesh are not the mesh's: CODEOWNERS and branch protection guard them.
        return changes.filter { MeshLoader.isMeshPath($0.path) }.map { c in
            FileChange(path: c.path, status: c.status == .added ? .added : (c.status == .deleted ? .removed : .modified))
        }
    }

    /// Commits in base..head with the paths each touched (against its first parent); the work
    /// tree counts as one commit by the configured identity.
    static func commits(_ pair: RevisionPair, files: [FileChange]) throws -> [CommitInfo] {
        let repository = pair.repository
        guard let headID = pair.headID else {
            let me = repository.defaultSignature()
            let person = CommitInfo.Person(name: me.name, email: me.email)
            return [CommitInfo(id: "WORKTREE", author: person, committer: person, coAuthors: [], message: "uncommitted edits",
                               time: Int64(Date().timeIntervalSince1970), paths: Set(files.map(\.path)))]
        }
        return try repository.log(from: headID, hiding: [pair.baseID]).reversed().map { c in
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
}
