import Foundation
import StewardCore
import StewardModel

/// Builds the jobs that materialize a loaded mesh: its source contracts, then its products in
/// dependency order. The reconciler picks among them; tests and the benchmark run them all.
public struct MeshJobs {
    public let mesh: Mesh
    public let tree: any FileTree
    /// The folder `tree` reads, when it is one: sources are then streamed from disk instead
    /// of read into memory.
    public let root: URL?
    public let asOf: Date
    public let salt: MaskingSalt?

    public init(mesh: Mesh, tree: any FileTree, root: URL?, asOf: Date, salt: MaskingSalt?) {
        self.mesh = mesh
        self.tree = tree
        self.root = root
        self.asOf = asOf
        self.salt = salt
    }

    /// Sources read by some product, then every product in dependency order; problems that
    /// stop a job from being built (a missing file, an unknown format) as diagnostics.
    public func all() -> (jobs: [DatasetJob], diagnostics: [Diagnostic]) {
        var jobs: [DatasetJob] = []
        var diags: [Diagnostic] = []
        let produced = mesh.producerOf
        let read = Set(mesh.products.values.flatMap { $0.inputPorts.map(\.contractId) })
        for id in mesh.sourceContracts where read.contains(id) && produced[id] == nil {
            switch source(id) {
            case let .success(j): jobs.append(j)
            case let .failure(d): diags.append(d)
            }
        }
        for id in Lineage(mesh).topologicalOrder() {
            switch product(id) {
            case let .success(j): jobs.append(j)
            case let .failure(d): diags.append(d)
            }
        }
        return (jobs, diags)
    }

    /// The job that loads a source contract's local file.
    public func source(_ contractID: String) -> Result<DatasetJob, Diagnostic> {
        guard let contract = mesh.contracts[contractID] else {
            return .failure(.error(EngineMessages.unreadableSource, "no contract `\(contractID)`"))
        }
        guard let server = contract.servers.first(where: { $0.type == "local" }), let path = server.path else {
            return .failure(.error(EngineMessages.unreadableSource, "source contract `\(contractID)` has no local server with a path",
                                   at: contract.location, help: "add `servers: [{server: …, type: local, path: sources/<file>, format: csv}]`"))
        }
        let formatName = (server.format ?? (path.hasSuffix(".jsonl") ? "jsonl" : "csv")).lowercased()
        guard let format = SourceData.Format(rawValue: formatName == "json" ? "jsonl" : formatName) else {
            return .failure(.error(EngineMessages.unreadableSource, "source format `\(formatName)` of `\(contractID)` is not supported",
                                   at: server.location, help: "use `format: csv` or `format: jsonl`"))
        }
        let domainDir = "\(MeshLoader.domainsRoot)/\(mesh.contractDomain[contractID] ?? "")"
        guard let relative = try? RepoPath.resolve(path, against: domainDir) else {
            return .failure(.error(EngineMessages.unreadableSource, "source path `\(path)` leaves the repository", at: server.location))
        }
        let origin: SourceData.Origin
        if let root {
            origin = .file(path: root.appendingPathComponent(relative).path)
        } else {
            do {
                guard let bytes = try tree.read(relative) else {
                    return .failure(.error(EngineMessages.unreadableSource, "source file `\(relative)` does not exist in \(tree.label)",
                                           at: server.location))
                }
                origin = .bytes(bytes)
            } catch {
                return .failure(.error(EngineMessages.unreadableSource, "cannot read `\(relative)`: \(error)", at: server.location))
            }
        }
        let data = SourceData(origin: origin, format: format, label: relative)
        return .success(DatasetJob(contract: contract, product: nil, work: .load(data), asOf: asOf, salt: salt))
    }

    /// The job that runs a product's transform; the product must have exactly one output port.
    public func product(_ id: String) -> Result<DatasetJob, Diagnostic> {
        guard let p = mesh.products[id] else { return .failure(.error(EngineMessages.schemaShape, "no product `\(id)`")) }
        let outputs = p.outputPorts.compactMap(\.contractId)
        guard outputs.count == 1 else {
            return .failure(.error(EngineMessages.schemaShape,
                                   "product `\(id)` has \(outputs.count) output contracts; the engines publish exactly one per product",
                                   at: p.location, help: "split the product, one output port each"))
        }
        guard let contract = mesh.contracts[outputs[0]] else {
            return .failure(.error(EngineMessages.schemaShape, "product `\(id)` publishes unknown contract `\(outputs[0])`",
                                   at: p.location, help: "`steward lint` names the contracts the mesh has"))
        }
        guard let path = mesh.transforms[id] else {
            return .failure(.error(EngineMessages.sqlError, "product `\(id)` has no transform file", at: p.location))
        }
        let text: String
        do {
            guard let bytes = try tree.read(path) else {
                return .failure(.error(EngineMessages.sqlError, "transform `\(path)` does not exist in \(tree.label)", at: p.location))
            }
            text = String(decoding: bytes, as: UTF8.self)
        } catch {
            return .failure(.error(EngineMessages.sqlError, "cannot read `\(path)`: \(error)", at: p.location))
        }
        var inputs: [Input] = []
        for port in p.inputPorts {
            guard let c = mesh.contracts[port.contractId] else {
                return .failure(.error(EngineMessages.inputNotPublished, "input `\(port.name)` names unknown contract `\(port.contractId)`",
                                       at: port.contractLocation))
            }
            inputs.append(Input(port: port.name, contract: c, location: port.location))
        }
        let language: Transform.Language = path.hasSuffix(".py") ? .python : .sql
        let transform = Transform(text: text, language: language, label: path, inputs: inputs)
        return .success(DatasetJob(contract: contract, product: id, work: .transform(transform), asOf: asOf, salt: salt))
    }
}
