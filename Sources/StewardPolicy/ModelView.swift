import Foundation
import StewardCore
import StewardDiff
import StewardModel

/// What the caller tells the evaluation (§5.2 `evaluation`): it is never read from a clock.
public struct EvaluationInfo: Sendable {
    public var time: Int64
    public var command: String
    public var base: String?
    public var head: String?

    public init(time: Int64, command: String, base: String? = nil, head: String? = nil) {
        self.time = time
        self.command = command
        self.base = base
        self.head = head
    }
}

/// A target of a policy (§5.1): its id, the domain that owns it, and its binding values.
public struct Target: Sendable {
    public var id: String
    /// The domain it belongs to, for federation; nil for changes outside `domains/`.
    public var domain: String?
    /// Binding values in `Schema.bindings(for:)` order.
    public var bindings: Bindings
    public var location: SourceLocation
    /// The `mesh` binding when it is not the view's (change targets see the base revision).
    public var mesh: Value? = nil

    func relocated(by offsets: [Int32]) -> Target {
        var t = self
        t.bindings = Bindings(bindings.map { $0.relocated(by: offsets) })
        t.mesh = mesh?.relocated(by: offsets)
        return t
    }
}

/// The mesh as the policy language sees it: every record built once (stored by field, in
/// `RecordTables`), with references by index so many policies evaluate over it without copying.
public final class ModelView: Sendable {
    let tables: RecordTables
    public let mesh: Value
    public let evaluation: Value
    let targetsByKind: [TargetKind: [Target]]
    /// Change targets by entity kind (`""` for every change, the `target change` policies).
    let changeTargets: [String: [Target]]
    /// What was made only to build the view (its builders' indexes and copies of the model),
    /// freed with the view rather than once it is built: freeing it took 30 ms on a large
    /// mesh, which a command that exits once it has reported never needs to spend.
    private let scaffolding: [any Sendable]

    /// Field `field` (its `Schema` index) of a record; missing when no policy of the view's
    /// demand can read it.
    public func value(_ r: RecordRef, field: Int) -> Value { tables.value(r, field: field) }

    /// Where a record was read.
    public func location(_ r: RecordRef) -> SourceLocation { tables.location(r) }

    /// Where a field of a record was read: the record's own position unless the field comes
    /// from somewhere else (the SLA entry behind `retention`).
    public func location(_ r: RecordRef, field: Int) -> SourceLocation { tables.location(r, field: field) }

    public func targets(_ kind: TargetKind) -> [Target] { targetsByKind[kind] ?? [] }

    /// The targets of a policy's `target` clause: `change to E` selects changes of entity E,
    /// with `old` and `new` bound.
    public func targets(for spec: TargetSpec) -> [Target] {
        guard spec.kind == .change else { return targets(spec.kind) }
        return changeTargets[spec.entity?.rawValue ?? ""] ?? []
    }

    /// Every target id the view holds, for telling a stale waiver from a mistyped one.
    public var allTargetIds: Set<String> {
        Set(targetsByKind.values.flatMap { $0.map(\.id) } + (changeTargets[""] ?? []).map(\.id))
    }

    /// A field of a record by name, for tests and explain.
    public func field(_ name: String, of value: Value) -> Value? {
        guard case .record(let r) = value, let i = Schema.index(of: name, in: r.kind) else { return nil }
        return tables.value(r, field: i)
    }

    init(tables: RecordTables, mesh: Value, evaluation: Value, targets: [TargetKind: [Target]],
         changeTargets: [String: [Target]] = [:], scaffolding: [any Sendable] = []) {
        self.scaffolding = scaffolding
        self.tables = tables
        self.mesh = mesh
        self.evaluation = evaluation
        self.targetsByKind = targets
        self.changeTargets = changeTargets
    }

    /// Builds the view of a loaded mesh: all of it, or only what `demand` can observe.
    /// `files` are the files the mesh was loaded from, for the transforms `input.reads` looks
    /// into; without them it is empty. `words` keeps the transforms' words between runs, and
    /// `reads` what each product reads of its inputs (docs/parse-cache.md).
    public convenience init(mesh: Mesh, evaluation: EvaluationInfo, demand: Demand = .all, files: (any FileTree)? = nil,
                            words: WordsStore? = nil, reads: WordsStore? = nil) {
        let trace = Trace()
        let b = ViewBuilder(mesh: mesh, demand: demand)
        trace.mark("view: indexes")
        b.files = files
        b.words = words
        b.readsStore = reads
        b.build(evaluation: evaluation)
        trace.mark("view: built")
        self.init(tables: b.tables, mesh: b.meshValue, evaluation: b.evaluationValue, targets: b.targets, scaffolding: [b])
    }
}

