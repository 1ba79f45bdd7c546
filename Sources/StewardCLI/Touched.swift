import StewardCore
import StewardDiff
import StewardModel

/// What a change touched, and the domains whose files decide the findings `check` reports on
/// it: used to load a few domains instead of the whole mesh (docs/check-report.md, history.md §6).
struct Touched {
    /// Domains whose folders the change touched.
    var domains: Set<String>
    var products: Set<String>
    var contracts: Set<String>
    /// A domain's own file changed: every target in it is in check's scope.
    var wholeDomains: Bool

    /// Files each change under its product: a product's own changes, its inputs', its
    /// transform's, and those of the contracts it publishes.
    static func of(_ changes: [Change], paths: Set<String>, domains: Set<String>, old: Mesh, new: Mesh) -> Touched {
        var touched = Touched(domains: domains, products: [], contracts: [], wholeDomains: false)
        let producers = [new.producerOf, old.producerOf]
        for c in changes {
            switch c.entity {
            case "product": touched.products.insert(c.element)
            case "input": touched.products.insert(String(c.element.split(separator: "/").first ?? ""))
            case "domain": touched.wholeDomains = true
            default:
                guard let contract = new.contract(containing: c.element) ?? old.contract(containing: c.element) else { continue }
                touched.contracts.insert(contract)
                if let producer = producers.lazy.compactMap({ $0[contract] }).first { touched.products.insert(producer) }
            }
        }
        for (product, transform) in new.transforms.merging(old.transforms, uniquingKeysWith: { a, _ in a }) where paths.contains(transform) {
            touched.products.insert(product)
        }
        // A file edited without a semantic change (a description, a comment) is still checked
        // in full, so what it references must be loaded too.
        for mesh in [new, old] {
            for (id, p) in mesh.products where paths.contains(p.location.path) { touched.products.insert(id) }
            for (id, c) in mesh.contracts where paths.contains(c.location.path) { touched.contracts.insert(id) }
        }
        return touched
    }

    /// The changed domains, the domains the changed products read from (by the domain their
    /// input contract ids start with), and the domains the changed contracts, and those the
    /// changed products publish, grant to (where their consumers are). When a domain's own
    /// file changed, every product in it is in scope, so what all of them read from and grant to.
    func neighbourhood(at tree: any FileTree, cache: ParseCache) throws -> Set<String> {
        neighbourhood(in: try HistoryTarget.load(tree, domains: domains, cache: cache))
    }

    /// The same, from a mesh that holds at least the changed domains.
    func neighbourhood(in mesh: Mesh) -> Set<String> {
        let products = wholeDomains ? Array(mesh.products.values) : self.products.compactMap { mesh.products[$0] }
        var contracts = wholeDomains ? Set(mesh.contracts.keys) : self.contracts
        var out = domains
        for p in products {
            for port in p.inputPorts { if let d = port.contractId.split(separator: ".").first { out.insert(String(d)) } }
            contracts.formUnion(p.outputPorts.compactMap(\.contractId))
        }
        for c in contracts { for role in mesh.contracts[c]?.roles ?? [] { out.formUnion(role.grantedDomains) } }
        return out
    }

    /// Whether every contract the products in scope read is in `mesh`.
    func resolvesInputs(in mesh: Mesh) -> Bool {
        let products = wholeDomains
            ? mesh.products.values.filter { $0.domain.map(domains.contains) ?? false }
            : self.products.compactMap { mesh.products[$0] }
        return products.allSatisfy { $0.inputPorts.allSatisfy { mesh.contracts[$0.contractId] != nil } }
    }
}
