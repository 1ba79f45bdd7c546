import Foundation
import StewardEngine

/// Bytes of a source, a chunk at a time: from a file descriptor or from memory.
struct ChunkReader {
    private enum Origin {
        case file(Int32)
        case memory([UInt8])
    }

    private let origin: Origin
    private var offset = 0

    init(_ data: SourceData) throws(SourceLoader.Failure) {
        switch data.origin {
        case let .bytes(b): origin = .memory(b)
        case let .file(path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw SourceLoader.Failure(id: EngineMessages.unreadableSource,
                                           message: "cannot open the source file: \(String(cString: strerror(errno)))", line: 0)
            }
            origin = .file(fd)
        }
    }

    /// Closes the file, if any. Readers are short-lived values; the loader calls this once.
    func close() {
        if case let .file(fd) = origin { _ = Foundation.close(fd) }
    }

    /// Reads up to `dest.count` bytes; 0 at the end.
    mutating func read(into dest: UnsafeMutableRawBufferPointer) throws(SourceLoader.Failure) -> Int {
        switch origin {
        case let .memory(bytes):
            let n = min(dest.count, bytes.count - offset)
            if n > 0 { bytes.withUnsafeBytes { dest.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) } }
            offset += n
            return n
        case let .file(fd):
            while true {
                let n = Foundation.read(fd, dest.baseAddress, dest.count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw SourceLoader.Failure(id: EngineMessages.unreadableSource,
                                           message: "cannot read the source file: \(String(cString: strerror(errno)))", line: 0)
            }
        }
    }
}

/// A window on the source's bytes that keeps the current record whole in memory.
final class ByteWindow {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Valid bytes are `start..<end`.
    var start = 0
    private(set) var end = 0
    private(set) var atEOF = false

    init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Keeps the bytes from `start`, then reads more after them; false when nothing more came.
    func refill(_ input: inout ChunkReader) throws(SourceLoader.Failure) -> Bool {
        if atEOF { return false }
        let kept = end - start
        if start > 0 {
            base.update(from: base + start, count: kept)
            start = 0
            end = kept
        }
        if end == capacity {  // one record fills the window: grow it
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: base, count: end)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        let n = try input.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end))
        if n == 0 { atEOF = true; return false }
        end += n
        return true
    }
}

/// Splits CSV into records without copying fields, except quoted ones with doubled quotes.
struct CSVRecords {
    struct Field {
        var offset: Int  // from the window's base
        var length: Int
        var quoted: Bool
        var escaped: Bool  // holds `""`
        var column: Int  // 1-based byte column in the record's first line
        var isNull: Bool { !quoted && length == 0 }
    }

    struct Record {
        var fields: [Field]
        var line: Int
        let window: ByteWindow

