import Foundation
import StewardCore

/// Loads the whole mesh from a `FileTree` (a commit, the work tree or a folder).
///
/// Files are read first (cheap), then parsed in parallel (the expensive part), then the
/// references between them are checked. Every problem becomes a diagnostic; loading goes on
/// past errors so one run reports them all.
public struct MeshLoader: Sendable {
    /// Parses kept between loads (the base and head of a check share all but a few files).
    let cache: ParseCache?
    /// The tree holds a few domains of a mesh: references to the others dangle by design, so
    /// they are not checked (no diagnostics about them, no suggestions searched for).
    let partial: Bool
    /// With `partial`: the files whose references are still checked (those a change touched).
    let checking: Set<String>?

    public init(cache: ParseCache? = nil, partial: Bool = false, checking: Set<String>? = nil) {
        self.cache = cache
        self.partial = partial
        self.checking = checking
    }

    public static let settingsPath = "steward.yaml"
    public static let domainsRoot = "domains"
    public static let waiversRoot = "waivers"

    /// Whether a repository path is part of the mesh (settings, policies, waivers, domains):
    /// the rest of the repository (code, CI, READMEs) is not the mesh's business.
    public static func isMeshPath(_ path: String) -> Bool {
        path == settingsPath || ["policies/", "\(waiversRoot)/", "\(domainsRoot)/"].contains { path.hasPrefix($0) }
    }

    /// steward.yaml of `tree` read alone (no domain, no policy): what a command needs to find
    /// the main branch, the warehouse or the audit keys without loading the mesh.
    public static func loadSettings(from tree: any FileTree) throws -> Loaded<Mesh> {
        try MeshLoader(partial: true).load(from: SubsetTree(tree, folders: [], files: [settingsPath]))
    }

