internal import CYAML
import StewardCore

/// The nodes of one YAML document, stored flat: one entry per node, children by index.
///
/// We compose straight from libyaml's events instead of going through a generic YAML
/// library: a mesh of 10,000 products is 40 MB of YAML, and per-node objects made loading
/// it ten times slower than the parse itself (see BENCHMARKS.md).
final class YAMLTree: @unchecked Sendable {
    // INVARIANT: built once by `YAMLDocument.parse`, never mutated afterwards.
    enum Kind: UInt8 { case scalar, mapping, sequence }

    struct Entry {
        var kind: Kind
        var quoted: Bool
        var line: Int32
        var column: Int32
        /// Scalars: index into `texts`. Containers: start of the children in `children`.
        var start: Int32
        /// Containers: number of children (a mapping stores key, value, key, value...).
        var count: Int32
    }

    let path: String
    // `let`s, so reading them needs no exclusivity check (this is the loader's hot path).
    let entries: [Entry]
    let texts: [String]
    let children: [Int32]

    init(path: String, entries: [Entry], texts: [String], children: [Int32]) {
        self.path = path
        self.entries = entries
        self.texts = texts
        self.children = children
    }
}

/// A node of a parsed YAML document with its position.
///
/// INVARIANT: the tree is kept alive by the `Reader` that parsed it (`Reader.keep`), for as
/// long as nodes are read; nodes never outlive their reader. Not retaining it in every node
/// saves a retain/release pair per node visited on the loader's hot path.
struct YNode {
    unowned(unsafe) let tree: YAMLTree
    let index: Int32

    private var entry: YAMLTree.Entry { tree.entries[Int(index)] }

    enum Kind { case scalar, mapping, sequence }

    var kind: Kind {
        switch entry.kind {
        case .scalar: .scalar
        case .mapping: .mapping
        case .sequence: .sequence
        }
    }

    var location: SourceLocation {
        let e = entry
        return SourceLocation(path: tree.path, line: Int(e.line), column: Int(e.column))
    }

    /// The raw text of a scalar.
    var text: String? {
        let e = entry
        return e.kind == .scalar ? tree.texts[Int(e.start)] : nil
    }

