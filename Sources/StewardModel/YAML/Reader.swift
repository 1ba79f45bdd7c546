import StewardCore

/// Reads typed fields out of YAML mappings and collects a diagnostic for every unknown key,
/// wrong type or missing required field. One reader per file; it never throws.
final class Reader {
    let path: String
    private(set) var diagnostics: [Diagnostic] = []
    /// The parsed documents whose nodes this reader hands out (see `YNode`).
    private var trees: [YAMLTree] = []

    func keep(_ tree: YAMLTree) { trees.append(tree) }

    init(path: String) { self.path = path }

    func report(_ d: Diagnostic) { diagnostics.append(d) }

    func error(_ id: String, _ message: String, at location: SourceLocation, help: String? = nil) {
        report(.error(id, message, at: location, help: help))
    }

    func warning(_ id: String, _ message: String, at location: SourceLocation, help: String? = nil) {
        report(.warning(id, message, at: location, help: help))
    }

    /// The fields of a mapping. Unknown keys are reported against `allowed`, with a suggestion.
    /// `what` names the object in messages (`schema property`, `input port`).
    func fields(_ node: YNode, _ what: String, allowed: Set<String>, laterKeys: [String: String] = [:]) -> Fields? {
        guard node.kind == .mapping else {
            error(ModelMessages.wrongType, "\(what) must be a mapping, found \(node.typeName)", at: node.location)
            return nil
        }
        var f = Fields(node: node, reader: self)
        let n = node.pairCount
        f.keys.reserveCapacity(n)
        f.nodes.reserveCapacity(n)
        for i in 0..<n {
            let (keyNode, value) = node.pair(i)
            let key = keyNode.text ?? keyNode.value.description
            if allowed.contains(key) {
                f.keys.append(key)
                f.nodes.append(value)
            } else if let version = laterKeys[key] {
                error(ModelMessages.keyNeedsNewerVersion,
                      "key `\(key)` in \(what) is defined only from \(version) on", at: keyNode.location,
                      help: "declare `apiVersion: \(version)` or remove the key")
            } else {
                error(ModelMessages.unknownKey, "unknown key `\(key)` in \(what)", at: keyNode.location,
                      help: Suggestions.didYouMean(key, in: allowed)
                        ?? "allowed keys: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        return f
    }
}

/// The known fields of one mapping, with typed getters that report mismatches.
struct Fields {
    let node: YNode
    let reader: Reader
    // Parallel arrays, searched linearly: mappings are small and this is the loader's hot path.
    var keys: [String] = []
    var nodes: [YNode] = []

    init(node: YNode, reader: Reader) {
        self.node = node
        self.reader = reader
    }

    var location: SourceLocation { node.location }

    subscript(key: String) -> YNode? {
        guard let i = keys.firstIndex(of: key) else { return nil }
        return nodes[i]
    }

    /// Where a key's value sits, or the mapping itself when the key is absent.
    func location(of key: String) -> SourceLocation { self[key]?.location ?? node.location }

    func has(_ key: String) -> Bool { keys.contains(key) }

    private func missing(_ key: String, _ what: String) {
        reader.error(ModelMessages.missingKey, "\(what) is missing required key `\(key)`", at: node.location)
    }

    private func mismatch(_ key: String, expected: String, found v: YNode, help: String? = nil) {
        reader.error(ModelMessages.wrongType, "`\(key)` must be \(expected), found \(v.typeName)",
                     at: v.location, help: help)
    }

    /// A string field. Numbers and booleans are refused (quote them) so `version: 1.10`
    /// never silently becomes `1.1`.
    func string(_ key: String, required: Bool = false, in what: String = "") -> String? {
        guard let v = self[key] else {
            if required { missing(key, what) }
            return nil
        }
        switch v.value {
        case let .string(s): return s
        case .null:
            if required { mismatch(key, expected: "a string", found: v) }
            return nil
        case .int, .double, .bool:
            mismatch(key, expected: "a string", found: v, help: "quote the value: `\(key): \"\(v.text ?? "")\"`")
            return nil
        default:
            mismatch(key, expected: "a string", found: v)
            return nil
        }
    }

    func bool(_ key: String) -> Bool? {
        guard let v = self[key] else { return nil }
        switch v.value {
        case let .bool(b): return b
        case .null: return nil
        default:
            mismatch(key, expected: "`true` or `false`", found: v)
            return nil
        }
    }

    func int(_ key: String) -> Int? {
        guard let v = self[key] else { return nil }
        switch v.value {
        case let .int(i): return i
        case .null: return nil
        default:
            mismatch(key, expected: "an integer", found: v)
            return nil
        }
    }

    func number(_ key: String) -> Double? {
        guard let v = self[key] else { return nil }
        switch v.value {
        case let .int(i): return Double(i)
        case let .double(d): return d
        case .null: return nil
        default:
            mismatch(key, expected: "a number", found: v)
            return nil
        }
    }

    /// Any value (the standards allow any JSON value in a few places).
    func any(_ key: String) -> YAMLValue? { self[key]?.value }

    func stringList(_ key: String) -> [String] {
        guard let v = self[key] else { return [] }
        if v.isNull { return [] }
        guard v.kind == .sequence else {
            mismatch(key, expected: "a list of strings", found: v)
            return []
        }
        var out: [String] = []
        for item in v.items {
            if case let .string(s) = item.value { out.append(s) } else {
                reader.error(ModelMessages.wrongType, "items of `\(key)` must be strings, found \(item.typeName)",
                             at: item.location)
            }
        }
        return out
    }

    /// A list of mappings, each decoded by `decode`; items that fail are skipped (already reported).
    func list<T>(_ key: String, _ decode: (YNode) -> T?) -> [T] {
        guard let v = self[key] else { return [] }
        if v.isNull { return [] }
        guard v.kind == .sequence else {
            mismatch(key, expected: "a list", found: v)
            return []
        }
        return v.items.compactMap(decode)
    }

    /// A nested mapping decoded by `decode`.
    func object<T>(_ key: String, _ decode: (YNode) -> T?) -> T? {
        guard let v = self[key] else { return nil }
        if v.isNull { return nil }
        return decode(v)
    }
}
