import Crypto
import Foundation
import StewardCore
import StewardGit

/// The audit log on `refs/steward/audit` (docs/audit-log.md): one commit per entry, each the
/// child of the previous, moved by compare-and-swap and never rewritten. Each commit's tree
/// holds every entry so far, an index by mesh commit, and the Merkle checkpoint after it.
public struct AuditLog {
    public static let ref = "refs/steward/audit"
    public let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    static func entryPath(_ seq: Int) -> String {
        "entries/\(String(format: "%09d", seq / 1000))/\(String(format: "%012d", seq)).json"
    }

    static func indexPath(_ commit: String) -> String { "index/\(commit.prefix(2))/\(commit)" }

    static func signaturePath(_ seq: Int) -> String {
        "signatures/\(String(format: "%09d", seq / 1000))/\(String(format: "%012d", seq)).json"
    }

    /// An Ed25519 key that signs entries, and the name the mesh lists its public half under.
    public struct Signer: Sendable {
        public var name: String
        public var key: Curve25519.Signing.PrivateKey

        public init(name: String, key: Curve25519.Signing.PrivateKey) {
            self.name = name
            self.key = key
        }

        /// From a base64 32-byte seed, as `steward audit keygen` prints it.
        public init?(name: String, seed: String) {
            guard let bytes = Data(base64Encoded: seed), bytes.count == 32,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else { return nil }
            self.init(name: name, key: key)
        }
    }

    /// A signature kept beside its entry (the entry's bytes are what is signed).
    public struct EntrySignature: Sendable, Codable, Equatable {
        public var key: String
        public var signature: String
    }

    /// What the tree records after each entry: the size of the log and its Merkle root, and
    /// the right edge of the tree so the next root costs O(log n) hashes.
    public struct Checkpoint: Sendable, Equatable, Codable {
        public var size: Int
        public var root: String
        /// Sizes and roots of the perfect subtrees that make up the tree, largest first.
        public var frontier: [Node]

        public struct Node: Sendable, Equatable, Codable {
            public var size: Int
            public var hash: String
        }

        static let empty = Checkpoint(size: 0, root: Merkle.hex(Merkle.emptyRoot), frontier: [])

        func appending(_ leaf: Merkle.Hash) -> Checkpoint {
            var nodes = frontier.map { ($0.size, Merkle.unhex($0.hash)!) } + [(1, leaf)]
            while nodes.count >= 2, nodes[nodes.count - 1].0 == nodes[nodes.count - 2].0 {
                let r = nodes.removeLast(), l = nodes.removeLast()
                nodes.append((l.0 * 2, Merkle.nodeHash(l.1, r.1)))
            }
            var root = nodes.last!.1
            for n in nodes.dropLast().reversed() { root = Merkle.nodeHash(n.1, root) }
            return Checkpoint(size: size + 1, root: Merkle.hex(root), frontier: nodes.map { Node(size: $0.0, hash: Merkle.hex($0.1)) })
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        public var description: String {
            switch self {
            case .unreadable(let why): "the audit log at \(AuditLog.ref) is unreadable: \(why)"
            }
        }
    }

    // MARK: appending