    /// A plain `null`, `~` or empty scalar, checked without building the value of a subtree.
    var isNull: Bool {
        let e = entry
        guard e.kind == .scalar, !e.quoted else { return false }
        switch tree.texts[Int(e.start)] {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// Whether the scalar was quoted or a block scalar (so it is a string whatever it reads).
    var isQuoted: Bool { entry.quoted }

    private func child(_ i: Int) -> YNode {
        YNode(tree: tree, index: tree.children[Int(entry.start) + i])
    }

    /// The children of a mapping, with the key's own position (for unknown-key messages).
    var pairs: [(key: String, keyLocation: SourceLocation, value: YNode)] {
        let e = entry
        guard e.kind == .mapping else { return [] }
        var out: [(String, SourceLocation, YNode)] = []
        out.reserveCapacity(Int(e.count) / 2)
        var i = 0
        while i + 1 < Int(e.count) {
            let k = child(i)
            out.append((k.text ?? k.value.description, k.location, child(i + 1)))
            i += 2
        }
        return out
    }

    /// The number of key/value pairs of a mapping.
    var pairCount: Int { entry.kind == .mapping ? Int(entry.count) / 2 : 0 }

    /// The key node and value node of pair `i` of a mapping (no allocation: the hot path).
    func pair(_ i: Int) -> (key: YNode, value: YNode) { (child(2 * i), child(2 * i + 1)) }

    var items: [YNode] {
        let e = entry
        guard e.kind == .sequence else { return [] }
        return (0..<Int(e.count)).map(child)
    }

    /// The scalar typed per the YAML 1.2 core schema.
    var value: YAMLValue {
        let e = entry
        switch e.kind {
        case .scalar:
            let s = tree.texts[Int(e.start)]
            return e.quoted ? .string(s) : Self.coreSchema(s)
        case .mapping:
            return .map(pairs.map { ($0.key, $0.value.value) })
        case .sequence:
            return .list(items.map(\.value))
        }
    }

    /// The type name users read in messages: `a string`, `a list`, ...
    var typeName: String {
        switch kind {
        case .scalar: value.typeName
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    /// YAML 1.2 core schema resolution (so `NO` and `on` stay strings), without regular
    /// expressions: the loader sees millions of scalars in a large mesh.
    static func coreSchema(_ s: String) -> YAMLValue {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        guard let first = s.utf8.first else { return .string(s) }
        let startsNumeric = (first >= 0x30 && first <= 0x39) || first == 0x2D || first == 0x2B || first == 0x2E
        guard startsNumeric else { return .string(s) }
        if let i = Int(s) { return .int(i) }
        if s.hasPrefix("0x"), let i = Int(s.dropFirst(2), radix: 16) { return .int(i) }
        if s.hasPrefix("0o"), let i = Int(s.dropFirst(2), radix: 8) { return .int(i) }
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        // Only decimal notation counts as a number: `1.0.0` and `1e` stay strings.
        let allowed = s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45
        }
        if allowed, let d = Double(s) { return .double(d) }
        return .string(s)
    }
}

/// Parses the text of one YAML file into its root node, or a diagnostic.
enum YAMLDocument {
    /// Parses `text`; the tree is handed to `reader`, which keeps it alive for the nodes.
    static func parse(_ text: String, reader: Reader) -> Result<YNode?, Diagnostic> {
        if text.utf8.isEmpty { return .success(nil) }
        var composer = Composer(path: reader.path)
        // Native strings are contiguous UTF-8: libyaml reads them in place, without a copy.
        let root = text.utf8.withContiguousStorageIfAvailable { composer.run($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { composer.run($0) }
        let tree = YAMLTree(path: reader.path, entries: composer.entries, texts: composer.texts, children: composer.children)
        reader.keep(tree)
        return root.map { $0.map { YNode(tree: tree, index: $0) } }
    }

    static func decodeUTF8(_ bytes: [UInt8], path: String) -> Result<String, Diagnostic> {
        if bytes.contains(0) {
            return .failure(.error(ModelMessages.notText, "file is binary, not YAML text", at: SourceLocation(path: path)))
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            return .failure(.error(ModelMessages.notText, "file is not valid UTF-8", at: SourceLocation(path: path),
                                   help: "save the file as UTF-8"))
        }
        return .success(s)
    }
}

/// Builds a `YAMLTree` from libyaml's event stream.
private struct Composer {
    let path: String
    private(set) var entries: [YAMLTree.Entry] = []
    private(set) var texts: [String] = []
    private(set) var children: [Int32] = []
    /// Children of the open containers, innermost last, in one flat stack.
    private var stack: [Int32] = []
    /// Where each open container's frame starts in `stack`: the container id sits there,
    /// its children follow.
    private var frames: [Int] = []
    private var anchors: [String: Int32] = [:]
    /// A document that is a single scalar has no container to close.
    private var rootScalar: Int32?
    /// Keys of open mappings too large to scan, by frame start.
    private var largeMappingKeys: [Int: Set<String>] = [:]

    init(path: String) { self.path = path }

    /// Reads the events into `entries`, `texts` and `children`; returns the root's index.
    mutating func run(_ input: UnsafeBufferPointer<UInt8>) -> Result<Int32?, Diagnostic> {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(.error(ModelMessages.unreadable, "cannot start the YAML parser (out of memory)",
                                   at: SourceLocation(path: path)))
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
        entries.reserveCapacity(input.count / 16)
        children.reserveCapacity(input.count / 16)
        texts.reserveCapacity(input.count / 24)

        var root: Int32?
        var documents = 0
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return .failure(syntaxError(parser)) }
            defer { yaml_event_delete(&event) }
            let line = Int32(event.start_mark.line + 1)
            let column = Int32(event.start_mark.column + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return .success(root ?? rootScalar)
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    return .failure(.error(ModelMessages.yamlSyntax, "file holds more than one YAML document",
                                           at: SourceLocation(path: path, line: Int(line), column: Int(column)),
                                           help: "keep one document per file (remove the second `---`)"))
                }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let quoted = s.style != YAML_PLAIN_SCALAR_STYLE && s.style != YAML_ANY_SCALAR_STYLE
                texts.append(text)
                let id = add(.init(kind: .scalar, quoted: quoted, line: line, column: column,
                                   start: Int32(texts.count - 1), count: 0))
                if let a = s.anchor { anchors[String(cString: a)] = id }
                if let d = place(id, keyText: text, line: line, column: column) { return .failure(d) }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let mapping = event.type == YAML_MAPPING_START_EVENT
                let id = add(.init(kind: mapping ? .mapping : .sequence, quoted: false, line: line, column: column,
                                   start: 0, count: 0))
                if let a = mapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor {
                    anchors[String(cString: a)] = id
                }
                if let d = place(id, keyText: nil, line: line, column: column) { return .failure(d) }
                frames.append(stack.count)
                stack.append(id)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = frames.removeLast()
                let id = stack[frame]
                entries[Int(id)].start = Int32(children.count)
                entries[Int(id)].count = Int32(stack.count - frame - 1)
                children.append(contentsOf: stack[(frame + 1)...])
                stack.removeSubrange(frame...)
                largeMappingKeys[frame] = nil
                if frames.isEmpty { root = id }
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let target = anchors[name] else {
                    return .failure(.error(ModelMessages.yamlSyntax, "unknown alias `*\(name)`",
                                           at: SourceLocation(path: path, line: Int(line), column: Int(column))))
                }
                if let d = place(target, keyText: nil, line: line, column: column) { return .failure(d) }
            default:
                break
            }
        }
    }

    private mutating func add(_ e: YAMLTree.Entry) -> Int32 {
        entries.append(e)
        return Int32(entries.count - 1)
    }

    /// Adds a finished node to the open container. A repeated key in a mapping is an error
    /// (the standards are JSON documents, where keys are unique).
    private mutating func place(_ id: Int32, keyText: String?, line: Int32, column: Int32) -> Diagnostic? {
        guard let frame = frames.last else {
            if entries[Int(id)].kind == .scalar { rootScalar = id }
            return nil
        }
        let container = entries[Int(stack[frame])]
        let placed = stack.count - frame - 1
        if container.kind == .mapping, placed % 2 == 0, let keyText {
            if isDuplicate(keyText, frame: frame, keys: placed / 2) {
                return .error(ModelMessages.duplicateKey, "duplicate key `\(keyText)` in mapping",
                              at: SourceLocation(path: path, line: Int(line), column: Int(column)),
                              help: "a key may appear once per mapping; remove or rename the repeated one")
            }
        }
        stack.append(id)
        return nil
    }

    /// Mappings are small, so a scan of the keys so far beats hashing; a large mapping
    /// switches to a set so an adversarial file cannot make loading quadratic.
    private mutating func isDuplicate(_ key: String, frame: Int, keys: Int) -> Bool {
        if keys < 32 {
            var k = frame + 1
            while k < stack.count {
                let e = entries[Int(stack[k])]
                if e.kind == .scalar, texts[Int(e.start)] == key { return true }
                k += 2
            }
            return false
        }
        if largeMappingKeys[frame] == nil {
            var set = Set<String>()
            var k = frame + 1
            while k < stack.count {
                let e = entries[Int(stack[k])]
                if e.kind == .scalar { set.insert(texts[Int(e.start)]) }
                k += 2
            }
            largeMappingKeys[frame] = set
        }
        return !largeMappingKeys[frame]!.insert(key).inserted
    }

    private func syntaxError(_ p: yaml_parser_t) -> Diagnostic {
        let problem = p.problem.map { String(cString: $0) } ?? "malformed YAML"
        var notes: [String] = []
        if let context = p.context {
            notes.append("\(String(cString: context)) at line \(p.context_mark.line + 1), column \(p.context_mark.column + 1)")
        }
        let mark = p.problem_mark
        let message = p.error == YAML_READER_ERROR ? "cannot read YAML: \(problem)" : "invalid YAML: \(problem)"
        return .error(p.error == YAML_READER_ERROR ? ModelMessages.notText : ModelMessages.yamlSyntax, message,
                      at: SourceLocation(path: path, line: Int(mark.line) + 1, column: Int(mark.column) + 1), notes: notes)
    }
}
