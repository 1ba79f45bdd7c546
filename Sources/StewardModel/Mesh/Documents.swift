import StewardCore

/// A single ODCS or ODPS document, read on its own (`steward validate FILE`).
public enum Document: Sendable {
    case contract(Contract)
    case product(Product)
}

/// Parses single files. The mesh loader and `steward validate` share it.
public enum Documents {
    /// Reads bytes as the given kind, or guesses the kind from `kind:` and the file name.
    public static func load(_ bytes: [UInt8], path: String) -> Loaded<Document> {
        let text: String
        switch YAMLDocument.decodeUTF8(bytes, path: path) {
        case let .success(t): text = t
        case let .failure(d): return Loaded(value: nil, diagnostics: [d], sources: [:])
        }
        let reader = Reader(path: path)
        let doc = root(text, reader).flatMap { root -> Document? in
            switch guessKind(root, path: path) {
            case "DataProduct": ProductDecoder(reader: reader).decode(root).map(Document.product)
            case "DataContract":
                { var d = ContractDecoder(reader: reader); return d.decode(root).map(Document.contract) }()
            default:
                { reader.error(ModelMessages.wrongKind, "cannot tell whether this is a data contract or a data product",
                               at: root.location,
                               help: "add `kind: DataContract` (ODCS) or `kind: DataProduct` (ODPS), or name the file *.odcs.yaml or *.odps.yaml")
                    return nil }()
            }
        }
        return Loaded(value: doc, diagnostics: reader.diagnostics, sources: [path: text])
    }

    static func contract(_ text: String, path: String) -> (Contract?, [Diagnostic]) {
        let reader = Reader(path: path)
        var decoder = ContractDecoder(reader: reader)
        let c = root(text, reader).flatMap { decoder.decode($0) }
        return (c, reader.diagnostics)
    }

    static func product(_ text: String, path: String) -> (Product?, [Diagnostic]) {
        let reader = Reader(path: path)
        let p = root(text, reader).flatMap { ProductDecoder(reader: reader).decode($0) }
        return (p, reader.diagnostics)
    }

    /// The root node of a file; an empty file or a parse error is reported.
    static func root(_ text: String, _ reader: Reader) -> YNode? {
        switch YAMLDocument.parse(text, reader: reader) {
        case let .success(node?): return node
        case .success(nil):
            reader.error(ModelMessages.emptyDocument, "file is empty", at: SourceLocation(path: reader.path, line: 1, column: 1))
            return nil
        case let .failure(d):
            reader.report(d)
            return nil
        }
    }

    private static func guessKind(_ root: YNode, path: String) -> String? {
        if let k = root.pairs.first(where: { $0.key == "kind" })?.value.text,
           k == "DataContract" || k == "DataProduct" { return k }
        if path.hasSuffix(".odcs.yaml") || path.hasSuffix(".odcs.yml") { return "DataContract" }
        if path.hasSuffix(".odps.yaml") || path.hasSuffix(".odps.yml") { return "DataProduct" }
        let keys = Set(root.pairs.map(\.key))
        if keys.contains("schema") || keys.contains("slaProperties") { return "DataContract" }
        if keys.contains("inputPorts") || keys.contains("outputPorts") { return "DataProduct" }
        return nil
    }
}
