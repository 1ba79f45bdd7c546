import Foundation
import StewardCore
import StewardGit
import StewardDiff
import StewardModel

/// The two sides of a change as `check` and `diff` read them: the base and the head commit
/// (or the work tree), each loaded into a mesh through one parse cache, since the sides share
/// all but the changed files.
struct RevisionPair {
    var repository: Repository
    var baseID: ObjectID
    /// Nil when the head is the work tree.
    var headID: ObjectID?
    var baseTree: any FileTree
    var headTree: any FileTree
    var base: Mesh
    var head: Mesh
    /// Every domain of the base when `base` holds only some (a scoped load): policies are
    /// checked against all of them, as with the whole mesh.
    var baseDomainNames: [String]? = nil
    /// When the head is whole and the base holds the products and contracts of these domains
    /// only (`check --all`): the semantic diff compares the head's in them alone. Nothing
    /// outside them changed, so the diff is the whole meshes' diff; compared whole, the head's
    /// other 10,000 products and contracts would each be an "addition" that `ChangeSet`, which
    /// keeps only changes in changed files, then throws away.
    var baseDomains: Set<String>? = nil
    /// The parse cache both sides were loaded through, kept with the pair: freeing its
    /// decoded copies and index of a whole mesh took 25-30 ms, which a check that exits once it
    /// has reported (it keeps the pair, `ExitLifetime`) never needs to spend.
    var parseCache: ParseCache? = nil

    /// The head as the semantic diff compares it with the base.
    var headForDiff: Mesh {
        guard let baseDomains else { return head }
        var out = head
        let inScope: (String) -> Bool = { HistoryTarget.domain(ofPath: $0).map(baseDomains.contains) ?? true }
        // By key, each product and contract looked at only when it can be in scope: filtering
        // the whole head (`--all`) copied all 20,000 of them into the filter.
        // A product's id is `<its folder's domain>.<name>`; a contract's folder is `contractDomain`.
        let prefixes = baseDomains.map { $0 + "." }
        out.products = [:]
        // Bytes, not characters: `.` and a combining mark after it are one character.
        for id in head.products.keys where prefixes.contains(where: { id.utf8.starts(with: $0.utf8) }) {
            if let p = head.products[id], inScope(p.location.path) { out.products[id] = p }
        }
        out.contracts = [:]
        for (id, domain) in head.contractDomain where baseDomains.contains(domain) {
            if let c = head.contracts[id], inScope(c.location.path) { out.contracts[id] = c }
        }
        out.contractDomain = [:]
        for id in out.contracts.keys { out.contractDomain[id] = head.contractDomain[id] }
        out.transforms = [:]
        for id in out.products.keys { out.transforms[id] = head.transforms[id] }
        return out
    }

    /// Opens the repository at `path` and loads both sides. `base` defaults to the merge base
    /// of the head with the main branch of `steward.yaml` (or `origin/<main>` when there is no
    /// local branch); with `worktree` the head is the work tree and the base HEAD. Returns nil
    /// after printing the load errors when a side does not load.
    static func open(path: String, base: String?, head: String?, worktree: Bool = false, help: String,
                     console: Console) throws -> RevisionPair? {
        let repository = try discover(path, help: help)
        let cache = repository.parseCache()
        let headID: ObjectID? = worktree ? nil : try repository.resolve(head ?? "HEAD")
        let headTree: any FileTree = try headID.map { try repository.tree(at: $0) } ?? repository.workTree()
        guard let headMesh = try load(headTree, "head", console, cache: cache) else { return nil }
        let baseID: ObjectID
        if worktree {
            baseID = try repository.resolve("HEAD")
        } else if let base {
            baseID = try repository.resolve(base)
        } else {
            let main = headMesh.settings.mainBranch
            let mainID = try repository.resolveMainBranch(main).commit
            guard let mergeBase = try repository.mergeBase(headID!, mainID) else {
                throw UsageError(message: "\(head ?? "HEAD") and \(main) have no common ancestor", help: "name the base with --base")
            }
            baseID = mergeBase
        }
        let baseTree = try repository.tree(at: baseID)
        guard let baseMesh = try load(baseTree, "base", console, cache: cache) else { return nil }
        return RevisionPair(repository: repository, baseID: baseID, headID: headID, baseTree: baseTree, headTree: headTree,
                            base: baseMesh, head: headMesh, parseCache: cache)
    }

    /// One commit against its first parent (a root commit against itself), as `check --at`
    /// judges it.
    static func open(path: String, at revision: String, help: String, console: Console) throws -> RevisionPair? {
        let repository = try discover(path, help: help)
        let id = try repository.resolve(revision)
        let parent = try repository.commit(id).parents.first ?? id
        let cache = repository.parseCache()
        let (baseTree, headTree) = (try repository.tree(at: parent), try repository.tree(at: id))
        guard let baseMesh = try load(baseTree, "parent", console, cache: cache),
              let headMesh = try load(headTree, "--at", console, cache: cache) else { return nil }
        return RevisionPair(repository: repository, baseID: parent, headID: id, baseTree: baseTree, headTree: headTree,
                            base: baseMesh, head: headMesh, parseCache: cache)
    }

    static func discover(_ path: String, help: String) throws -> Repository {
        do {
            return try Repository.discover(from: path)
        } catch GitError.notARepository {
            throw UsageError(message: "`\(path)` is not inside a git repository", help: help)
        }
    }

    /// The text of a file on one side, for diffs of transforms and policies.
    func text(_ side: MeshDiff.Side, _ path: String) -> String? {
        let bytes = try? (side == .old ? baseTree : headTree).read(path)
        return bytes.flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
    }

    static func load(_ tree: any FileTree, _ side: String, _ console: Console, cache: ParseCache) throws -> Mesh? {
        accept(try MeshLoader(cache: cache).load(from: tree), from: tree, side, console)
    }

    /// The mesh of a load, or nil after its errors are printed.
    static func accept(_ loaded: Loaded<Mesh>, from tree: any FileTree, _ side: String, _ console: Console) -> Mesh? {
        guard let mesh = loaded.value, !loaded.hasErrors else {
            DiagnosticOutput.text(loaded.diagnostics.filter { $0.severity == .error }, sources: loaded.sources, tree: tree, console: console)
            console.err("error: the mesh at the \(side) revision (\(tree.label)) does not load")
            return nil
        }
        return mesh
    }
}
