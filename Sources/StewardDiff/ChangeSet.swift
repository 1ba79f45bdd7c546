import StewardCore
import StewardModel

/// A commit as change policies see it (policy-language.md §5.2 `commit`).
public struct CommitInfo: Sendable, Equatable {
    public struct Person: Sendable, Equatable {
        public var name: String
        /// Lowercased, so `in owners.members` compares reliably.
        public var email: String
        public init(name: String, email: String) {
            self.name = name
            self.email = email.lowercased()
        }
    }

    public var id: String
    public var author: Person
    public var committer: Person
    public var coAuthors: [Person]
    public var message: String
    /// Committer time, seconds since 1970.
    public var time: Int64
    /// Repository paths the commit touched.
    public var paths: Set<String>

    public init(id: String, author: Person, committer: Person, coAuthors: [Person], message: String, time: Int64, paths: Set<String>) {
        self.id = id
        self.author = author
        self.committer = committer
        self.coAuthors = coAuthors
        self.message = message
        self.time = time
        self.paths = paths
    }
}

/// A changed file between base and head.
public struct FileChange: Sendable, Equatable {
    public enum Status: String, Sendable { case added, removed, modified }
    public var path: String
    public var status: Status
    public init(path: String, status: Status) {
        self.path = path
        self.status = status
    }
}

/// One change target of a policy (§5.4): a whole-file *summary* change with the element
/// changes inside it as details, or one of those element changes; each with the commits that
/// touched its file.
public struct MeshChange: Sendable {
    public var change: Change
    public var summary: Bool
    public var path: String
    public var details: [Change]
    public var commits: [CommitInfo]
    /// The domain folder the file is in, when that domain exists at the base revision.
    public var domain: String?
}

public enum ChangeSet {
    /// Groups the semantic changes by the file they are in, adds a summary change per changed
    /// file (policies, waivers, transforms and other files included), and attaches commits.
    public static func build(changes: [Change], files: [FileChange], old: Mesh, new: Mesh, commits: [CommitInfo]) -> [MeshChange] {
        var byPath: [String: [Change]] = [:]
        for c in changes { byPath[file(of: c, old: old, new: new) ?? "", default: []].append(c) }
        let moves = contractMoves(files, old: old, new: new)
        var out: [MeshChange] = []
        for f in files.sorted(by: { $0.path < $1.path }) {
            let entity = entity(of: f.path)
            let details = byPath[f.path] ?? []
            let element = elementId(of: f.path, entity: entity, old: old, new: new)
            let touching = commits.filter { $0.paths.contains(f.path) }
            let domain = domainFolder(of: f.path).flatMap { old.domains[$0] != nil ? $0 : nil }
            // A contract whose file moved keeps its id: the old file is a move, the new one a
            // modification judged like any other (the versioning policy sees it), not a removal
            // and an addition.
            let status: String, what: String
            switch f.status {
            case .removed where moves.to[f.path] != nil: (status, what) = ("moved", "moved to \(moves.to[f.path]!)")
            case .added where moves.from[f.path] != nil: (status, what) = ("modified", "moved from \(moves.from[f.path]!)")
            default: (status, what) = (f.status.rawValue, f.status.rawValue)
            }
            let summary = Change("\(entity).\(status)", entity: entity, element: element,
                                 breaking: details.contains(where: \.breaking) || (status == "removed" && ["contract", "product", "domain"].contains(entity)),
                                 "\(f.path) \(what)" + (details.isEmpty ? "" : ": \(details.count) change\(details.count == 1 ? "" : "s")"),
                                 at: SourceLocation(path: f.path))
            out.append(MeshChange(change: summary, summary: true, path: f.path, details: details, commits: touching, domain: domain))
            for d in details where !(d.kind == summary.kind && d.element == summary.element) {
                out.append(MeshChange(change: d, summary: false, path: f.path, details: [], commits: touching, domain: domain))
            }
        }
        return out
    }