    /// Appends an entry (its `seq` and `prev` are set here) and returns it with the new tip.
    /// The ref moves by compare-and-swap, retried when another writer appended first: a crash
    /// at any point leaves either the old tip or the new one, never a broken chain.
    @discardableResult
    public func append(_ draft: AuditEntry, by who: Signature, signer: Signer? = nil, attempts: Int = 100) throws -> (entry: AuditEntry, tip: ObjectID) {
        for _ in 0..<attempts {
            let tip = try repository.reference(Self.ref)
            // Only the files this entry adds or changes: the rest of the tree is shared as is,
            // so an append costs the depth of the tree, not the size of the log.
            var files: [String: ObjectID] = [:]
            var checkpoint = Checkpoint.empty
            var entry = draft
            entry.seq = 0
            entry.prev = ""
            let tipTree = try tip.map { try repository.tree(at: $0) }
            if let tip, let tree = tipTree {
                guard let bytes = try tree.read("checkpoint.json") else { throw Failure.unreadable("no checkpoint.json at \(tip.short)") }
                checkpoint = try JSONDecoder().decode(Checkpoint.self, from: Data(bytes))
                // A damaged frontier is refused here, not trusted into a crash or a wrong root.
                guard checkpoint.frontier.allSatisfy({ Merkle.unhex($0.hash) != nil }) else {
                    throw Failure.unreadable("checkpoint.json at \(tip.short) has a frontier hash that is not 64 hex digits")
                }
                guard let last = try tree.read(Self.entryPath(checkpoint.size - 1)) else {
                    throw Failure.unreadable("entry \(checkpoint.size - 1) missing at \(tip.short)")
                }
                entry.seq = checkpoint.size
                entry.prev = AuditEntry.hashHex(last)
            }
            let bytes = entry.canonicalBytes
            files[Self.entryPath(entry.seq)] = try repository.writeBlob(bytes)
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            if let signer {
                let sig = EntrySignature(key: signer.name, signature: try signer.key.signature(for: bytes).base64EncodedString())
                files[Self.signaturePath(entry.seq)] = try repository.writeBlob(Array(try e.encode(sig)))
            }
            for commit in Set(entry.meshCommits) {
                let path = Self.indexPath(commit)
                var seqs = try tipTree?.read(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
                seqs += "\(entry.seq)\n"
                files[path] = try repository.writeBlob(Array(seqs.utf8))
            }
            let next = checkpoint.appending(Merkle.leafHash(bytes))
            files["checkpoint.json"] = try repository.writeBlob(Array(try e.encode(next)) + [0x0A])
            let tree = try repository.updateTree(tipTree?.treeID, setting: files)
            let commit = try repository.writeCommit(tree: tree, parents: tip.map { [$0] } ?? [],
                                                    message: "\(entry.seq) \(entry.type.rawValue)\n", author: who)
            do {
                try repository.updateReference(Self.ref, to: commit, expecting: tip, message: "steward audit: \(entry.seq) \(entry.type.rawValue)")
                return (entry, commit)
            } catch GitError.refMoved {
                // Another writer appended first, or holds the ref's lock file right now (the git
                // layer reports both as a moved ref): build on the next tip after a short pause.
                Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.05))
            }
        }
        throw Failure.unreadable("the log kept moving while appending (\(attempts) attempts)")
    }

    // MARK: reading

    /// Every entry, oldest first, read from the tip.
    public func entries() throws -> [AuditEntry] {
        guard let tip = try repository.reference(Self.ref) else { return [] }
        let tree = try repository.tree(at: tip)
        return try tree.files(under: "entries").map { path in
            guard let bytes = try tree.read(path) else { throw Failure.unreadable("\(path) vanished") }
            do { return try JSONDecoder().decode(AuditEntry.self, from: Data(bytes)) } catch {
                throw Failure.unreadable("\(path): \(error)")
            }
        }
    }

    /// The entries about a mesh commit, through the index (no scan).
    public func entries(about commit: String) throws -> [AuditEntry] {
        guard let tip = try repository.reference(Self.ref) else { return [] }
        let tree = try repository.tree(at: tip)
        guard let bytes = try tree.read(Self.indexPath(commit)) else { return [] }
        return try String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }.map { seq in
            guard let b = try tree.read(Self.entryPath(seq)) else { throw Failure.unreadable("entry \(seq) indexed but missing") }
            return try JSONDecoder().decode(AuditEntry.self, from: Data(b))
        }
    }
}

extension AuditEntry {
    static func hashHex(_ bytes: [UInt8]) -> String {
        Merkle.hex(Array(SHA256.hash(data: bytes)))
    }
}
