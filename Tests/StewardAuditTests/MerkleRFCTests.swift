import Crypto
import Foundation
@testable import StewardAudit
import Testing

/// `Merkle` against a second implementation written from the RFC text alone (RFC 6962 §2.1,
/// RFC 9162 §2.1.1–2.1.4): the trees, the proofs, and both verification algorithms.
enum RFC {
    typealias H = [UInt8]
    static func sha(_ b: [UInt8]) -> H { Array(SHA256.hash(data: b)) }
    static func leaf(_ d: [UInt8]) -> H { sha([0x00] + d) }
    static func node(_ l: H, _ r: H) -> H { sha([0x01] + l + r) }

    /// k: the largest power of two smaller than n.
    static func k(_ n: Int) -> Int {
        precondition(n > 1)
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    /// MTH(D[n]) over the entries themselves.
    static func mth(_ d: [[UInt8]]) -> H {
        if d.isEmpty { return sha([]) }
        if d.count == 1 { return leaf(d[0]) }
        let k = k(d.count)
        return node(mth(Array(d[0..<k])), mth(Array(d[k...])))
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ d: [[UInt8]]) -> [H] {
        if d.count == 1 { return [] }
        let k = k(d.count)
        return m < k ? path(m, Array(d[0..<k])) + [mth(Array(d[k...]))]
                     : path(m - k, Array(d[k...])) + [mth(Array(d[0..<k]))]
    }

    /// The number of nodes in PATH(m, D[n]).
    static func pathLength(_ m: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        let k = k(n)
        return 1 + (m < k ? pathLength(m, k) : pathLength(m - k, n - k))
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    static func proof(_ m: Int, _ d: [[UInt8]]) -> [H] { subproof(m, d, true) }

    static func subproof(_ m: Int, _ d: [[UInt8]], _ b: Bool) -> [H] {
        let n = d.count
        if m == n { return b ? [] : [mth(d)] }
        let k = k(n)
        return m <= k ? subproof(m, Array(d[0..<k]), b) + [mth(Array(d[k...]))]
                      : subproof(m - k, Array(d[k...]), false) + [mth(Array(d[0..<k]))]
    }

    /// RFC 9162 §2.1.3.2, step by step, on unsigned numbers.
    static func verifyInclusion(hash: H, index: UInt64, size: UInt64, path: [H], root: H) -> Bool {
        if index >= size { return false }
        var fn = index, sn = size - 1
        var r = hash
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = node(p, r)
                if fn & 1 == 0 { repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0 }
            } else {
                r = node(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2, step by step (0 < first < second).
    static func verifyConsistency(first: UInt64, second: UInt64, firstHash: H, secondHash: H, path: [H]) -> Bool {
        if first == 0 || first >= second { return false }
        if path.isEmpty { return false }
        var path = path
        if first & (first - 1) == 0 { path.insert(firstHash, at: 0) }
        var fn = first - 1, sn = second - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = node(c, fr)
                sr = node(c, sr)
                if fn & 1 == 0 { repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0 }
            } else {
                sr = node(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return fr == firstHash && sr == secondHash && sn == 0
    }
}

@Suite struct MerkleRFCTests {
    static let maxSize = 70
    let data: [[UInt8]] = (0..<MerkleRFCTests.maxSize).map { Array("leaf \($0) \(String(repeating: "x", count: $0 % 7))".utf8) }

    func flipped(_ proof: [Merkle.Hash], _ at: Int, byte: Int) -> [Merkle.Hash] {
        var p = proof
        p[at][byte] ^= 0x01
        return p
    }

    @Test func treeHashesArePrefixedAndSplitAsTheRFCSays() {
        #expect(Merkle.emptyRoot == RFC.sha([]))
        #expect(Merkle.leafHash([1, 2]) == RFC.sha([0, 1, 2]))
        for n in 0...Self.maxSize {
            let d = Array(data.prefix(n))
            #expect(Merkle.root(d.map(Merkle.leafHash)) == RFC.mth(d), "n \(n)")
        }
        // The incremental checkpoint agrees at every size.
        var checkpoint = AuditLog.Checkpoint.empty
        for n in 1...Self.maxSize {
            checkpoint = checkpoint.appending(Merkle.leafHash(data[n - 1]))
            #expect(checkpoint.root == Merkle.hex(RFC.mth(Array(data.prefix(n)))), "n \(n)")
        }
    }

    @Test func inclusionProofsForEveryIndexAndSize() {
        for n in 1...Self.maxSize {
            let d = Array(data.prefix(n))
            let leaves = d.map(Merkle.leafHash)
            let root = RFC.mth(d)
            for i in 0..<n {
                let proof = Merkle.inclusionProof(i, leaves[...])
                #expect(proof == RFC.path(i, d), "n \(n) i \(i)")
                #expect(RFC.verifyInclusion(hash: leaves[i], index: UInt64(i), size: UInt64(n), path: proof, root: root), "n \(n) i \(i)")
                #expect(Merkle.verifyInclusion(leaf: leaves[i], index: i, size: n, proof: proof, root: root), "n \(n) i \(i)")
                // Tampered: any flipped byte of any node, another index, another size, a node
                // missing or added, another leaf.
                for j in proof.indices {
                    for byte in [0, 17, 31] {
                        #expect(!Merkle.verifyInclusion(leaf: leaves[i], index: i, size: n, proof: flipped(proof, j, byte: byte), root: root))
                    }
                }
                for other in 0..<n where other != i {
                    #expect(!Merkle.verifyInclusion(leaf: leaves[i], index: other, size: n, proof: proof, root: root), "n \(n) i \(i) as \(other)")
                }
                // Another size: refused unless its tree has the same path shape (the RFC's
                // algorithm cannot tell then; the size is authenticated with the root).
                for size in [n - 1, n + 1, 2 * n, n + 64] where size != n && size > i {
                    let ours = Merkle.verifyInclusion(leaf: leaves[i], index: i, size: size, proof: proof, root: root)
                    #expect(ours == RFC.verifyInclusion(hash: leaves[i], index: UInt64(i), size: UInt64(size), path: proof, root: root), "n \(n) i \(i) size \(size)")
                    if RFC.pathLength(i, size) != proof.count { #expect(!ours) }
                }
                if !proof.isEmpty {
                    #expect(!Merkle.verifyInclusion(leaf: leaves[i], index: i, size: n, proof: proof.dropLast(), root: root))
                }
                #expect(!Merkle.verifyInclusion(leaf: leaves[i], index: i, size: n, proof: proof + [root], root: root))
                #expect(!Merkle.verifyInclusion(leaf: Merkle.leafHash([0xFF]), index: i, size: n, proof: proof, root: root))
            }
            // Indices outside the tree, negative ones included, are refused whatever the proof.
            let last = Merkle.inclusionProof(n - 1, leaves[...])
            for index in [n, n + 1, -1, -2, Int.min] {
                #expect(!Merkle.verifyInclusion(leaf: leaves[n - 1], index: index, size: n, proof: last, root: root), "n \(n) index \(index)")
                #expect(!Merkle.verifyInclusion(leaf: leaves[0], index: index, size: n, proof: Merkle.inclusionProof(0, leaves[...]), root: root), "n \(n) index \(index)")
            }
        }
    }

    @Test func aNegativeIndexDoesNotPassForTheLastLeaf() {
        let leaves = data.prefix(2).map(Merkle.leafHash)
        let root = Merkle.root(leaves)
        let proof = Merkle.inclusionProof(1, leaves[...])
        #expect(Merkle.verifyInclusion(leaf: leaves[1], index: 1, size: 2, proof: proof, root: root))
        #expect(!Merkle.verifyInclusion(leaf: leaves[1], index: -1, size: 2, proof: proof, root: root))
        #expect(!Merkle.verifyInclusion(leaf: leaves[0], index: -1, size: 1, proof: [], root: leaves[0]))
    }

    @Test func consistencyProofsForEveryPairOfSizes() {
        let leaves = data.map(Merkle.leafHash)
        for n in 1...Self.maxSize {
            let d = Array(data.prefix(n))
            let root2 = RFC.mth(d)
            for m in 1...n {
                let root1 = RFC.mth(Array(d.prefix(m)))
                let proof = Merkle.consistencyProof(m, leaves.prefix(n))
                #expect(proof == RFC.proof(m, d), "m \(m) n \(n)")
                #expect(Merkle.verifyConsistency(size1: m, size2: n, root1: root1, root2: root2, proof: proof), "m \(m) n \(n)")
                if m == n {
                    #expect(proof.isEmpty)
                    #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: root1, root2: root2, proof: [root1]))
                    continue
                }
                #expect(RFC.verifyConsistency(first: UInt64(m), second: UInt64(n), firstHash: root1, secondHash: root2, path: proof), "m \(m) n \(n)")
                for j in proof.indices {
                    for byte in [0, 31] {
                        #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: root1, root2: root2, proof: flipped(proof, j, byte: byte)), "m \(m) n \(n) node \(j)")
                    }
                }
                for (s1, s2) in [(m + 1, n), (m, n + 1), (m - 1, n), (m, n - 1), (m, 2 * n)] where (s1, s2) != (m, n) && s1 >= 1 && s1 <= s2 {
                    let ours = Merkle.verifyConsistency(size1: s1, size2: s2, root1: root1, root2: root2, proof: proof)
                    let rfc = s1 < s2 && RFC.verifyConsistency(first: UInt64(s1), second: UInt64(s2), firstHash: root1, secondHash: root2, path: proof)
                    #expect(ours == rfc, "m \(m) n \(n) as \(s1) \(s2)")
                }
                #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: root1, root2: root2, proof: proof.dropLast()))
                #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: root1, root2: root2, proof: proof + [root2]))
                #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: root2, root2: root1, proof: proof))
                #expect(!Merkle.verifyConsistency(size1: n, size2: m, root1: root2, root2: root1, proof: proof))
                // A fork of the old tree at its last leaf does not extend to the new root.
                var forked = Array(d.prefix(m))
                forked[m - 1] = [0xEE]
                #expect(!Merkle.verifyConsistency(size1: m, size2: n, root1: RFC.mth(forked), root2: root2, proof: proof))
            }
        }
    }

    @Test func sizesOutsideTheTreesAreRefused() {
        let leaves = data.prefix(5).map(Merkle.leafHash)
        let root = Merkle.root(leaves)
        // The empty tree is a prefix of every tree, but only with the empty tree's root.
        #expect(Merkle.verifyConsistency(size1: 0, size2: 5, root1: Merkle.emptyRoot, root2: root, proof: []))
        #expect(!Merkle.verifyConsistency(size1: 0, size2: 5, root1: leaves[0], root2: root, proof: []))
        #expect(!Merkle.verifyConsistency(size1: -1, size2: 5, root1: root, root2: root, proof: []))
        #expect(!Merkle.verifyConsistency(size1: -1, size2: -1, root1: root, root2: root, proof: []))
        #expect(!Merkle.verifyConsistency(size1: -3, size2: 5, root1: leaves[0], root2: root, proof: Merkle.consistencyProof(1, leaves[...])))
        #expect(!Merkle.verifyInclusion(leaf: leaves[0], index: 0, size: -1, proof: [], root: leaves[0]))
    }
}
