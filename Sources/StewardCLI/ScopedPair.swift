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
    static func openScoped(path: String, base: String?, head: String?, help: String, console: Console,
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
        let paths = Set(try repository.changes(from: baseID, to: headID, detectRenames: false).map(\.path))
        if paths.contains(MeshLoader.settingsPath) { return .whole("steward.yaml changed") }
        let changed = Set(paths.compactMap(HistoryTarget.domain(ofPath:)))
        let cache = repository.parseCache()

        // What changed, on the changed domains alone.
        let (oldHome, newHome) = (try HistoryTarget.load(baseTree, domains: changed, cache: cache),
                                  try HistoryTarget.load(headTree, domains: changed, cache: cache))
        let text: (MeshDiff.Side, String) -> String? = { side, path in Lint.text(side == .old ? baseTree : headTree, path) }
        let changes = MeshDiff.compare(oldHome, newHome, changedPaths: paths, transform: text)
        let touched = Touched.of(changes, paths: paths, domains: changed, old: oldHome, new: newHome)
        var domains = touched.neighbourhood(in: newHome).union(touched.neighbourhood(in: oldHome))
        // The inputs that read a changed contract are in scope wherever they are: a reader
        // without a grant is a finding on it, so grants alone do not lead to every reader.
        let readers = Readers(trees: [baseTree, headTree])
        domains.formUnion(try readers.domains(reading: touched.contracts, outside: domains))
        if changes.contains(where: \.breaking) {
            domains = try downstream(of: touched, from: domains, readers: readers, cache: cache)
        }
        trace.mark("scope: \(changed.count) changed domains, \(domains.count) loaded")

        // The neighbourhood, checked in full: errors in the changed files stop the check.
        var meshes: [Mesh] = []
        var baseErrors = Set<ErrorKey>()
        // The references of the loaded products that read a changed contract are checked too:
        // the change may have removed what they read.
        let checking = paths.union(try readers.files(reading: touched.contracts, in: domains))
        for (tree, side) in [(baseTree, "base"), (headTree, "head")] {
            let loaded = try MeshLoader(cache: cache, partial: true, checking: checking).load(from: HistoryTarget.subset(tree, domains: domains))
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
        // The trees the check reads policies and transforms from: the loaded domains, and every
        // domain's own policies, so the policy set is the whole mesh's.
        let names = try baseTree.folders(in: MeshLoader.domainsRoot)
        func rules(_ tree: GitTree) throws -> SubsetTree {
            let policies = try tree.folders(in: MeshLoader.domainsRoot).map { "\(MeshLoader.domainsRoot)/\($0)/policies" }
            return SubsetTree(tree, folders: ["policies", MeshLoader.waiversRoot] + domains.map { "\(MeshLoader.domainsRoot)/\($0)" } + policies,
                              files: [MeshLoader.settingsPath])
        }
        return .pair(RevisionPair(repository: repository, baseID: baseID, headID: headID,
                                  baseTree: try rules(baseTree), headTree: try rules(headTree),
                                  base: meshes[0], head: meshes[1], baseDomainNames: names))
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

/// The product files of every domain, as bytes, read once per distinct blob: which domains have a product
/// that names a contract, without parsing them. A product names its input's contract id in its
/// text (`contractId: <id>`, quoted or not), so a domain whose products never mention the id
/// has no reader of it.
final class Readers {
    let trees: [GitTree]
    private var productFiles: [[String: [(path: String, bytes: [UInt8])]]]?

    init(trees: [GitTree]) { self.trees = trees }

    /// Every product file of every tree, by domain. A mesh of 10,000 products has 10,000 such
    /// files a side: each distinct blob is read once (the sides share nearly all of them),
    /// spread over the cores.
    private func products() throws -> [[String: [(path: String, bytes: [UInt8])]]] {
        if let productFiles { return productFiles }
        var listed: [(tree: Int, domain: String, path: String, slot: Int)] = []
        var reads: [(tree: Int, path: String)] = []
        var slotOf: [String: Int] = [:]
        for (i, tree) in trees.enumerated() {
            // The products folders alone: a third of the files of the domains.
            let folders = try tree.folders(in: MeshLoader.domainsRoot).map { "\(MeshLoader.domainsRoot)/\($0)/products" }
            for path in try folders.flatMap({ try tree.files(under: $0) }) {
                let parts = path.split(separator: "/")
                guard parts.count == 4, parts[2] == "products", path.hasSuffix(".odps.yaml") else { continue }
                let key = tree.contentID(path) ?? "\(i)\u{0}\(path)"
                let slot = slotOf[key] ?? {
                    reads.append((i, path))
                    slotOf[key] = reads.count - 1
                    return reads.count - 1
                }()
                listed.append((i, String(parts[1]), path, slot))
            }
        }
        let (trees, wanted) = (self.trees, reads)
        let bytes = try concurrentMap(wanted.count) { try trees[wanted[$0].tree].read(wanted[$0].path) }
        var out = Array(repeating: [String: [(path: String, bytes: [UInt8])]](), count: trees.count)
        for f in listed {
            guard let b = bytes[f.slot] else { continue }
            out[f.tree][f.domain, default: []].append((f.path, b))
        }
        productFiles = out
        return out
    }

    /// Whether a file's bytes contain any of `ids`: a byte search, so an id must be written in
    /// the same Unicode form in both places (ids are folder and file names, ASCII in practice).
    private static func names(_ bytes: [UInt8], anyOf ids: [[UInt8]]) -> Bool {
        bytes.withUnsafeBufferPointer { hay in
            ids.contains { id in
                guard let first = id.first, id.count <= hay.count, let base = hay.baseAddress else { return id.isEmpty }
                return id.withUnsafeBufferPointer { needle in
                    var i = 0
                    let last = hay.count - id.count
                    while i <= last {
                        if base[i] == first && memcmp(base + i, needle.baseAddress!, id.count) == 0 { return true }
                        i += 1
                    }
                    return false
                }
            }
        }
    }

    /// The domains outside `loaded` with a product file, on either side, that names one of `contracts`.
    func domains(reading contracts: Set<String>, outside loaded: Set<String>) throws -> Set<String> {
        guard !contracts.isEmpty else { return [] }
        let ids = contracts.map { Array($0.utf8) }
        var out = Set<String>()
        for side in try products() {
            for (domain, files) in side where !loaded.contains(domain) && !out.contains(domain) {
                if files.contains(where: { Self.names($0.bytes, anyOf: ids) }) { out.insert(domain) }
            }
        }
        return out
    }

    /// The product files of `domains`, on either side, that name one of `contracts`.
    func files(reading contracts: Set<String>, in domains: Set<String>) throws -> Set<String> {
        guard !contracts.isEmpty else { return [] }
        let ids = contracts.map { Array($0.utf8) }
        var out = Set<String>()
        for side in try products() {
            for (domain, files) in side where domains.contains(domain) {
                for f in files where Self.names(f.bytes, anyOf: ids) { out.insert(f.path) }
            }
        }
        return out
    }
}
