import StewardModel
import StewardCore

/// `input.reads` (§5.2): the top-level columns of an input's contract that the product's
/// transform names, as its words (`ModelView.words(of:)`) see them. A heuristic: SQL is not
/// parsed.
///
/// The plain way, a set of every word of the text and a lookup per column, allocated a string
/// per word of 10,000 transforms, most of the model view's time on a large mesh. When the text
/// and the columns' spellings are ASCII (the rule in SQL), the words are instead looked up
/// where they lie in the text, in a small table of each input contract's spellings.
enum TransformReads {
    typealias ColumnsRead = [(name: String, pii: Bool)]

    /// A contract's top-level columns and the words that name each: its lowercased name and
    /// physical name. What it is made of is what `Fingerprint` hashes: change them together.
    struct Columns: Sendable {
        var names: [String] = []
        var pii: [Bool] = []
        var spellings: [[String]] = []
        /// Every spelling is ASCII, so the byte scan can look for it.
        var ascii = true
        /// For the byte scan: the spellings, and each column's numbers in it. Made once per
        /// contract; a contract is the input of several products.
        var matcher = WordMatcher()
        var spellingIds: [[Int]] = []

        init(_ c: Contract) {
            for o in c.objects {
                for p in o.properties {
                    let words = [p.name.lowercased()] + (p.physicalName.map { [$0.lowercased()] } ?? [])
                    names.append(p.name)
                    pii.append(p.isPII)
                    spellings.append(words)
                    if ascii { ascii = words.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } } }
                }
            }
            if ascii { spellingIds = spellings.map { $0.map { matcher.add($0) } } }
        }

        /// The named columns, each once, in contract order; the first column of a name decides
        /// whether it is PII.
        func read(where named: (Int) -> Bool) -> ColumnsRead {
            var out: ColumnsRead = []
            for k in names.indices where named(k) && !out.contains(where: { $0.name == names[k] }) {
                out.append((names[k], pii[k]))
            }
            return out
        }
    }

    /// For each input (nil when its contract is unknown), the columns `sql` names.
    static func reads(of sql: String, inputs: [Columns?]) -> [ColumnsRead] {
        var text = sql
        let fast: [ColumnsRead]? = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return reads(inputs) { $0.found(in: bytes) }
        }
        if let fast { return fast }
        let words = ModelView.words(of: sql)
        return inputs.map { columns in
            columns?.read { k in columns!.spellings[k].contains { words.contains($0) } } ?? []
        }
    }

    /// Whether `reads(of:inputs:)` finds the columns of `sql` by the byte scan (the text and
    /// every input's spellings ASCII): what it finds then depends on nothing but the bytes.
    static func scansAsBytes(_ sql: String, inputs: [Columns?]) -> Bool {
        inputs.allSatisfy { $0?.ascii ?? true } && sql.utf8.allSatisfy { $0 < 0x80 }
    }

    /// `reads(of:inputs:)` of an ASCII text, given its `words` instead; nil when a column is
    /// spelled with other than ASCII (the text must then be read).
    static func reads(words: [UInt8], inputs: [Columns?]) -> [ColumnsRead]? {
        words.withUnsafeBufferPointer { bytes in reads(inputs) { $0.found(inWords: bytes) } }
    }

    /// The byte scan, each input's spellings looked for by its own matcher: nil when a column
    /// is spelled with other than ASCII.
    private static func reads(_ inputs: [Columns?], found scan: (WordMatcher) -> [Bool]) -> [ColumnsRead]? {
        guard inputs.allSatisfy({ $0?.ascii ?? true }) else { return nil }
        return inputs.map { columns in
            guard let columns else { return [] }
            let found = scan(columns.matcher)
            return columns.read { k in columns.spellingIds[k].contains { found[$0] } }
        }
    }

    /// The words of an ASCII text as the byte scan sees them, lowercased, each once, one per
    /// line: what `WordsStore.transforms` keeps by blob id. Nil for text that is not ASCII.
    static func words(of sql: String) -> [UInt8]? {
        var text = sql
        return text.withUTF8 { bytes -> [UInt8]? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var seen = Set<[UInt8]>()
            var out: [UInt8] = []
            ModelView.forEachASCIIWord(in: bytes) { range in
                let word = bytes[range].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                if seen.insert(word).inserted {
                    out += word
                    out.append(UInt8(ascii: "\n"))
                }
            }
            return out
        }
    }
}

extension TransformReads {
    /// What `Columns(c)` is made of (each top-level column's name, physical name and whether
    /// it is PII, in order), hashed to 128 bits: equal for equal columns, and for different
    /// ones as unlikely to be equal as two random draws.
    struct Fingerprint: Sendable {
        private var a: UInt64 = 0xcbf2_9ce4_8422_2325
        private var b: UInt64 = 0x9e37_79b9_7f4a_7c15

        init(_ c: Contract) {
            for o in c.objects.indices {
                // Field by field through a pointer: a copy of each property was most of the time.
                c.objects[o].properties.withUnsafeBufferPointer { properties in
                    for k in properties.indices {
                        add(properties[k].name)
                        if let physical = properties[k].physicalName { add(0xFE); add(physical) } else { add(0xFD) }
                        add((properties.baseAddress! + k).isPII ? 1 : 0)  // in place (see `UnsafePointer.isPII`)
                    }
                }
            }
        }

        init() {}

        /// FNV-1a, and beside it a multiply-and-shift hash of its own.
        mutating func add(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b &+ UInt64(byte) &+ 1) &* 0xbf58_476d_1ce4_e5b9
            b ^= b >> 31
        }

        /// A text and its end: 0xFF, never a byte of UTF-8.
        mutating func add(_ text: String) {
            for byte in text.utf8 { add(byte) }
            add(0xFF)
        }