extension ModelView {
    /// The view of a change (`check`, `policy test` with a base): the head mesh, the base mesh
    /// after it in the same tables, and one change target per semantic change, whose `old`
    /// and `new` point into the base and head records, and whose `mesh` and `domain` are the
    /// base's (§5.1).
    public convenience init(base: Mesh, head: Mesh, changes: [MeshChange], evaluation: EvaluationInfo, demand: Demand = .all,
                            files: (any FileTree)? = nil, words: WordsStore? = nil, reads: WordsStore? = nil) {
        // Only what the policies read, and the records `old` and `new` can point at.
        // The properties and inputs `old` and `new` can name: only these are indexed by id.
        let changed = Set(changes.flatMap { [$0.change.element] + ($0.change.previousElement.map { [$0] } ?? []) })
        let h = ViewBuilder(mesh: head, demand: demand.forChanges, indexing: changed)
        h.files = files
        h.words = words
        h.readsStore = reads
        h.build(evaluation: evaluation)
        let b = ViewBuilder(mesh: base, demand: h.demand, tables: h.tables, indexing: changed)
        h.tables = RecordTables(demand: .all)  // b's copy is then the only one, and grows in place
        b.build(evaluation: evaluation)
        var tables = b.tables
        func append(_ kind: RecordKind, _ fields: [Value], at: SourceLocation) -> Value {
            .record(RecordRef(kind: kind, index: tables.append(kind, fields, at: at)))
        }
        var people: [String: Value] = [:]
        func person(_ p: CommitInfo.Person) -> Value {
            if let v = people[p.email] { return v }
            let v = append(.person, [.string(p.name), .string(p.email)], at: SourceLocation(path: ""))
            people[p.email] = v
            return v
        }
        var commits: [String: Value] = [:]
        func commit(_ c: CommitInfo) -> Value {
            if let v = commits[c.id] { return v }
            let v = append(.commit, [.string(c.id), person(c.author), person(c.committer), .list(c.coAuthors.map(person)),
                                     .string(c.message), .timestamp(c.time)], at: SourceLocation(path: ""))
            commits[c.id] = v
            return v
        }
        func changeRecord(_ c: Change, path: String, summary: Bool, details: [Value], commitList: [CommitInfo]) -> Value {
            var authors: [CommitInfo.Person] = []
            for x in commitList {
                for p in [x.author] + x.coAuthors where !authors.contains(where: { $0.email == p.email }) { authors.append(p) }
            }
            return append(.change, [
                .string(c.kind), .string(c.entity), .bool(summary), .bool(c.breaking), .string(c.element), .string(path),
                .string(c.description), .list(details), .list(commitList.map(commit)), .list(authors.map(person)),
            ], at: c.location ?? SourceLocation(path: path))
        }
        var byEntity: [String: [Target]] = [:]
        for m in changes {
            let details = m.details.map { changeRecord($0, path: m.path, summary: false, details: [], commitList: m.commits) }
            let record = changeRecord(m.change, path: m.path, summary: m.summary, details: details, commitList: m.commits)
            let folder = m.path.split(separator: "/").count >= 3 && m.path.hasPrefix("domains/") ? String(m.path.split(separator: "/")[1]) : nil
            let domain = m.domain.map { b.domainRef($0) } ?? .missing
            let id = "\(m.change.element):\(m.change.kind)"
            let at = m.change.location ?? SourceLocation(path: m.path)
            byEntity["", default: []].append(Target(id: id, domain: folder, bindings: [record, domain], location: at, mesh: b.meshValue))
            let old = b.entityRef(m.change.entity, m.change.previousElement ?? m.change.element)
            let new = h.entityRef(m.change.entity, m.change.element)
            if old != .missing || new != .missing {
                byEntity[m.change.entity, default: []].append(Target(id: id, domain: folder, bindings: [record, domain, old, new],
                                                                     location: at, mesh: b.meshValue))
            }
        }
        self.init(tables: tables, mesh: h.meshValue, evaluation: h.evaluationValue, targets: h.targets, changeTargets: byEntity,
                  scaffolding: [h, b])
    }
}

/// Fills the tables. Domains, products and contracts get their indexes first so records can
/// point at each other; everything else is appended as it is built.
/// A class: its helpers are called for every record, and on a struct of twenty fields some
/// calls copied the whole builder.
private final class ViewBuilder: @unchecked Sendable {
    let mesh: Mesh
    let demand: Demand
    let wanted: Wanted
    /// The files the mesh was loaded from, for the transforms; without them `input.reads` is empty.
    var files: (any FileTree)?
    /// The transforms' words kept between runs, by blob id; used from the products' thread.
    var words: WordsStore?
    /// What each product's transform reads of its inputs, kept between runs (`transformReads`).
    var readsStore: WordsStore?
    var tables: RecordTables
    var targets: [TargetKind: [Target]] = [:]
    var meshValue: Value = .missing
    var evaluationValue: Value = .missing

    let domainNames: [String]
    let productIds: [String]
    let contractIds: [String]
    let domainIndex: [String: Int32]
    let productIndex: [String: Int32]
    let contractIndex: [String: Int32]
    let consumersOf: [String: [String]]
    /// Ids by domain, in id order.
    let productsOf: [String: [String]]
    let contractsOf: [String: [String]]
    /// Products and contracts in id order, with per contract its domain and its producer's
    /// record (or missing): each looked up by id was a hash of the id per use.
    let products: [Product]
    let contracts: [Contract]
    let contractDomains: [String]
    let producerRecords: [Value]

    /// Where this mesh's domains, products and contracts start in their tables: a view of a
    /// change holds the head mesh and, after it, the base mesh.
    let domainBase: Int, productBase: Int, contractBase: Int

    init(mesh: Mesh, demand: Demand, tables: RecordTables? = nil, indexing changed: Set<String> = []) {
        self.mesh = mesh
        self.demand = demand
        wanted = Wanted(demand)
        self.changed = changed
        let t = tables ?? RecordTables(demand: demand)
        self.tables = t
        domainBase = t.count(.domain)
        productBase = t.count(.product)
        contractBase = t.count(.contract)
        domainNames = mesh.domains.keys.sorted()
        let (db, pb, cb) = (domainBase, productBase, contractBase)
        domainIndex = Dictionary(uniqueKeysWithValues: domainNames.enumerated().map { ($1, Int32(db + $0)) })
        // The products' indexes and the contracts' are independent: made on two cores.
        let products = Slots<ProductIndexes>(count: 1), contracts = Slots<ContractIndexes>(count: 1)
        DispatchQueue.concurrentPerform(iterations: 2) { side in
            if side == 0 { products[0] = ProductIndexes(mesh, base: pb) } else { contracts[0] = ContractIndexes(mesh, base: cb) }
        }
        let producerOf = products[0]!.producerOf
        (productIds, productIndex, consumersOf, productsOf, self.products) = {
            let p = products[0]!
            return (p.ids, p.index, p.consumersOf, p.productsOf, p.products)
        }()
        (contractIds, contractIndex, contractsOf, self.contracts, contractDomains) = {
            let c = contracts[0]!
            return (c.ids, c.index, c.contractsOf, c.contracts, c.domains)
        }()
        let productIndex = self.productIndex
        producerRecords = contractIds.map { id in
            producerOf[id].flatMap { productIndex[$0] }.map { .record(RecordRef(kind: .product, index: $0)) } ?? .missing
        }
    }

    /// Products by id in id order, their record indexes, and who produces and consumes what.
    struct ProductIndexes {
        var ids: [String]
        var index: [String: Int32]
        var producerOf: [String: String]
        var consumersOf: [String: [String]] = [:]
        var productsOf: [String: [String]] = [:]
        var products: [Product] = []

