import Foundation
import StewardCore

/// Checks the references between the files of a loaded mesh: contract ids, ports,
/// transforms, source files, SLA time columns, grants and cycles.
struct MeshValidator {
    let mesh: Mesh
    let tree: any FileTree
    /// Files under domains/ that are neither domain, product nor contract files.
    let otherFiles: Set<String>

    /// `only`: check the references of these files' products and contracts alone (the files a
    /// change touched, in a load of a few domains); nil checks everything.
    func validate(_ mesh: inout Mesh, only: Set<String>? = nil) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // In id order, with their ids (`Product.id` makes a string each time it is asked).
        let ids = mesh.products.keys.sorted()
        let products = ids.map { mesh.products[$0]! }
        let producer = outputs(ids, products, &out)
        // The products' references (and the cycles) and the contracts' are independent reads of
        // the mesh: checked on two cores, the diagnostics joined in the order of a serial run.
        // On 10,000 products the serial run took 170-280 ms.
        let checks = Slots<(diagnostics: [Diagnostic], transforms: [String: String])>(count: 3)
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            var ds: [Diagnostic] = []
            if half == 0 {
                var transforms: [String: String] = [:]
                for (id, p) in zip(ids, products) {
                    if only?.contains(p.location.path) ?? true { inputs(p, id: id, producer: producer, &ds) }
                    if let t = transform(p, &ds) { transforms[id] = t }
                }
                checks[0] = (ds, transforms)
                checks[2] = (cycles(ids, products, producer: producer), [:])
            } else {
                // Ids sorted, not (id, contract) pairs: sorting moved whole contracts about.
                for id in self.mesh.contracts.keys.sorted() {
                    let c = self.mesh.contracts[id]!
                    guard only?.contains(c.location.path) ?? true else { continue }
                    slaElements(c, &ds)
                    grants(c, &ds)
                    if producer[id] == nil { sourceServers(c, id: id, &ds) }
                }
                checks[1] = (ds, [:])
            }
        }
        for i in 0..<3 { out += checks[i]?.diagnostics ?? [] }
        mesh.transforms.merge(checks[0]?.transforms ?? [:]) { _, new in new }
        return out
    }

    /// What the model needs from the references without checking them: the transforms. For
    /// a few domains of a mesh, whose references to the rest dangle by design.
    func derive(_ mesh: inout Mesh) {
        var ignored: [Diagnostic] = []
        for p in mesh.sortedProducts {
            if let t = transform(p, &ignored) { mesh.transforms[p.id] = t }
        }
    }

    /// Output ports: each names a contract of the product's own domain, published by it alone.
    private func outputs(_ ids: [String], _ products: [Product], _ out: inout [Diagnostic]) -> [String: String] {
        var producer: [String: String] = [:]
        producer.reserveCapacity(products.count)
        for (id, p) in zip(ids, products) {
            if p.outputPorts.isEmpty {
                out.append(.warning(ModelMessages.noOutput, "product `\(p.id)` has no output port", at: p.location,
                                    help: "add an output port naming the contract it publishes"))
            }
            for port in p.outputPorts {
                guard let cid = port.contractId else {
                    out.append(.error(ModelMessages.missingKey, "output port `\(port.name)` of a mesh product needs a `contractId`",
                                      at: port.location))
                    continue
                }
                guard mesh.contracts.index(forKey: cid) != nil else {
                    out.append(unknownContract(cid, at: port.contractLocation, what: "output port `\(port.name)`"))
                    continue
                }
                if let d = mesh.contractDomain[cid], d != p.domain {
                    out.append(.error(ModelMessages.outputInOtherDomain,
                                      "product `\(p.id)` publishes contract `\(cid)` of domain `\(d)`",
                                      at: port.location, help: "a product publishes contracts of its own domain; move the contract to domains/\(p.domain ?? "")/contracts/"))
                }
                if let other = producer[cid], other != id {
                    out.append(.error(ModelMessages.contractOutputTwice,
                                      "contract `\(cid)` is already published by product `\(other)`", at: port.location,
                                      help: "each contract has one producer; give this output its own contract"))
                } else {
                    producer[cid] = id
                }
            }
        }
        return producer
    }

    private func inputs(_ p: Product, id: String, producer: [String: String], _ out: inout [Diagnostic]) {
        var names: [String: SourceLocation] = [:]
        for port in p.inputPorts {
            if let first = names[port.name] {
                out.append(.error(ModelMessages.duplicateName, "input port name `\(port.name)` is used twice in `\(p.id)`",
                                  at: port.location, notes: ["first used at \(first)"],
                                  help: "the transform reads inputs by port name, so names must be unique"))
            }
            names[port.name] = port.location
            guard !port.contractId.isEmpty else { continue }
            if mesh.contracts.index(forKey: port.contractId) == nil {
                out.append(unknownContract(port.contractId, at: port.contractLocation, what: "input port `\(port.name)`"))
            } else if producer[port.contractId] == id {
                out.append(.error(ModelMessages.cycle, "product `\(p.id)` reads its own output `\(port.contractId)`",
                                  at: port.contractLocation))
            }
        }
    }

    /// The transform file: `customProperties.transform` or `transforms/<name>.sql` (`.py` for ray).
    private func transform(_ p: Product, _ out: inout [Diagnostic]) -> String? {
        let domainDir = "\(MeshLoader.domainsRoot)/\(p.domain ?? "")"
        let engine = p.custom("engine")?.string ?? mesh.settings.defaultEngine
        if let e = p.custom("engine"), e.string.map(MeshSettings.engines.contains) != true {
            out.append(.error(ModelMessages.badValue, "unknown engine `\(e)` for product `\(p.id)`", at: p.location,
                              help: "use `embedded` or `ray`"))
        }
        let declared = p.custom("transform")
        if let declared, declared.string == nil {
            out.append(.error(ModelMessages.wrongType, "custom property `transform` must be a path string, found \(declared.typeName)",
                              at: p.location))
            return nil
        }
        let relative = declared?.string ?? "transforms/\(p.name).\(engine == "ray" ? "py" : "sql")"
        let path: String
        do {
            path = try RepoPath.resolve(relative, against: domainDir)
        } catch {
            out.append(.error(ModelMessages.pathEscapes, "transform path `\(relative)` leaves the repository", at: p.location,
                              help: "paths are relative to \(domainDir)/ and must stay inside the repository"))
            return nil
        }
        guard otherFiles.contains(path) || ((try? tree.exists(path)) ?? false) else {
            out.append(.error(ModelMessages.missingTransform, "transform `\(path)` of product `\(p.id)` does not exist",
                              at: p.location,
                              help: declared == nil ? "create \(path), or name another file in customProperties `transform`" : "check the `transform` path"))
            return nil
        }
        return path
    }

    /// SLA `element`s that name a time column must name a property of the contract.
    private func slaElements(_ c: Contract, _ out: inout [Diagnostic]) {
        for s in c.sla {
            guard let element = s.element ?? (ContractDecoder.timed.contains(s.property.lowercased()) ? c.slaDefaultElement : nil)
            else { continue }
            if c.property(named: element) == nil {
                let candidates = c.allProperties.map { "\($0.object.name).\($0.path)" }
                out.append(.error(ModelMessages.unknownTimeColumn,
                                  "SLA `\(s.property)` names `\(element)`, which is not a property of contract `\(c.id)`",
                                  at: s.location,
                                  help: Suggestions.didYouMean(element, in: candidates) ?? "write `element: <object>.<property>`"))
            }
        }
    }

    private func grants(_ c: Contract, _ out: inout [Diagnostic]) {
        for role in c.roles {
            for d in role.grantedDomains where mesh.domains[d] == nil {
                out.append(.warning(ModelMessages.unknownDomainGrant, "role `\(role.role)` grants unknown domain `\(d)`",
                                    at: role.location, help: Suggestions.didYouMean(d, in: mesh.domains.keys)))
            }
        }
    }

    /// A source contract's local server must point at a file inside the repository.
    private func sourceServers(_ c: Contract, id: String, _ out: inout [Diagnostic]) {
        let domainDir = "\(MeshLoader.domainsRoot)/\(mesh.contractDomain[id] ?? "")"
        for s in c.servers where s.type == "local" {
            guard let relative = s.path else { continue }
            do {
                let path = try RepoPath.resolve(relative, against: domainDir)
                if !otherFiles.contains(path), (try? tree.exists(path)) != true {
                    out.append(.error(ModelMessages.missingSourceFile, "source file `\(path)` of contract `\(id)` does not exist",
                                      at: s.location, help: "paths are relative to \(domainDir)/"))
                }
            } catch {
                out.append(.error(ModelMessages.pathEscapes, "server path `\(relative)` leaves the repository", at: s.location,
                                  help: "paths are relative to \(domainDir)/ and must stay inside the repository"))
            }
        }
    }

    /// Cycles in the product graph, each reported once at the input port that closes it.
    /// `products` in id order, and their ids.
    private func cycles(_ ids: [String], _ products: [Product], producer: [String: String]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var state: [String: Int] = [:]  // 1 = on the stack, 2 = done
        state.reserveCapacity(products.count)
        var stack: [String] = []
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        func visit(_ id: String) {
            state[id] = 1
            stack.append(id)
            for port in products[position[id]!].inputPorts {
                guard let up = producer[port.contractId], up != id else { continue }
                switch state[up] {
                case 1:
                    let loop = stack[stack.firstIndex(of: up)!...] + [up]
                    out.append(.error(ModelMessages.cycle, "products form a cycle: \(loop.map { "`\($0)`" }.joined(separator: " -> "))",
                                      at: port.contractLocation, help: "a product cannot depend on itself, directly or through others"))
                case nil: visit(up)
                default: break
                }
            }
            stack.removeLast()
            state[id] = 2
        }
        for id in ids where state[id] == nil { visit(id) }
        return out
    }

    private func unknownContract(_ id: String, at loc: SourceLocation, what: String) -> Diagnostic {
        .error(ModelMessages.unknownContract, "\(what) names unknown contract `\(id)`", at: loc,
               help: Suggestions.didYouMean(id, in: mesh.contracts.keys) ?? "contract ids are the `id` of files in domains/*/contracts/")
    }
}