        /// The field's bytes, valid during `body`.
        func withField<T, E: Error>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> T) throws(E) -> T {
            let f = fields[i]
            let raw = UnsafeBufferPointer(start: window.base + f.offset, count: f.length)
            guard f.escaped else { return try body(raw) }
            var out: [UInt8] = []
            out.reserveCapacity(f.length)
            var j = 0
            while j < raw.count {
                out.append(raw[j])
                j += raw[j] == 0x22 ? 2 : 1
            }
            return try out.withUnsafeBufferPointer { p throws(E) in try body(p) }
        }
    }

    let window = ByteWindow()
    private var line = 1
    private var fields: [Field] = []
    private var firstRecord = true

    mutating func next(_ input: inout ChunkReader) throws(SourceLoader.Failure) -> Record? {
        while true {
            if window.start == window.end, !(try window.refill(&input)) { return nil }
            switch try parse(atEOF: window.atEOF) {
            case let .record(r, consumed, newlines):
                window.start += consumed
                line += newlines
                if r.fields.count == 1, r.fields[0].isNull { continue }  // an empty line
                return r
            case .needMore:
                if !(try window.refill(&input)) {
                    // the window holds the last record, without a final newline
                    if window.start == window.end { return nil }
                    continue
                }
            }
        }
    }

    private enum Outcome {
        case record(Record, consumed: Int, newlines: Int)
        case needMore
    }

    /// Parses one record from `window.start`.
    private mutating func parse(atEOF: Bool) throws(SourceLoader.Failure) -> Outcome {
        let b = window.base
        let end = window.end
        var i = window.start
        if firstRecord, end - i >= 3, b[i] == 0xEF, b[i + 1] == 0xBB, b[i + 2] == 0xBF {  // UTF-8 byte order mark
            window.start += 3
            i += 3
        }
        let recordStart = i
        var newlines = 0
        fields.removeAll(keepingCapacity: true)
        while true {
            let fieldStart = i
            if i < end, b[i] == 0x22 {  // quoted field
                i += 1
                var escaped = false
                while true {
                    guard i < end else {
                        if atEOF {
                            throw SourceLoader.Failure(id: EngineMessages.malformedRow, message: "a quoted field is not closed before the end of the file",
                                                       line: line, column: fieldStart - recordStart + 1, help: "close the quote with `\"`")
                        }
                        return .needMore
                    }
                    if b[i] == 0x22 {
                        if i + 1 < end, b[i + 1] == 0x22 { escaped = true; i += 2; continue }
                        if i + 1 == end, !atEOF { return .needMore }
                        break
                    }
                    if b[i] == 0x0A { newlines += 1 }
                    i += 1
                }
                fields.append(Field(offset: fieldStart + 1, length: i - fieldStart - 1, quoted: true, escaped: escaped,
                                    column: fieldStart - recordStart + 1))
                i += 1  // the closing quote
                if i < end, b[i] == 0x0D {  // CRLF: the CR belongs to the line end
                    if i + 1 == end, !atEOF { return .needMore }
                    if i + 1 == end || b[i + 1] == 0x0A { i += 1 }
                }
                if i == end {
                    if !atEOF { return .needMore }
                    return finish(i, recordStart, newlines)
                }
                if b[i] == 0x2C { i += 1; continue }
                if b[i] == 0x0A { return finish(i + 1, recordStart, newlines + 1) }
                throw SourceLoader.Failure(id: EngineMessages.malformedRow, message: "unexpected `\(Character(Unicode.Scalar(b[i])))` after a closing quote",
                                           line: line + newlines, column: i - recordStart + 1,
                                           help: "a quoted field ends at a comma or the end of the line; double a quote inside it (`\"\"`)")
            }
            while i < end, b[i] != 0x2C, b[i] != 0x0A { i += 1 }
            if i == end, !atEOF { return .needMore }
            var length = i - fieldStart
            if i == end || b[i] == 0x0A, length > 0, b[fieldStart + length - 1] == 0x0D { length -= 1 }
            fields.append(Field(offset: fieldStart, length: length, quoted: false, escaped: false, column: fieldStart - recordStart + 1))
            if i == end { return finish(i, recordStart, newlines) }
            if b[i] == 0x2C { i += 1; continue }
            return finish(i + 1, recordStart, newlines + 1)
        }
    }

    private mutating func finish(_ next: Int, _ recordStart: Int, _ newlines: Int) -> Outcome {
        firstRecord = false
        let r = Record(fields: fields, line: line, window: window)
        return .record(r, consumed: next - recordStart, newlines: newlines)
    }
}

/// Lines of a JSONL file (empty lines skipped), each valid until the next call.
struct LineReader {
    struct Line {
        var bytes: UnsafeBufferPointer<UInt8>
        var number: Int
    }

    let window = ByteWindow()
    private var line = 0

    mutating func next(_ input: inout ChunkReader) throws(SourceLoader.Failure) -> Line? {
        while true {
            let b = window.base
            var i = window.start
            while i < window.end, b[i] != 0x0A { i += 1 }
            if i == window.end, !window.atEOF {
                _ = try window.refill(&input)  // moves the window: scan again either way
                continue
            }
            if window.start == window.end { return nil }
            let startOfLine = window.start
            var length = i - startOfLine
            window.start = min(i + 1, window.end)
            line += 1
            if length > 0, b[startOfLine + length - 1] == 0x0D { length -= 1 }
            var s = startOfLine
            if line == 1, length >= 3, b[s] == 0xEF, b[s + 1] == 0xBB, b[s + 2] == 0xBF { s += 3; length -= 3 }
            let bytes = UnsafeBufferPointer(start: b + s, count: length)
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            return Line(bytes: bytes, number: line)
        }
    }
}

/// A flat JSON object on one line: string keys, scalar values.
struct JSONLine {
    struct Value {
        enum Kind { case null, bool(Bool), number, string }
        var kind: Kind
        /// The number's text, or the string's bytes (escapes undone).
        var text: [UInt8]
        var span: UnsafeBufferPointer<UInt8>?
        var column: Int