        init(_ mesh: Mesh, base: Int) {
            ids = mesh.products.keys.sorted()
            index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int32(base + $0)) })
            producerOf = mesh.producerOf
            products.reserveCapacity(ids.count)
            for id in ids {
                let p = mesh.products[id]!
                for port in p.inputPorts { consumersOf[port.contractId, default: []].append(id) }
                productsOf[p.domain ?? "", default: []].append(id)
                products.append(p)
            }
        }
    }

    /// Contracts by id in id order, their record indexes, and their ids by domain.
    struct ContractIndexes {
        var ids: [String]
        var index: [String: Int32]
        var contractsOf: [String: [String]] = [:]
        var contracts: [Contract] = []
        var domains: [String] = []

        init(_ mesh: Mesh, base: Int) {
            ids = mesh.contracts.keys.sorted()
            index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int32(base + $0)) })
            contracts.reserveCapacity(ids.count)
            domains.reserveCapacity(ids.count)
            for id in ids {
                let c = mesh.contracts[id]!
                let domain = mesh.contractDomain[id] ?? c.domain ?? ""
                contractsOf[domain, default: []].append(id)
                contracts.append(c)
                domains.append(domain)
            }
        }
    }

    /// A builder of the same mesh for work beside this one (`startProducts`): the same
    /// indexes, tables of its own, and the grants once they are built. It is handed to one
    /// other thread and read back only after that thread is done (so `@unchecked Sendable`).
    init(beside other: ViewBuilder) {
        mesh = other.mesh
        demand = other.demand
        wanted = other.wanted
        files = other.files
        words = other.words
        readsStore = other.readsStore
        tables = RecordTables(demand: other.demand)
        domainNames = other.domainNames
        productIds = other.productIds
        contractIds = other.contractIds
        domainIndex = other.domainIndex
        productIndex = other.productIndex
        contractIndex = other.contractIndex
        consumersOf = other.consumersOf
        productsOf = other.productsOf
        contractsOf = other.contractsOf
        products = other.products
        contracts = other.contracts
        contractDomains = other.contractDomains
        producerRecords = other.producerRecords
        domainBase = other.domainBase
        productBase = other.productBase
        contractBase = other.contractBase
        changed = other.changed
        beside = true
    }

    func ref(_ kind: RecordKind, _ i: Int32) -> Value { .record(RecordRef(kind: kind, index: i)) }
    func domainRef(_ name: String?) -> Value { name.flatMap { domainIndex[$0] }.map { ref(.domain, $0) } ?? .missing }
    func productRef(_ id: String?) -> Value { id.flatMap { productIndex[$0] }.map { ref(.product, $0) } ?? .missing }
    func contractRef(_ id: String?) -> Value { id.flatMap { contractIndex[$0] }.map { ref(.contract, $0) } ?? .missing }

    /// Records by id, for the `old` and `new` of change targets: only those of the elements a
    /// change names (`changed`; a property each was 92,000 inserts on a large mesh).
    let changed: Set<String>
    var propertyRefs: [String: Value] = [:]
    var inputRefs: [String: Value] = [:]

    func entityRef(_ entity: String, _ element: String) -> Value {
        switch entity {
        // Object-level changes (`<contract>.<object>`) are changes to their contract.
        case "contract": contractRef(mesh.contract(containing: element))
        case "product": productRef(element)
        case "domain": domainRef(element)
        case "property": propertyRefs[element] ?? .missing
        case "input": inputRefs[element] ?? .missing
        case "grant":
            contractIndex[String(element.split(separator: "/").first ?? "")].flatMap { index in
                let slot = Int(index) - contractBase, grants = grantRefs[slot]
                return contracts[slot].roles.firstIndex { "\($0.role)" == element.split(separator: "/").last.map(String.init) }
                    .flatMap { $0 < grants.count ? grants[$0].record : nil }
            } ?? .missing
        default: .missing
        }
    }

    func append(_ kind: RecordKind, _ fields: [Value], at location: SourceLocation, fieldLocations: [RecordTables.FieldLocation] = []) -> Value {
        ref(kind, tables.append(kind, fields, at: location, fieldLocations: fieldLocations))
    }

    func build(evaluation e: EvaluationInfo) {
        // Reserve the slots of the records others point at.
        tables.reserve(.domain, count: domainNames.count)
        tables.reserve(.product, count: productIds.count)
        tables.reserve(.contract, count: contractIds.count)

        evaluationValue = append(.evaluation, [.timestamp(e.time), .string(e.command), opt(e.base), opt(e.head)],
                                 at: SourceLocation(path: ""))
        let settings = mesh.settings
        let platform = append(.platformTeam, [.string(settings.platformTeam.team), emails(settings.platformTeam.members)],
                              at: settings.location)
        meshValue = append(.mesh, [
            .string(settings.name), .string(settings.defaultEngine), platform,
            .list(domainNames.map { ref(.domain, domainIndex[$0]!) }),
        ], at: settings.location)

        let trace = Trace()
        // Products and contracts point at each other only through the reserved slots, so the
        // products (and first the transforms they read) are built beside the contracts.
        let grantsBuilt = DispatchSemaphore(value: 0)
        let (side, products) = startProducts(after: grantsBuilt)
        // Grants first: contracts list them and the inputs of products point at them.
        grantRefs = Array(repeating: [], count: contractIds.count)
        if wanted.grants { for slot in contractIds.indices { buildGrants(slot) } }
        side.grantRefs = grantRefs
        grantsBuilt.signal()
        trace.mark("view: grants of \(contractIds.count) contracts")
        if wanted.properties {
            let count = contracts.withUnsafeBufferPointer { all in all.indices.reduce(0) { $0 + Self.propertyCount(all[$1].objects) } }
            tables.reserveCapacity(.property, more: count)
            if wanted.propertyTargets { propertyTargets.reserveCapacity(count) }
        }
        // Through a pointer: the array's subscript copied each contract, retaining its every field.
        contracts.withUnsafeBufferPointer { all in
            for (i, id) in contractIds.enumerated() { buildContract(all[i], id: id, index: contractBase + i) }
        }
        if !propertyTargets.isEmpty { targets[.property] = propertyTargets }
        propertyTargets = []
        trace.mark("view: \(contractIds.count) contracts, \(tables.count(.property)) properties")
        products()
        trace.mark("view: waited for \(productIds.count) products")
        merge(side)
        besides.append(side)
        trace.mark("view: merged the products")
        for (i, name) in domainNames.enumerated() { buildDomain(name, index: domainBase + i) }
    }

    // MARK: building beside

    /// Records of the kinds others point at (domains, products, contracts), which a builder
    /// working beside another fills in their reserved slots only when it is merged.
    var placed: [Placed] = []
    /// Set in a builder working beside another: its tables start empty, and `place` collects
    /// what goes in the reserved slots.
    var beside = false
    /// The builders that worked beside this one, kept with it (`ModelView.scaffolding`).
    var besides: [ViewBuilder] = []

    struct Placed {
        var kind: RecordKind
        var index: Int
        var fields: [Value]
        var location: SourceLocation
        var fieldLocations: [RecordTables.FieldLocation]
    }

    func place(_ kind: RecordKind, _ index: Int, _ fields: [Value], at location: SourceLocation,
                        fieldLocations: [RecordTables.FieldLocation] = []) {
        if beside {
            placed.append(Placed(kind: kind, index: index, fields: fields, location: location, fieldLocations: fieldLocations))
        } else {
            tables.set(kind, index, fields, at: location, fieldLocations: fieldLocations)
        }
    }

    /// Starts building the products on another thread, in a builder of their own: first what
    /// their transforms read, then, once `grantsBuilt` is signalled (the grants are in this
    /// builder's `grantRefs`, which the caller copies to the side's first), the products.
    /// Returns that builder, for `merge`, and what waits for it to finish.
    func startProducts(after grantsBuilt: DispatchSemaphore) -> (ViewBuilder, () -> Void) {
        let b = ViewBuilder(beside: self)
        // A thread of its own (`BackgroundWork`), not the global queue: views are also built
        // inside `concurrentPerform` (`history` judges commits in parallel), where every worker
        // may be waiting for its side, and one waiting for a worker could wait for ever.
        let work = BackgroundWork {
            let trace = Trace()
            let wantReads = b.wanted.reads && b.wanted.inputs
            let reads = wantReads ? b.files.map(b.transformReads) : nil
            trace.mark("view, beside: \(reads?.count ?? 0) transforms read")
            grantsBuilt.wait()
            for (i, id) in b.productIds.enumerated() { b.buildProduct(id, index: b.productBase + i, reads: reads?[i] ?? []) }
            if !b.inputTargets.isEmpty { b.targets[.input] = b.inputTargets }
            b.inputTargets = []
            trace.mark("view, beside: \(b.productIds.count) products")
        }
        return (b, { _ = try? work.value() })
    }

    /// Appends the records and targets of a builder that worked beside this one.
    /// INVARIANT: it pointed at records of a kind it appended only through its own, so every
    /// such reference moves by the count of that table here; references to other kinds are
    /// to records made before it started, or to reserved slots.
    func merge(_ other: ViewBuilder) {
        let offsets = tables.append(moving: &other.tables)
        let moving = offsets.contains { $0 != 0 }
        for var p in other.placed {
            if moving { for i in p.fields.indices { p.fields[i].relocate(by: offsets) } }
            tables.set(p.kind, p.index, p.fields, at: p.location, fieldLocations: p.fieldLocations)
        }
        for (kind, list) in other.targets {
            let moved = moving ? list.map { $0.relocated(by: offsets) } : list
            // In place: `mine + moved` would copy every target already here.
            targets[kind, default: []].append(contentsOf: moved)
        }
        for (id, v) in other.propertyRefs { propertyRefs[id] = v.relocated(by: offsets) }
        for (id, v) in other.inputRefs { inputRefs[id] = v.relocated(by: offsets) }
    }

    /// What the demand asks of each kind of record, asked once: the builder needs to know for
    /// every record, and asking the demand hashes a field name each time.
    struct Wanted {
        let grants, inputs, reads, outputs, productTeam, productTags, productCustom: Bool
        let properties, objects, propertyQuality, derived, propertyTags, propertyCustom, objectQuality: Bool
        let contractSLA, contractServers, contractTeam, contractTags, contractCustom: Bool
        let domainTargets, productTargets, contractTargets, propertyTargets, grantTargets: Bool

        init(_ d: Demand) {
            grants = d.evaluates(.grant) || d.wants(.contract, "grants") || d.wants(.input, "grants") || d.wants(.input, "grant")
            inputs = d.evaluates(.input) || d.wants(.product, "inputs")
            reads = d.wants(.input, "reads") || d.wants(.input, "piiReads")
            outputs = d.wants(.product, "outputs")
            productTeam = d.wants(.product, "team")
            productTags = d.wants(.product, "tags")
            productCustom = d.wants(.product, "customProperties")
            properties = d.evaluates(.property) || d.wants(.contract, "properties") || d.wants(.object, "properties")
            objects = properties || d.wants(.contract, "objects")
            propertyQuality = d.wants(.property, "quality")
            derived = d.wants(.property, "completeness") || d.wants(.property, "errorRate")
            propertyTags = d.wants(.property, "tags")
            propertyCustom = d.wants(.property, "customProperties")
            objectQuality = d.wants(.object, "quality")
            contractSLA = d.wants(.contract, "sla")
            contractServers = d.wants(.contract, "servers")
            contractTeam = d.wants(.contract, "team")
            contractTags = d.wants(.contract, "tags")
            contractCustom = d.wants(.contract, "customProperties")
            domainTargets = d.evaluates(.domain)
            productTargets = d.evaluates(.product)
            contractTargets = d.evaluates(.contract)
            propertyTargets = d.evaluates(.property)
            grantTargets = d.evaluates(.grant)
        }
    }

    // MARK: domains

    func buildDomain(_ name: String, index: Int) {
        let d = mesh.domains[name]!
        let owners = append(.owners, [.string(d.owners.team), emails(d.owners.members)], at: d.location)
        let products = (productsOf[name] ?? []).map { ref(.product, productIndex[$0]!) }
        let contracts = (contractsOf[name] ?? []).map { ref(.contract, contractIndex[$0]!) }
        place(.domain, index, [.string(name), opt(d.description), owners, .list(products), .list(contracts)], at: d.location)
        if wanted.domainTargets {
            targets[.domain, default: []].append(Target(id: name, domain: name, bindings: [ref(.domain, Int32(index))], location: d.location))
        }
    }

    // MARK: products


    /// The columns each product's transform names: by product (in id order) and input port.
    /// Each product's are independent, so they are found on all cores.
    func transformReads(in files: any FileTree) -> [[ColumnsRead]] {
        let (mesh, ids, contractIds, contractIndex, contractBase) = (mesh, productIds, contractIds, contractIndex, contractBase)
        // Per product and input port, the contract's position in `contractIds`; nil when unknown.
        let inputSlots: [[Int?]] = ids.map { id in
            products[Int(productIndex[id]!) - productBase].inputPorts.map { port in contractIndex[port.contractId].map { Int($0) - contractBase } }
        }
        let paths = ids.map { mesh.transforms[$0] ?? "" }
        let blobs = paths.map { files.contentID($0) }
        // Reading a store costs about as much as reading 500 transforms (it holds every
        // transform seen), so a view of few products, as a scoped check's, reads the files.
        let big = ids.count >= Self.transformsWorthTheStore
        var reads = [[ColumnsRead]?](repeating: nil, count: ids.count)
        // What a product reads is kept by its transform's blob id and its inputs' columns:
        // finding it again took 150 ms on a large mesh, most of it making each contract's
        // spellings, which only a product whose transform or inputs changed needs.
        var keys = [String?](repeating: nil, count: ids.count)
        if big, let readsStore, blobs.contains(where: { $0 != nil }) {  // the work tree's files have no blob id
            let needed = Array(Set(inputSlots.joined().compactMap { $0 }))
            let prints = Slots<TransformReads.Fingerprint>(count: contractIds.count)
            DispatchQueue.concurrentPerform(iterations: needed.count) { k in
                prints[needed[k]] = TransformReads.Fingerprint(contracts[needed[k]])
            }
            for i in ids.indices {
                guard let blob = blobs[i] else { continue }
                let key = TransformReads.key(transform: blob, inputs: inputSlots[i].map { $0.map { prints[$0]! } })
                keys[i] = key
                if let bytes = readsStore.words(key) { reads[i] = TransformReads.decode(bytes, ports: inputSlots[i].count) }
            }
        }
        let unknown = ids.indices.filter { reads[$0] == nil }
        guard !unknown.isEmpty else { return reads.map { $0! } }
        // Each contract's columns once, and only those an unknown product reads from: most
        // are inputs of several products.
        let needed = Array(Set(unknown.flatMap { inputSlots[$0].compactMap { $0 } }))
        let columns = Slots<TransformReads.Columns>(count: contractIds.count)
        DispatchQueue.concurrentPerform(iterations: needed.count) { k in
            columns[needed[k]] = TransformReads.Columns(contracts[needed[k]])
        }
        // The words of a transform seen before are kept by its blob id: reading 10,000
        // transforms from a pack, where git stores most as deltas, took 200 ms.
        let store = big ? words : nil
        let keptWords: [[UInt8]?] = unknown.map { i in blobs[i].flatMap { store?.words($0) } }
        let unread = unknown.indices.filter { keptWords[$0] == nil }
        let unreadTexts = Self.texts(unread.map { paths[unknown[$0]] }, in: files)
        var read = [String?](repeating: nil, count: unknown.count)
        for (k, u) in unread.enumerated() { read[u] = unreadTexts[k] }
        let texts = read, keeping = store != nil
        let found = Slots<[ColumnsRead]>(count: unknown.count)
        let newWords = Slots<[UInt8]>(count: unknown.count)
        // Whether what was found may be kept: only what the byte scan found in text that was
        // read (a transform that could not be read, once, must not read nothing for good; the
        // scan of other text depends on the Unicode tables of the build that ran it).
        let keepable = Slots<Bool>(count: unknown.count)
        DispatchQueue.concurrentPerform(iterations: unknown.count) { u in
            let i = unknown[u]
            let inputs = inputSlots[i].map { $0.map { columns[$0]! } }
            if let kept = keptWords[u], let read = TransformReads.reads(words: kept, inputs: inputs) {
                found[u] = read
                keepable[u] = true
                return
            }
            let text = texts[u] ?? (paths[i].isEmpty ? nil : Self.texts([paths[i]], in: files)[0])
            found[u] = TransformReads.reads(of: text ?? "", inputs: inputs)
            keepable[u] = text.map { TransformReads.scansAsBytes($0, inputs: inputs) } ?? false
            if keeping, keptWords[u] == nil, blobs[i] != nil, let text { newWords[u] = TransformReads.words(of: text) }
        }
        for (u, i) in unknown.enumerated() {
            reads[i] = found[u]!
            if let key = keys[i], keepable[u] == true { readsStore?.record(key, TransformReads.encode(found[u]!)) }
            if let w = newWords[u], let id = blobs[i] { store?.record(id, w) }
        }
        readsStore?.flush()  // writes only when something was recorded, which only a large view does
        store?.flush()
        return reads.map { $0! }
    }

    static let transformsWorthTheStore = 1_000

    /// Each file's text; nil for one that cannot be read, whose `input.reads` is then empty.
    static func texts(_ paths: [String], in files: any FileTree) -> [String?] {
        let bytes = (try? files.read(all: paths)) ?? paths.map { (try? files.read($0)) ?? nil }
        return bytes.map { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// `reads` has an element per input port, or none when no policy reads them.
    func buildProduct(_ id: String, index: Int, reads portReads: [ColumnsRead]) {
        let p = products[index - productBase]
        let domainName = p.domain ?? ""
        let me = ref(.product, Int32(index))
        let domain = domainRef(domainName)
        var inputs: [Value] = []
        for (k, port) in p.inputPorts.enumerated() where wanted.inputs {
            guard let contractIndex = contractIndex[port.contractId] else { continue }  // the validator reports it
            let slot = Int(contractIndex) - contractBase
            let producer = producerRecords[slot]
            let producerDomain = contractDomains[slot]
            let reads = portReads.isEmpty ? [] : portReads[k]
            let grants = grantRefs[slot].filter { $0.domains.contains(domainName) }.map(\.record)
            // Field by field in `Schema` order, only those kept, as for properties.
            let index = tables.append(.input, at: port.location) { field in
                switch field {
                case 0: .string(port.name)
                case 1: .string(port.contractId)
                case 2: .string(port.version)
                case 3: ref(.contract, contractIndex)
                case 4: producer
                case 5: .string(producerDomain)
                case 6: .bool(producer == .missing)
                case 7: .bool(producerDomain != domainName)
                case 8: .list(grants)
                case 9: grants.first ?? .missing
                case 10: strings(reads.map(\.name))
                case 11: strings(reads.filter(\.pii).map(\.name))
                default: preconditionFailure("an input has 12 fields")
                }
            }
            tables.setLocation(.input, Int(index), field: Field.inputContractId, port.contractLocation)
            tables.setLocation(.input, Int(index), field: Field.inputContract, port.contractLocation)
            let input = ref(.input, index)
            inputs.append(input)
            let key = "\(id)/inputs/\(port.name)"
            if !changed.isEmpty, changed.contains(key) { inputRefs[key] = input }
            inputTargets.append(Target(id: key, domain: domainName, bindings: Bindings(input, me, domain), location: port.location))
        }
        var outputs: [Value] = []
        var contracts: [Value] = []
        let wantOutputs = wanted.outputs
        for port in p.outputPorts {
            guard let cid = port.contractId, contractIndex[cid] != nil else { continue }
            if wantOutputs { outputs.append(append(.output, [
                .string(port.name), .string(cid), contractRef(cid), .string(port.version), opt(port.type),
            ], at: port.location, fieldLocations: [(Field.outputContractId, port.contractLocation)])) }
            contracts.append(contractRef(cid))
        }
        let transform = mesh.transforms[id] ?? "domains/\(domainName)/transforms/\(p.name).sql"
        let engine = p.custom("engine")?.string ?? mesh.settings.defaultEngine
        place(.product, index, [
            .string(id), .string(p.odpsID), .string(p.name), .string(domainName), .string(p.status),
            version(p.version), opt(p.purpose),
            .list(inputs), .list(outputs), .list(contracts), .string(transform), .string(engine),
            wanted.productTeam ? team(p.team, at: p.location) : .missing,
            strings(wanted.productTags ? p.tags : []),
            customMap(wanted.productCustom ? p.customProperties : []), .string(p.location.path),
        ], at: p.location)
        if wanted.productTargets {
            targets[.product, default: []].append(Target(id: id, domain: domainName, bindings: [me, domain], location: p.location))
        }
    }

    // MARK: contracts

    /// The property and input targets, kept apart from `targets` while the contracts and the
    /// products are built: appended to through the dictionary, each of 92,000 cost a hash.
    var propertyTargets: [Target] = []
    var inputTargets: [Target] = []

    /// Grant records of a contract, built with the contract; looked up by role position.
    var grantRefs: [[Grant]] = []

    /// A grant record and the domains it grants, which every input of its contract filters on.
    struct Grant {
        let record: Value
        let domains: [String]
    }

    func buildContract(_ c: borrowing Contract, id: String, index: Int) {
        let slot = index - contractBase
        let me = ref(.contract, Int32(index))
        let domainName = contractDomains[slot]
        let domain = domainRef(domainName)
        let producer = producerRecords[slot]
        var objects: [Value] = []
        var allProperties: [Value] = []
        let wantProperties = wanted.properties, wantObjects = wanted.objects
        let wantQuality = wanted.propertyQuality, wantDerived = wanted.derived
        let wantTags = wanted.propertyTags, wantCustom = wanted.propertyCustom
        let wantPropertyTargets = wanted.propertyTargets
        for o in c.objects where wantObjects {
            let objectIndex = Int32(tables.count(.object))
            let objectRef = ref(.object, objectIndex)
            var props: [Value] = []
            let idPrefix = "\(id).\(o.name)."
            // Read through a pointer, field by field: a copy of each property was a tenth of the view.
            func add(_ p: UnsafePointer<SchemaProperty>, path: String) {
                let pid = idPrefix + path
                let quality = wantQuality ? p.pointee.quality.map { qualityRule($0) } : []
                // The best guarantee of its rules, placed at the first rule that gives one.
                var completeness: Double?, errorRate: Double?
                var completenessAt: SourceLocation?, errorRateAt: SourceLocation?
                for q in wantDerived ? p.pointee.quality : [] {
                    let g = Self.guarantees(q)
                    if let c = g.completeness {
                        if let best = completeness { if best < c { completeness = c } } else { completeness = c; completenessAt = q.location }
                    }
                    if let e = g.errorRate {
                        if let best = errorRate { if e < best { errorRate = e } } else { errorRate = e; errorRateAt = q.location }
                    }
                }
                // Field by field in `Schema` order, only those kept: 92,000 properties on a
                // large mesh, where an array of all 23 values each was a third of the view.
                let index = tables.append(.property, at: p.location) { field in
                    switch field {
                    case 0: .string(pid)
                    case 1: opt(p.pointee.id)
                    case 2: .string(path)
                    case 3: .string(o.name)
                    case 4: .string(id)
                    case 5: opt(p.pointee.logicalType)
                    case 6: opt(p.pointee.physicalType)
                    case 7: opt(p.pointee.physicalName)
                    case 8: opt(p.pointee.businessName)
                    case 9: opt(p.pointee.description)
                    case 10: .bool(p.pointee.required)
                    case 11: .bool(p.pointee.unique)
                    case 12: .bool(p.pointee.primaryKey)
                    case 13: .bool(p.pointee.partitioned)
                    case 14: .bool(p.pointee.criticalDataElement)
                    case 15: opt(p.pointee.classification)
                    case 16: .bool(p.isPII)
                    case 17: opt(p.anonymizationStrategy)
                    case 18: .list(quality)
                    case 19: completeness.map(Value.percent) ?? .missing
                    case 20: errorRate.map(Value.percent) ?? .missing
                    case 21: strings(wantTags ? p.pointee.tags : [])
                    case 22: customMap(wantCustom ? p.pointee.customProperties : [])
                    default: preconditionFailure("a property has 23 fields")
                    }
                }
                if let completenessAt { tables.setLocation(.property, Int(index), field: Field.completeness, completenessAt) }
                if let errorRateAt { tables.setLocation(.property, Int(index), field: Field.errorRate, errorRateAt) }
                let prop = ref(.property, index)
                props.append(prop)
                if !changed.isEmpty, changed.contains(pid) { propertyRefs[pid] = prop }
                if wantPropertyTargets {
                    propertyTargets.append(Target(id: pid, domain: domainName, bindings: Bindings(prop, objectRef, me, producer, domain),
                                                  location: p.location))
                }
            }
            if wantProperties {
                // Most objects nest nothing: their properties are their own flattening, without a copy.
                // By position: `contains(where:)` iterates by value, a copy of every property.
                let nests = o.properties.withUnsafeBufferPointer { all in
                    all.indices.contains { !all[$0].properties.isEmpty || all[$0].items != nil }
                }
                if nests {
                    for (path, p) in SchemaProperty.flatten(o.properties) { withUnsafePointer(to: p) { add($0, path: path) } }
                } else {
                    o.properties.withUnsafeBufferPointer { properties in
                        for k in properties.indices { add(properties.baseAddress! + k, path: properties[k].name) }
                    }
                }
            }
            let appended = append(.object, [
                .string(o.name), .string(id), opt(o.physicalName), opt(o.physicalType), opt(o.businessName),
                .list(props), .list(wanted.objectQuality ? o.quality.map { qualityRule($0) } : []), strings(o.tags),
            ], at: o.location)
            assert(appended == objectRef)
            objects.append(objectRef)
            allProperties += props
        }
        let grants = grantRefs[slot].map(\.record)
        // The first of each, as `Contract.sla(_:)` finds them, in one pass.
        var retention: SLAProperty?, latency: SLAProperty?, freshnessEntry: SLAProperty?, frequency: SLAProperty?
        for entry in c.sla {
            if retention == nil, entry.property.equalsIgnoringCase("retention") { retention = entry }
            if latency == nil, entry.property.equalsIgnoringCase("latency") { latency = entry }
            if freshnessEntry == nil, entry.property.equalsIgnoringCase("freshness") { freshnessEntry = entry }
            if frequency == nil, entry.property.equalsIgnoringCase("frequency") { frequency = entry }
        }
        let freshness = latency ?? freshnessEntry
        var locations: [RecordTables.FieldLocation] = []
        if let retention { locations += [(Field.retention, retention.location), (Field.retentionElement, retention.location)] }
        if let freshness { locations += [(Field.freshness, freshness.location), (Field.freshnessElement, freshness.location)] }
        if let frequency { locations.append((Field.frequency, frequency.location)) }
        let sla = (wanted.contractSLA ? c.sla : []).map { s in
            append(.slaProperty, [
                .string(s.property), Value(yaml: s.value), opt(s.unit), opt(s.element), opt(s.driver),
                s.span.flatMap { Value.duration(seconds: $0.seconds) } ?? .missing,
            ], at: s.location)
        }
        let servers = (wanted.contractServers ? c.servers : []).map { s in
            append(.server, [.string(s.server), .string(s.type), opt(s.path), opt(s.format)], at: s.location)
        }
        place(.contract, index, [
            .string(id), .string(c.status), .string(domainName), .string(c.apiVersion),
            opt(c.name), opt(c.dataProduct), opt(c.description?.purpose),
            version(c.version), .list(objects), .list(allProperties),
            .bool(producer == .missing && c.servers.contains { $0.type == "local" }), producer,
            .list((consumersOf[id] ?? []).map { productRef($0) }),
            span(retention), opt(retention.flatMap { $0.element ?? c.slaDefaultElement }),
            span(freshness), opt(freshness.flatMap { $0.element ?? c.slaDefaultElement }), span(frequency),
            .list(sla), .list(grants), wanted.contractTeam ? team(c.team, at: c.location) : .missing, .list(servers),
            strings(wanted.contractTags ? c.tags : []),
            customMap(wanted.contractCustom ? c.customProperties : []), .string(c.location.path),
        ], at: c.location, fieldLocations: locations)
        if wanted.contractTargets {
            targets[.contract, default: []].append(Target(id: id, domain: domainName, bindings: [me, producer, domain], location: c.location))
        }
    }

    /// How many properties `objects` have, nested ones included (what `SchemaProperty.flatten`
    /// gives), counted without copying any.
    static func propertyCount(_ objects: [SchemaObject]) -> Int {
        func count(_ properties: [SchemaProperty]) -> Int {
            properties.withUnsafeBufferPointer { all in
                all.indices.reduce(all.count) { n, k in n + count(all[k].properties) + (all[k].items.map { count($0.properties) } ?? 0) }
            }
        }
        return objects.withUnsafeBufferPointer { all in all.indices.reduce(0) { $0 + count(all[$1].properties) } }
    }

    /// The grant records of a contract (its ODCS roles) and their targets.
    func buildGrants(_ slot: Int) {
        let c = contracts[slot]
        guard !c.roles.isEmpty else { return }  // most contracts grant nothing
        let id = contractIds[slot]
        let me = ref(.contract, Int32(contractBase + slot))
        let domainName = contractDomains[slot]
        let producer = producerRecords[slot]
        var grants: [Grant] = []
        for r in c.roles {
            let approvers = [r.firstLevelApprovers, r.secondLevelApprovers].compactMap { $0 }
                .flatMap { $0.split(separator: ",") }.map { $0.trimmingSpace(newlines: false) }.filter { !$0.isEmpty }
            let domains = r.grantedDomains
            let g = append(.grant, [
                .string(r.role), .string(id), opt(r.access), opt(r.description),
                opt(r.firstLevelApprovers), opt(r.secondLevelApprovers), strings(approvers),
                strings(domains), .bool(r.allowsPII),
            ], at: r.location)
            grants.append(Grant(record: g, domains: domains))
            if wanted.grantTargets {
                targets[.grant, default: []].append(Target(id: "\(id)/grants/\(r.role)", domain: domainName,
                                                           bindings: [g, me, producer, domainRef(domainName)], location: r.location))
            }
        }
        grantRefs[slot] = grants
    }


    typealias ColumnsRead = TransformReads.ColumnsRead


    // MARK: parts

    /// Field indexes that carry their own source position.
    enum Field {
        static let completeness = Schema.index(of: "completeness", in: .property)!
        static let errorRate = Schema.index(of: "errorRate", in: .property)!
        static let inputContractId = Schema.index(of: "contractId", in: .input)!
        static let inputContract = Schema.index(of: "contract", in: .input)!
        static let outputContractId = Schema.index(of: "contractId", in: .output)!
        static let retention = Schema.index(of: "retention", in: .contract)!
        static let retentionElement = Schema.index(of: "retentionElement", in: .contract)!
        static let freshness = Schema.index(of: "freshness", in: .contract)!
        static let freshnessElement = Schema.index(of: "freshnessElement", in: .contract)!
        static let frequency = Schema.index(of: "frequency", in: .contract)!
    }

    func qualityRule(_ q: QualityRule) -> Value {
        let g = Self.guarantees(q)
        let (op, threshold, lower, upper) = Self.operands(q.threshold)
        return append(.qualityRule, [
            .string(q.type.rawValue), opt(q.name), opt(q.metric), opt(q.dimension), opt(q.severity), opt(q.description),
            opt(op), threshold.map(Value.number) ?? .missing, lower.map(Value.number) ?? .missing,
            upper.map(Value.number) ?? .missing, .string(q.unit ?? "rows"),
            g.completeness.map(Value.percent) ?? .missing, g.errorRate.map(Value.percent) ?? .missing,
        ], at: q.location)
    }

    static func operands(_ t: Threshold?) -> (String?, Double?, Double?, Double?) {
        switch t {
        case nil: (nil, nil, nil, nil)
        case .mustBe(let v): ("mustBe", v.number, nil, nil)
        case .mustNotBe(let v): ("mustNotBe", v.number, nil, nil)
        case .mustBeGreaterThan(let v): ("mustBeGreaterThan", v, nil, nil)
        case .mustBeGreaterOrEqualTo(let v): ("mustBeGreaterOrEqualTo", v, nil, nil)
        case .mustBeLessThan(let v): ("mustBeLessThan", v, nil, nil)
        case .mustBeLessOrEqualTo(let v): ("mustBeLessOrEqualTo", v, nil, nil)
        case .mustBeBetween(let a, let b): ("mustBeBetween", nil, a, b)
        case .mustNotBeBetween(let a, let b): ("mustNotBeBetween", nil, a, b)
        }
    }

    /// What a rule guarantees about nulls and invalid values (§5.2, derived completeness).
    static func guarantees(_ q: QualityRule) -> (completeness: Double?, errorRate: Double?) {
        let upperBound: Double?
        switch q.threshold {
        case .mustBe(let v)?: upperBound = v.number
        case .mustBeLessOrEqualTo(let v)?: upperBound = v
        case .mustBeLessThan(let v)?: upperBound = (q.unit ?? "rows") == "percent" ? v : (v <= 1 ? 0 : nil)
        case .mustBeBetween(_, let b)?: upperBound = b
        default: upperBound = nil
        }
        guard let bound = upperBound, let metric = q.metric else { return (nil, nil) }
        let percent = (q.unit ?? "rows") == "percent"
        switch metric {
        case "nullValues", "missingValues":
            if percent { return (max(0, 100 - bound), nil) }
            return (bound == 0 ? 100 : nil, nil)
        case "invalidValues":
            if percent { return (nil, bound) }
            return (nil, bound == 0 ? 0 : nil)
        default:
            return (nil, nil)
        }
    }

    func team(_ t: Team?, at location: SourceLocation) -> Value {
        guard let t else { return .missing }
        let members = t.members.map { m in
            append(.member, [
                .string(m.username), opt(m.name), opt(m.role),
                m.username.utf8.contains(UInt8(ascii: "@")) ? .string(m.username.lowercased()) : .missing,
            ], at: location)
        }
        return append(.team, [opt(t.name), .list(members)], at: location)
    }

    func customMap(_ props: [CustomProperty]) -> Value {
        var m: [String: Value] = [:]
        for p in props where m[p.property] == nil { m[p.property] = Value(yaml: p.value) }
        return .map(m)
    }

    /// Parsed versions by text: a mesh has few distinct ones, and parsing one is slower than
    /// looking it up.
    var versions: [String: Value] = [:]

    /// A version as a semver value; missing when it is absent or not SemVer 2.0.0.
    func version(_ text: String?) -> Value {
        guard let text else { return .missing }
        if let parsed = versions[text] { return parsed }
        let parsed = SemVer(text).map(Value.semver) ?? .missing
        versions[text] = parsed
        return parsed
    }

    func span(_ s: SLAProperty?) -> Value { s?.span.flatMap { Value.duration(seconds: $0.seconds) } ?? .missing }
    func opt(_ s: String?) -> Value { s.map(Value.string) ?? .missing }
    func strings(_ s: [String]) -> Value { .list(s.map(Value.string)) }
    func emails(_ s: [String]) -> Value { .list(s.map { .string($0.lowercased()) }) }
}

/// A target's binding values, held inline: there is one per target, and an array each would
/// be 150,000 allocations on a large mesh. Every binding is a record or missing, so each is
/// held as a reference of 8 bytes. No target kind has more than five bindings.
public struct Bindings: Sendable, ExpressibleByArrayLiteral, RandomAccessCollection {
    private var v0: RecordRef?, v1: RecordRef?, v2: RecordRef?, v3: RecordRef?, v4: RecordRef?
    public private(set) var count = 0

    public init(arrayLiteral elements: Value...) {
        self.init(elements)
    }

    init(_ elements: [Value]) {
        precondition(elements.count <= 5, "a target has at most five bindings")
        for e in elements { append(e) }
    }

    /// Three or five bindings, without the array a literal makes (an input target's, a
    /// property target's).
    init(_ a: Value, _ b: Value, _ c: Value) {
        append(a); append(b); append(c)
    }

    init(_ a: Value, _ b: Value, _ c: Value, _ d: Value, _ e: Value) {
        append(a); append(b); append(c); append(d); append(e)
    }

    private mutating func append(_ v: Value) {
        let r: RecordRef?
        switch v {
        case .record(let ref): r = ref
        case .missing: r = nil
        default: preconditionFailure("a binding is a record or missing")
        }
        switch count {
        case 0: v0 = r
        case 1: v1 = r
        case 2: v2 = r
        case 3: v3 = r
        default: v4 = r
        }
        count += 1
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> Value {
        let r: RecordRef?
        switch i {
        case 0: r = v0
        case 1: r = v1
        case 2: r = v2
        case 3: r = v3
        default: r = v4
        }
        return r.map(Value.record) ?? .missing
    }
}

extension ModelView {
    /// The words of a transform, lowercased, outside `--` comments and '...' string literals:
    /// what `input.reads` matches a contract's columns against. A heuristic: SQL is not parsed.
    static func words(of sql: String) -> Set<String> {
        var text = sql
        let ascii = text.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } ? asciiWords(of: bytes) : nil }
        return ascii ?? unicodeWords(of: sql)
    }

    /// `unicodeWords` for ASCII text, a byte at a time: ten times faster than iterating
    /// `Character`s, and the same words, since in ASCII only `\r\n` is one `Character` of
    /// two bytes (and so does not end a comment there).
    private static func asciiWords(of bytes: UnsafeBufferPointer<UInt8>) -> Set<String> {
        var words = Set<String>()
        forEachASCIIWord(in: bytes) { range in
            words.insert(String(decoding: bytes[range].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self))
        }
        return words
    }

    /// Where the words of ASCII text lie, as they are written (not lowercased): the runs of
    /// letters, digits and `_` outside `--` comments and '...' string literals.
    static func forEachASCIIWord(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        let quote = UInt8(ascii: "'"), dash = UInt8(ascii: "-"), underscore = UInt8(ascii: "_")
        var wordStart: Int?
        var inComment = false, inString = false
        var previous = UInt8(ascii: " ")
        for (i, byte) in bytes.enumerated() {
            defer { previous = byte }
            if inComment {
                if byte == newline && previous != carriageReturn { inComment = false }
                continue
            }
            if inString {
                if byte == quote { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), underscore:
                if wordStart == nil { wordStart = i }
                continue
            default:
                if let s = wordStart { body(s..<i); wordStart = nil }
            }
            if byte == quote { inString = true } else if byte == dash && previous == dash { inComment = true }
        }
        if let s = wordStart { body(s..<bytes.count) }
    }

    /// Words of letters and digits of any script, lowercased, as `Character`s see them.
    static func unicodeWords(of sql: String) -> Set<String> {
        var words = Set<String>()
        var word = ""
        var inComment = false, inString = false
        var previous: Character = " "
        func flush() {
            if !word.isEmpty { words.insert(word) }
            word = ""
        }
        for ch in sql.lowercased() {
            defer { previous = ch }
            if inComment {
                if ch == "\n" { inComment = false }
                continue
            }
            if inString {
                if ch == "'" { inString = false }
                continue
            }
            if ch == "'" { flush(); inString = true; continue }
            if ch == "-" && previous == "-" { flush(); inComment = true; continue }
            if ch.isLetter || ch.isNumber || ch == "_" { word.append(ch) } else { flush() }
        }
        flush()
        return words
    }
}