    /// Contract files removed or added while their contract lives on under another path:
    /// `to` maps an old path to the new one, `from` a new path to the old one.
    static func contractMoves(_ files: [FileChange], old: Mesh, new: Mesh) -> (to: [String: String], from: [String: String]) {
        var to: [String: String] = [:], from: [String: String] = [:]
        for f in files where entity(of: f.path) == "contract" {
            switch f.status {
            case .removed:
                if let id = old.contracts.values.first(where: { $0.location.path == f.path })?.id,
                   let now = new.contracts[id]?.location.path, now != f.path { to[f.path] = now }
            case .added:
                if let id = new.contracts.values.first(where: { $0.location.path == f.path })?.id,
                   let before = old.contracts[id]?.location.path, before != f.path { from[f.path] = before }
            case .modified:
                break
            }
        }
        return (to, from)
    }

    static func domainFolder(of path: String) -> String? {
        let parts = path.split(separator: "/")
        return parts.count >= 3 && parts[0] == "domains" ? String(parts[1]) : nil
    }

    /// What kind of file a path is (§5.4 entity kinds).
    public static func entity(of path: String) -> String {
        let parts = path.split(separator: "/")
        if path == "steward.yaml" { return "mesh" }
        if path.hasSuffix(".policy") || path.hasSuffix(".test.yaml") { return "policy" }
        if parts.first == "waivers" || (parts.count >= 4 && parts[0] == "domains" && parts[2] == "waivers") { return "waiver" }
        guard parts.count >= 3, parts[0] == "domains" else { return "file" }
        if parts.count == 3 && parts[2] == "domain.yaml" { return "domain" }
        if parts.count == 4 && parts[2] == "contracts" && path.hasSuffix(".odcs.yaml") { return "contract" }
        if parts.count == 4 && parts[2] == "products" && path.hasSuffix(".odps.yaml") { return "product" }
        if parts.count >= 4 && parts[2] == "transforms" { return "transform" }
        return "file"
    }

    static func elementId(of path: String, entity: String, old: Mesh, new: Mesh) -> String {
        switch entity {
        case "contract":
            return (new.contracts.values.first { $0.location.path == path } ?? old.contracts.values.first { $0.location.path == path })?.id ?? path
        case "product":
            return (new.products.values.first { $0.location.path == path } ?? old.products.values.first { $0.location.path == path })?.id ?? path
        case "domain":
            return domainFolder(of: path) ?? path
        default:
            return path
        }
    }

    /// The file an element change belongs to.
    static func file(of c: Change, old: Mesh, new: Mesh) -> String? {
        // A move is told where the contract was, the file that no longer holds it.
        if c.kind == "contract.moved" { return old.contracts[c.element]?.location.path }
        switch c.entity {
        case "contract", "property", "grant":
            for mesh in [new, old] {
                if let id = Impact.contract(of: c, in: mesh), let contract = mesh.contracts[id] { return contract.location.path }
            }
            return nil
        case "product", "input":
            let id = String(c.element.split(separator: "/").first ?? "")
            // An edited transform changed its own file; the product file may not have changed.
            if c.kind == "product.transformChanged", let path = new.transforms[id], old.transforms[id] == path { return path }
            return (new.products[id] ?? old.products[id])?.location.path
        case "domain":
            return "domains/\(c.element)/domain.yaml"
        default:
            return nil
        }
    }

    /// The files that differ between two trees, by content.
    public static func files(from old: any FileTree, to new: any FileTree) throws -> [FileChange] {
        let a = Set(try old.files(under: "")), b = Set(try new.files(under: ""))
        var out: [FileChange] = []
        for p in a.subtracting(b) { out.append(FileChange(path: p, status: .removed)) }
        for p in b.subtracting(a) { out.append(FileChange(path: p, status: .added)) }
        for p in a.intersection(b) where try old.read(p) != new.read(p) { out.append(FileChange(path: p, status: .modified)) }
        return out.sorted { $0.path < $1.path }
    }
}
