import Foundation
import StewardCore
import StewardDiff
import StewardGit
import StewardModel

extension RevisionPair {
    /// How a scoped open went.
    enum Scoped {
        case pair(RevisionPair)
        /// The change needs the whole mesh; why, for the trace.
        case whole(String)
        /// A side does not load; the errors are printed.
        case failed
    }

    /// Both sides of a change between two commits, each loaded only as far as `check`'s scope
    /// needs (docs/check-report.md, "What is loaded"): the changed domains, the domains their
    /// changed products read from and the domains their changed contracts grant to, and for a
    /// breaking change the domains downstream consumers live in. Nothing outside them can
    /// change a finding in scope, unless an input's id does not name its domain (then `.whole`).
    /// `wholeHead` (`check --all`): the head is loaded whole, since every target is evaluated,
    /// on a thread of its own while the scope is worked out (so the pair's `headTree` reads
    /// through a `Repository` handle of its own); the base only as far as the change's `old`
    /// records reach, plus every domain's own file and waivers, which judge findings anywhere.
    /// `needsWhole` looks at the base's files first: when it answers why the whole mesh is
    /// needed (a policy that sees past any scope), nothing is loaded here.
    static func openScoped(path: String, base: String?, head: String?, help: String, console: Console,
                           wholeHead: Bool = false, needsWhole: (GitTree) throws -> String? = { _ in nil },
                           trace: Trace = Trace()) throws -> Scoped {
        let repository = try discover(path, help: help)
        let headID = try repository.resolve(head ?? "HEAD")
        let headTree = try repository.tree(at: headID)
        let baseID: ObjectID
        if let base {
            baseID = try repository.resolve(base)
        } else {
            let settings = try MeshLoader.loadSettings(from: headTree)
            guard let main = settings.value?.settings.mainBranch, !settings.hasErrors else { return .whole("steward.yaml does not load") }
            let mainID = try repository.resolveMainBranch(main).commit
            guard let mergeBase = try repository.mergeBase(headID, mainID) else {
                throw UsageError(message: "\(head ?? "HEAD") and \(main) have no common ancestor", help: "name the base with --base")
            }
            baseID = mergeBase
        }
        let baseTree = try repository.tree(at: baseID)
        if let why = try needsWhole(baseTree) { return .whole(why) }
        let paths = Set(try repository.changes(from: baseID, to: headID, detectRenames: false).map(\.path))
        if paths.contains(MeshLoader.settingsPath) { return .whole("steward.yaml changed") }
        let changed = Set(paths.compactMap(HistoryTarget.domain(ofPath:)))
        // The scoped loads read about a thousand files, most of them unchanged since the last
        // check: the store's decoded copies cost a fraction of parsing them again.
        let cache = repository.parseCache(partialLoadsUseStore: true)
        // --all: the whole head does not depend on the scope, so it loads while the scope is
        // worked out, through a handle of its own (a listing holds its handle's lock throughout).
        let wholeHeadLoad = wholeHead ? BackgroundWork { [gitDir = repository.gitDir] in
            let tree = try Repository(path: gitDir).tree(at: headID)
            return (tree, try MeshLoader(cache: cache).load(from: tree))
        } : nil
        // Whatever way this ends, the load has ended first: a whole-mesh load that follows
        // would parse the head again beside it, and both would write the parse store.
        defer { _ = try? wholeHeadLoad?.value() }
        trace.mark("scope: \(paths.count) changed files")

        // What changed, on the changed domains alone.
        let (oldHome, newHome) = (try HistoryTarget.load(baseTree, domains: changed, cache: cache),
                                  try HistoryTarget.load(headTree, domains: changed, cache: cache))
        let text: (MeshDiff.Side, String) -> String? = { side, path in Lint.text(side == .old ? baseTree : headTree, path) }
        let changes = MeshDiff.compare(oldHome, newHome, changedPaths: paths, transform: text)
        let touched = Touched.of(changes, paths: paths, domains: changed, old: oldHome, new: newHome)
        trace.mark("scope: \(paths.count) changed files described")
        var domains = touched.neighbourhood(in: newHome).union(touched.neighbourhood(in: oldHome))
        // The inputs that read a changed contract are in scope wherever they are: a reader
        // without a grant is a finding on it, so grants alone do not lead to every reader.
        let readers = Readers(trees: [baseTree, headTree], store: WordsStore.products(gitDir: repository.gitDir), trace: trace)
        domains.formUnion(try readers.domains(reading: touched.contracts, outside: domains))
        if changes.contains(where: \.breaking) {
            domains = try downstream(of: touched, from: domains, readers: readers, cache: cache)
        }
        trace.mark("scope: \(changed.count) changed domains, \(domains.count) loaded")

        // The neighbourhood, checked in full: errors in the changed files stop the check.
        var meshes: [Mesh] = []
        var baseErrors = Set<ErrorKey>()
        var wholeHeadTree: GitTree?
        // The references of the loaded products that read a changed contract are checked too:
        // the change may have removed what they read.
        let checking = paths.union(try readers.files(reading: touched.contracts, in: domains))
        let names = try baseTree.folders(in: MeshLoader.domainsRoot)
        for (tree, side) in [(baseTree, "base"), (headTree, "head")] {
            if let wholeHeadLoad, side == "head" {
                // As the whole-mesh check loads it: any error stops the check.
                let (tree, loaded) = try wholeHeadLoad.value()
                guard let mesh = accept(loaded, from: tree, "head", console) else { return .failed }
                wholeHeadTree = tree
                meshes.append(mesh)
                continue
            }
            var subset = HistoryTarget.subset(tree, domains: domains)
            if wholeHead {
                let others = names.filter { !domains.contains($0) }
                subset = SubsetTree(tree, folders: subset.folders + others.map { "\(MeshLoader.domainsRoot)/\($0)/\(MeshLoader.waiversRoot)" },
                                    files: subset.files.union(others.map { "\(MeshLoader.domainsRoot)/\($0)/domain.yaml" }))
            }
            let loaded = try MeshLoader(cache: cache, partial: true, checking: checking).load(from: subset)
            // A changed domain's own file counts as changed: a new domain without one is an error.
            let domainFiles = Set(changed.map { "\(MeshLoader.domainsRoot)/\($0)/domain.yaml" })
            // An error the head has and the base has not, in a file the change did not touch, is
            // the change's too (a removed contract that is still read): the whole mesh stops on it.
            let errors = loaded.diagnostics.filter { d in
                d.severity == .error && (paths.contains(d.location?.path ?? "") || domainFiles.contains(d.location?.path ?? "")
                                         || (side == "head" && !baseErrors.contains(ErrorKey(d))))
            }
            if side == "base" { baseErrors = Set(loaded.diagnostics.filter { $0.severity == .error }.map(ErrorKey.init)) }
            guard let mesh = loaded.value, errors.isEmpty else {
                DiagnosticOutput.text(errors, sources: loaded.sources, tree: tree, console: console)
                console.err("error: the mesh at the \(side) revision (\(tree.label)) does not load")
                return .failed
            }
            guard touched.resolvesInputs(in: mesh) else { return .whole("an input contract lives outside the domain its id names") }
            meshes.append(mesh)
        }
        readers.save()
        cache.save()
        // The trees the check reads policies and transforms from: the loaded domains, and every
        // domain's own policies, so the policy set is the whole mesh's.
        func rules(_ tree: GitTree) throws -> SubsetTree {
            SubsetTree(tree, folders: try policyFolders(tree) + [MeshLoader.waiversRoot] + domains.map { "\(MeshLoader.domainsRoot)/\($0)" },
                       files: [MeshLoader.settingsPath])
        }
        return .pair(RevisionPair(repository: repository, baseID: baseID, headID: headID,
                                  baseTree: try rules(baseTree), headTree: try wholeHeadTree ?? rules(headTree),
                                  base: meshes[0], head: meshes[1], baseDomainNames: names,
                                  baseDomains: wholeHead ? domains : nil, parseCache: cache))
    }

