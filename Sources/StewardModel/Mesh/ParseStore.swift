import Foundation
import StewardCore

/// Parsed mesh files kept on disk between runs (docs/parse-cache.md), keyed by path and git
/// blob id: a blob never changes, so an entry is never stale. Only clean parses are stored.
///
/// The store is a folder of segment files, each written whole under a temporary name and
/// renamed into place, so readers see a segment entire or not at all. A run that parsed new
/// files adds one segment; past `maxSegments`, all but the largest are merged. Everything here is
/// best effort: a store that cannot be read or written only makes loading slower, and an
/// entry that fails its checksum or does not decode is parsed again.
public final class ParseStore: @unchecked Sendable {
    /// This build's folder: `<root>/v<format>-<executable size>-<executable mtime>`, so a new
    /// build of Steward (whose decoders may differ) never reads another build's entries.
    let directory: URL
    static let maxSegments = 8
    /// Past this many bytes of segments, the store starts over rather than grow.
    static let maxBytes = 512 << 20

    // INVARIANT: `segments` and `index` are filled once, by the first `open()`, under `lock`,
    // and never change afterwards; every caller of `lookup` has called `open()` first (which
    // takes the lock, so it sees them filled). `pending`, `damaged` and `hitCount` are
    // guarded by `lock`.
    private let lock = NSLock()
    private var opened = false
    /// Read once, and not copied again into an array: a whole mesh's segment is tens of MB, and
    /// the second copy was a third of the time the store took to open. Not mapped: a segment
    /// that another tool rewrote in place (a cache restore) would end the run with SIGBUS.
    private var segments: [(name: String, bytes: Data)] = []
    private var index: [String: (segment: Int, start: Int, count: Int, checksum: UInt64)] = [:]
    private var pending: [(key: String, bytes: [UInt8])] = []
    /// Keys whose stored entry failed its checksum or did not decode: stored again, fresh.
    private var damaged = Set<String>()
    private var hitCount = 0

    /// The store under `root` (`<git dir>/steward/parse-cache`), or nil when disabled with
    /// `STEWARD_PARSE_CACHE=off` or when this executable cannot be identified.
    public static func at(_ root: URL) -> ParseStore? {
        if ProcessInfo.processInfo.environment["STEWARD_PARSE_CACHE"] == "off" { return nil }
        guard let build = buildFingerprint() else { return nil }
        return ParseStore(directory: root.appendingPathComponent("v\(ModelCodec.formatVersion)-\(build)"))
    }

    init(directory: URL) { self.directory = directory }

    private static let magic = Array("steward-parse-cache\n".utf8)

    private static func buildFingerprint() -> String? {
        // stat(2) follows /proc/self/exe to the executable itself.
        let exe = FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : Bundle.main.executablePath
        guard let exe, let stamp = FileStamp(exe), stamp.size > 0 else { return nil }
        return "\(stamp.size)-\(stamp.modified)"
    }

    /// Reads every segment and indexes its entries (once).
    func open() {
        lock.withLock {
            guard !opened else { return }
            opened = true
            for name in segmentNames() {
                guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
                let s = segments.count
                segments.append((name, data))
                index.reserveCapacity(index.count + data.count / 1_024)
                data.withUnsafeBytes { bytes in
                    Self.scan(bytes) { key, start, count, checksum in index[key] = (s, start, count, checksum) }
                }
            }
        }
    }

    var entryCount: Int { lock.withLock { index.count } }
    /// Lookups answered from disk, for tests and traces.
    var hits: Int { lock.withLock { hitCount } }

    /// The stored parse of `key`, or nil (absent, damaged, or from an older layout).
    func lookup(_ key: String, path: String) -> MeshLoader.Parsed? {
        guard let e = index[key] else { return nil }
        return segments[e.segment].bytes.withUnsafeBytes { all -> MeshLoader.Parsed? in
            let slice = UnsafeRawBufferPointer(rebasing: all[e.start..<e.start + e.count])
            guard Self.checksum(key, slice) == e.checksum, let parsed = try? ModelCodec.decode(slice, path: path) else {
                lock.withLock { _ = damaged.insert(key) }
                return nil
            }
            lock.withLock { hitCount += 1 }
            return parsed
        }
    }

    /// Keeps a clean parse for `flush`.
    func record(_ key: String, _ parsed: MeshLoader.Parsed, path: String) {
        let bytes = ModelCodec.encode(parsed, path: path)
        lock.withLock { pending.append((key, bytes)) }
    }

