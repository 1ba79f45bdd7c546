import Crypto
import Foundation
import StewardCore

/// The Merkle tree of RFC 6962 (Certificate Transparency) over the audit entries: leaves and
/// nodes are hashed with different prefixes so one cannot pass for the other, and a tree of
/// any size splits at the largest power of two below it. A verifier holding only two roots
/// can check that the later log extends the earlier one (consistency), and holding one root,
/// that an entry is in it (inclusion).
public enum Merkle {
    public typealias Hash = [UInt8]

    public static func leafHash(_ bytes: [UInt8]) -> Hash { Array(SHA256.hash(data: [0] + bytes)) }
    static func nodeHash(_ l: Hash, _ r: Hash) -> Hash { Array(SHA256.hash(data: [1] + l + r)) }
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The root over `leaves` (leaf hashes).
    public static func root(_ leaves: ArraySlice<Hash>) -> Hash {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves.first!
        default:
            let k = split(leaves.count)
            return nodeHash(root(leaves.prefix(k)), root(leaves.dropFirst(k)))
        }
    }

    public static func root(_ leaves: [Hash]) -> Hash { root(leaves[...]) }

    /// The audit path of leaf `index` in the tree of `leaves` (RFC 6962 §2.1.1).
    public static func inclusionProof(_ index: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        guard leaves.count > 1 else { return [] }
        let k = split(leaves.count)
        if index < k { return inclusionProof(index, leaves.prefix(k)) + [root(leaves.dropFirst(k))] }
        return inclusionProof(index - k, leaves.dropFirst(k)) + [root(leaves.prefix(k))]
    }

    /// Whether `leaf` is at `index` in a tree of `size` leaves with `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(leaf: Hash, index: Int, size: Int, proof: [Hash], root: Hash) -> Bool {
        // A negative index shifts arithmetically to -1, whose bits read as "right child" all
        // the way up: without this, the proof of the last leaf would also pass at index -1.
        guard index >= 0, index < size else { return false }
        var (fn, sn) = (index, size - 1)
        var r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// The proof that the first `m` leaves are a prefix of all `leaves` (RFC 6962 §2.1.2).
    public static func consistencyProof(_ m: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        guard m > 0, m < leaves.count else { return [] }
        return subproof(m, leaves, true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<Hash>, _ complete: Bool) -> [Hash] {
        let n = leaves.count
        if m == n { return complete ? [] : [root(leaves)] }
        let k = split(n)
        if m <= k { return subproof(m, leaves.prefix(k), complete) + [root(leaves.dropFirst(k))] }
        return subproof(m - k, leaves.dropFirst(k), false) + [root(leaves.prefix(k))]
    }

    /// Whether a tree of `size2` leaves with `root2` extends one of `size1` with `root1`
    /// (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(size1: Int, size2: Int, root1: Hash, root2: Hash, proof: [Hash]) -> Bool {
        guard size1 >= 0, size2 >= 0 else { return false }
        if size1 == size2 { return proof.isEmpty && root1 == root2 }
        // The empty tree is a prefix of every tree, but only the empty tree has its root.
        if size1 == 0 { return proof.isEmpty && root1 == emptyRoot }
        guard size1 < size2, !proof.isEmpty else { return false }
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }  // size1 a power of two: its root is a node of the proof
        var (fn, sn) = (size1 - 1, size2 - 1)
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == root1 && sr == root2
    }

    public static func hex(_ h: Hash) -> String { Hex.lowercase(h) }

    public static func unhex(_ s: String) -> Hash? {
        guard s.count % 2 == 0 else { return nil }
        var out: Hash = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            guard let b = UInt8(s[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }
}