    public func load(from tree: some FileTree) throws -> Loaded<Mesh> {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        let trace = Trace()

        // 1. The settings file.
        guard let settingsBytes = try tree.read(Self.settingsPath) else {
            let d = Diagnostic.error(ModelMessages.missingSettings, "no `steward.yaml` at the top of the mesh (\(tree.label))",
                                     at: SourceLocation(path: Self.settingsPath),
                                     help: "run steward from inside a mesh repository, or create steward.yaml (see docs/mesh-layout.md)")
            return Loaded(value: nil, diagnostics: [d], sources: [:])
        }
        var settings = MeshSettings(name: "")
        switch YAMLDocument.decodeUTF8(settingsBytes, path: Self.settingsPath) {
        case let .success(text):
            sources[Self.settingsPath] = text
            let r = Reader(path: Self.settingsPath)
            if let root = Documents.root(text, r), let s = StewardFileDecoder(r: r).settings(root) { settings = s }
            diagnostics += r.diagnostics
        case let .failure(d): diagnostics.append(d)
        }

        // 2. Classify the files under domains/.
        var jobs: [Job] = []
        var domainFolders = Set<String>()
        var otherFiles = Set<String>()
        var waiverFiles: [(path: String, domain: String?)] = []
        for path in try tree.files(under: Self.waiversRoot) where Self.isYAML(path) {
            if path.split(separator: "/").count == 2 { waiverFiles.append((path, nil)) } else { misplacedWaivers(path, &diagnostics) }
        }
        var lastDomain = ""
        for path in try tree.files(under: Self.domainsRoot) {
            // Scanned as bytes, nothing split: 20,000 paths split into arrays cost 15 ms.
            let parts = PathParts(path)
            guard parts.count >= 3 else {
                diagnostics.append(.warning(ModelMessages.misplacedFile, "file directly under `domains/` is ignored",
                                            at: SourceLocation(path: path), help: "domain files go in domains/<domain>/"))
                continue
            }
            let domain = String(path[parts.second])
            // A domain's paths come together (the listing is sorted): the set is asked once per run of them.
            if domain != lastDomain {
                domainFolders.insert(domain)
                lastDomain = domain
            }
            switch (parts.count, String(path[parts.third])) {
            case (3, "domain.yaml"): jobs.append(Job(kind: .domain, path: path, domain: domain))
            case (4, "products"):
                if path.hasSuffix(".odps.yaml") { jobs.append(Job(kind: .product, path: path, domain: domain)) } else {
                    diagnostics.append(.warning(ModelMessages.misplacedFile, "file in `products/` is not a product (*.odps.yaml) and is ignored",
                                                at: SourceLocation(path: path), help: "rename it to <name>.odps.yaml or move it"))
                }
            case (4, "contracts"):
                if path.hasSuffix(".odcs.yaml") { jobs.append(Job(kind: .contract, path: path, domain: domain)) } else {
                    diagnostics.append(.warning(ModelMessages.misplacedFile, "file in `contracts/` is not a contract (*.odcs.yaml) and is ignored",
                                                at: SourceLocation(path: path), help: "rename it to <name>.odcs.yaml or move it"))
                }
            case (4, "waivers") where Self.isYAML(path):
                waiverFiles.append((path, domain))
            case (5..., "waivers") where Self.isYAML(path):
                misplacedWaivers(path, &diagnostics)
            default: otherFiles.insert(path)
            }
        }

        // 3. Read and parse every file, spread over the cores.
        trace.mark("list \(jobs.count) files")
        // A whole mesh is worth the on-disk store; a few domains parse faster than it opens,
        // unless the command asked for it (`check`'s scoped loads: the store is saved once, at
        // the end, not after each of its loads).
        let store = partial && cache?.partialLoadsUseStore != true ? nil : cache?.store
        var results = try Self.parseAll(jobs, from: tree, cache: cache, store: store, save: !partial)
        trace.mark("read and parse")

        // 4. Assemble (the tables sized first: growing them rehashed 10,000 contracts many times).
        var mesh = Mesh(settings: settings)
        let contractCount = jobs.count { $0.kind == .contract }
        mesh.products.reserveCapacity(jobs.count { $0.kind == .product })
        mesh.contracts.reserveCapacity(contractCount)
        mesh.contractDomain.reserveCapacity(contractCount)
        var domainFile = Set<String>()
        for slot in results.indices {
            // Moved, the result and then its value: a copy retained every field.
            var result = Result.take(&results[slot])
            diagnostics += result.diagnostics
            // Texts are kept for files with problems only (to quote them); a clean 10,000-product
            // mesh would otherwise hold all 40 MB of it. Renderers read other files on demand.
            if let text = result.text, !result.diagnostics.isEmpty { sources[result.job.path] = text }
            switch result.value.take() {
            case let .domain(d)?:
                domainFile.insert(result.job.domain)
                if d.name != result.job.domain, !d.name.isEmpty {
                    diagnostics.append(.error(ModelMessages.nameMismatch,
                                              "domain name `\(d.name)` does not match its folder `\(result.job.domain)`",
                                              at: d.location, help: "write `name: \(result.job.domain)` or rename the folder"))
                }
                var d = d
                d.name = result.job.domain
                mesh.domains[d.name] = d
            case let .product(p)?:
                add(p, from: result.job, to: &mesh, &diagnostics)
            case let .contract(c)?:
                if let first = mesh.contracts[c.id] {
                    diagnostics.append(.error(ModelMessages.duplicateID, "contract id `\(c.id)` is used twice",
                                              at: c.location, notes: ["first used at \(first.location)"],
                                              help: "contract ids must be unique across the mesh"))
                } else if !c.id.isEmpty {
                    mesh.contracts[c.id] = c
                    mesh.contractDomain[c.id] = result.job.domain
                    if let d = c.domain, d != result.job.domain {
                        diagnostics.append(.error(ModelMessages.nameMismatch,
                                                  "contract says `domain: \(d)` but lives in the folder of domain `\(result.job.domain)`",
                                                  at: c.location, help: "write `domain: \(result.job.domain)` or move the file"))
                    }
                }
            case nil: break
            }
        }
        for domain in domainFolders.subtracting(domainFile).sorted() {
            diagnostics.append(.error(ModelMessages.missingDomainFile, "domain folder `\(domain)` has no domain.yaml",
                                      at: SourceLocation(path: "\(Self.domainsRoot)/\(domain)/domain.yaml"),
                                      help: "create it with the domain's owners (see docs/mesh-layout.md)"))
        }

        mesh.waivers = try loadWaivers(waiverFiles.sorted { $0.path < $1.path }, from: tree, &diagnostics, &sources)
        trace.mark("assemble")
        let validator = MeshValidator(mesh: mesh, tree: tree, otherFiles: otherFiles)
        if let checking, partial {
            diagnostics += validator.validate(&mesh, only: checking)
        } else if partial {
            validator.derive(&mesh)
        } else {
            diagnostics += validator.validate(&mesh)
        }
        trace.mark("validate")
        return Loaded(value: mesh, diagnostics: diagnostics.sorted(), sources: sources)
    }

