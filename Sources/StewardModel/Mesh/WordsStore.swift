import Foundation

/// Words kept on disk between runs, by the git id of what they were taken from
/// (docs/parse-cache.md, "Product words", "Transform words" and "Transform reads"): a git id
/// never changes content, so an entry is never stale. Product words are kept by the id of a
/// domain's `products/` folder, transform words by the id of the transform's blob, and what
/// a product reads by a hash of its transform's blob id and its inputs' columns. One file per kind,
/// `<git dir>/steward/<kind>`, read whole and, when a run added words, written whole under a
/// temporary name and renamed into place. The words this run
/// used come first and the rest follow in their old order until `maxBytes`, so the folders of
/// recent commits stay. Best effort, like the parse cache: an unreadable or damaged file only
/// means reading the product files again.
public final class WordsStore {
    let file: URL
    static let maxBytes = 32 << 20
    /// Bump when what a folder's words are changes: `ProductWords.isSpace`, or which files
    /// `Readers` (StewardCLI/ScopedPair.swift) takes from a folder (its direct `*.odps.yaml`
    /// files), or `ParseStore.checksum`. Entries of another version are never read.
    static let productFormatVersion = 2
    /// Bump when what a transform's words are changes (`ModelView.forEachASCIIWord`, or how
    /// `TransformReads` joins them), or `ParseStore.checksum`.
    static let transformFormatVersion = 2
    /// Bump when what a product reads of its inputs changes (`TransformReads`: the byte scan,
    /// `Columns` and the `Fingerprint` of what it is made of, the key, the encoding), or
    /// `ParseStore.checksum`.
    static let transformReadsFormatVersion = 1
    private let magic: [UInt8]

    private var stored: [(key: String, words: [UInt8])] = []
    private var index: [String: Int] = [:]
    /// Positions in `stored` of the entries this run used, in the order first used.
    private var used: [Int] = []
    private var isUsed: [Bool] = []
    private var added = false
    private var loaded = false

    /// A store in `file`, whose header names its kind and format version.
    init(file: URL, version: Int = productFormatVersion) {
        self.file = file
        magic = Array("steward-\(file.lastPathComponent) \(version)\n".utf8)
    }

    /// The product words of the repository at `gitDir`, or nil with `STEWARD_PARSE_CACHE=off`.
    public static func products(gitDir: String) -> WordsStore? {
        if ProcessInfo.processInfo.environment["STEWARD_PARSE_CACHE"] == "off" { return nil }
        return WordsStore(file: URL(fileURLWithPath: gitDir).appendingPathComponent("steward/product-words"))
    }

    /// The transform words of the repository at `gitDir`, or nil with `STEWARD_PARSE_CACHE=off`.
    public static func transforms(gitDir: String) -> WordsStore? {
        if ProcessInfo.processInfo.environment["STEWARD_PARSE_CACHE"] == "off" { return nil }
        return WordsStore(file: URL(fileURLWithPath: gitDir).appendingPathComponent("steward/transform-words"),
                          version: transformFormatVersion)
    }

    /// What each product's transform reads of its inputs' columns (`input.reads`), by the
    /// transform's blob id and the columns, or nil with `STEWARD_PARSE_CACHE=off`.
    public static func transformReads(gitDir: String) -> WordsStore? {
        if ProcessInfo.processInfo.environment["STEWARD_PARSE_CACHE"] == "off" { return nil }
        return WordsStore(file: URL(fileURLWithPath: gitDir).appendingPathComponent("steward/transform-reads"),
                          version: transformReadsFormatVersion)
    }

    public func words(_ key: String) -> [UInt8]? {
        load()
        guard let i = index[key] else { return nil }
        use(i)
        return stored[i].words
    }

    /// Every key the store holds, for tests.
    var keys: [String] {
        load()
        return stored.map(\.key)
    }

    public func record(_ key: String, _ words: [UInt8]) {
        load()
        let i: Int
        if let known = index[key] {
            i = known
            stored[i].words = words
        } else {
            i = stored.count
            index[key] = i
            stored.append((key, words))
            isUsed.append(false)
        }
        use(i)
        added = true
    }

    private func use(_ i: Int) {
        if !isUsed[i] {
            isUsed[i] = true
            used.append(i)
        }
    }

    /// Writes the file again if this run added words.
    public func flush() {
        guard added else { return }
        added = false
        var out = magic
        var total = 0
        for i in used + stored.indices.filter({ !isUsed[$0] }) {
            let (key, words) = stored[i]
            total += words.count
            if total > Self.maxBytes && !isUsed[i] { break }
            var w = BinaryWriter(path: "")
            w.string(key)
            w.uint(UInt64(words.count))
            let sum = words.withUnsafeBytes { ParseStore.checksum(key, $0) }
            withUnsafeBytes(of: sum.littleEndian) { w.bytes.append(contentsOf: $0) }
            out += w.bytes
            out += words
        }
        let folder = file.deletingLastPathComponent()
        let name = file.lastPathComponent
        // Unique per writer: threads of one process (`history` judges commits in parallel)
        // may write the same store at once; the last rename wins, whole.
        let temporary = folder.appendingPathComponent("\(name).\(getpid()).\(UUID().uuidString).tmp")
        // Temporary files a killed run left behind (an hour is far longer than any write).
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where entry.hasPrefix(name + ".") && entry.hasSuffix(".tmp") {
            let url = folder.appendingPathComponent(entry)
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
        guard bytes.starts(with: magic) else { return }
        bytes.withUnsafeBytes { all in
            var r = BinaryReader(UnsafeRawBufferPointer(rebasing: all[magic.count...]), path: "")
            while !r.atEnd {
                guard let key = try? r.string(), let count = try? r.uint(), let sum = try? r.fixed64(),
                      UInt64(r.remaining) >= count else { return }
                let start = magic.count + r.position
                let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + Int(count)])
                guard ParseStore.checksum(key, slice) == sum else { return }
                if index[key] == nil {
                    index[key] = stored.count
                    stored.append((key, Array(slice)))
                    isUsed.append(false)
                }
                r.skip(Int(count))
            }
        }
    }
}
