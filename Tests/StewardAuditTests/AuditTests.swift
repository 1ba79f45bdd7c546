import Foundation
import StewardGit
@testable import StewardAudit
import StewardTestSupport
import Testing

@Suite struct MerkleTests {
    func leaves(_ n: Int) -> [Merkle.Hash] { (0..<n).map { Merkle.leafHash(Array("entry \($0)".utf8)) } }

    @Test func inclusionAndConsistencyProofsVerifyAndRejectForgeries() {
        for n in 1...33 {
            let all = leaves(n)
            let root = Merkle.root(all)
            for i in 0..<n {
                let proof = Merkle.inclusionProof(i, all[...])
                #expect(Merkle.verifyInclusion(leaf: all[i], index: i, size: n, proof: proof, root: root), "n \(n) i \(i)")
                #expect(!Merkle.verifyInclusion(leaf: Merkle.leafHash([9]), index: i, size: n, proof: proof, root: root))
                if n > 1 { #expect(!Merkle.verifyInclusion(leaf: all[i], index: (i + 1) % n, size: n, proof: proof, root: root)) }
            }
            for m in 1...n {
                let proof = Merkle.consistencyProof(m, all[...])
                let old = Merkle.root(all.prefix(m))
                #expect(Merkle.verifyConsistency(size1: m, size2: n, root1: old, root2: root, proof: proof), "m \(m) n \(n)")
                if m < n {
                    #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: Merkle.leafHash([7]), root2: root, proof: proof))
                    var forked = all
                    forked[m - 1] = Merkle.leafHash([8])
                    #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: Merkle.root(forked.prefix(m)), root2: root, proof: proof))
                }
            }
        }
    }

    @Test func theIncrementalRootIsTheTreeRoot() {
        var checkpoint = AuditLog.Checkpoint.empty
        var all: [Merkle.Hash] = []
        for i in 0..<40 {
            all.append(Merkle.leafHash(Array("\(i)".utf8)))
            checkpoint = checkpoint.appending(all.last!)
            #expect(checkpoint.root == Merkle.hex(Merkle.root(all)) && checkpoint.size == all.count)
        }
    }
}

/// A repository with an audit log of `n` check entries about commits c0, c1, ...
func auditRepository(_ n: Int) throws -> (ScratchMesh, Repository) {
    let mesh = try ScratchMesh()
    try mesh.git("init", "-q")
    try mesh.git("add", "-A")
    try mesh.git("commit", "-q", "-m", "the mesh")
    let repo = try Repository.discover(from: mesh.path)
    let log = AuditLog(repository: repo)
    for i in 0..<n {
        try log.append(AuditEntry(seq: -1, type: .check, meshCommits: [String(repeating: "\(i % 10)", count: 40)],
                                  actor: "ci@acme.example", time: "2026-11-23T00:00:\(String(format: "%02d", i))Z",
                                  details: ["verdict": .string(i % 3 == 0 ? "fail" : "pass")]), by: auditor)
    }
    return (mesh, repo)
}

let auditor = Signature(name: "steward", email: "steward@acme.example", date: Date(timeIntervalSince1970: 1_780_000_000))

/// Rebuilds the log from raw entry bytes, with checkpoints and index recomputed the way an
/// append computes them: an attacker who knows the format.
func forge(_ repo: Repository, _ entries: [[UInt8]], onto parent: ObjectID? = nil) throws -> ObjectID {
    var files: [String: ObjectID] = [:]
    var checkpoint = AuditLog.Checkpoint.empty
    var tip = parent
    var index: [String: String] = [:]
    for (i, bytes) in entries.enumerated() {
        files[AuditLog.entryPath(i)] = try repo.writeBlob(bytes)
        if let e = try? JSONDecoder().decode(AuditEntry.self, from: Data(bytes)) {
            for c in e.meshCommits { index[c, default: ""] += "\(e.seq)\n"; files[AuditLog.indexPath(c)] = try repo.writeBlob(Array(index[c]!.utf8)) }
        }
        checkpoint = checkpoint.appending(Merkle.leafHash(bytes))
        files["checkpoint.json"] = try repo.writeBlob(Array(try JSONEncoder().encode(checkpoint)))
        tip = try repo.writeCommit(tree: try repo.writeTree(files), parents: tip.map { [$0] } ?? [], message: "\(i)\n", author: auditor)
    }
    return tip!
}

func move(_ repo: Repository, to id: ObjectID) throws {
    try repo.updateReference(AuditLog.ref, to: id, expecting: try repo.reference(AuditLog.ref), message: "tamper")
}

@Suite struct AuditLogTests {
    @Test func appendsChainIndexAndVerify() throws {
        let (mesh, repo) = try auditRepository(12)
        defer { withExtendedLifetime(mesh) {} }
        let log = AuditLog(repository: repo)
        let entries = try log.entries()
        #expect(entries.map(\.seq) == Array(0..<12))
        #expect(entries[0].prev == "" && entries[1].prev == AuditEntry.hashHex(entries[0].canonicalBytes))
        #expect(try log.entries(about: String(repeating: "3", count: 40)).map(\.seq) == [3])
        #expect(try log.entries(about: String(repeating: "1", count: 40)).map(\.seq) == [1, 11])
        let report = try AuditVerifier(repository: repo).verify()
        #expect(report.problem == nil && report.size == 12, "\(String(describing: report.problem))")
    }

