import ArgumentParser
import Foundation
import StewardCore
import StewardModel

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one product with its contract, or one contract.",
        subcommands: [ShowProduct.self, ShowContract.self]
    )
}

/// Loads the mesh for a read-only command; an unloadable mesh is an input error.
func loadMesh(_ global: GlobalOptions, rev: String?, console: Console) throws -> Mesh {
    let source = try MeshSource.open(path: global.repo, revision: rev)
    let loaded = try MeshLoader(cache: source.repository?.parseCache()).load(from: source.tree)
    ExitLifetime.keep(loaded)
    guard let mesh = loaded.value else {
        DiagnosticOutput.text(loaded.diagnostics, sources: loaded.sources, tree: source.tree, console: console)
        throw UsageError(message: "cannot load the mesh from \(source.tree.label)", help: "run `steward lint` for details")
    }
    let errors = loaded.diagnostics.filter { $0.severity == .error }.count
    if errors > 0 {
        console.err("warning: the mesh has \(errors) error\(errors == 1 ? "" : "s"); run `steward lint` to see them")
    }
    return mesh
}

struct ShowProduct: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "product",
        abstract: "Print a product: owners, ports, lineage, transform and its output contracts.",
        discussion: """
        Examples:
          steward show product customer.customer_360
          steward show product customer_360 --rev main --format json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The product id `<domain>.<name>` (or the name alone when it is unique).")
    var id: String
    @Option(help: ArgumentHelp("Read the mesh at this git revision.", valueName: "rev")) var rev: String?
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func execute(_ console: Console) throws -> ExitStatus {
        let mesh = try loadMesh(global, rev: rev, console: console)
        let product = try find(id, in: mesh)
        let contracts = product.outputPorts.compactMap { $0.contractId.flatMap { mesh.contracts[$0] } }
        switch format {
        case .json:
            console.out(DiagnosticOutput.encode(ProductView(product, mesh: mesh, contracts: contracts)))
        case .text:
            console.out(ModelText.product(product, mesh: mesh, color: console.color))
            for c in contracts { console.out(ModelText.contract(c, color: console.color)) }
        }
        return .success
    }

    private func find(_ id: String, in mesh: Mesh) throws -> Product {
        if let p = mesh.products[id] { return p }
        let byName = mesh.products.values.filter { $0.name == id }
        if byName.count == 1 { return byName[0] }
        if byName.count > 1 {
            throw UsageError(message: "product name `\(id)` is ambiguous",
                             help: "name one of: \(byName.map(\.id).sorted().joined(separator: ", "))")
        }
        throw UsageError(message: "no product `\(id)` in the mesh",
                         help: Suggestions.didYouMean(id, in: mesh.products.keys)
                            ?? "`steward graph` lists the products")
    }
}

struct ShowContract: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract",
        abstract: "Print a contract: schema, classification, quality rules, SLAs and grants.",
        discussion: """
        Examples:
          steward show contract customer.customer_360
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The contract id.") var id: String
    @Option(help: ArgumentHelp("Read the mesh at this git revision.", valueName: "rev")) var rev: String?
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func execute(_ console: Console) throws -> ExitStatus {
        let mesh = try loadMesh(global, rev: rev, console: console)
        guard let c = mesh.contracts[id] else {
            throw UsageError(message: "no contract `\(id)` in the mesh",
                             help: Suggestions.didYouMean(id, in: mesh.contracts.keys) ?? "contract ids are the `id` of files in domains/*/contracts/")
        }
        switch format {
        case .json: console.out(DiagnosticOutput.encode(ContractView(c)))
        case .text: console.out(ModelText.contract(c, color: console.color))
        }
        return .success
    }
}