    /// The folders policies live in: `policies/` and every domain's `policies/`. Reading them
    /// through a SubsetTree of these spares listing every product and contract file.
    static func policyFolders(_ tree: GitTree) throws -> [String] {
        ["policies"] + (try tree.folders(in: MeshLoader.domainsRoot)).map { "\(MeshLoader.domainsRoot)/\($0)/policies" }
    }

    /// Adds the domains of everything downstream of the touched contracts, for the impact of a
    /// breaking change: a consumer reads a contract under a grant, so it lives in a domain the
    /// contract grants to; its own outputs' grants lead further down.
    private static func downstream(of touched: Touched, from start: Set<String>, readers: Readers, cache: ParseCache) throws -> Set<String> {
        var domains = start
        var frontier = touched.contracts
        var seen = frontier
        var first = true
        while !frontier.isEmpty {
            var next = Set<String>()
            // Readers without a grant are consumers too (the whole mesh's impact lists them).
            domains.formUnion(try readers.domains(reading: frontier, outside: domains))
            for tree in readers.trees {
                let mesh = try HistoryTarget.load(tree, domains: domains, cache: cache)
                if first {
                    // The changed products' own outputs are where their breaking changes land.
                    for id in touched.products { for c in mesh.products[id]?.outputPorts.compactMap(\.contractId) ?? [] where seen.insert(c).inserted { next.insert(c) } }
                }
                for p in mesh.products.values where p.inputPorts.contains(where: { frontier.contains($0.contractId) }) {
                    for c in p.outputPorts.compactMap(\.contractId) where seen.insert(c).inserted { next.insert(c) }
                }
                for c in next { for role in mesh.contracts[c]?.roles ?? [] { domains.formUnion(role.grantedDomains) } }
            }
            first = false
            frontier = next
        }
        return domains
    }
}

