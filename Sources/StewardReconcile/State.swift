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

        public init(id: String, target: String, phase: Phase, planDigest: String, startedBy: String, started: String) {
            (self.id, self.target, self.phase, self.planDigest, self.startedBy, self.started) = (id, target, phase, planDigest, startedBy, started)
        }
    }

    public struct ProductState: Sendable, Equatable, Codable {
        public enum Status: String, Sendable, Codable { case ok, failed, retired }
        public var fingerprint: String
        public var outputVersion: String?
        public var status: Status
        /// The mesh commit it was built from.
        public var commit: String
        public var lastRun: RunResult?

        public init(fingerprint: String, outputVersion: String?, status: Status, commit: String, lastRun: RunResult? = nil) {
            (self.fingerprint, self.outputVersion, self.status, self.commit, self.lastRun) = (fingerprint, outputVersion, status, commit, lastRun)
        }
    }

    public struct RunResult: Sendable, Equatable, Codable {
        public var run: String
        public var finished: String
        public var rows: Int?
        public var reasons: [String]

        public init(run: String, finished: String, rows: Int? = nil, reasons: [String] = []) {
            (self.run, self.finished, self.rows, self.reasons) = (run, finished, rows, reasons)
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

    private struct Header: Codable {
        var format: Int
        var applied: String?
        var run: ReconcileState.Run?
    }

    /// The state at the tip (empty when the ref does not exist yet) and the tip.
    public func read() throws -> (state: ReconcileState, tip: ObjectID?) {
        guard let tip = try repository.reference(Self.ref) else { return (ReconcileState(), nil) }
        let tree = try repository.tree(at: tip)
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
            guard let bytes = try tree.read(path) else { throw Failure.unreadable(commit: tip.description, path: path, reason: "missing") }
            do { return try decoder.decode(T.self, from: Data(bytes)) } catch {
                throw Failure.unreadable(commit: tip.description, path: path, reason: "\(error)")
            }
        }
        // The format first, alone: a newer one may not decode as this version's header.
        struct Format: Codable { var format: Int }
        let format = try decode(Format.self, "state.json").format
        guard format <= ReconcileState.format else { throw Failure.newerFormat(format) }
        let header = try decode(Header.self, "state.json")
        var state = ReconcileState(applied: header.applied, run: header.run)
        for path in try tree.files(under: "products") where path.hasSuffix(".json") {
            let id = String(path.dropFirst("products/".count).dropLast(".json".count))
            state.products[id] = try decode(ReconcileState.ProductState.self, path)
        }
        return (state, tip)
    }

    /// Writes `state` as a commit on top of `tip` and moves the ref there if it still points at
    /// `tip`. Returns the new tip.
    @discardableResult
    public func write(_ state: ReconcileState, expecting tip: ObjectID?, message: String, by who: Signature) throws -> ObjectID {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var entries: [String: ObjectID] = [:]
        let header = Header(format: ReconcileState.format, applied: state.applied, run: state.run)
        entries["state.json"] = try repository.writeBlob(Array(try encoder.encode(header)) + [0x0A])
        for (id, product) in state.products {
            entries["products/\(id).json"] = try repository.writeBlob(Array(try encoder.encode(product)) + [0x0A])
        }
        let tree = try repository.writeTree(entries)
        let commit = try repository.writeCommit(tree: tree, parents: tip.map { [$0] } ?? [], message: message + "\n", author: who)
        try repository.updateReference(Self.ref, to: commit, expecting: tip, message: "steward: \(message)")
        return commit
    }
}
