import Foundation
import StewardCore
import StewardEngine

/// Reads a source file (CSV or JSONL) and inserts its rows, typed by the contract, through one
/// prepared INSERT. The file is read in chunks, so memory stays flat whatever its size.
///
/// CSV (RFC 4180): the first record is the header, the contract's property names in any order;
/// fields may be quoted (`"a, b"`, `""` for a quote, newlines inside quotes); an unquoted empty
/// field is null, a quoted one is the empty string (for text columns; null for the others);
/// empty lines are skipped; LF or CRLF. JSONL: one flat JSON object per line, keys are property
/// names, a missing key is null. Either way a value that does not fit its column's logical type,
/// or a record that does not fit the header, stops the load at `file:line`.
struct SourceLoader {
    struct Failure: Error {
        var id: String
        var message: String
        var line: Int
        var column: Int = 0
        var help: String?
    }

    let columns: [ColumnSpec]
    let insert: Statement
    /// Told the rows loaded so far, every `progressEvery` rows (for a live display).
    var progress: ((Int) -> Void)? = nil
    static let progressEvery = 65_536

    // MARK: - CSV

    func loadCSV(_ input: inout ChunkReader) throws(Failure) -> Int {
        var parser = CSVRecords()
        var header: [Int]?  // field index -> column index
        var rows = 0
        while let record = try parser.next(&input) {
            if header == nil {
                header = try csvHeader(record)
                continue
            }
            let map = header!
            guard record.fields.count == map.count else {
                throw Failure(id: EngineMessages.malformedRow,
                              message: "record has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"); the header has \(map.count)",
                              line: record.line, help: "quote fields that contain commas, and write an empty field for a null")
            }
            for (i, field) in record.fields.enumerated() {
                let c = map[i]
                let kind: Cell = field.isNull ? .null : (field.quoted && field.length == 0 ? .emptyText : .text)
                try record.withField(i) { bytes throws(Failure) in
                    try bind(kind, bytes, column: c, line: record.line, at: field.column)
                }
            }
            try step(line: record.line)
            rows += 1
            if rows % Self.progressEvery == 0 { progress?(rows) }
        }
        if header == nil {
            throw Failure(id: EngineMessages.badHeader, message: "the file is empty; a CSV source starts with a header of the column names",
                          line: 1, help: "write the header: " + columns.map(\.name).joined(separator: ","))
        }
        return rows
    }

    private func csvHeader(_ record: CSVRecords.Record) throws(Failure) -> [Int] {
        var names: [String] = []
        for i in record.fields.indices {
            names.append(record.withField(i) { String(decoding: $0, as: UTF8.self) })
        }
        let expected = columns.map(\.name)
        let missing = expected.filter { !names.contains($0) }
        let extra = names.filter { !expected.contains($0) }
        let repeated = Set(names.filter { n in names.filter { $0 == n }.count > 1 })
        guard missing.isEmpty, extra.isEmpty, repeated.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing " + missing.map { "`\($0)`" }.joined(separator: ", ")) }
            if !extra.isEmpty { parts.append("unknown " + extra.map { "`\($0)`" }.joined(separator: ", ")) }
            if !repeated.isEmpty { parts.append("repeated " + repeated.sorted().map { "`\($0)`" }.joined(separator: ", ")) }
            throw Failure(id: EngineMessages.badHeader, message: "the header does not match the contract's columns: " + parts.joined(separator: "; "),
                          line: record.line, help: "the header names the contract's properties: " + expected.joined(separator: ","))
        }
        return names.map { n in expected.firstIndex(of: n)! }
    }

    // MARK: - JSONL

    func loadJSONL(_ input: inout ChunkReader) throws(Failure) -> Int {
        var lines = LineReader()
        var rows = 0
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.name, $0) })
        while let line = try lines.next(&input) {
            var seen = [Bool](repeating: false, count: columns.count)
            var parser = JSONLine(bytes: line.bytes, line: line.number)
            try parser.object { key, value throws(Failure) in
                guard let c = index[key] else {
                    throw Failure(id: EngineMessages.malformedRow, message: "key `\(key)` is not a column of the contract",
                                  line: line.number, column: value.column,
                                  help: Suggestions.didYouMean(key, in: index.keys) ?? "the keys are the contract's properties")
                }
                guard !seen[c] else {
                    throw Failure(id: EngineMessages.malformedRow, message: "key `\(key)` appears twice", line: line.number, column: value.column)
                }
                seen[c] = true
                try bindJSON(value, column: c, line: line.number)
            }
            for c in columns.indices where !seen[c] { _ = insert.bindNull(at: c + 1) }
            try step(line: line.number)
            rows += 1
            if rows % Self.progressEvery == 0 { progress?(rows) }
        }
        return rows
    }

    private func bindJSON(_ v: JSONLine.Value, column c: Int, line: Int) throws(Failure) {
        let col = columns[c]
        func wrong(_ what: String) -> Failure {
            Failure(id: EngineMessages.badValue, message: "column `\(col.name)` is \(article(col.type)) \(col.type.rawValue), but the value is \(what)",
                    line: line, column: v.column)
        }
        switch v.kind {
        case .null: _ = insert.bindNull(at: c + 1)
        case .bool(let b):
            guard col.type == .boolean else { throw wrong("a boolean") }
            _ = insert.bindInteger(b ? 1 : 0, at: c + 1)
        case .number:
            switch col.type {
            case .integer, .number, .boolean: try v.withBytes { b throws(Failure) in try bind(.text, b, column: c, line: line, at: v.column) }
            default: throw wrong("a number")
            }
        case .string:
            switch col.type {
            case .string, .date, .timestamp:
                try v.withBytes { b throws(Failure) in try bind(.text, b, column: c, line: line, at: v.column) }
            default: throw wrong("a string")
            }
        }
    }

    // MARK: - Values

    enum Cell { case null, emptyText, text }

    /// Converts one field by its column's type and binds it.
    @inline(__always)
    private func bind(_ cell: Cell, _ b: UnsafeBufferPointer<UInt8>, column c: Int, line: Int, at position: Int) throws(Failure) {
        let col = columns[c]
        let index = c + 1
        if cell == .null || (cell == .emptyText && col.type != .string) {
            _ = insert.bindNull(at: index)
            return
        }
        func bad(_ help: String) -> Failure {
            let shown = col.sensitive ? "a value (personal data, not shown)" : "`\(String(decoding: b.prefix(60), as: UTF8.self))`"
            return Failure(id: EngineMessages.badValue,
                           message: "\(shown) in column `\(col.name)` is not \(article(col.type)) \(col.type.rawValue)",
                           line: line, column: position, help: help)
        }
        switch col.type {
        case .string:
            if !isASCII(b), String(validating: b, as: UTF8.self) == nil {
                throw bad("the file must be UTF-8")
            }
            _ = insert.bindText(b, at: index)
        case .integer:
            guard let n = parseInteger(b) else { throw bad("write a whole number such as `42` or `-7`") }
            _ = insert.bindInteger(n, at: index)
        case .number:
            guard let d = parseNumber(b) else { throw bad("write a decimal number such as `12.5` or `1e3`") }
            _ = insert.bindDouble(d, at: index)
        case .boolean:
            guard let v = parseBoolean(b) else { throw bad("write `true`, `false`, `1` or `0`") }
            _ = insert.bindInteger(v ? 1 : 0, at: index)
        case .date:
            guard TimeText.isDate(b) else { throw bad("write a date as YYYY-MM-DD") }
            _ = insert.bindText(b, at: index)
        case .timestamp:
            switch TimeText.timestamp(b) {
            case .canonical: _ = insert.bindText(b, at: index)
            case var .rewritten(s): _ = s.withUTF8 { insert.bindText($0, at: index) }
            case .invalid: throw bad("write a timestamp as YYYY-MM-DDTHH:MM:SSZ (an offset such as +02:00 is converted to UTC)")
            }
        }
    }

    private func step(line: Int) throws(Failure) {
        do { try insert.step() } catch {
            throw Failure(id: EngineMessages.malformedRow, message: "cannot store the record: \(error.message)", line: line)
        }
        insert.reset()
    }

    private func article(_ t: LogicalType) -> String { t == .integer ? "an" : "a" }
}

