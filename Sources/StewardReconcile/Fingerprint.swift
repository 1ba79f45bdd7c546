import Crypto
import Foundation
import StewardCore
import StewardModel

/// What decides a product's data, hashed (docs/reconciler.md §3): its engine, its normalized
/// transform, its output contracts cut to what the data depends on, and its inputs (upstream
/// fingerprints, or a source's contract and file bytes). Descriptions, owners, grants,
/// versions and formatting do not reach it.
public struct Fingerprinter {
    public let mesh: Mesh
    /// The product that publishes each contract (computed once: the mesh derives it on each use).
    let producers: [String: String]
    /// Reads a repository file (a transform, a source file) at the revision being planned.
    let read: (String) throws -> [UInt8]?
    private var memo: [String: String] = [:]

    public init(mesh: Mesh, read: @escaping (String) throws -> [UInt8]?) {
        self.mesh = mesh
        self.producers = mesh.producerOf
        self.read = read
    }

    /// A product's fingerprint and the parts it was made of (so a plan can say what changed).
    public struct Parts: Sendable, Equatable, Codable {
        public var engine: String
        public var transform: String
        public var contracts: [String: String]
        /// Input port name → the upstream product's or the source's fingerprint.
        public var inputs: [String: String]
        public var fingerprint: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case missingTransform(product: String, path: String)
        case missingSource(contract: String, path: String)
        case unknownInput(product: String, contract: String)
        case cycle(String)

        public var description: String {
            switch self {
            case let .missingTransform(p, path): "the transform `\(path)` of `\(p)` is not in the revision"
            case let .missingSource(c, path): "the source file `\(path)` of contract `\(c)` is not in the revision"
            case let .unknownInput(p, c): "`\(p)` reads `\(c)`, which no product publishes and no source describes"
            case let .cycle(p): "the product graph has a cycle through `\(p)`"
            }
        }
    }

    /// Every product's parts, by id.
    public mutating func all() throws -> [String: Parts] {
        var out: [String: Parts] = [:]
        var visiting = Set<String>()
        for id in mesh.products.keys.sorted() { _ = try parts(id, &out, &visiting) }
        return out
    }

    private mutating func parts(_ id: String, _ done: inout [String: Parts], _ visiting: inout Set<String>) throws -> Parts {
        if let p = done[id] { return p }
        guard visiting.insert(id).inserted else { throw Failure.cycle(id) }
        defer { visiting.remove(id) }
        let p = mesh.products[id]!
        let engine = p.custom("engine")?.string ?? mesh.settings.defaultEngine
        guard let path = mesh.transforms[id], let bytes = try read(path) else {
            throw Failure.missingTransform(product: id, path: mesh.transforms[id] ?? "transforms/\(p.name).sql")
        }
        // SQL is normalized; other languages (Python for Ray) are hashed as written, since their
        // white space and `--` mean something.
        let transform = path.hasSuffix(".sql") ? Self.hash(Self.normalizeSQL(String(decoding: bytes, as: UTF8.self))) : Self.hash(bytes)
        var contracts: [String: String] = [:]
        for port in p.outputPorts {
            guard let cid = port.contractId, let c = mesh.contracts[cid] else { continue }
            contracts[cid] = Self.hash(Self.canonical(c).text)
        }
        var inputs: [String: String] = [:]
        for port in p.inputPorts {
            if let up = producers[port.contractId] {
                inputs[port.name] = try parts(up, &done, &visiting).fingerprint
            } else if let c = mesh.contracts[port.contractId] {
                inputs[port.name] = try sourceFingerprint(port.contractId, c)
            } else {
                throw Failure.unknownInput(product: id, contract: port.contractId)
            }
        }
        let doc = Canonical.object([
            "engine": .string(engine), "transform": .string(transform),
            "contracts": .object(contracts.mapValues(Canonical.string)),
            "inputs": .object(inputs.mapValues(Canonical.string)),
        ])
        let result = Parts(engine: engine, transform: transform, contracts: contracts, inputs: inputs,
                           fingerprint: Self.hash(doc.text))
        done[id] = result
        return result
    }

    /// A source contract's fingerprint: its canonical contract and its files' bytes.
    public mutating func source(_ id: String) throws -> String? {
        guard let c = mesh.contracts[id] else { return nil }
        return try sourceFingerprint(id, c)
    }