    private func add(_ product: consuming Product, from job: Job, to mesh: inout Mesh, _ diagnostics: inout [Diagnostic]) {
        var p = product
        let stem = RepoPath.stem(of: job.path)
        if p.name.isEmpty {
            diagnostics.append(.error(ModelMessages.missingKey, "data product is missing `name`", at: p.location,
                                      help: "write `name: \(stem)` (the file name without .odps.yaml)"))
            p.name = stem
        } else if p.name != stem {
            diagnostics.append(.error(ModelMessages.nameMismatch, "product name `\(p.name)` does not match its file name `\(stem).odps.yaml`",
                                      at: p.location, help: "write `name: \(stem)` or rename the file"))
        }
        if let d = p.domain, d != job.domain {
            diagnostics.append(.error(ModelMessages.nameMismatch, "product says `domain: \(d)` but lives in the folder of domain `\(job.domain)`",
                                      at: p.location, help: "write `domain: \(job.domain)` or move the file"))
        } else if p.domain == nil {
            diagnostics.append(.error(ModelMessages.missingKey, "data product is missing `domain`", at: p.location,
                                      help: "write `domain: \(job.domain)`"))
        }
        p.domain = job.domain
        let id = p.id  // made anew each time it is asked
        if let first = mesh.products[id] {
            diagnostics.append(.error(ModelMessages.duplicateID, "product `\(id)` is defined twice", at: p.location,
                                      notes: ["first defined at \(first.location)"]))
        } else {
            mesh.products[id] = p
        }
    }

    /// The number of `/`-separated parts of a path (empty ones not counted, as `split` does)
    /// and where its second and third lie.
    struct PathParts {
        var count = 0
        var second: Range<String.Index>
        var third: Range<String.Index>

        init(_ path: String) {
            let bytes = path.utf8
            second = path.startIndex..<path.startIndex
            third = second
            var start = bytes.startIndex
            var i = bytes.startIndex
            while true {
                let atEnd = i == bytes.endIndex
                if atEnd || bytes[i] == UInt8(ascii: "/") {
                    if start < i {
                        count += 1
                        if count == 2 { second = start..<i } else if count == 3 { third = start..<i }
                    }
                    if atEnd { break }
                    start = bytes.index(after: i)
                }
                i = bytes.index(after: i)
            }
        }
    }

    // MARK: parsing in parallel

    struct Job: Sendable {
        enum Kind: Sendable { case domain, product, contract }
        var kind: Kind
        var path: String
        var domain: String
    }

    enum Parsed: Sendable {
        case domain(Domain)
        case product(Product)
        case contract(Contract)
    }

    struct Result: Sendable {
        var job: Job
        var value: Parsed?
        var text: String?
        var diagnostics: [Diagnostic]

        /// The result at `slot`, moved out; an empty one (nothing to retain or free) is left.
        static func take(_ slot: inout Result) -> Result {
            var out = Result(job: Job(kind: .domain, path: "", domain: ""), value: nil, text: nil, diagnostics: [])
            swap(&out, &slot)
            return out
        }
    }

    static func parse(_ job: Job, bytes: [UInt8]?) -> Result {
        guard let bytes else {
            return Result(job: job, value: nil, text: nil, diagnostics: [
                .error(ModelMessages.unreadable, "cannot read file", at: SourceLocation(path: job.path)),
            ])
        }
        let text: String
        switch YAMLDocument.decodeUTF8(bytes, path: job.path) {
        case let .success(t): text = t
        case let .failure(d): return Result(job: job, value: nil, text: nil, diagnostics: [d])
        }
        switch job.kind {
        case .domain:
            let r = Reader(path: job.path)
            let d = Documents.root(text, r).flatMap { StewardFileDecoder(r: r).domain($0) }
            return Result(job: job, value: d.map(Parsed.domain), text: text, diagnostics: r.diagnostics)
        case .product:
            let (p, ds) = Documents.product(text, path: job.path)
            return Result(job: job, value: p.map(Parsed.product), text: text, diagnostics: ds)
        case .contract:
            let (c, ds) = Documents.contract(text, path: job.path)
            return Result(job: job, value: c.map(Parsed.contract), text: text, diagnostics: ds)
        }
    }

    /// Reads and parses every job, spread over the cores; results keep the jobs' order.
    /// A read error (I/O or a damaged repository) is rethrown after all workers stop: the first in job order.
    static func parseAll(_ jobs: [Job], from tree: some FileTree, cache: ParseCache? = nil, store: ParseStore? = nil,
                         save: Bool = true) throws -> [Result] {
        cache?.reserve(jobs.count)
        @Sendable func result(_ job: Job) throws -> Result {
            // Keyed by path and content: the same bytes at the same path parse the same.
            let key = tree.contentID(job.path).map { "\(job.path)\u{0}\($0)" }
            if let key, let hit = cache?[key] { return hit }
            if let key, let store {
                store.open()  // at the first file with a blob id: a work tree has none, so never
                if let stored = store.lookup(key, path: job.path) {
                    let result = Result(job: job, value: stored, text: nil, diagnostics: [])
                    cache?[key] = result
                    return result
                }
            }
            let result = parse(job, bytes: try tree.read(job.path))
            if let key {
                cache?[key] = result
                if let store, result.diagnostics.isEmpty, let value = result.value { store.record(key, value, path: job.path) }
            }
            return result
        }
        // In chunks (eight a core): one task per file would cost more in scheduling than small files take.
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = max(1, (jobs.count + workers * 8 - 1) / (workers * 8))
        let chunks = (jobs.count + chunk - 1) / chunk
        var parts = try concurrentMap(chunks) { c in
            try jobs[(c * chunk)..<min(jobs.count, (c + 1) * chunk)].map(result)
        }
        // Moved out, not copied: a copy retained every field of 20,000 products and contracts,
        // and freeing the chunks released them all again (35 ms, on one core).
        var results: [Result] = []
        results.reserveCapacity(jobs.count)
        for c in parts.indices {
            for i in parts[c].indices { results.append(Result.take(&parts[c][i])) }
        }
        if save { store?.flush() }
        return results
    }
}

