import Foundation
import StewardCore
import StewardModel

/// What `steward history` follows: a product (its file, output contracts and transform) or a
/// contract (its file), found at the starting revision by loading only the domain that holds it.
struct HistoryTarget {
    enum Kind: String { case product, contract }

    var kind: Kind
    var id: String
    /// The contracts that belong to the target: a product's output contracts, or the contract.
    var contracts: [String]
    /// Repository paths to follow, at the starting revision.
    var paths: [String]

    /// Whether a policy target (or a change target `<element>:<kind>`) is the target, one of its
    /// contracts, or inside them (`<contract>.<object>.<property>`, `<product>/inputs/<port>`).
    func owns(_ target: String) -> Bool {
        let element = target.split(separator: ":", maxSplits: 1).first.map(String.init) ?? target
        return ([id] + contracts).contains { element == $0 || element.hasPrefix($0 + ".") || element.hasPrefix($0 + "/") }
    }

    /// The ids whose changes belong in the target's history: itself and, on either side of a
    /// commit, the contracts a product published.
    func elementIDs(in meshes: [Mesh]) -> Set<String> {
        var ids: Set<String> = [id]
        ids.formUnion(contracts)
        if kind == .product {
            for m in meshes { for port in m.products[id]?.outputPorts ?? [] { if let c = port.contractId { ids.insert(c) } } }
        }
        return ids
    }

    /// `d` for a path under `domains/d/`: the second of its parts when it has three or more
    /// and the first is `domains`, parts as `split(separator: "/")` makes them (the non-empty
    /// runs between slashes). Found without splitting: a whole-mesh check asks it of 20,000
    /// paths.
    static func domain(ofPath path: String) -> String? {
        let bytes = path.utf8
        var first: Range<String.Index>?, second: Range<String.Index>?
        var count = 0
        var start: String.Index?
        var i = bytes.startIndex
        func ended(_ part: Range<String.Index>) {
            count += 1
            if count == 1 { first = part } else if count == 2 { second = part }
        }
        while i != bytes.endIndex && count < 3 {
            if bytes[i] == UInt8(ascii: "/") {
                if let s = start { ended(s..<i) }
                start = nil
            } else if start == nil {
                start = i
                if count == 2 { count = 3 }  // a third part has begun: enough
            }
            i = bytes.index(after: i)
        }
        if let s = start, count < 3 { ended(s..<i) }
        guard count >= 3, let first, let second, path[first] == "domains" else { return nil }
        return String(path[second])
    }

    /// The files of the mesh that a load of `domains` needs: settings, global policies and
    /// waivers, and those domains' folders.
    static func subset(_ tree: any FileTree, domains: Set<String>) -> SubsetTree {
        SubsetTree(tree, folders: ["policies", MeshLoader.waiversRoot] + domains.map { "\(MeshLoader.domainsRoot)/\($0)" },
                   files: [MeshLoader.settingsPath])
    }

    /// The mesh made of some domains only. References to other domains do not resolve, so
    /// the load's diagnostics are not reported: the full mesh is what `lint` judges.
    static func load(_ tree: any FileTree, domains: Set<String>, cache: ParseCache) throws -> Mesh {
        try MeshLoader(cache: cache, partial: true).load(from: subset(tree, domains: domains)).value ?? Mesh(settings: MeshSettings(name: ""))
    }

    static func locate(_ id: String, in tree: any FileTree, cache: ParseCache) throws -> HistoryTarget {
        let parts = id.split(separator: ".", maxSplits: 1).map(String.init)
        var mesh: Mesh?
        if parts.count == 2, !parts[0].isEmpty, try !tree.files(under: "\(MeshLoader.domainsRoot)/\(parts[0])").isEmpty {
            mesh = try load(tree, domains: [parts[0]], cache: cache)
        }
        if mesh?.products[id] == nil && mesh?.contracts[id] == nil {
            // Contract ids need not start with their domain: look through the whole mesh.
            mesh = try MeshLoader(cache: cache).load(from: tree).value
        }
        guard let mesh else {
            throw UsageError(message: "no mesh at \(tree.label)", help: "run history inside the mesh repository (steward.yaml at its top)")
        }
        if let p = mesh.products[id] {
            let contracts = p.outputPorts.compactMap(\.contractId)
            var paths = [p.location.path] + contracts.compactMap { mesh.contracts[$0]?.location.path }
            if let t = mesh.transforms[id] { paths.append(t) }
            return HistoryTarget(kind: .product, id: id, contracts: contracts, paths: paths)
        }
        if let c = mesh.contracts[id] {
            return HistoryTarget(kind: .contract, id: id, contracts: [id], paths: [c.location.path])
        }
        let known = Array(mesh.products.keys) + Array(mesh.contracts.keys)
        let inDomain = mesh.products.keys.filter { $0.hasPrefix(id + ".") }.sorted()
        let help = mesh.domains[id] != nil && !inDomain.isEmpty
            ? "`\(id)` is a domain; name one of its products: \(inDomain.joined(separator: ", "))"
            : Suggestions.didYouMean(id, in: known) ?? "name a product (<domain>.<name>) or a contract id; --rev picks another revision"
        throw UsageError(message: "no product or contract `\(id)` at \(tree.label)", help: help)
    }

    /// The domains whose files decide the findings on the target: its own, those its inputs'
    /// contract ids start with, and those its contracts grant to (where its consumers are; an
    /// ungranted consumer is a finding on the consumer, not on the target). A guess for inputs:
    /// `resolvesInputs` tells whether it held.
    static func neighbourhood(of target: HistoryTarget, at tree: any FileTree, cache: ParseCache) throws -> Set<String> {
        let home = Set(target.paths.compactMap(domain(ofPath:)))
        let mesh = try load(tree, domains: home, cache: cache)
        var out = home
        for c in target.elementIDs(in: [mesh]) {
            for role in mesh.contracts[c]?.roles ?? [] { out.formUnion(role.grantedDomains) }
        }
        for port in mesh.products[target.id]?.inputPorts ?? [] {
            if let d = port.contractId.split(separator: ".").first { out.insert(String(d)) }
        }
        return out
    }

    /// What findings on the target are computed from, on either side: its product (a
    /// contract's producer), the contracts it publishes and reads, and the target contract.
    func focus(_ old: Mesh, _ new: Mesh) -> (products: Set<String>, contracts: Set<String>) {
        var products: Set<String> = kind == .product ? [id] : []
        var contracts = Set(self.contracts)
        for mesh in [old, new] {
            if kind == .contract, let producer = mesh.producerOf[id] { products.insert(producer) }
        }
        for mesh in [old, new] {
            for p in products.compactMap({ mesh.products[$0] }) {
                contracts.formUnion(p.outputPorts.compactMap(\.contractId))
                contracts.formUnion(p.inputPorts.map(\.contractId))
            }
        }
        return (products, contracts)
    }

    /// Whether every contract the target reads is in `mesh`.
    func resolvesInputs(in mesh: Mesh) -> Bool {
        (mesh.products[id]?.inputPorts ?? []).allSatisfy { mesh.contracts[$0.contractId] != nil }
    }
}