/// An error by what it says and where, not its help (suggestions differ with what is loaded).
struct ErrorKey: Hashable {
    var id: String, message: String, location: SourceLocation?
    init(_ d: Diagnostic) { (id, message, location) = (d.id, d.message, d.location) }
}

/// Which domains have a product file that names a contract, without parsing them. A product
/// names its input's contract id in its text (`contractId: <id>`, quoted or not), so a domain
/// whose product files never mention the id has no reader of it.
///
/// A mesh of 10,000 products has 10,000 product files a side, and a change leaves nearly every
/// domain's `products/` folder as it was. So each folder is searched through its words
/// (`ProductWords`), kept by the folder's git id in `WordsStore`: after the first run,
/// answering reads one small file instead of every product. Folders not in the store are read
/// in one batch, each distinct blob once.
final class Readers {
    let trees: [GitTree]
    private let store: WordsStore?
    /// Per tree: each domain's `products/` folder id.
    private var folderIDs: [[String: ObjectID]]?
    private var words: [ObjectID: [UInt8]] = [:]
    /// The product files of a folder, by name (the same folder id can sit under two domains).
    private var files: [ObjectID: [(name: String, bytes: [UInt8])]] = [:]

    private let trace: Trace

    init(trees: [GitTree], store: WordsStore?, trace: Trace = Trace()) {
        self.trees = trees
        self.store = store
        self.trace = trace
    }

    /// Writes the words this run took from files, for the next run.
    func save() { store?.flush() }

    private func folders() throws -> [[String: ObjectID]] {
        if let folderIDs { return folderIDs }
        var products: [ObjectID: ObjectID?] = [:]  // domain folder id -> its products folder id
        let out = try trees.map { tree in
            var ids: [String: ObjectID] = [:]
            guard let root = try tree.folderID(MeshLoader.domainsRoot) else { return ids }
            for domain in try tree.repository.treeEntries(root) where domain.isFolder {
                let found = try products[domain.id] ?? tree.repository.treeEntries(domain.id).first { $0.isFolder && $0.name == "products" }?.id
                products[domain.id] = found
                ids[domain.name] = found
            }
            return ids
        }
        folderIDs = out
        trace.mark("readers: products folders of \(trees.count) trees")
        return out
    }