        func withBytes<E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> Void) throws(E) {
            if let span { return try body(span) }
            try text.withUnsafeBufferPointer { p throws(E) in try body(p) }
        }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let line: Int
    private var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        self.bytes = bytes
        self.line = line
    }

    private func fail(_ message: String, help: String? = nil) -> SourceLoader.Failure {
        SourceLoader.Failure(id: EngineMessages.malformedRow, message: message, line: line, column: i + 1, help: help)
    }

    mutating func object(_ each: (String, Value) throws(SourceLoader.Failure) -> Void) throws(SourceLoader.Failure) {
        space()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else {
            throw fail("expected a JSON object (`{`) on this line", help: "a JSONL source holds one flat object per line")
        }
        i += 1
        space()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return try end() }
        while true {
            space()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes") }
            let k = try string()
            let key = k.span.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: k.text, as: UTF8.self)
            space()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected `:` after key `\(key)`") }
            i += 1
            space()
            try each(key, try value())
            space()
            guard i < bytes.count else { throw fail("the object is not closed", help: "end it with `}` on the same line") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return try end() }
            throw fail("expected `,` or `}`")
        }
    }

    private mutating func end() throws(SourceLoader.Failure) {
        space()
        guard i == bytes.count else { throw fail("unexpected text after the object", help: "one object per line") }
    }

    private mutating func space() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
    }

    private mutating func value() throws(SourceLoader.Failure) -> Value {
        let column = i + 1
        guard i < bytes.count else { throw fail("expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "n"): try word("null"); return Value(kind: .null, text: [], column: column)
        case UInt8(ascii: "t"): try word("true"); return Value(kind: .bool(true), text: [], column: column)
        case UInt8(ascii: "f"): try word("false"); return Value(kind: .bool(false), text: [], column: column)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw fail("nested objects and arrays are not supported", help: "flatten the record into scalar columns")
        default:
            let start = i
            while i < bytes.count, let c = Optional(bytes[i]),
                  (c >= 48 && c <= 57) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                    || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { i += 1 }
            guard i > start else { throw fail("expected a value") }
            return Value(kind: .number, text: [], span: UnsafeBufferPointer(rebasing: bytes[start..<i]), column: column)
        }
    }

    private mutating func word(_ w: String) throws(SourceLoader.Failure) {
        for c in w.utf8 {
            guard i < bytes.count, bytes[i] == c else { throw fail("expected `\(w)`") }
            i += 1
        }
    }

    private mutating func string() throws(SourceLoader.Failure) -> Value {
        let column = i + 1
        i += 1
        let start = i
        var out: [UInt8]?
        while true {
            guard i < bytes.count else { throw fail("a string is not closed") }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw fail("a control character inside a string", help: "escape it (`\\n`, `\\t`, `\\u0001`)") }
            if c == UInt8(ascii: "\\") {
                if out == nil { out = Array(bytes[start..<i]) }
                i += 1
                guard i < bytes.count else { throw fail("a string is not closed") }
                switch bytes[i] {
                case UInt8(ascii: "\""): out!.append(0x22)
                case UInt8(ascii: "\\"): out!.append(0x5C)
                case UInt8(ascii: "/"): out!.append(0x2F)
                case UInt8(ascii: "b"): out!.append(0x08)
                case UInt8(ascii: "f"): out!.append(0x0C)
                case UInt8(ascii: "n"): out!.append(0x0A)
                case UInt8(ascii: "r"): out!.append(0x0D)
                case UInt8(ascii: "t"): out!.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {  // a surrogate pair
                        guard i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"), bytes[i + 2] == UInt8(ascii: "u") else {
                            throw fail("a lone surrogate in a \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("a lone surrogate in a \\u escape") }
                    out!.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("unknown escape `\\\(Character(Unicode.Scalar(bytes[i])))`")
                }
                i += 1
                continue
            }
            out?.append(c)
            i += 1
        }
        let span = out == nil ? UnsafeBufferPointer(rebasing: bytes[start..<i]) : nil
        i += 1
        return Value(kind: .string, text: out ?? [], span: span, column: column)
    }

    /// Reads `XXXX` after `\u`, leaving `i` on its last digit.
    private mutating func hex4() throws(SourceLoader.Failure) -> UInt32 {
        guard i + 4 < bytes.count else { throw fail("a \\u escape needs four hex digits") }
        var v: UInt32 = 0
        for k in 1...4 {
            guard let d = hexValue(bytes[i + k]) else { throw fail("a \\u escape needs four hex digits") }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    private func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 48...57: UInt32(c - 48)
        case 65...70: UInt32(c - 55)
        case 97...102: UInt32(c - 87)
        default: nil
        }
    }
}
