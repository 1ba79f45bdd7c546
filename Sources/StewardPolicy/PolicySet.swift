import Foundation
import StewardCore

/// Every policy of a mesh, parsed and checked together (§8, §9): global policies in
/// `policies/`, domain policies in `domains/<d>/policies/`, their consts, and the rules that
/// keep a domain from replacing a global policy. Only policies without errors are kept.
public struct PolicySet: Sendable {
    public var policies: [CheckedPolicy]
    public var diagnostics: [Diagnostic]
    /// Text of every policy file read, for the renderer to quote.
    public var sources: [String: String]
    /// Parsed files, for `fmt` and `policy list`.
    public var files: [PolicyFile]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The policy files of a mesh, sorted by path, with their domain (nil for global).
    public static func policyFiles(in tree: any FileTree) throws -> [(path: String, domain: String?)] {
        var out: [(String, String?)] = []
        for p in try tree.files(under: "policies") where p.hasSuffix(".policy") { out.append((p, nil)) }
        for p in try tree.files(under: "domains") where p.hasSuffix(".policy") {
            let parts = p.split(separator: "/")
            if parts.count >= 4, parts[2] == "policies" { out.append((p, String(parts[1]))) }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Reads and checks the policies of a mesh. `domains` are the mesh's domain names.
    public static func load(from tree: any FileTree, domains: [String]) throws -> PolicySet {
        var inputs: [(path: String, domain: String?, text: String)] = []
        var diagnostics: [Diagnostic] = []
        for (path, domain) in try policyFiles(in: tree) {
            guard let bytes = try tree.read(path) else { continue }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                diagnostics.append(.error("POL0001", "policy file is not valid UTF-8", at: SourceLocation(path: path, line: 1, column: 1)))
                continue
            }
            inputs.append((path, domain, text))
        }
        // The same texts and domains always check the same: `history` and `log` judge many
        // commits whose policies did not change, and would otherwise check them again each time.
        // Every part length-prefixed, so no text (a NUL in a policy file included) can make
        // two different inputs read as one key.
        func part(_ s: String?) -> String { s.map { "\($0.utf8.count):\($0)" } ?? "-" }
        let key = domains.sorted().map(part).joined() + "|" + inputs.map { part($0.path) + part($0.domain) + part($0.text) }.joined()
        if let known = checked[key] {
            var set = known
            set.diagnostics = (diagnostics + set.diagnostics).sorted()
            return set
        }
        let fresh = check(inputs, domains: domains)
        checked[key] = fresh
        var set = fresh
        set.diagnostics = (diagnostics + set.diagnostics).sorted()
        return set
    }

    private static let checked = CheckedSets()

    /// Parses and checks policy texts. Consts come first (global ones visible everywhere,
    /// domain ones in their domain), then every policy.
    public static func check(_ inputs: [(path: String, domain: String?, text: String)], domains: [String]) -> PolicySet {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        var files: [(file: PolicyFile, domain: String?)] = []
        for input in inputs {
            sources[input.path] = input.text
            let (file, problems) = Parser.parse(input.text, path: input.path)
            diagnostics += problems
            files.append((file, input.domain))
        }

        // Consts: global first, in path order, then each domain's.
        var global: [String: Checker.ConstInfo] = [:]
        var byDomain: [String: [String: Checker.ConstInfo]] = [:]
        var constDecls: [(name: String, location: SourceLocation, domain: String?)] = []
        var usedConsts: Set<String> = []
        for pass in [true, false] {
            for (file, domain) in files where (domain == nil) == pass {
                for c in file.consts {
                    var visible = global
                    if let domain { visible.merge(byDomain[domain] ?? [:]) { a, _ in a } }
                    if let previous = visible[c.name] {
                        let id = domain != nil && global[c.name] != nil ? "POL0303" : "POL0106"
                        diagnostics.append(.error(id, "constant `\(c.name)` is already defined", at: c.location,
                                                  notes: ["first defined at \(previous.location)"],
                                                  help: id == "POL0303" ? "a domain cannot redefine a global constant; choose another name" : nil))
                        continue
                    }
                    var checker = Checker(consts: visible)
                    let info = checker.checkConst(c)
                    diagnostics += checker.diagnostics
                    usedConsts.formUnion(checker.usedConsts)
                    guard let info else { continue }
                    constDecls.append((c.name, c.location, domain))
                    if let domain { byDomain[domain, default: [:]][c.name] = info } else { global[c.name] = info }
                }
            }
        }

        var policies: [CheckedPolicy] = []
        var seen: [String: SourceLocation] = [:]
        let domainSet = Set(domains)
        for (file, domain) in files {
            var visible = global
            if let domain { visible.merge(byDomain[domain] ?? [:]) { a, _ in a } }
            for p in file.policies {
                if let first = seen[p.id] {
                    diagnostics.append(.error("POL0105", "policy `\(p.id)` is defined twice", at: p.location,
                                              notes: ["first defined at \(first)"], help: "policy ids are unique across the mesh"))
                    continue
                }
                seen[p.id] = p.location
                let head = String(p.id.split(separator: ".").first ?? "")
                if let domain, head != domain {
                    diagnostics.append(.error("POL0301", "policy `\(p.id)` of domain \(domain) must have an id starting with `\(domain).`",
                                              at: p.location, help: "rename it `\(domain).\(p.id.split(separator: ".").last ?? "")`"))
                    continue
                }
                if domain == nil, domainSet.contains(head) {
                    diagnostics.append(.error("POL0302", "global policy `\(p.id)` has an id that starts with domain `\(head)`",
                                              at: p.location, help: "move it to domains/\(head)/policies/, or rename it"))
                    continue
                }
                var checker = Checker(consts: visible)
                let checked = checker.checkPolicy(p, domain: domain, path: file.path)
                diagnostics += checker.diagnostics
                usedConsts.formUnion(checker.usedConsts)
                if let checked { policies.append(checked) }
            }
        }
        for c in constDecls where !usedConsts.contains(c.name) {
            diagnostics.append(.warning("POL0108", "constant `\(c.name)` is never used", at: c.location, help: "remove it"))
        }
        return PolicySet(policies: policies.sorted { $0.id < $1.id }, diagnostics: diagnostics.sorted(),
                         sources: sources, files: files.map(\.file))
    }
}

/// Checked policy sets by their exact inputs, for the life of the process (a few at most).
private final class CheckedSets: @unchecked Sendable {
    // INVARIANT: `sets` is only touched under `lock`.
    private let lock = NSLock()
    private var sets: [String: PolicySet] = [:]

    subscript(key: String) -> PolicySet? {
        get { lock.withLock { sets[key] } }
        set {
            lock.withLock {
                if sets.count >= 16 { sets = [:] }  // a walk through many rule changes: start over
                sets[key] = newValue
            }
        }
    }
}