@inline(__always)
private func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    for x in b where x >= 0x80 { return false }
    return true
}

func parseInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
    var i = 0
    var negative = false
    if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
        negative = b[i] == UInt8(ascii: "-")
        i += 1
    }
    guard i < b.count else { return nil }
    var n: Int64 = 0
    while i < b.count {
        let d = b[i] &- 48
        guard d < 10 else { return nil }
        let (m, o1) = n.multipliedReportingOverflow(by: 10)
        let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
        guard !o1, !o2 else { return nil }
        n = s
        i += 1
    }
    return n
}

func parseNumber(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
    // Decimal notation only: no hex floats, no inf or nan, no spaces.
    guard !b.isEmpty, b.count < 400 else { return nil }
    var digits = false
    for x in b {
        switch x {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
        default: return nil
        }
    }
    guard digits else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: b.count + 1) { buf -> Double? in
        for (i, x) in b.enumerated() { buf[i] = CChar(bitPattern: x) }
        buf[b.count] = 0
        var end: UnsafeMutablePointer<CChar>?
        let d = strtod(buf.baseAddress!, &end)
        guard let end, end - buf.baseAddress! == b.count, d.isFinite else { return nil }
        return d
    }
}

func parseBoolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
    switch String(decoding: b, as: UTF8.self).lowercased() {
    case "true", "1": true
    case "false", "0": false
    default: nil
    }
}