    @Test func aDamagedCheckpointIsRefusedNotAppendedTo() throws {
        let (mesh, repo) = try auditRepository(3)
        defer { withExtendedLifetime(mesh) {} }
        let tip = try #require(try repo.reference(AuditLog.ref))
        let text = String(decoding: try #require(try repo.tree(at: tip).read("checkpoint.json")), as: UTF8.self)
        let damaged = text.replacingOccurrences(of: #""hash":"[0-9a-f]{64}""#, with: #""hash":"not hex""#, options: .regularExpression)
        #expect(damaged != text)
        let tree = try repo.updateTree(try repo.tree(at: tip).treeID, setting: ["checkpoint.json": try repo.writeBlob(Array(damaged.utf8))])
        let bad = try repo.writeCommit(tree: tree, parents: [tip], message: "3 annotation\n", author: auditor)
        try repo.updateReference(AuditLog.ref, to: bad, expecting: tip, message: "damage")
        #expect(throws: AuditLog.Failure.self) {
            try AuditLog(repository: repo).append(AuditEntry(seq: -1, type: .annotation, meshCommits: [], actor: "a", time: "t"), by: auditor)
        }
        #expect(try repo.reference(AuditLog.ref) == bad, "nothing appended")
    }

    @Test func concurrentAppendersNeverLoseOrDuplicateAnEntry() throws {
        let (mesh, repo) = try auditRepository(0)
        defer { withExtendedLifetime(mesh) {} }
        let path = mesh.path
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            do {
                let r = try Repository.discover(from: path)
                _ = try AuditLog(repository: r).append(AuditEntry(seq: -1, type: .annotation, meshCommits: [], actor: "w\(i)", time: "t"), by: auditor)
            } catch {
                failures.add("w\(i): \(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let entries = try AuditLog(repository: repo).entries()
        #expect(entries.map(\.seq) == Array(0..<6) && Set(entries.map(\.actor)).count == 6, "\(entries.map { "\($0.seq) \($0.actor)" })")
        #expect(try AuditVerifier(repository: repo).verify().problem == nil)
    }

    @Test func aCrashBeforeTheRefMovesLeavesTheOldChain() throws {
        let (mesh, repo) = try auditRepository(3)
        defer { withExtendedLifetime(mesh) {} }
        // Everything an append writes, except the last step: the ref still names the old tip.
        let bytes = try repo.tree(at: try #require(try repo.reference(AuditLog.ref))).read(AuditLog.entryPath(2))!
        _ = try forge(repo, [bytes], onto: try repo.reference(AuditLog.ref))
        #expect(try AuditVerifier(repository: repo).verify().problem == nil)
        try AuditLog(repository: repo).append(AuditEntry(seq: -1, type: .annotation, meshCommits: [], actor: "a", time: "t"), by: auditor)
        #expect(try AuditVerifier(repository: repo).verify().size == 4)
    }
}

@Suite struct TamperTests {
    func raw(_ repo: Repository) throws -> [[UInt8]] {
        let tree = try repo.tree(at: try #require(try repo.reference(AuditLog.ref)))
        return try (0..<10).map { try #require(try tree.read(AuditLog.entryPath($0))) }
    }

    func problem(_ repo: Repository, trusted: AuditVerifier.Trusted? = nil) throws -> AuditVerifier.Problem? {
        try AuditVerifier(repository: repo).verify(trusted: trusted).problem
    }

    func edited(_ bytes: [UInt8]) throws -> [UInt8] {
        var e = try JSONDecoder().decode(AuditEntry.self, from: Data(bytes))
        e.details["verdict"] = .string("pass")
        e.actor = "mallory@elsewhere.example"
        return e.canonicalBytes
    }

    @Test func anEntryEditedInANewCommitIsNamed() throws {
        let (mesh, repo) = try auditRepository(10)
        defer { withExtendedLifetime(mesh) {} }
        let tip = try #require(try repo.reference(AuditLog.ref))
        let tree = try repo.tree(at: tip)
        var files: [String: ObjectID] = [:]
        for p in try tree.files(under: "") { files[p] = ObjectID(hex: tree.contentID(p)!)! }
        files[AuditLog.entryPath(3)] = try repo.writeBlob(try edited(try raw(repo)[3]))
        try move(repo, to: try repo.writeCommit(tree: try repo.writeTree(files), parents: [tip], message: "fix\n", author: auditor))
        let p = try #require(try problem(repo))
        #expect(p.seq == 3 && p.message.contains("changed after it was appended"), "\(p)")
    }

    @Test func aRewrittenChainIsNamedAtTheFirstBadEntry() throws {
        let (mesh, repo) = try auditRepository(10)
        defer { withExtendedLifetime(mesh) {} }
        var entries = try raw(repo)
        entries[3] = try edited(entries[3])
        try move(repo, to: try forge(repo, entries))
        let p = try #require(try problem(repo))
        #expect(p.seq == 3 && p.message.contains("entry 4"), "\(p)")
    }

    @Test func aReorderADropAndAParseFailureAreNamed() throws {
        let (mesh, repo) = try auditRepository(10)
        defer { withExtendedLifetime(mesh) {} }
        let original = try raw(repo)
        var swapped = original
        swapped.swapAt(5, 6)
        try move(repo, to: try forge(repo, swapped))
        #expect(try problem(repo)?.seq == 5)
        var dropped = original
        dropped.remove(at: 7)
        try move(repo, to: try forge(repo, dropped))
        #expect(try problem(repo)?.seq == 7)
        var garbled = original
        garbled[2] = Array("{not json".utf8)
        try move(repo, to: try forge(repo, garbled))
        let p = try #require(try problem(repo))
        #expect(p.seq == 2 && p.message.contains("does not parse"), "\(p)")
    }

    @Test func truncationAndAFullyReforgedForkNeedWhatWasVerifiedBefore() throws {
        let (mesh, repo) = try auditRepository(10)
        defer { withExtendedLifetime(mesh) {} }
        let report = try AuditVerifier(repository: repo).verify()
        let trusted = AuditVerifier.Trusted(size: report.size, root: report.root, tip: report.tip)
        let tip = try #require(try repo.reference(AuditLog.ref))

        // Truncation: the ref moved back six entries.
        var back = tip
        for _ in 0..<6 { back = try repo.commit(back).parents[0] }
        try move(repo, to: back)
        #expect(try problem(repo) == nil, "a shorter log is internally sound")
        #expect(try problem(repo, trusted: trusted)?.message.contains("truncated") == true)

        // A fork from entry 6 on, every hash recomputed and every entry re-chained.
        var entries = try { () throws -> [[UInt8]] in try move(repo, to: tip); return try raw(repo) }()
        var forged = try JSONDecoder().decode(AuditEntry.self, from: Data(entries[6]))
        forged.details["verdict"] = .string("pass")
        entries[6] = forged.canonicalBytes
        for i in 7..<10 {
            var e = try JSONDecoder().decode(AuditEntry.self, from: Data(entries[i]))
            e.prev = AuditEntry.hashHex(entries[i - 1])
            entries[i] = e.canonicalBytes
        }
        try move(repo, to: try forge(repo, entries))
        #expect(try problem(repo) == nil, "a consistent forgery passes without a trusted checkpoint")
        let p = try #require(try problem(repo, trusted: trusted))
        #expect(p.seq == 6 && p.message.contains("rewritten or forked"), "\(p)")
        // Without the old tip, the fork is still detected, though not placed.
        #expect(try problem(repo, trusted: .init(size: trusted.size, root: trusted.root, tip: nil))?.message.contains("rewritten or forked") == true)
    }

    @Test func aMergeInTheLogIsRefused() throws {
        let (mesh, repo) = try auditRepository(3)
        defer { withExtendedLifetime(mesh) {} }
        let tip = try #require(try repo.reference(AuditLog.ref))
        let other = try forge(repo, [try raw3(repo)[0]])
        try move(repo, to: try repo.writeCommit(tree: try repo.commit(tip).treeID, parents: [tip, other], message: "merge\n", author: auditor))
        #expect(try problem(repo)?.message.contains("merge") == true)
    }

    func raw3(_ repo: Repository) throws -> [[UInt8]] {
        let tree = try repo.tree(at: try #require(try repo.reference(AuditLog.ref)))
        return try (0..<3).map { try #require(try tree.read(AuditLog.entryPath($0))) }
    }
}

@Suite struct SignatureTests {
    @Test func everyEntryMustBeSignedByAnAllowedKeyWhenKeysAreListed() throws {
        let (mesh, repo) = try auditRepository(0)
        defer { withExtendedLifetime(mesh) {} }
        let ci = AuditLog.Signer(name: "ci", key: .init())
        let keys = ["ci": Array(ci.key.publicKey.rawRepresentation)]
        let log = AuditLog(repository: repo)
        for i in 0..<4 {
            try log.append(AuditEntry(seq: -1, type: .annotation, meshCommits: [], actor: "ci", time: "t\(i)"), by: auditor, signer: ci)
        }
        #expect(try AuditVerifier(repository: repo).verify(keys: keys).problem == nil)

        // An unsigned entry, then one signed by a key the mesh does not list.
        try log.append(AuditEntry(seq: -1, type: .annotation, meshCommits: [], actor: "someone", time: "t4"), by: auditor)
        #expect(try AuditVerifier(repository: repo).verify(keys: keys).problem?.seq == 4)
        #expect(try AuditVerifier(repository: repo).verify(keys: keys).problem?.message.contains("not signed") == true)
        #expect(try AuditVerifier(repository: repo).verify().problem == nil, "without keys, signatures are not required")
    }

    @Test func aReforgedChainFailsWithoutAnyEarlierCheckpoint() throws {
        let (mesh, repo) = try auditRepository(0)
        defer { withExtendedLifetime(mesh) {} }
        let ci = AuditLog.Signer(name: "ci", key: .init())
        let keys = ["ci": Array(ci.key.publicKey.rawRepresentation)]
        let log = AuditLog(repository: repo)
        for i in 0..<5 {
            try log.append(AuditEntry(seq: -1, type: .check, meshCommits: [], actor: "ci", time: "t\(i)", details: ["verdict": .string("fail")]), by: auditor, signer: ci)
        }
        // The forger rewrites entry 2 and re-chains everything after it, keeping the
        // signature files it cannot recompute.
        let tip = try #require(try repo.reference(AuditLog.ref))
        let tree = try repo.tree(at: tip)
        var entries = try (0..<5).map { try #require(try tree.read(AuditLog.entryPath($0))) }
        var e = try JSONDecoder().decode(AuditEntry.self, from: Data(entries[2]))
        e.details["verdict"] = .string("pass")
        entries[2] = e.canonicalBytes
        for i in 3..<5 {
            var next = try JSONDecoder().decode(AuditEntry.self, from: Data(entries[i]))
            next.prev = AuditEntry.hashHex(entries[i - 1])
            entries[i] = next.canonicalBytes
        }
        var forged = try forge(repo, entries)
        var files: [String: ObjectID] = [:]
        let forgedTree = try repo.tree(at: forged)
        for p in try forgedTree.files(under: "") { files[p] = ObjectID(hex: forgedTree.contentID(p)!)! }
        for p in try tree.files(under: "signatures") { files[p] = ObjectID(hex: tree.contentID(p)!)! }
        forged = try repo.writeCommit(tree: try repo.writeTree(files), parents: [try repo.commit(forged).parents[0]], message: "4\n", author: auditor)
        try move(repo, to: forged)
        let p = try #require(try AuditVerifier(repository: repo).verify(keys: keys).problem)
        #expect(p.seq == 2 && p.message.contains("signature"), "\(p)")
    }
}

/// Errors collected from concurrent workers.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.withLock { list.append(s) } }
    var all: [String] { lock.withLock { list } }
}
