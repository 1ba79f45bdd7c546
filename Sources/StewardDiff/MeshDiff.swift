import StewardCore
import StewardModel

/// The semantic difference between two versions of a whole mesh: domains, products and
/// contracts added, removed and modified, each contract compared by `ContractDiff`.
public enum MeshDiff {
    /// `transform` reads a product's transform text at each side, to tell whether it changed.
    /// `changedPaths`, when known (from git), limits the element-by-element comparison to the
    /// files that changed; additions and removals are found either way.
    public static func compare(_ old: Mesh, _ new: Mesh, changedPaths: Set<String>? = nil,
                               transform: (_ side: Side, _ path: String) -> String? = { _, _ in nil }) -> [Change] {
        var out: [Change] = []
        func touched(_ paths: String...) -> Bool {
            guard let changedPaths else { return true }
            return paths.contains { changedPaths.contains($0) }
        }
        // Domains.
        for name in old.domains.keys.sorted() where new.domains[name] == nil {
            out.append(Change("domain.removed", entity: "domain", element: name, breaking: true, "domain \(name) removed"))
        }
        for name in new.domains.keys.sorted() {
            guard let d = new.domains[name] else { continue }
            guard let before = old.domains[name] else {
                out.append(Change("domain.added", entity: "domain", element: name, breaking: false, "domain \(name) added", at: d.location))
                continue
            }
            if Set(before.owners.members.map { $0.lowercased() }) != Set(d.owners.members.map { $0.lowercased() }) || before.owners.team != d.owners.team {
                out.append(Change("domain.ownersChanged", entity: "domain", element: name, breaking: false,
                                  "owners of \(name): \(before.owners.members.joined(separator: ", ")) → \(d.owners.members.joined(separator: ", "))",
                                  at: d.location))
            }
        }
        // Contracts.
        for id in old.contracts.keys.sorted() where new.contracts[id] == nil {
            out.append(Change("contract.removed", entity: "contract", element: id, breaking: true, "contract \(id) removed"))
        }
        for id in new.contracts.keys.sorted() {
            let c = new.contracts[id]!
            guard let before = old.contracts[id] else {
                out.append(Change("contract.added", entity: "contract", element: id, breaking: false, "contract \(id) added", at: c.location))
                continue
            }
            guard touched(before.location.path, c.location.path) else { continue }
            // Paired by id, so a moved file is this note plus its content changes, not a removal.
            if before.location.path != c.location.path {
                out.append(Change("contract.moved", entity: "contract", element: id, breaking: false,
                                  "contract \(id) moved from \(before.location.path) to \(c.location.path)", at: c.location))
            }
            if before != c { out += ContractDiff.compare(before, c) }
        }
        // Products.
        for id in old.products.keys.sorted() where new.products[id] == nil {
            out.append(Change("product.removed", entity: "product", element: id, breaking: true, "product \(id) removed"))
        }
        for id in new.products.keys.sorted() {
            let p = new.products[id]!
            guard let before = old.products[id] else {
                out.append(Change("product.added", entity: "product", element: id, breaking: false, "product \(id) added", at: p.location))
                continue
            }
            let transforms = [old.transforms[id], new.transforms[id]].compactMap { $0 }
            guard changedPaths == nil || touched(before.location.path, p.location.path) || transforms.contains(where: { changedPaths!.contains($0) }) else { continue }
            out += product(before, p, old: old, new: new, transform: transform)
        }
        return out
    }

    public enum Side: Sendable { case old, new }

    static func product(_ a: Product, _ b: Product, old: Mesh, new: Mesh, transform: (Side, String) -> String?) -> [Change] {
        var out: [Change] = []
        let id = b.id
        if a.status != b.status {
            let retired = ["retired", "deleted"].contains(b.status.lowercased())
            out.append(Change("product.statusChanged", entity: "product", element: id, breaking: retired,
                              "status \(a.status) → \(b.status)", at: b.location))
        }
        let inputsBefore = Set(a.inputPorts.map(\.contractId)), inputsAfter = Set(b.inputPorts.map(\.contractId))
        for port in b.inputPorts where !inputsBefore.contains(port.contractId) {
            out.append(Change("input.added", entity: "input", element: "\(id)/inputs/\(port.name)", breaking: false,
                              "\(id) now reads \(port.contractId)", at: port.location))
        }
        for port in a.inputPorts where !inputsAfter.contains(port.contractId) {
            out.append(Change("input.removed", entity: "input", element: "\(id)/inputs/\(port.name)", breaking: false,
                              "\(id) no longer reads \(port.contractId)", at: b.location))
        }
        let outputsBefore = Set(a.outputPorts.compactMap(\.contractId)), outputsAfter = Set(b.outputPorts.compactMap(\.contractId))
        for c in outputsAfter.subtracting(outputsBefore).sorted() {
            out.append(Change("product.outputAdded", entity: "product", element: id, breaking: false, "\(id) now publishes \(c)", at: b.location))
        }
        for c in outputsBefore.subtracting(outputsAfter).sorted() {
            out.append(Change("product.outputRemoved", entity: "product", element: id, breaking: true, "\(id) no longer publishes \(c)", at: b.location))
        }
        let e1 = a.custom("engine")?.string ?? old.settings.defaultEngine
        let e2 = b.custom("engine")?.string ?? new.settings.defaultEngine
        if e1 != e2 {
            out.append(Change("product.engineChanged", entity: "product", element: id, breaking: false, "engine \(e1) → \(e2)", at: b.location))
        }
        if let t1 = old.transforms[a.id], let t2 = new.transforms[b.id] {
            let before = transform(.old, t1), after = transform(.new, t2)
            if t1 != t2 || (before != nil && after != nil && before != after) {
                // An edited transform is told in its own file; a new transform path, in the product.
                out.append(Change("product.transformChanged", entity: "product", element: id, breaking: false,
                                  t1 == t2 ? "transform \(t2) changed" : "transform \(t1) → \(t2)",
                                  at: t1 == t2 ? SourceLocation(path: t2) : b.location))
            }
        }
        return out
    }
}

/// Who consumes what a breaking change touches: the products that read the contract, and
/// everything downstream of them, through the lineage.
public struct Impact: Sendable, Equatable, Codable {
    public var direct: [String]
    public var transitive: [String]
    public var domains: [String]

    /// The contract a change is about, from its element id.
    public static func contract(of change: Change, in mesh: Mesh) -> String? {
        switch change.entity {
        case "contract", "property", "grant":
            return mesh.contract(containing: change.element)
        case "product":
            return nil
        default:
            return nil
        }
    }

    public init(direct: [String], transitive: [String], domains: [String]) {
        self.direct = direct
        self.transitive = transitive
        self.domains = domains
    }

    /// The consumers of a contract (or of a product's outputs) in `mesh`.
    public static func of(contract: String?, product: String? = nil, in mesh: Mesh, lineage: Lineage) -> Impact {
        var direct = Set<String>()
        if let contract { direct.formUnion(lineage.edges.filter { $0.contract == contract }.map(\.to)) }
        if let product { direct.formUnion(lineage.edges.filter { $0.from == product }.map(\.to)) }
        var all = direct
        for d in direct { all.formUnion(lineage.downstream(of: d)) }
        let transitive = all.subtracting(direct)
        let domains = Set(all.compactMap { mesh.products[$0]?.domain })
        return Impact(direct: direct.sorted(), transitive: transitive.sorted(), domains: domains.sorted())
    }

    public var isEmpty: Bool { direct.isEmpty && transitive.isEmpty }
}