/// Parsed files by path and content id, shared by the loads of one command.
public final class ParseCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: MeshLoader.Result] = [:]
    /// Parses kept between runs, consulted by whole-mesh loads.
    public let store: ParseStore?
    /// Whether loads of a few domains consult and fill the store too; what they parse is
    /// written by `save()`.
    public let partialLoadsUseStore: Bool

    public init(store: ParseStore? = nil, partialLoadsUseStore: Bool = false) {
        self.store = store
        self.partialLoadsUseStore = partialLoadsUseStore
    }

    /// Writes what loads of a few domains parsed into the store.
    public func save() { store?.flush() }

    subscript(key: String) -> MeshLoader.Result? {
        get { lock.withLock { entries[key] } }
        set { lock.withLock { entries[key] = newValue } }
    }

    public var count: Int { lock.withLock { entries.count } }

    /// Room for `n` more parses at once: a whole mesh would otherwise rehash as it fills.
    func reserve(_ n: Int) {
        lock.withLock { if n > entries.count { entries.reserveCapacity(entries.count + n) } }
    }
}

extension MeshLoader {
    static func isYAML(_ path: String) -> Bool { path.hasSuffix(".yaml") || path.hasSuffix(".yml") }

    /// Only `waivers/*.yaml` counts (§10); a waiver kept in a subfolder would silently not apply.
    private func misplacedWaivers(_ path: String, _ diagnostics: inout [Diagnostic]) {
        diagnostics.append(.warning(ModelMessages.misplacedFile, "waiver file in a subfolder of `waivers/` is ignored",
                                    at: SourceLocation(path: path), help: "move it directly into its `waivers/` folder"))
    }

    /// Waiver files are few and small: read them in order, then refuse duplicates (POL0509).
    func loadWaivers(_ files: [(path: String, domain: String?)], from tree: some FileTree,
                     _ diagnostics: inout [Diagnostic], _ sources: inout [String: String]) throws -> [Waiver] {
        var out: [Waiver] = []
        for (path, domain) in files {
            guard let bytes = try tree.read(path) else {
                diagnostics.append(.error(ModelMessages.unreadable, "cannot read file", at: SourceLocation(path: path)))
                continue
            }
            switch YAMLDocument.decodeUTF8(bytes, path: path) {
            case let .success(text):
                let r = Reader(path: path)
                let waivers = Documents.root(text, r).map { WaiverFileDecoder.decode($0, r, domain: domain) } ?? []
                if !r.diagnostics.isEmpty { sources[path] = text }
                diagnostics += r.diagnostics
                for w in waivers {
                    if let first = out.first(where: { $0.policy == w.policy && $0.target == w.target }) {
                        diagnostics.append(.error(ModelMessages.duplicateWaiver, "policy `\(w.policy)` is waived twice for `\(w.target)`",
                                                  at: w.location, notes: ["first waived at \(first.location)"],
                                                  help: "keep one waiver per policy and target"))
                        sources[path] = text
                    } else {
                        out.append(w)
                    }
                }
            case let .failure(d): diagnostics.append(d)
            }
        }
        return out
    }
}

/// Phase timings on standard error when `STEWARD_TRACE` is set (for benchmarks).
public struct Trace: Sendable {
    private let enabled = ProcessInfo.processInfo.environment["STEWARD_TRACE"] != nil
    private let start = Date()
    public init() {}
    public func mark(_ phase: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("trace: \(phase) at \(Int(Date().timeIntervalSince(start) * 1000)) ms\(Self.resident)\n".utf8))
    }

    /// ", N MB resident" from /proc (Linux); empty elsewhere.
    private static var resident: String {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return "" }
        return ", \((pages * Int(getpagesize())) >> 20) MB resident"
    }
}