    /// Reads the product files of `wanted` folders that are not read yet: one listing per
    /// folder, then every distinct blob once.
    private func read(_ wanted: [(tree: GitTree, domain: String, id: ObjectID)]) throws {
        var listed: [(id: ObjectID, names: [String], blobs: [ObjectID])] = []
        var seen = Set<ObjectID>()
        for w in wanted where files[w.id] == nil && seen.insert(w.id).inserted {
            // The files a folder's words are made of: change this and bump WordsStore.productFormatVersion.
            let entries = try w.tree.repository.treeEntries(w.id).filter { !$0.isFolder && $0.name.hasSuffix(".odps.yaml") }
            listed.append((w.id, entries.map(\.name), entries.map(\.id)))
        }
        guard let tree = trees.first, !listed.isEmpty else { return }
        var distinct: [ObjectID] = []
        var slot: [ObjectID: Int] = [:]
        for f in listed { for b in f.blobs where slot[b] == nil { slot[b] = distinct.count; distinct.append(b) } }
        trace.mark("readers: \(listed.count) folders listed")
        let bytes = try tree.readBlobs(distinct)
        trace.mark("readers: \(distinct.count) product files read")
        for f in listed { files[f.id] = zip(f.names, f.blobs).map { ($0, bytes[slot[$1]!]) } }
    }

    /// The words of the folders of `wanted`: from the store, or from their files.
    private func loadWords(_ wanted: [(tree: GitTree, domain: String, id: ObjectID)]) throws {
        var missing: [(tree: GitTree, domain: String, id: ObjectID)] = []
        for w in wanted where words[w.id] == nil {
            if let stored = store?.words(w.id.hex) { words[w.id] = stored } else { missing.append(w) }
        }
        try read(missing)
        var seen = Set<ObjectID>()
        let fresh = missing.map(\.id).filter { seen.insert($0).inserted }
        let contents = fresh.map { files[$0]?.map(\.bytes) ?? [] }
        let found = try concurrentMap(fresh.count) { ProductWords.of(contents[$0]) }
        for (id, w) in zip(fresh, found) {
            words[id] = w
            store?.record(id.hex, w)
        }
        trace.mark("readers: words of \(wanted.count) folders, \(missing.count) read")
    }

    /// The domains outside `loaded` with a product file, on either side, that names one of `contracts`.
    func domains(reading contracts: Set<String>, outside loaded: Set<String>) throws -> Set<String> {
        guard !contracts.isEmpty else { return [] }
        let ids = contracts.map { Array($0.utf8) }
        var wanted: [(tree: GitTree, domain: String, id: ObjectID)] = []
        for (tree, side) in zip(trees, try folders()) {
            for (domain, id) in side where !loaded.contains(domain) { wanted.append((tree, domain, id)) }
        }
        // Without a store, words would be made for this one search: the files are searched.
        // An id with whitespace is searched in the files too (words split there).
        let byWords = store != nil && ids.allSatisfy(ProductWords.canAnswer)
        if byWords { try loadWords(wanted) } else { try read(wanted) }
        var out = Set<String>()
        for w in wanted where !out.contains(w.domain) {
            let named = byWords
                ? ids.contains { ProductWords.contains(words[w.id] ?? [], $0) }
                : files[w.id]?.contains { f in ids.contains { ProductWords.contains(f.bytes, $0) } } ?? false
            if named { out.insert(w.domain) }
        }
        return out
    }

    /// The product files of `domains`, on either side, that name one of `contracts`.
    func files(reading contracts: Set<String>, in domains: Set<String>) throws -> Set<String> {
        guard !contracts.isEmpty else { return [] }
        let ids = contracts.map { Array($0.utf8) }
        var wanted: [(tree: GitTree, domain: String, id: ObjectID)] = []
        for (tree, side) in zip(trees, try folders()) {
            for (domain, id) in side where domains.contains(domain) { wanted.append((tree, domain, id)) }
        }
        try read(wanted)
        var out = Set<String>()
        for w in wanted {
            for f in files[w.id] ?? [] where ids.contains(where: { ProductWords.contains(f.bytes, $0) }) {
                out.insert("\(MeshLoader.domainsRoot)/\(w.domain)/products/\(f.name)")
            }
        }
        return out
    }
}