    /// Writes what was recorded as one new segment; merges the segments past `maxSegments`.
    func flush() {
        let fresh = lock.withLock { () -> [(key: String, bytes: [UInt8])] in
            defer { pending = [] }
            return pending.filter { index[$0.key] == nil || damaged.contains($0.key) }
        }
        guard !fresh.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            removeOtherBuilds()
            removeAbandonedTemporaries()
            var existing = segmentNames()
            let size = existing.reduce(0) { $0 + fileSize($1) }
            if size > Self.maxBytes {
                for name in existing { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
                existing = []
            }
            if existing.count + 1 > Self.maxSegments {
                // Merge the new entries and every segment but the largest (usually a whole mesh's
                // first load, left as it is) into one; then remove what was merged. The fresh
                // entries come first, so they win over a damaged copy; damaged entries are dropped.
                let largest = existing.max { fileSize($0) < fileSize($1) }
                let merging = existing.filter { $0 != largest }
                var merged: [(key: String, bytes: [UInt8])] = []
                var seen = Set<String>()
                for e in fresh where seen.insert(e.key).inserted { merged.append(e) }
                for name in merging {
                    guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
                    data.withUnsafeBytes { bytes in
                        Self.scan(bytes) { key, start, count, sum in
                            let entry = Array(bytes[start..<start + count])
                            guard entry.withUnsafeBytes({ Self.checksum(key, $0) }) == sum, seen.insert(key).inserted else { return }
                            merged.append((key, entry))
                        }
                    }
                }
                try write(merged)
                for name in merging { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
            } else {
                try write(fresh)
            }
        } catch {
            // A read-only repository or a full disk: the next run parses again, nothing worse.
        }
    }

    // MARK: segments

    private func segmentNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
    }

    private func fileSize(_ name: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Temporary segments a killed run left behind (an hour is far longer than any write).
    private func removeAbandonedTemporaries() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasSuffix(".tmp") {
            let url = directory.appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
               modified.timeIntervalSinceNow < -3600 {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    /// Other builds' folders: their entries can never be read by this build.
    private func removeOtherBuilds() {
        let root = directory.deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where name != directory.lastPathComponent {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
    }

    private func write(_ entries: [(key: String, bytes: [UInt8])]) throws {
        // Time first so names sort oldest first; the pid and a random part keep them unique.
        let name = String(format: "%016llx-%d-%08x.seg", UInt64(Date().timeIntervalSince1970 * 1_000_000), getpid(), UInt32.random(in: 0...UInt32.max))
        let final = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(name + ".tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let file = FileHandle(forWritingAtPath: temporary.path) else { throw POSIXError(.EACCES) }
        do {
            // Written in chunks: a whole mesh's segment is tens of MB, not worth a second copy.
            var chunk = Self.magic
            for e in entries {
                var w = BinaryWriter(path: "")
                w.string(e.key)
                w.uint(UInt64(e.bytes.count))
                let sum = e.bytes.withUnsafeBytes { Self.checksum(e.key, $0) }
                withUnsafeBytes(of: sum.littleEndian) { w.bytes.append(contentsOf: $0) }
                chunk += w.bytes
                chunk += e.bytes
                if chunk.count >= 1 << 20 {
                    try file.write(contentsOf: chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            try file.write(contentsOf: chunk)
            try file.close()
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, final.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Calls `entry` for each well-formed entry of a segment; stops at the first damaged one.
    private static func scan(_ all: UnsafeRawBufferPointer, _ entry: (String, Int, Int, UInt64) -> Void) {
        guard all.starts(with: magic) else { return }
        var r = BinaryReader(UnsafeRawBufferPointer(rebasing: all[magic.count...]), path: "")
        var offset = magic.count
        while !r.atEnd {
            let before = r.position
            guard let key = try? r.string(), let count = try? r.uint(), let sum = try? r.fixed64(),
                  UInt64(r.remaining) >= count else { return }
            let start = offset + (r.position - before)
            entry(key, start, Int(count), sum)
            r.skip(Int(count))
            offset = start + Int(count)
        }
    }

    /// FNV-1a, 64 bits, of the key and then of the entry eight bytes a step (a byte a step was
    /// a fifth of reading a warm cache), each step folding the high half back into the low:
    /// catches a damaged entry (or a damaged key in front of a sound entry) before it is
    /// decoded into a wrong model. Changing it changes every stored checksum: bump
    /// `ModelCodec.formatVersion` and the `WordsStore` versions.
    static func checksum(_ key: String, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 {
            h ^= UInt64(b)
            h = h &* prime
        }
        h ^= 0xFF  // keeps `ab` + `c` apart from `a` + `bc`: 0xFF never occurs in UTF-8
        h = h &* prime
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* prime
            h ^= h >> 32
            i += 8
        }
        while i < bytes.count {
            h = (h ^ UInt64(bytes[i])) &* prime
            i += 1
        }
        return h
    }
}
