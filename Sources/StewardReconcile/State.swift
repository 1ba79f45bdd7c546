import Foundation
import StewardGit

/// What is applied, kept as commits on `refs/steward/state` (docs/reconciler.md §1).
public struct ReconcileState: Sendable, Equatable {
    public static let format = 1

    /// The mesh commit last applied in full; nil before the first apply.
    public var applied: String?
    /// The run under way (or the last one that did not finish).
    public var run: Run?
    public var products: [String: ProductState]

    /// What the state says readers see: the dataset and version of each product that is ok.
    public var published: [String: Int] {
        var out: [String: Int] = [:]
        for p in products.values where p.status == .ok {
            if let d = p.dataset, let v = p.lastGood?.version { out[d] = v }
        }
        return out
    }

    /// A digest of `published`-shaped pairs, so that a reader of `state.json` alone can tell
    /// whether the warehouse still holds what the state says.
    public static func digest(published: [String: Int]) -> String {
        Fingerprinter.hash(published.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: "\n"))
    }

    public init(applied: String? = nil, run: Run? = nil, products: [String: ProductState] = [:]) {
        self.applied = applied
        self.run = run
        self.products = products
    }

    public struct Run: Sendable, Equatable, Codable {
        public enum Phase: String, Sendable, Codable { case planned, applying, done, failed }
        public var id: String
        public var target: String
        public var phase: Phase
        public var planDigest: String
        public var startedBy: String
        public var started: String
        /// Whether the run retires products gone from the mesh: a resumed run keeps its own.
        public var prune: Bool?

        public init(id: String, target: String, phase: Phase, planDigest: String, startedBy: String, started: String, prune: Bool? = nil) {
            (self.id, self.target, self.phase, self.planDigest, self.startedBy, self.started, self.prune) =
                (id, target, phase, planDigest, startedBy, started, prune)
        }
    }

    public struct ProductState: Sendable, Equatable, Codable {
        /// `blocked`: not run because an input did not publish in the same run.
        public enum Status: String, Sendable, Codable {
            case ok, failed, blocked, retired
            /// Failed or blocked: its last run did not publish, and the next apply retries it.
            public var isUnpublished: Bool { self == .failed || self == .blocked }
        }
        public var fingerprint: String
        public var outputVersion: String?
        public var status: Status
        /// The mesh commit it was built from.
        public var commit: String
        public var lastRun: RunResult?
        /// The last run that published (what readers see now); the same as `lastRun` when that passed.
        public var lastGood: RunResult?
        /// The engine that materializes it and the dataset (output contract id) it publishes,
        /// so that a product gone from the mesh can still be retired.
        public var engine: String?
        public var dataset: String?

        public init(fingerprint: String, outputVersion: String?, status: Status, commit: String, lastRun: RunResult? = nil,
                    lastGood: RunResult? = nil, engine: String? = nil, dataset: String? = nil) {
            (self.fingerprint, self.outputVersion, self.status, self.commit, self.lastRun, self.lastGood, self.engine, self.dataset) =
                (fingerprint, outputVersion, status, commit, lastRun, lastGood, engine, dataset)
        }
    }

    public struct RunResult: Sendable, Equatable, Codable {
        public var run: String
        public var finished: String
        public var rows: Int?
        /// The engine's version of the dataset this run published (nil when it did not).
        public var version: Int?
        public var reasons: [String]

        public init(run: String, finished: String, rows: Int? = nil, version: Int? = nil, reasons: [String] = []) {
            (self.run, self.finished, self.rows, self.version, self.reasons) = (run, finished, rows, version, reasons)
        }
    }
}

/// Reads and writes the state ref. Every write is a new commit whose parent is the tip it read,
/// moved by compare-and-swap: a writer that lost a race gets `GitError.refMoved`.
public struct StateStore {
    public static let ref = "refs/steward/state"
    public let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(commit: String, path: String, reason: String)
        case newerFormat(Int)