    private mutating func sourceFingerprint(_ id: String, _ c: Contract) throws -> String {
        if let f = memo[id] { return f }
        let domainDir = "\(MeshLoader.domainsRoot)/\(mesh.contractDomain[id] ?? "")"
        var files: [Canonical] = []
        for s in c.servers where s.type == "local" {
            guard let relative = s.path else { continue }
            let path = try RepoPath.resolve(relative, against: domainDir)
            guard let bytes = try read(path) else { throw Failure.missingSource(contract: id, path: path) }
            files.append(.object(["format": Canonical(s.settings["format"]?.string), "sha256": .string(Self.hash(bytes))]))
        }
        let f = Self.hash(Canonical.object(["contract": Self.canonical(c), "files": .list(files)]).text)
        memo[id] = f
        return f
    }

    // MARK: canonical forms

    /// The contract cut to what the data depends on (docs/reconciler.md §3).
    static func canonical(_ c: Contract) -> Canonical {
        .object([
            "objects": .list(c.objects.map { o in
                .object(["name": .string(o.name), "physicalName": Canonical(o.physicalName),
                         "properties": .list(o.properties.map(canonical)), "quality": .list(o.quality.map(canonical))])
            }),
            "retention": c.sla("retention").map { s in
                .object(["seconds": s.span.map { .number($0.seconds) } ?? Canonical(s.value), "element": Canonical(s.element)])
            } ?? .null,
        ])
    }

    static func canonical(_ p: SchemaProperty) -> Canonical {
        .object([
            "name": .string(p.name), "logicalType": Canonical(p.logicalType), "physicalType": Canonical(p.physicalType),
            "physicalName": Canonical(p.physicalName),
            "required": .bool(p.required), "unique": .bool(p.unique), "primaryKey": .bool(p.primaryKey),
            "classification": Canonical(p.classification), "pii": .bool(p.isPII),
            "anonymizationStrategy": Canonical(p.anonymizationStrategy),
            "quality": .list(p.quality.map(canonical)),
            "properties": .list(p.properties.map(canonical)),
            "items": p.items.map { i in .object(["logicalType": Canonical(i.logicalType), "properties": .list(i.properties.map(canonical))]) } ?? .null,
        ])
    }

    static func canonical(_ q: QualityRule) -> Canonical {
        .object([
            "type": .string(q.type.rawValue), "metric": Canonical(q.metric), "query": q.query.map { .string(normalizeSQL($0)) } ?? .null,
            "threshold": Canonical(q.threshold.map { "\($0)" }), "unit": Canonical(q.unit),
            "arguments": q.arguments.map(Canonical.init) ?? .null,
        ])
    }

    /// SQL with comments removed and white space outside quotes collapsed: reformatting does
    /// not change it, editing a literal or an identifier does.
    static func normalizeSQL(_ sql: String) -> String {
        var out: [Unicode.Scalar] = []
        let s = Array(sql.unicodeScalars)
        var i = 0
        var pendingSpace = false
        func emit(_ u: Unicode.Scalar) {
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(u)
        }
        while i < s.count {
            let u = s[i]
            if u == "-" && i + 1 < s.count && s[i + 1] == "-" {
                while i < s.count && s[i] != "\n" { i += 1 }
                pendingSpace = true
            } else if u == "/" && i + 1 < s.count && s[i + 1] == "*" {
                i += 2
                while i + 1 < s.count && !(s[i] == "*" && s[i + 1] == "/") { i += 1 }
                i += 2
                pendingSpace = true
            } else if u == "'" || u == "\"" || u == "`" || u == "[" {
                let close: Unicode.Scalar = u == "[" ? "]" : u
                emit(u)
                i += 1
                while i < s.count {
                    out.append(s[i])
                    if s[i] == close {
                        // A doubled quote inside a literal is an escaped quote, not the end.
                        if close != "]" && i + 1 < s.count && s[i + 1] == close { out.append(s[i + 1]); i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            } else if u == " " || u == "\t" || u == "\n" || u == "\r" || u == "\u{0C}" {
                // SQLite's white space only: any other character (a no-break space, U+2003...)
                // is part of an identifier there, so `a\u{A0}b` is one name and `a b` two.
                pendingSpace = true
                i += 1
            } else {
                emit(u)
                i += 1
            }
        }
        var text = String(String.UnicodeScalarView(out))
        while text.hasSuffix(";") || text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    static func hash(_ text: String) -> String { hash(Array(text.utf8)) }


    static func hash(_ bytes: [UInt8]) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }
}
