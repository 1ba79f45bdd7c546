import Crypto
import Foundation
import StewardGit
@testable import StewardAudit
import StewardTestSupport
import Testing

/// Tampers `AuditVerifier` missed or placed after the first bad entry.
@Suite struct VerifyReviewTests {
    func files(_ repo: Repository, at commit: ObjectID) throws -> [String: ObjectID] {
        let tree = try repo.tree(at: commit)
        var files: [String: ObjectID] = [:]
        for p in try tree.files(under: "") { files[p] = ObjectID(hex: tree.contentID(p)!)! }
        return files
    }

    func tip(_ repo: Repository) throws -> ObjectID { try #require(try repo.reference(AuditLog.ref)) }

    func problem(_ repo: Repository, keys: [String: [UInt8]] = [:]) throws -> AuditVerifier.Problem? {
        try AuditVerifier(repository: repo).verify(keys: keys).problem
    }

    /// Re-commits the chain from `seq` on (each commit's tree as it was, changed by `edit`),
    /// so the tamper sits inside the history, not only at the tip.
    func rewrite(_ repo: Repository, from seq: Int, _ edit: (Int, inout [String: ObjectID]) throws -> Void) throws {
        var chain: [ObjectID] = []
        var cursor: ObjectID? = try tip(repo)
        while let c = cursor { chain.append(c); cursor = try repo.commit(c).parents.first }
        chain.reverse()
        var parent: ObjectID? = seq > 0 ? chain[seq - 1] : nil
        for i in seq..<chain.count {
            var f = try files(repo, at: chain[i])
            try edit(i, &f)
            parent = try repo.writeCommit(tree: try repo.writeTree(f), parents: parent.map { [$0] } ?? [], message: "\(i)\n", author: auditor)
        }
        try move(repo, to: parent!)
    }

    @Test func aCheckpointWithTheRightRootAndAWrongFrontierIsNamed() throws {
        let (mesh, repo) = try auditRepository(6)
        defer { withExtendedLifetime(mesh) {} }
        // Entry 5's checkpoint keeps size and root, but lies about the right edge of the tree,
        // from which the next append computes its root.
        try rewrite(repo, from: 5) { _, f in
            var c = try JSONDecoder().decode(AuditLog.Checkpoint.self, from: Data(try repo.tree(at: try tip(repo)).read("checkpoint.json")!))
            c.frontier[0].hash = Merkle.hex(Merkle.leafHash([1]))
            f["checkpoint.json"] = try repo.writeBlob(Array(try JSONEncoder().encode(c)))
        }
        let p = try #require(try problem(repo), "a checkpoint with a forged frontier passes")
        #expect(p.seq == 5 && p.message.contains("checkpoint"), "\(p)")
        // Left alone, the next honest append inherits the lie, and an innocent entry would be blamed.
        try AuditLog(repository: repo).append(AuditEntry(seq: -1, type: .annotation, meshCommits: [], actor: "a", time: "t"), by: auditor)
        #expect(try problem(repo)?.seq == 5)
    }

    @Test func extraEntriesAtTheTipDoNotHideAnEarlierEdit() throws {
        let (mesh, repo) = try auditRepository(8)
        defer { withExtendedLifetime(mesh) {} }
        let t = try tip(repo)
        var f = try files(repo, at: t)
        var e = try JSONDecoder().decode(AuditEntry.self, from: Data(try repo.tree(at: t).read(AuditLog.entryPath(2))!))
        e.actor = "mallory@elsewhere.example"
        f[AuditLog.entryPath(2)] = try repo.writeBlob(e.canonicalBytes)
        f[AuditLog.entryPath(40)] = f[AuditLog.entryPath(7)]
        f[AuditLog.entryPath(41)] = f[AuditLog.entryPath(7)]
        try move(repo, to: try repo.writeCommit(tree: try repo.writeTree(f), parents: [t], message: "x\n", author: auditor))
        let p = try #require(try problem(repo))
        #expect(p.seq == 2 && p.message.contains("changed after it was appended"), "\(p)")
    }

    @Test func aMergeIsNamedAtItsPlaceAndTheEarliestMergeFirst() throws {
        let (mesh, repo) = try auditRepository(6)
        defer { withExtendedLifetime(mesh) {} }
        // Entries 2 and 4 are appended by merge commits (a second parent from a side line).
        let side = try forge(repo, [Array("{}".utf8)])
        try rewrite(repo, from: 2) { _, _ in }
        var chain: [ObjectID] = []
        var cursor: ObjectID? = try tip(repo)
        while let c = cursor { chain.append(c); cursor = try repo.commit(c).parents.first }
        chain.reverse()
        var parent = chain[1]
        for i in 2..<6 {
            let c = try repo.commit(chain[i])
            parent = try repo.writeCommit(tree: c.treeID, parents: i == 2 || i == 4 ? [parent, side] : [parent], message: "\(i)\n", author: auditor)
        }
        try move(repo, to: parent)
        let p = try #require(try problem(repo))
        #expect(p.seq == 2 && p.message.contains("merge"), "\(p)")
        // An entry changed before the merge is the first bad one.
        var f = try files(repo, at: parent)
        var e = try JSONDecoder().decode(AuditEntry.self, from: Data(try repo.tree(at: parent).read(AuditLog.entryPath(1))!))
        e.actor = "mallory@elsewhere.example"
        f[AuditLog.entryPath(1)] = try repo.writeBlob(e.canonicalBytes)
        f[AuditLog.entryPath(6)] = f[AuditLog.entryPath(5)]
        try move(repo, to: try repo.writeCommit(tree: try repo.writeTree(f), parents: [parent], message: "x\n", author: auditor))
        #expect(try problem(repo)?.seq == 1)
    }

    @Test func withKeysAWronglyChainedSignedEntryIsNamedNotTheSignedOneBeforeIt() throws {
        let (mesh, repo) = try auditRepository(0)
        defer { withExtendedLifetime(mesh) {} }
        let ci = AuditLog.Signer(name: "ci", key: .init())
        let keys = ["ci": Array(ci.key.publicKey.rawRepresentation)]
        let log = AuditLog(repository: repo)
        for i in 0..<5 {
            try log.append(AuditEntry(seq: -1, type: .check, meshCommits: [], actor: "ci", time: "t\(i)"), by: auditor, signer: ci)
        }
        // Entry 3 replaced by another entry 3 the key signed (in a fork of the log): its
        // signature holds, its `prev` does not hash entry 2, which is signed and intact.
        let t = try tip(repo)
        var other = try JSONDecoder().decode(AuditEntry.self, from: Data(try repo.tree(at: t).read(AuditLog.entryPath(3))!))
        other.prev = String(repeating: "0", count: 64)
        other.actor = "ci (fork)"
        let bytes = other.canonicalBytes
        let signature = AuditLog.EntrySignature(key: "ci", signature: try ci.key.signature(for: bytes).base64EncodedString())
        try rewrite(repo, from: 3) { i, f in
            f[AuditLog.entryPath(3)] = try repo.writeBlob(bytes)
            f[AuditLog.signaturePath(3)] = try repo.writeBlob(Array(try JSONEncoder().encode(signature)))
            var c = AuditLog.Checkpoint.empty
            let tree = try repo.tree(at: t)
            for s in 0...i { c = c.appending(Merkle.leafHash(s == 3 ? bytes : try tree.read(AuditLog.entryPath(s))!)) }
            f["checkpoint.json"] = try repo.writeBlob(Array(try JSONEncoder().encode(c)))
        }
        let p = try #require(try problem(repo, keys: keys))
        #expect(p.seq == 3, "\(p)")
        #expect(try problem(repo)?.seq == 2, "without keys, either entry may be the changed one: the earlier is named")
    }

    @Test func anIndexThatListsAnEntryUnderAnotherCommitIsNamed() throws {
        let (mesh, repo) = try auditRepository(6)
        defer { withExtendedLifetime(mesh) {} }
        // `audit show` of commit 1111… would now list entry 4, which is about 4444….
        try rewrite(repo, from: 5) { _, f in
            f[AuditLog.indexPath(String(repeating: "1", count: 40))] = try repo.writeBlob(Array("1\n4\n".utf8))
        }
        let p = try #require(try problem(repo), "a lying index passes")
        #expect(p.message.contains("index"), "\(p)")
        #expect(try AuditLog(repository: repo).entries(about: String(repeating: "1", count: 40)).map(\.seq) == [1, 4])
    }
}
