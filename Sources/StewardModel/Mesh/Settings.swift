import Foundation
import StewardCore

/// `steward.yaml`: the mesh's own settings.
public struct MeshSettings: Sendable, Hashable {
    public var name: String
    public var mainBranch: String = "main"
    public var defaultEngine: String = "embedded"
    public var warehouse: String = ".steward/warehouse"
    public var platformTeam: Owners = Owners(team: "platform", members: [])
    /// Ed25519 public keys allowed to sign audit entries (docs/audit-log.md §5); with any
    /// listed, every entry must be signed by one of them.
    public var auditKeys: [AuditKey] = []
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "steward.yaml") }
    var _location = LocationBox(nil)

    public init(name: String) { self.name = name }

    static let engines: Set<String> = ["embedded", "ray"]
}

/// A public key allowed to sign audit entries: its name and the raw 32-byte Ed25519 key.
public struct AuditKey: Sendable, Hashable {
    public var name: String
    public var publicKey: [UInt8]

    public init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
    }
}

/// Who owns something: a team name and member emails.
public struct Owners: Sendable, Hashable {
    public var team: String
    public var members: [String]

    public init(team: String, members: [String]) {
        self.team = team
        self.members = members
    }
}

/// `domains/<name>/domain.yaml`.
public struct Domain: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var owners: Owners
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public init(name: String, description: String? = nil, owners: Owners, location: SourceLocation? = nil) {
        self.name = name
        self.description = description
        self.owners = owners
        self._location = LocationBox(location)
    }
}

/// Decoders for Steward's own files (`apiVersion: steward/v1`).
struct StewardFileDecoder {
    let r: Reader

    func settings(_ root: YNode) -> MeshSettings? {
        let allowed: Set<String> = ["apiVersion", "kind", "name", "mainBranch", "defaultEngine", "warehouse", "platformTeam", "audit"]
        guard let f = r.fields(root, "mesh settings", allowed: allowed) else { return nil }
        header(f, kind: "Mesh")
        var s = MeshSettings(name: f.string("name", required: true, in: "mesh settings") ?? "")
        s._location = LocationBox(f.location)
        if let b = f.string("mainBranch") { s.mainBranch = b }
        if let e = f.string("defaultEngine") {
            if MeshSettings.engines.contains(e) { s.defaultEngine = e } else {
                r.error(ModelMessages.badValue, "unknown engine `\(e)`", at: f.location(of: "defaultEngine"),
                        help: Suggestions.didYouMean(e, in: MeshSettings.engines) ?? "use `embedded` or `ray`")
            }
        }
        if let w = f.string("warehouse") { s.warehouse = w }
        if let t = f["platformTeam"], let o = owners(t, "platform team") { s.platformTeam = o }
        if let a = f["audit"], let af = r.fields(a, "audit settings", allowed: ["keys"]) {
            s.auditKeys = af.list("keys") { node in
                guard let k = r.fields(node, "audit key", allowed: ["name", "publicKey"]) else { return nil }
                let name = k.string("name", required: true, in: "audit key") ?? ""
                guard let text = k.string("publicKey", required: true, in: "audit key") else { return nil }
                guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                    r.error(ModelMessages.badValue, "audit key `\(name)` is not a base64 Ed25519 public key (32 bytes)", at: k.location(of: "publicKey"),
                            help: "`steward audit keygen` prints a key pair")
                    return nil
                }
                return AuditKey(name: name, publicKey: Array(bytes))
            }
        }
        return s
    }

    func domain(_ root: YNode) -> Domain? {
        let allowed: Set<String> = ["apiVersion", "kind", "name", "description", "owners"]
        guard let f = r.fields(root, "domain", allowed: allowed) else { return nil }
        header(f, kind: "Domain")
        let name = f.string("name", required: true, in: "domain") ?? ""
        var o = Owners(team: "", members: [])
        if let n = f["owners"] { o = owners(n, "owners") ?? o } else {
            r.error(ModelMessages.missingKey, "domain is missing required key `owners`", at: f.location,
                    help: "add `owners: {team: <team>, members: [<email>]}`")
        }
        return Domain(name: name, description: f.string("description"), owners: o, location: f.location)
    }

    private func owners(_ n: YNode, _ what: String) -> Owners? {
        guard let f = r.fields(n, what, allowed: ["team", "name", "members"]) else { return nil }
        let team = f.string("team") ?? f.string("name")
        if team == nil { r.error(ModelMessages.missingKey, "\(what) is missing required key `team`", at: f.location) }
        let members = f.stringList("members")
        if members.isEmpty {
            r.error(ModelMessages.missingKey, "\(what) must list at least one member email in `members`", at: f.location)
        }
        for (i, m) in members.enumerated() where !Self.looksLikeEmail(m) {
            let loc = f["members"]?.items[safe: i]?.location ?? f.location
            r.error(ModelMessages.badValue, "`\(m)` is not an email address", at: loc,
                    help: "owners are matched to commit authors by email")
        }
        return Owners(team: team ?? "", members: members)
    }

    private func header(_ f: Fields, kind: String) {
        if let v = f.string("apiVersion", required: true, in: kind == "Mesh" ? "mesh settings" : "domain"), v != "steward/v1" {
            r.error(ModelMessages.unsupportedVersion, "unsupported apiVersion `\(v)`", at: f.location(of: "apiVersion"),
                    help: "write `apiVersion: steward/v1`")
        }
        if let k = f.string("kind", required: true, in: kind == "Mesh" ? "mesh settings" : "domain"), k != kind {
            r.error(ModelMessages.wrongKind, "`kind` must be `\(kind)`, found `\(k)`", at: f.location(of: "kind"))
        }
    }

    static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !s.contains(" ")
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
