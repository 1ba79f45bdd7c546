import Foundation
import StewardCore

/// The words of a folder of product files: every distinct run of bytes between ASCII
/// whitespace, one per line, in the order first met.
///
/// It answers "does any of these files contain `id`" exactly as a search of the files would,
/// for any `id` without whitespace: such an occurrence lies inside one run, so it is found
/// inside one word, and it cannot span the newline between two words. A domain's hundred
/// product files (60 KB) come down to about 9 KB of words.
public enum ProductWords {
    /// What separates words; changing it changes stored words: bump `WordsStore.productFormatVersion`.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0B || b == 0x0C }

    /// Whether `words` answers for `id`: ids with whitespace need the files themselves.
    public static func canAnswer(_ id: [UInt8]) -> Bool { !id.isEmpty && !id.contains(where: isSpace) }

    public static func of(_ files: [[UInt8]]) -> [UInt8] {
        // A hash set of byte ranges by hand: `Set<ArraySlice<UInt8>>` hashed each of a
        // folder's ~6,000 words through SipHash, which cost more than reading the files.
        var out: [UInt8] = []
        var spans: [(start: Int, count: Int)] = []
        var table = [Int32](repeating: -1, count: 1024)
        var mask = table.count - 1
        func slot(_ word: UnsafeRawBufferPointer) -> Int {  // FNV-1a, folded
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in word { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
            return Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        }
        func insert(_ word: UnsafeRawBufferPointer) {
            var i = slot(word)
            while table[i] >= 0 {
                let s = spans[Int(table[i])]
                if s.count == word.count && out.withUnsafeBytes({ memcmp($0.baseAddress! + s.start, word.baseAddress!, s.count) == 0 }) { return }
                i = (i + 1) & mask
            }
            table[i] = Int32(spans.count)
            spans.append((out.count, word.count))
            out.append(contentsOf: word)
            out.append(0x0A)
            if spans.count * 2 > table.count { rehash() }
        }
        func rehash() {
            table = [Int32](repeating: -1, count: table.count * 2)
            mask = table.count - 1
            out.withUnsafeBytes { all in
                for (n, s) in spans.enumerated() {
                    var i = slot(UnsafeRawBufferPointer(rebasing: all[s.start..<s.start + s.count]))
                    while table[i] >= 0 { i = (i + 1) & mask }
                    table[i] = Int32(n)
                }
            }
        }
        for file in files {
            file.withUnsafeBytes { bytes in
                var start = 0
                for i in 0...bytes.count where i == bytes.count || isSpace(bytes[i]) {
                    if i > start { insert(UnsafeRawBufferPointer(rebasing: bytes[start..<i])) }
                    start = i + 1
                }
            }
        }
        return out
    }

    /// Whether `haystack` contains `needle` (bytes): memchr to each candidate first byte, then memcmp.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= haystack.count else { return false }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                let base = h.baseAddress!
                let last = h.count - n.count  // the last offset a match can start at
                var i = 0
                while i <= last {
                    guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return false }
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
                    i = at + 1
                }
                return false
            }
        }
    }
}
