import Foundation
import StewardCore
import StewardDiff
import StewardGit
import StewardModel
import StewardPolicy

/// A past commit judged as `check --base <first parent> --head <commit>` would have judged it:
/// the parent's policies and waivers (a root commit's own), the commit's time, and only the
/// domains that decide the findings asked for rather than the whole mesh (docs/history.md §3).
enum CommitVerdict {
    /// `neighbourhood` names the domains to load from a side's tree; `complete` tells whether
    /// a side loaded that way resolves what the findings need (else the whole mesh is loaded);
    /// `scope` picks the targets as `CheckRun.run` does. Nil when the commit has no mesh or its
    /// rules do not check: `check` would have evaluated nothing.
    static func run(_ commit: Commit, repository: Repository, cache: ParseCache,
                    neighbourhood: (any FileTree) throws -> Set<String>,
                    complete: (Mesh) -> Bool,
                    focus: ((Mesh, Mesh) -> (products: Set<String>, contracts: Set<String>))? = nil,
                    scope: (RevisionPair, [MeshChange], ModelView) -> Set<String>?) throws -> CheckRun? {
        let headTree = try repository.tree(at: commit.id)
        let baseID = commit.parents.first ?? commit.id  // a root commit is judged as it stands
        let baseTree = try repository.tree(at: baseID)
        let domains = try neighbourhood(headTree).union(neighbourhood(baseTree))
        var (headSub, baseSub): (any FileTree, any FileTree) = (HistoryTarget.subset(headTree, domains: domains),
                                                                HistoryTarget.subset(baseTree, domains: domains))
        var head = try MeshLoader(cache: cache, partial: true).load(from: headSub)
        var base = try MeshLoader(cache: cache, partial: true).load(from: baseSub)
        if ![head.value, base.value].allSatisfy({ $0.map(complete) ?? true }) {
            // Something needed lives outside the domains guessed: judge on the whole mesh.
            (headSub, baseSub) = (headTree, baseTree)
            (head, base) = (try MeshLoader(cache: cache).load(from: headTree), try MeshLoader(cache: cache).load(from: baseTree))
        }
        guard let headMesh = head.value, let baseMesh = base.value else { return nil }  // no steward.yaml then: nothing to judge
        let pair = RevisionPair(repository: repository, baseID: baseID, headID: commit.id, baseTree: baseSub, headTree: headSub,
                                base: baseMesh, head: headMesh)
        do {
            return try CheckRun.run(pair, rules: commit.parents.isEmpty ? .head : .base,
                                    time: Int64(commit.committer.date.timeIntervalSince1970), command: "check",
                                    focus: focus) { changes, view in
                scope(pair, changes, view)
            }
        } catch is CheckRun.BrokenPolicies {
            return nil
        }
    }
}
