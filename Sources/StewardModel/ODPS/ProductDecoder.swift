import StewardCore

/// The keys ODPS allows, from the official v1.0.0 JSON schema.
enum ODPSKeys {
    static let top: Set<String> = [
        "apiVersion", "authoritativeDefinitions", "customProperties", "description", "domain", "id", "inputPorts",
        "kind", "managementPorts", "name", "outputPorts", "productCreatedTs", "status", "support", "tags", "team",
        "tenant", "version",
    ]
    static let description: Set<String> = ["authoritativeDefinitions", "customProperties", "limitations", "purpose", "usage"]
    static let inputPort: Set<String> = ["authoritativeDefinitions", "contractId", "customProperties", "name", "tags", "version"]
    static let outputPort: Set<String> = [
        "authoritativeDefinitions", "contractId", "customProperties", "description", "inputContracts", "name", "sbom",
        "tags", "type", "version",
    ]
    static let sbom: Set<String> = ["type", "url"]
    static let inputContract: Set<String> = ["id", "version"]
    static let managementPort: Set<String> = [
        "authoritativeDefinitions", "channel", "content", "customProperties", "description", "name", "tags", "type", "url",
    ]
    static let support: Set<String> = [
        "authoritativeDefinitions", "channel", "customProperties", "description", "invitationUrl", "scope", "tags", "tool", "url",
    ]
    static let team: Set<String> = ["authoritativeDefinitions", "customProperties", "description", "members", "name", "tags"]
    static let teamMember: Set<String> = [
        "authoritativeDefinitions", "customProperties", "dateIn", "dateOut", "description", "name", "replacedByUsername",
        "role", "tags", "username",
    ]
    static let customProperty: Set<String> = ["description", "property", "value"]
    static let authoritativeDefinition: Set<String> = ["description", "type", "url"]
    static let apiVersions = ["v0.9.0", "v1.0.0", "v1.1.0"]
}

/// Reads an ODPS document into a `Product`.
struct ProductDecoder {
    let r: Reader

    init(reader: Reader) { self.r = reader }

    func decode(_ root: YNode) -> Product? {
        guard let f = r.fields(root, "data product", allowed: ODPSKeys.top) else { return nil }
        let apiVersion = f.string("apiVersion", required: true, in: "data product") ?? ""
        if !apiVersion.isEmpty, !ODPSKeys.apiVersions.contains(apiVersion) {
            r.error(ModelMessages.unsupportedVersion, "unsupported ODPS version `\(apiVersion)`", at: f.location(of: "apiVersion"),
                    help: "Steward reads ODPS \(ODPSKeys.apiVersions.joined(separator: ", ")); write `apiVersion: v1.0.0`")
        }
        if let kind = f.string("kind", required: true, in: "data product"), kind != "DataProduct" {
            r.error(ModelMessages.wrongKind, "`kind` of a data product must be `DataProduct`, found `\(kind)`",
                    at: f.location(of: "kind"), help: Suggestions.didYouMean(kind, in: ["DataProduct"]))
        }
        let id = f.string("id", required: true, in: "data product") ?? ""
        let status = f.string("status", required: true, in: "data product") ?? ""
        var p = Product(odpsID: id, name: f.string("name") ?? "", domain: f.string("domain"), status: status,
                        location: f.location)
        p.apiVersion = apiVersion
        p.version = f.string("version")
        p.tenant = f.string("tenant")
        p.tags = f.stringList("tags")
        p.customProperties = customProperties(f)
        if let d = f["description"], let df = r.fields(d, "description", allowed: ODPSKeys.description) {
            p.purpose = df.string("purpose")
            _ = df.string("limitations")
            _ = df.string("usage")
            _ = customProperties(df)
            authoritativeDefinitions(df)
        }
        p.inputPorts = f.list("inputPorts", decodeInput)
        p.outputPorts = f.list("outputPorts", decodeOutput)
        _ = f.list("managementPorts") { n -> Bool? in
            guard let mf = r.fields(n, "management port", allowed: ODPSKeys.managementPort) else { return nil }
            _ = mf.string("name", required: true, in: "management port")
            _ = mf.string("content", required: true, in: "management port")
            return true
        }
        _ = f.list("support") { n -> Bool? in
            guard let sf = r.fields(n, "support channel", allowed: ODPSKeys.support) else { return nil }
            _ = sf.string("channel", required: true, in: "support channel")
            _ = sf.string("url", required: true, in: "support channel")
            return true
        }
        if let t = f["team"], let tf = r.fields(t, "team", allowed: ODPSKeys.team) {
            let members = tf.list("members") { n -> TeamMember? in
                guard let mf = r.fields(n, "team member", allowed: ODPSKeys.teamMember) else { return nil }
                return TeamMember(username: mf.string("username", required: true, in: "team member") ?? "",
                                  name: mf.string("name"), role: mf.string("role"),
                                  dateIn: mf.string("dateIn"), dateOut: mf.string("dateOut"))
            }
            p.team = Team(name: tf.string("name"), description: tf.string("description"), members: members)
        }
        authoritativeDefinitions(f)
        for key in ["support", "managementPorts", "authoritativeDefinitions", "productCreatedTs"] {
            if let v = f.any(key) { p.extra[key] = v }
        }
        return p
    }

    private func decodeInput(_ n: YNode) -> InputPort? {
        guard let f = r.fields(n, "input port", allowed: ODPSKeys.inputPort) else { return nil }
        let port = InputPort(name: f.string("name", required: true, in: "input port") ?? "",
                             version: f.string("version", required: true, in: "input port") ?? "",
                             contractId: f.string("contractId", required: true, in: "input port") ?? "",
                             tags: f.stringList("tags"), _location: LocationBox(f.location),
                             _contractLocation: LocationBox(f.location(of: "contractId")))
        _ = customProperties(f)
        authoritativeDefinitions(f)
        return port
    }

    private func decodeOutput(_ n: YNode) -> OutputPort? {
        guard let f = r.fields(n, "output port", allowed: ODPSKeys.outputPort) else { return nil }
        let port = OutputPort(name: f.string("name", required: true, in: "output port") ?? "",
                              version: f.string("version", required: true, in: "output port") ?? "",
                              contractId: f.string("contractId"), type: f.string("type"),
                              description: f.string("description"), tags: f.stringList("tags"),
                              _location: LocationBox(f.location),
                              _contractLocation: LocationBox(f.location(of: "contractId")))
        _ = customProperties(f)
        authoritativeDefinitions(f)
        _ = f.list("sbom") { n -> Bool? in
            guard let sf = r.fields(n, "sbom", allowed: ODPSKeys.sbom) else { return nil }
            _ = sf.string("url", required: true, in: "sbom")
            return true
        }
        _ = f.list("inputContracts") { n -> Bool? in
            guard let cf = r.fields(n, "input contract", allowed: ODPSKeys.inputContract) else { return nil }
            _ = cf.string("id", required: true, in: "input contract")
            _ = cf.string("version", required: true, in: "input contract")
            return true
        }
        return port
    }

    private func customProperties(_ f: Fields) -> [CustomProperty] {
        r.customProperties(f, allowed: ODPSKeys.customProperty)
    }

    private func authoritativeDefinitions(_ f: Fields) {
        r.authoritativeDefinitions(f, allowed: ODPSKeys.authoritativeDefinition)
    }
}
