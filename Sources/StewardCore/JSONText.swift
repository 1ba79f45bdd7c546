/// JSON written straight to bytes, byte for byte as Foundation's `JSONEncoder` writes it with
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`: two-space indents, ` : ` after
/// keys, `/` unescaped, control characters escaped (`\n`, `\u001f`), everything else as UTF-8.
///
/// For reports large enough that the encoder's tree of boxed values was the cost: `check --all`
/// on 10,000 products reports 3,774 findings, which took the encoder 35-40 ms on one core.
/// Keys must come in sorted order (by UTF-8), as `.sortedKeys` would put them; a debug build
/// checks it. Tests hold the output to `JSONEncoder`'s.
public struct JSONText {
    public private(set) var bytes: [UInt8] = []
    private var indent = 0
    /// Per open container: whether it is an object, and how many members it has so far.
    private var open: [(isObject: Bool, count: Int, lastKey: String)] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: containers

    public mutating func beginObject() { begin(UInt8(ascii: "{"), object: true) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { begin(UInt8(ascii: "["), object: false) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The next member's key, in an object; its value follows.
    public mutating func key(_ key: String) {
        precondition(open.last?.isObject == true, "a key outside an object")
        assert(open[open.count - 1].count == 0 || open[open.count - 1].lastKey.utf8.lexicographicallyPrecedes(key.utf8),
               "key `\(key)` after `\(open[open.count - 1].lastKey)`: keys go in sorted order")
        if open[open.count - 1].count > 0 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\n"))
        }
        writeIndent()
        open[open.count - 1].count += 1
        #if DEBUG
        open[open.count - 1].lastKey = key
        #endif
        writeQuoted(key)
        bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    // MARK: values

    public mutating func string(_ s: String) {
        startValue()
        writeQuoted(s)
    }

    public mutating func int(_ n: Int) {
        startValue()
        bytes.append(contentsOf: String(n).utf8)
    }

    public mutating func bool(_ b: Bool) {
        startValue()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
    }

    /// A member whose value is a string, written only when there is one (as `encodeIfPresent`).
    public mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    public mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// A member whose value is a list of strings, written only when there is one.
    public mutating func member(_ name: String, _ values: [String]?) {
        guard let values else { return }
        key(name)
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    // MARK: writing

    /// Before a value: in an array, the separator and indent; after a key, nothing.
    private mutating func startValue() {
        guard let last = open.last, !last.isObject else { return }
        if last.count > 0 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\n"))
        }
        writeIndent()
        open[open.count - 1].count += 1
    }

    private mutating func begin(_ bracket: UInt8, object: Bool) {
        startValue()
        bytes.append(bracket)
        bytes.append(UInt8(ascii: "\n"))
        open.append((object, 0, ""))
        indent += 1
    }

    private mutating func close(_ bracket: UInt8) {
        open.removeLast()
        bytes.append(UInt8(ascii: "\n"))
        indent -= 1
        writeIndent()
        bytes.append(bracket)
    }

    private mutating func writeIndent() {
        for _ in 0..<indent { bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
    }

    private mutating func writeQuoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Runs without anything to escape (nearly all text) are copied whole.
            var start = 0
            for i in utf8.indices where utf8[i] < 0x20 || utf8[i] == UInt8(ascii: "\"") || utf8[i] == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                escape(utf8[i])
                start = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A byte below 0x20, a quote or a backslash, escaped.
    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
        case 0x0c: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
        case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Hex.digits[Int(byte >> 4)])
            bytes.append(Hex.digits[Int(byte & 0xf)])
        default: bytes.append(byte)
        }
    }
}
