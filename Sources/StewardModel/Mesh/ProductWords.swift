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
    /// What separates words; changing it changes stored words: bump `ProductWordsStore.formatVersion`.
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

/// Product words kept on disk between runs, by the git id of the folder they were taken from
/// (docs/parse-cache.md, "Product words"): a folder id never changes content, so an entry is
/// never stale. One file, `<git dir>/steward/product-words`, read whole and, when a run added
/// words, written whole under a temporary name and renamed into place. The words this run
/// used come first and the rest follow in their old order until `maxBytes`, so the folders of
/// recent commits stay. Best effort, like the parse cache: an unreadable or damaged file only
/// means reading the product files again.
public final class ProductWordsStore {
    let file: URL
    static let maxBytes = 32 << 20
    /// Bump when what a folder's words are changes: `ProductWords.isSpace`, or which files
    /// `Readers` (StewardCLI/ScopedPair.swift) takes from a folder (its direct `*.odps.yaml`
    /// files). Entries of another version are never read.
    static let formatVersion = 1
    private static let magic = Array("steward-product-words \(formatVersion)\n".utf8)

    private var stored: [(key: String, words: [UInt8])] = []
    private var index: [String: Int] = [:]
    private var used: [String] = []
    private var usedSet = Set<String>()
    private var added = false
    private var loaded = false

    init(file: URL) { self.file = file }

    /// The store of the repository at `gitDir`, or nil with `STEWARD_PARSE_CACHE=off`.
    public static func at(gitDir: String) -> ProductWordsStore? {
        if ProcessInfo.processInfo.environment["STEWARD_PARSE_CACHE"] == "off" { return nil }
        return ProductWordsStore(file: URL(fileURLWithPath: gitDir).appendingPathComponent("steward/product-words"))
    }

    public func words(_ key: String) -> [UInt8]? {
        load()
        guard let i = index[key] else { return nil }
        if usedSet.insert(key).inserted { used.append(key) }
        return stored[i].words
    }

    public func record(_ key: String, _ words: [UInt8]) {
        load()
        if let i = index[key] { stored[i].words = words } else {
            index[key] = stored.count
            stored.append((key, words))
        }
        if usedSet.insert(key).inserted { used.append(key) }
        added = true
    }

    /// Writes the file again if this run added words.
    public func flush() {
        guard added else { return }
        added = false
        var out = Self.magic
        var total = 0
        let rest = stored.map(\.key).filter { !usedSet.contains($0) }
        for key in used + rest {
            guard let i = index[key] else { continue }
            let words = stored[i].words
            total += words.count
            if total > Self.maxBytes && !usedSet.contains(key) { break }
            var w = BinaryWriter(path: "")
            w.string(key)
            w.uint(UInt64(words.count))
            let sum = words.withUnsafeBytes { ParseStore.checksum(key, $0) }
            withUnsafeBytes(of: sum.littleEndian) { w.bytes.append(contentsOf: $0) }
            out += w.bytes
            out += words
        }
        let folder = file.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent("product-words.\(getpid()).tmp")
        // Temporary files a killed run left behind (an hour is far longer than any write).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix("product-words.") && name.hasSuffix(".tmp") {
            let url = folder.appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
               modified.timeIntervalSinceNow < -3600 { try? FileManager.default.removeItem(at: url) }
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(out).write(to: temporary)
            guard rename(temporary.path, file.path) == 0 else { throw POSIXError(.EIO) }
        } catch {
            // A read-only repository or a full disk: the next run reads the files again.
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// Reads the file once; stops at the first damaged entry (a checksum that does not match).
    private func load() {
        guard !loaded else { return }
        loaded = true
        guard let data = FileManager.default.contents(atPath: file.path) else { return }
        let bytes = [UInt8](data)
        guard bytes.starts(with: Self.magic) else { return }
        bytes.withUnsafeBytes { all in
            var r = BinaryReader(UnsafeRawBufferPointer(rebasing: all[Self.magic.count...]), path: "")
            while !r.atEnd {
                guard let key = try? r.string(), let count = try? r.uint(), let sum = try? r.fixed64(),
                      UInt64(r.remaining) >= count else { return }
                let start = Self.magic.count + r.position
                let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + Int(count)])
                guard ParseStore.checksum(key, slice) == sum else { return }
                if index[key] == nil {
                    index[key] = stored.count
                    stored.append((key, Array(slice)))
                }
                r.skip(Int(count))
            }
        }
    }
}