        mutating func add(_ other: Fingerprint) {
            for shift in stride(from: 0, to: 64, by: 8) {
                add(UInt8(truncatingIfNeeded: other.a >> UInt64(shift)))
                add(UInt8(truncatingIfNeeded: other.b >> UInt64(shift)))
            }
        }

        /// 32 hexadecimal digits: `a`, then `b`, most significant first.
        var hex: String {
            Hex.lowercase(withUnsafeBytes(of: a.bigEndian, Array.init) + withUnsafeBytes(of: b.bigEndian, Array.init))
        }
    }

    /// The key `WordsStore.transformReads` keeps a product's reads by: its transform's blob id
    /// and its inputs' columns, port by port (nil for a port whose contract is unknown), hashed.
    static func key(transform blob: String, inputs: [Fingerprint?]) -> String {
        var all = Fingerprint()
        all.add(blob)
        for input in inputs {
            if let input { all.add(1); all.add(input) } else { all.add(0) }
        }
        return all.hex
    }

    /// A product's reads, port by port, as the store keeps them, in the parse cache's binary
    /// form (`BinaryWriter`): per port the number of columns, then per column whether it is
    /// PII and its name.
    static func encode(_ reads: [ColumnsRead]) -> [UInt8] {
        var w = BinaryWriter(path: "")
        for port in reads {
            w.uint(UInt64(port.count))
            for column in port {
                w.bool(column.pii)
                w.string(column.name)
            }
        }
        return Array(w.bytes[...])  // not the writer's buffer, which keeps room for 2 KB
    }

    /// `encode`'s reads of `ports` ports; nil when the bytes are not that.
    static func decode(_ bytes: [UInt8], ports: Int) -> [ColumnsRead]? {
        bytes.withUnsafeBytes { all -> [ColumnsRead]? in
            var r = BinaryReader(all, path: "")
            do throws(CodecError) {
                var out: [ColumnsRead] = []
                out.reserveCapacity(ports)
                for _ in 0..<ports {
                    let count = try r.count()
                    var port: ColumnsRead = []
                    port.reserveCapacity(count)
                    for _ in 0..<count {
                        let pii = try r.bool()
                        port.append((try r.string(), pii))
                    }
                    out.append(port)
                }
                return r.atEnd ? out : nil
            } catch {
                return nil
            }
        }
    }
}

/// A set of lowercase ASCII words, and which of them a text's words (`forEachASCIIWord`)
/// are, compared byte by byte and case-insensitively where they lie: no string per word.
struct WordMatcher: Sendable {
    /// The words' bytes end to end; word `i` is `bytes[ends[i - 1]..<ends[i]]` (one buffer,
    /// not an array per word: a matcher is made for each of 10,000 contracts).
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Open addressing: a word's position + 1, 0 for empty; the size a power of two.
    private var table: [Int32] = []
    private var hashes: [UInt64] = []

    private var count: Int { ends.count }

    private func word(_ i: Int) -> ArraySlice<UInt8> { bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]] }

    /// The word's number, the same for the same word.
    mutating func add(_ word: String) -> Int {
        var text = word
        let h = text.withUTF8 { Self.hash($0, lowercasing: false) }
        if let i = find(h, { $0.elementsEqual(text.utf8) }) { return i }
        bytes += text.utf8
        ends.append(bytes.count)
        hashes.append(h)
        if table.count < count * 2 {
            table = Array(repeating: 0, count: max(16, table.count * 2))
            for (i, h) in hashes.enumerated() { insert(i, hash: h) }
        } else {
            insert(count - 1, hash: h)
        }
        return count - 1
    }

    /// Per added word, whether `text` has it among its words.
    func found(in text: UnsafeBufferPointer<UInt8>) -> [Bool] {
        var found = Array(repeating: false, count: count)
        guard count > 0 else { return found }
        ModelView.forEachASCIIWord(in: text) { look(UnsafeBufferPointer(rebasing: text[$0]), &found) }
        return found
    }

    /// Per added word, whether it is one of `list`, words one per line (`TransformReads.words`).
    func found(inWords list: UnsafeBufferPointer<UInt8>) -> [Bool] {
        var found = Array(repeating: false, count: count)
        guard count > 0 else { return found }
        var start = 0
        for (i, byte) in list.enumerated() where byte == UInt8(ascii: "\n") {
            look(UnsafeBufferPointer(rebasing: list[start..<i]), &found)
            start = i + 1
        }
        return found
    }

    private func look(_ word: UnsafeBufferPointer<UInt8>, _ found: inout [Bool]) {
        let h = Self.hash(word, lowercasing: true)
        if let i = find(h, { Self.equalsLowercased(word, $0) }) { found[i] = true }
    }

    private func find(_ hash: UInt64, _ matches: (ArraySlice<UInt8>) -> Bool) -> Int? {
        guard !table.isEmpty else { return nil }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 {
            let i = Int(table[slot] - 1)
            if hashes[i] == hash && matches(word(i)) { return i }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func insert(_ i: Int, hash: UInt64) {
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 { slot = (slot + 1) & mask }
        table[slot] = Int32(i + 1)
    }

    /// FNV-1a, of the bytes with ASCII capitals lowercased when asked.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, lowercasing: Bool) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(lowercasing ? lower(b) : b)) &* 0x100_0000_01b3
        }
        return h
    }

    private static func lower(_ b: UInt8) -> UInt8 {
        b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
    }

    private static func equalsLowercased(_ text: UnsafeBufferPointer<UInt8>, _ word: ArraySlice<UInt8>) -> Bool {
        text.count == word.count && zip(text, word).allSatisfy { lower($0) == $1 }
    }
}