        public var description: String {
            switch self {
            case let .unreadable(c, path, reason): "the state at \(StateStore.ref) (\(c.prefix(10))) has an unreadable \(path): \(reason)"
            case let .newerFormat(f): "the state at \(StateStore.ref) has format \(f), newer than this steward reads (\(ReconcileState.format)); upgrade steward"
            }
        }
    }

    /// `state.json`: everything but the products, so that a no-op apply reads one small file.
    public struct Header: Codable, Sendable {
        public var format: Int
        public var applied: String?
        public var run: ReconcileState.Run?
        /// Products whose status is `failed` or `blocked`, sorted.
        public var failed: [String]?
        /// `ReconcileState.digest(published:)` of the state.
        public var published: String?
    }

    /// Where a product's file lives: one folder per domain, so a checkpoint that changes one
    /// product rewrites a folder of that domain's size, not one of the whole mesh's.
    public static func path(of product: String) -> String {
        let domain = product.split(separator: ".", maxSplits: 1).first.map(String.init) ?? product
        return "products/\(domain)/\(product).json"
    }

    /// The header alone (nil when there is no state yet) and the tip.
    public func readHeader() throws -> (header: Header?, tip: ObjectID?) {
        guard let tip = try repository.reference(Self.ref) else { return (nil, nil) }
        return (try header(try repository.tree(at: tip), tip), tip)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ path: String, in tree: GitTree, _ tip: ObjectID) throws -> T {
        guard let bytes = try tree.read(path) else { throw Failure.unreadable(commit: tip.description, path: path, reason: "missing") }
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw Failure.unreadable(commit: tip.description, path: path, reason: "\(error)")
        }
    }

    private func header(_ tree: GitTree, _ tip: ObjectID) throws -> Header {
        // The format first, alone: a newer one may not decode as this version's header.
        struct Format: Codable { var format: Int }
        let format = try decode(Format.self, "state.json", in: tree, tip).format
        guard format <= ReconcileState.format else { throw Failure.newerFormat(format) }
        return try decode(Header.self, "state.json", in: tree, tip)
    }

    /// The state at the tip (empty when the ref does not exist yet) and the tip.
    public func read() throws -> (state: ReconcileState, tip: ObjectID?) {
        guard let tip = try repository.reference(Self.ref) else { return (ReconcileState(), nil) }
        let tree = try repository.tree(at: tip)
        let header = try header(tree, tip)
        var state = ReconcileState(applied: header.applied, run: header.run)
        for path in try tree.files(under: "products") where path.hasSuffix(".json") {
            let id = String(path.split(separator: "/").last!.dropLast(".json".count))
            guard Self.path(of: id) == path else {
                throw Failure.unreadable(commit: tip.description, path: path, reason: "not where product `\(id)` belongs (\(Self.path(of: id)))")
            }
            state.products[id] = try decode(ReconcileState.ProductState.self, path, in: tree, tip)
        }
        return (state, tip)
    }

    /// Writes `state` as a commit on top of `tip` and moves the ref there if it still points at
    /// `tip`. Returns the new tip. `changed` names the products that differ from the state at
    /// `tip` (a checkpoint's one product): only their files are written. Nil writes them all.
    @discardableResult
    public func write(_ state: ReconcileState, expecting tip: ObjectID?, changed: Set<String>? = nil, message: String,
                      by who: Signature) throws -> ObjectID {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let failed = state.products.filter { $0.value.status.isUnpublished }.map(\.key).sorted()
        let header = Header(format: ReconcileState.format, applied: state.applied, run: state.run, failed: failed,
                            published: ReconcileState.digest(published: state.published))
        var files: [String: ObjectID] = ["state.json": try repository.writeBlob(Array(try encoder.encode(header)) + [0x0A])]
        var removing: [String] = []
        let base = changed == nil ? nil : tip
        for id in changed ?? Set(state.products.keys) {
            if let product = state.products[id] {
                files[Self.path(of: id)] = try repository.writeBlob(Array(try encoder.encode(product)) + [0x0A])
            } else if let base, try repository.entryID(path: Self.path(of: id), at: base) != nil {
                removing.append(Self.path(of: id))
            }
        }
        let tree: ObjectID
        if let base {
            tree = try repository.updateTree(try repository.tree(at: base).treeID, setting: files, removing: removing)
        } else {
            tree = try repository.writeTree(files)
        }
        let commit = try repository.writeCommit(tree: tree, parents: tip.map { [$0] } ?? [], message: message + "\n", author: who)
        try repository.updateReference(Self.ref, to: commit, expecting: tip, message: "steward: \(message)")
        return commit
    }
}
