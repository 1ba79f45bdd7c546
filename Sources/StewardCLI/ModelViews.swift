import StewardCore
import StewardModel

/// JSON views of the model for `--format json`: stable field names, no source positions
/// except `location` (`path:line:column`).
struct ProductView: Encodable {
    struct Port: Encodable {
        var name: String
        var contract: String?
        var version: String
        var producer: String?
        var source: Bool?
    }

    var id: String
    var name: String
    var domain: String
    var odpsId: String
    var status: String
    var version: String?
    var purpose: String?
    var owners: OwnersView?
    var engine: String
    var transform: String?
    var inputs: [Port]
    var outputs: [Port]
    var downstream: [String]
    var contracts: [ContractView]
    var location: String

    init(_ p: Product, mesh: Mesh, contracts: [Contract]) {
        let producer = mesh.producerOf
        id = p.id
        name = p.name
        domain = p.domain ?? ""
        odpsId = p.odpsID
        status = p.status
        version = p.version
        purpose = p.purpose
        owners = mesh.domains[domain].map { OwnersView(team: $0.owners.team, members: $0.owners.members) }
        engine = p.custom("engine")?.string ?? mesh.settings.defaultEngine
        transform = mesh.transforms[p.id]
        inputs = p.inputPorts.map {
            Port(name: $0.name, contract: $0.contractId, version: $0.version, producer: producer[$0.contractId],
                 source: producer[$0.contractId] == nil)
        }
        outputs = p.outputPorts.map { Port(name: $0.name, contract: $0.contractId, version: $0.version) }
        downstream = Lineage(mesh).downstream(of: p.id).sorted()
        self.contracts = contracts.map(ContractView.init)
        location = p.location.description
    }
}

struct OwnersView: Encodable {
    var team: String
    var members: [String]
}

struct ContractView: Encodable {
    struct PropertyView: Encodable {
        var name: String
        var object: String
        var logicalType: String?
        var physicalType: String?
        var required: Bool
        var unique: Bool
        var primaryKey: Bool
        var classification: String?
        var pii: Bool
        var anonymizationStrategy: String?
        var criticalDataElement: Bool
        var quality: [String]
        var location: String
    }

    struct SLAView: Encodable {
        var property: String
        var value: String
        var unit: String?
        var element: String?
    }

    struct GrantView: Encodable {
        var role: String
        var access: String?
        var domains: [String]
        var pii: Bool
    }

    var id: String
    var apiVersion: String
    var version: String
    var status: String
    var domain: String?
    var objects: [String]
    var properties: [PropertyView]
    var quality: [String]
    var sla: [SLAView]
    var grants: [GrantView]
    var servers: [String]
    var location: String

    init(_ c: Contract) {
        id = c.id
        apiVersion = c.apiVersion
        version = c.version
        status = c.status
        domain = c.domain
        objects = c.objects.map(\.name)
        properties = c.allProperties.map { o, path, p in
            PropertyView(name: path, object: o.name, logicalType: p.logicalType, physicalType: p.physicalType,
                         required: p.required, unique: p.unique, primaryKey: p.primaryKey,
                         classification: p.classification, pii: p.isPII, anonymizationStrategy: p.anonymizationStrategy,
                         criticalDataElement: p.criticalDataElement, quality: p.quality.map(ModelText.rule),
                         location: p.location.description)
        }
        quality = c.objects.flatMap { o in o.quality.map { "\(o.name): \(ModelText.rule($0))" } }
        sla = c.sla.map { SLAView(property: $0.property, value: $0.value.description, unit: $0.unit, element: $0.element) }
        grants = c.roles.map { GrantView(role: $0.role, access: $0.access, domains: $0.grantedDomains, pii: $0.allowsPII) }
        servers = c.servers.map { s in "\(s.server) (\(s.type))" + (s.path.map { " \($0)" } ?? "") }
        location = c.location.description
    }
}

