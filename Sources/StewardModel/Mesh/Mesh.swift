import StewardCore

/// The whole mesh at one revision: settings, domains, products, contracts and their files.
public struct Mesh: Sendable {
    public var settings: MeshSettings
    /// Domains by name.
    public var domains: [String: Domain]
    /// Products by mesh id (`<domain>.<name>`).
    public var products: [String: Product]
    /// Contracts by ODCS id.
    public var contracts: [String: Contract]
    /// The domain folder each contract was found in, by contract id.
    public var contractDomain: [String: String]
    /// The transform file of each product, by product id (repository-relative).
    public var transforms: [String: String]
    /// Valid waivers, by file path then position (§10 of policy-language.md).
    public var waivers: [Waiver] = []

    public init(settings: MeshSettings) {
        self.settings = settings
        self.domains = [:]
        self.products = [:]
        self.contracts = [:]
        self.contractDomain = [:]
        self.transforms = [:]
    }

    /// The product that publishes a contract, by contract id.
    public var producerOf: [String: String] {
        var out: [String: String] = [:]
        for (id, p) in products {
            for port in p.outputPorts { if let c = port.contractId { out[c] = id } }
        }
        return out
    }

    /// Source contracts: contracts no product publishes.
    public var sourceContracts: [String] {
        let produced = producerOf
        return contracts.keys.filter { produced[$0] == nil }.sorted()
    }

    public var sortedProducts: [Product] { products.keys.sorted().map { products[$0]! } }

    /// The mesh cut to some products and contracts (and the producers of those contracts, so
    /// a kept contract never looks like a source): what a verdict on a few of them needs when
    /// no policy reads a domain's lists or a contract's consumers.
    public func keeping(products keep: Set<String>, contracts keptContracts: Set<String>) -> Mesh {
        let producers = producerOf
        let productIDs = keep.union(keptContracts.compactMap { producers[$0] })
        var out = self
        out.products = products.filter { productIDs.contains($0.key) }
        out.contracts = contracts.filter { keptContracts.contains($0.key) }
        out.contractDomain = contractDomain.filter { keptContracts.contains($0.key) }
        out.transforms = transforms.filter { productIDs.contains($0.key) }
        return out
    }

    /// The contract an element id belongs to (`<contract>`, `<contract>.<object>`,
    /// `<contract>.<object>.<property>`, `<contract>/grants/<role>`). Contract ids contain
    /// dots, so it is the longest known contract id the element starts with.
    public func contract(containing element: String) -> String? {
        let head = element.split(separator: "/").first.map(String.init) ?? element
        var parts = head.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            let candidate = parts.joined(separator: ".")
            if contracts[candidate] != nil { return candidate }
            parts.removeLast()
        }
        return nil
    }
}

/// A model together with the diagnostics found while loading it.
public struct Loaded<Value: Sendable>: Sendable {
    public var value: Value?
    public var diagnostics: [Diagnostic]
    /// Texts of files read, for the renderer to quote: at least every file with a diagnostic
    /// from its own parse; others may be absent (read them from the tree).
    public var sources: [String: String]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
