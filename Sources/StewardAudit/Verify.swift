import Crypto
import Foundation
import StewardGit

/// Checks the audit log (docs/audit-log.md §3) and names the first thing wrong: a chain that
/// is not linear, an entry that does not parse, a gap or a reorder in the sequence, an entry
/// changed after it was appended, a broken hash chain, a checkpoint that does not match the
/// entries, and, given a checkpoint trusted from an earlier verification, a log that does not
/// extend it (truncated, rewritten or forked).
public struct AuditVerifier {
    public let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The first entry concerned, when one can be named.
        public var seq: Int?
        public var commit: String?
        public var message: String
        public var description: String {
            (seq.map { "entry \($0)" } ?? "log") + (commit.map { " (commit \($0.prefix(10)))" } ?? "") + ": " + message
        }
    }

    public struct Report: Sendable {
        public var size: Int
        public var root: String
        public var tip: String?
        public var problem: Problem?
    }

    /// What an earlier verification saw: size and root (published, or remembered), and the
    /// tip it read, so the first rewritten entry can be named while that commit still exists.
    public struct Trusted: Sendable, Codable, Equatable {
        public var size: Int
        public var root: String
        public var tip: String?

        public init(size: Int, root: String, tip: String?) { (self.size, self.root, self.tip) = (size, root, tip) }
    }

    /// `keys`: the public keys (by name) allowed to sign entries; when any are given, every
    /// entry must carry a valid signature by one of them.
    public func verify(trusted: Trusted? = nil, keys: [String: [UInt8]] = [:]) throws -> Report {
        guard let tip = try repository.reference(AuditLog.ref) else {
            let problem = trusted.flatMap { $0.size > 0 ? Problem(seq: nil, commit: nil, message: "the log is gone; \($0.size) entries were verified before") : nil }
            return Report(size: 0, root: Merkle.hex(Merkle.emptyRoot), tip: nil, problem: problem)
        }
        // The chain, oldest first: every commit has one parent, the first none.
        // A merge is named at its place below (by first parents), after the entries before it.
        var chain: [Commit] = []
        var cursor: ObjectID? = tip
        while let id = cursor {
            let c = try repository.commit(id)
            chain.append(c)
            cursor = c.parents.first
        }
        chain.reverse()
        let tipTree = try repository.tree(at: tip)
        var leaves: [Merkle.Hash] = []
        var previous: [UInt8]?
        var checkpoint = AuditLog.Checkpoint.empty
        func fail(_ seq: Int?, _ commit: Commit?, _ message: String) -> Report {
            Report(size: leaves.count, root: Merkle.hex(Merkle.root(leaves)), tip: tip.description,
                   problem: Problem(seq: seq, commit: commit?.id.description, message: message))
        }
        // Every entry's index listings, to compare with the tip's index once all are read.
        var index: [String: [Int]] = [:]
        for (seq, commit) in chain.enumerated() {
            if commit.parents.count > 1 {
                return fail(seq, commit, "a merge in the log: it must be one line of appends")
            }
            let path = AuditLog.entryPath(seq)
            let tree = try repository.tree(at: commit.id)
            guard let bytes = try tree.read(path) else {
                return fail(seq, commit, "the append does not hold entry \(seq) at \(path): the sequence has a gap or is out of order")
            }
            if try tree.read(AuditLog.entryPath(seq + 1)) != nil {
                return fail(seq + 1, commit, "entry \(seq + 1) appears before it was appended")
            }
            guard let now = try tipTree.read(path) else { return fail(seq, commit, "entry \(seq) is missing from the tip: the log was truncated") }
            if now != bytes { return fail(seq, commit, "entry \(seq) was changed after it was appended") }
            let entry: AuditEntry
            do { entry = try JSONDecoder().decode(AuditEntry.self, from: Data(bytes)) } catch {
                return fail(seq, commit, "does not parse: \(error)")
            }
            if entry.canonicalBytes != bytes { return fail(seq, commit, "is not in canonical form") }
            if entry.seq != seq { return fail(seq, commit, "says it is entry \(entry.seq): entries were reordered or dropped") }
            let expectedPrev = previous.map(AuditEntry.hashHex) ?? ""
            if entry.prev != expectedPrev && seq == 0 { return fail(0, commit, "the first entry has a `prev`: entries before it were dropped") }
            if entry.prev != expectedPrev && !keys.isEmpty {
                // The previous entry carries a valid signature by an allowed key: it is as
                // signed, so this entry is the one that does not belong.
                return fail(seq, commit, "its `prev` does not hash entry \(seq - 1), which is signed and intact: it was changed or does not belong here")
            }
            if entry.prev != expectedPrev {
                // The earliest entry that can be the bad one: the previous entry was changed,
                // or this one's `prev` was.
                return fail(seq - 1, chain[seq - 1], "entry \(seq)'s `prev` does not hash it: it was changed after entry \(seq) was written (or entry \(seq)'s `prev` was)")
            }
            for mesh in Set(entry.meshCommits) { index[AuditLog.indexPath(mesh), default: []].append(seq) }
            for mesh in entry.meshCommits {
                let indexed = try tipTree.read(AuditLog.indexPath(mesh)).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").compactMap { Int($0) } } ?? []
                if !indexed.contains(seq) { return fail(seq, commit, "the index of mesh commit \(mesh.prefix(10)) does not list it") }
            }
            if !keys.isEmpty {
                guard let raw = try tipTree.read(AuditLog.signaturePath(seq)),
                      let sig = try? JSONDecoder().decode(AuditLog.EntrySignature.self, from: Data(raw)) else {
                    return fail(seq, commit, "is not signed, and the mesh requires signed entries")
                }
                guard let key = keys[sig.key], let pub = try? Curve25519.Signing.PublicKey(rawRepresentation: key) else {
                    return fail(seq, commit, "is signed by `\(sig.key)`, which is not an allowed key")
                }
                guard let signature = Data(base64Encoded: sig.signature), pub.isValidSignature(signature, for: bytes) else {
                    return fail(seq, commit, "its signature by `\(sig.key)` does not match its bytes")
                }
            }
            leaves.append(Merkle.leafHash(bytes))
            checkpoint = checkpoint.appending(leaves.last!)
            guard let stored = try tree.read("checkpoint.json"),
                  let recorded = try? JSONDecoder().decode(AuditLog.Checkpoint.self, from: Data(stored)),
                  recorded == checkpoint else {
                // The frontier too: the next append computes its root from it.
                return fail(seq, commit, "the checkpoint after it does not match the entries")
            }
            previous = bytes
        }
        let root = Merkle.hex(Merkle.root(leaves))
        if let trusted {
            if leaves.count < trusted.size {
                return fail(leaves.count, chain.last, "the log has \(leaves.count) entries, fewer than the \(trusted.size) verified before: it was truncated")
            }
            if Merkle.hex(Merkle.root(leaves.prefix(trusted.size))) != trusted.root {
                // Name the first entry that differs from what was trusted, when the old tip is still known.
                if let old = trusted.tip.flatMap(ObjectID.init(hex:)), let oldTree = try? repository.tree(at: old) {
                    for seq in 0..<trusted.size {
                        let path = AuditLog.entryPath(seq)
                        if try oldTree.read(path) != tipTree.read(path) {
                            return fail(seq, chain[seq], "differs from the entry verified before: the log was rewritten or forked from here")
                        }
                    }
                }
                return fail(nil, nil, "the first \(trusted.size) entries are not the ones verified before (root \(trusted.root.prefix(12))): the log was rewritten or forked")
            }
        }
        // What the tip holds beyond the appends: extra entries, index listings of entries
        // under commits they are not about (`audit show` reads them).
        let listed = try tipTree.files(under: "entries")
        if listed.count > chain.count {
            return fail(chain.count, chain.last, "the tip holds \(listed.count) entries but the chain has \(chain.count) appends")
        }
        var wrong: [(seq: Int?, path: String)] = []
        for path in try tipTree.files(under: "index") {
            let listedSeqs = try tipTree.read(path).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").map { Int($0) } } ?? []
            let expected = index[path] ?? []
            if listedSeqs != expected.map(Optional.some) {
                let extra = listedSeqs.compactMap { $0 }.filter { !expected.contains($0) && $0 >= 0 && $0 < chain.count }.min()
                wrong.append((extra ?? expected.first, path))
            }
        }
        if let first = wrong.min(by: { ($0.seq ?? Int.max, $0.path) < ($1.seq ?? Int.max, $1.path) }) {
            return fail(first.seq, first.seq.map { chain[$0] }, "the index \(first.path) does not list exactly the entries about that commit")
        }
        return Report(size: leaves.count, root: root, tip: tip.description, problem: nil)
    }
}