/// Human-readable renderings of products and contracts.
enum ModelText {
    static func rule(_ q: QualityRule) -> String {
        var s = q.type == .sql ? "sql" : (q.metric ?? q.type.rawValue)
        if let t = q.threshold { s += " \(t)" }
        if let u = q.unit, u != "rows" { s += u == "percent" ? "%" : " \(u)" }
        if let d = q.dimension { s += " (\(d))" }
        return s
    }

    static func product(_ p: Product, mesh: Mesh, color: Bool) -> String {
        let producer = mesh.producerOf
        var out = bold("product \(p.id)", color) + "  \(p.status)" + (p.version.map { " v\($0)" } ?? "") + "\n"
        if let purpose = p.purpose { out += "  \(purpose)\n" }
        if let d = mesh.domains[p.domain ?? ""] {
            out += "  owners:    \(d.owners.team) <\(d.owners.members.joined(separator: ", "))>\n"
        }
        out += "  engine:    \(p.custom("engine")?.string ?? mesh.settings.defaultEngine)\n"
        out += "  transform: \(mesh.transforms[p.id] ?? "(missing)")\n"
        out += "  inputs:\n"
        for i in p.inputPorts {
            let from = producer[i.contractId].map { "product \($0)" } ?? "source"
            out += "    \(i.name) <- \(i.contractId) (\(from))\n"
        }
        if p.inputPorts.isEmpty { out += "    (none)\n" }
        out += "  outputs:\n"
        for o in p.outputPorts { out += "    \(o.name) -> \(o.contractId ?? "(no contract)") v\(o.version)\n" }
        let down = Lineage(mesh).downstream(of: p.id).sorted()
        out += "  downstream: \(down.isEmpty ? "(none)" : down.joined(separator: ", "))\n"
        out += "  defined at \(p.location)\n"
        return out
    }

    static func contract(_ c: Contract, color: Bool) -> String {
        var out = bold("contract \(c.id)", color) + "  v\(c.version) \(c.status) (ODCS \(c.apiVersion))\n"
        if let purpose = c.description?.purpose { out += "  \(purpose)\n" }
        for o in c.objects {
            out += "  \(o.name)\(o.physicalType.map { " (\($0))" } ?? "")\n"
            let rows = c.allProperties.filter { $0.object.name == o.name }.map { _, path, p -> [String] in
                var flags: [String] = []
                if p.primaryKey { flags.append("pk") }
                if p.required { flags.append("required") }
                if p.unique { flags.append("unique") }
                if p.criticalDataElement { flags.append("critical") }
                var privacy = p.classification ?? "-"
                if p.isPII { privacy += ", pii, masked by \(p.anonymizationStrategy ?? "NOTHING")" }
                return [path, p.logicalType ?? "?", flags.joined(separator: " "), privacy, p.quality.map(rule).joined(separator: "; ")]
            }
            out += table(rows, header: ["property", "type", "flags", "classification", "quality"], indent: "    ")
            for q in o.quality { out += "    rule: \(rule(q))\n" }
        }
        if !c.sla.isEmpty {
            out += "  SLA:\n"
            for s in c.sla {
                out += "    \(s.property): \(s.span?.description ?? s.value.description)\(s.element.map { " on \($0)" } ?? "")\n"
            }
        }
        if !c.roles.isEmpty {
            out += "  grants:\n"
            for r in c.roles {
                let to = r.grantedDomains.isEmpty ? "" : " to \(r.grantedDomains.joined(separator: ", "))"
                out += "    \(r.role): \(r.access ?? "read")\(to)\(r.allowsPII ? " (pii allowed)" : "")\n"
            }
        }
        for s in c.servers { out += "  server \(s.server): \(s.type)\(s.path.map { " \($0)" } ?? "")\n" }
        out += "  defined at \(c.location)\n"
        return out
    }

    static func table(_ rows: [[String]], header: [String], indent: String) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            indent + row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailing() + "\n"
        }.joined()
    }

    static func bold(_ s: String, _ color: Bool) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
}

extension String {
    func trimmingTrailing() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
