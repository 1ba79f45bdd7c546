import StewardCore

/// Reads an ODCS document into a `Contract`, reporting every unknown key, wrong type,
/// missing required field, bad enum value and ambiguous unit through the `Reader`.
struct ContractDecoder {
    let r: Reader
    /// Whether keys added by v3.2.0 are allowed.
    private var v32 = false

    init(reader: Reader) { self.r = reader }

    mutating func decode(_ root: YNode) -> Contract? {
        // Read apiVersion first: it decides which keys are allowed.
        let declared = root.pairs.first { $0.key == "apiVersion" }?.value
        if let declared, case let .string(v) = declared.value { v32 = v == "v3.2.0" }
        guard let f = fields(root, "data contract", ODCSKeys.top, ODCSKeys.v32Top) else { return nil }

        let apiVersion = f.string("apiVersion", required: true, in: "data contract") ?? ""
        if !apiVersion.isEmpty, !ODCSKeys.apiVersions.contains(apiVersion) {
            r.error(ModelMessages.unsupportedVersion,
                    "unsupported ODCS version `\(apiVersion)`", at: f.location(of: "apiVersion"),
                    help: "Steward reads ODCS \(ODCSKeys.apiVersions.joined(separator: ", ")); write `apiVersion: v3.1.0`")
        }
        if let kind = f.string("kind", required: true, in: "data contract"), kind != "DataContract" {
            r.error(ModelMessages.wrongKind, "`kind` of a data contract must be `DataContract`, found `\(kind)`",
                    at: f.location(of: "kind"), help: Suggestions.didYouMean(kind, in: ["DataContract"]))
        }
        let id = f.string("id", required: true, in: "data contract")
        let version = f.string("version", required: true, in: "data contract")
        let status = f.string("status", required: true, in: "data contract")

        var c = Contract(id: id ?? "", apiVersion: apiVersion, version: version ?? "", status: status ?? "",
                         location: f.location)
        c.name = f.string("name")
        c.domain = f.string("domain")
        c.dataProduct = f.string("dataProduct")
        c.tenant = f.string("tenant")
        c.tags = f.stringList("tags")
        c.slaDefaultElement = f.string("slaDefaultElement")
        c.description = f.object("description", decodeDescription)
        c.objects = f.list("schema", decodeObject)
        c.servers = f.list("servers", decodeServer)
        c.roles = f.list("roles", decodeRole)
        c.team = f["team"].flatMap(decodeTeam)
        c.sla = f.list("slaProperties", decodeSLA)
        c.customProperties = customProperties(f)
        validateAuthoritativeDefinitions(f)
        if let price = f["price"] { _ = r.fields(price, "price", allowed: ODCSKeys.price) }
        _ = f.list("support") { r.fields($0, "support channel", allowed: ODCSKeys.support) }
        for key in ["price", "support", "authoritativeDefinitions", "contractCreatedTs", "context"] {
            if let v = f.any(key) { c.extra[key] = v }
        }
        checkDuplicateNames(c.objects.map { ($0.name, $0.location) }, what: "schema object")
        return c
    }

    /// Reads a mapping whose allowed keys grew in v3.2.0: those keys count only for v3.2.0 contracts.
    private func fields(_ n: YNode, _ what: String, _ base: Set<String>, _ later: [String: String]) -> Fields? {
        v32 ? r.fields(n, what, allowed: base.union(later.keys)) : r.fields(n, what, allowed: base, laterKeys: later)
    }

    private func decodeDescription(_ n: YNode) -> ContractDescription? {
        if case let .string(s) = n.value { return ContractDescription(purpose: s) }  // lenient: v2 style
        guard let f = r.fields(n, "description", allowed: ODCSKeys.description) else { return nil }
        validateAuthoritativeDefinitions(f)
        _ = customProperties(f)
        return ContractDescription(purpose: f.string("purpose"), limitations: f.string("limitations"), usage: f.string("usage"))
    }

    private func decodeObject(_ n: YNode) -> SchemaObject? {
        guard let f = fields(n, "schema object", ODCSKeys.schemaObject, ODCSKeys.v32Object) else { return nil }
        let name = f.string("name", required: true, in: "schema object") ?? ""
        var o = SchemaObject(name: name, location: f.location)
        o.id = f.string("id")
        o.physicalName = f.string("physicalName")
        o.physicalType = f.string("physicalType")
        o.logicalType = f.string("logicalType")
        if let lt = o.logicalType, lt != "object" {
            r.warning(ModelMessages.badValue, "`logicalType` of a schema object should be `object`, found `\(lt)`",
                      at: f.location(of: "logicalType"))
        }
        o.businessName = f.string("businessName")
        o.description = f.string("description")
        o.tags = f.stringList("tags")
        o.customProperties = customProperties(f)
        o.quality = f.list("quality", decodeQuality)
        o.properties = f.list("properties", decodeProperty)
        validateAuthoritativeDefinitions(f)
        _ = f.list("relationships") { r.fields($0, "relationship", allowed: ODCSKeys.relationship) }
        _ = f.string("dataGranularityDescription")
        checkDuplicateNames(o.properties.map { ($0.name, $0.location) }, what: "property of `\(name)`")
        return o
    }

    private func decodeProperty(_ n: YNode) -> SchemaProperty? {
        decodeProperty(n, requireName: true)
    }

    private func decodeProperty(_ n: YNode, requireName: Bool) -> SchemaProperty? {
        guard let f = fields(n, requireName ? "schema property" : "array items", ODCSKeys.property, ODCSKeys.v32Property)
        else { return nil }
        let name = f.string("name", required: requireName, in: "schema property") ?? ""
        var p = SchemaProperty(name: name, location: f.location)
        p.id = f.string("id")
        p.logicalType = f.string("logicalType")
        if let lt = p.logicalType, !ODCSKeys.logicalTypes.contains(lt) {
            r.error(ModelMessages.badValue, "unknown logicalType `\(lt)`", at: f.location(of: "logicalType"),
                    help: Suggestions.didYouMean(lt, in: ODCSKeys.logicalTypes)
                        ?? "use one of: \(ODCSKeys.logicalTypes.sorted().joined(separator: ", "))")
        }
        p.physicalType = f.string("physicalType")
        p.physicalName = f.string("physicalName")
        p.businessName = f.string("businessName")
        p.description = f.string("description")
        p.required = f.bool("required") ?? false
        p.unique = f.bool("unique") ?? false
        p.primaryKey = f.bool("primaryKey") ?? false
        p.primaryKeyPosition = f.int("primaryKeyPosition")
        p.partitioned = f.bool("partitioned") ?? false
        _ = f.int("partitionKeyPosition")
        p.criticalDataElement = f.bool("criticalDataElement") ?? false
        p.classification = classification(f)
        if case .map(let options)? = f.any("logicalTypeOptions") {
            p.logicalTypeOptions = Dictionary(options, uniquingKeysWith: { _, last in last })
        }
        p.tags = f.stringList("tags")
        p.customProperties = customProperties(f)
        p.quality = f.list("quality", decodeQuality)
        p.properties = f.list("properties", decodeProperty)
        if let items = f["items"], let ip = decodeProperty(items, requireName: false) {
            p.items = ItemsBox(logicalType: ip.logicalType, properties: ip.properties)
        }
        _ = f.string("encryptedName")
        _ = f.string("transformLogic")
        _ = f.string("transformDescription")
        _ = f.stringList("transformSourceObjects")
        validateAuthoritativeDefinitions(f)
        _ = f.list("relationships") { r.fields($0, "relationship", allowed: ODCSKeys.relationship) }
        if let strategy = p.anonymizationStrategy, !ODCSKeys.anonymizationStrategies.contains(strategy),
           let cp = f["customProperties"] {
            r.error(ModelMessages.badValue, "unknown anonymizationStrategy `\(strategy)`", at: cp.location,
                    help: Suggestions.didYouMean(strategy, in: ODCSKeys.anonymizationStrategies)
                        ?? "use one of: none, hash, redact, tokenize, drop")
        }
        return p
    }

    /// The classification level, lowercased so `Restricted` and `restricted` (or `PII` and
    /// `pii`) are one value for the diff and the policies; a level outside the known order is
    /// kept but warned about, since it cannot be ranked.
    private func classification(_ f: Fields) -> String? {
        guard let value = f.string("classification") else { return nil }
        let level = value.lowercased()
        if !ODCSKeys.classifications.contains(level) {
            r.warning(ModelMessages.unknownClassification, "unknown classification `\(value)`", at: f.location(of: "classification"),
                      help: Suggestions.didYouMean(level, in: ODCSKeys.classifications)
                          ?? "use one of: \(ODCSKeys.classifications.joined(separator: ", ")) (least to most sensitive)")
        }
        return level
    }

    private func decodeQuality(_ n: YNode) -> QualityRule? {
        guard let f = r.fields(n, "quality rule", allowed: ODCSKeys.qualityAll) else { return nil }
        let typeName = f.string("type") ?? (f.has("query") ? "sql" : "library")
        guard let kind = QualityRule.Kind(rawValue: typeName) else {
            r.error(ModelMessages.badValue, "unknown quality rule type `\(typeName)`", at: f.location(of: "type"),
                    help: Suggestions.didYouMean(typeName, in: ODCSKeys.qualityTypes) ?? "use one of: library, sql, text, custom")
            return nil
        }
        var q = QualityRule(type: kind, location: f.location)
        q.metric = f.string("metric") ?? f.string("rule")
        if f.has("rule") && !f.has("metric") && kind == .library {
            r.warning(ModelMessages.deprecated, "`rule` is the ODCS v3.0 name of `metric`", at: f.location(of: "rule"),
                      help: "write `metric:` instead")
        }
        q.query = f.string("query")
        q.unit = f.string("unit")
        q.dimension = f.string("dimension")
        q.severity = f.string("severity")
        q.name = f.string("name")
        q.description = f.string("description")
        q.arguments = f.any("arguments")
        switch kind {
        case .library where q.metric == nil:
            r.error(ModelMessages.missingKey, "library quality rule is missing required key `metric`", at: f.location)
        case .sql where q.query == nil:
            r.error(ModelMessages.missingKey, "sql quality rule is missing required key `query`", at: f.location)
        case .custom:
            if !f.has("engine") { r.error(ModelMessages.missingKey, "custom quality rule is missing required key `engine`", at: f.location) }
            if !f.has("implementation") { r.error(ModelMessages.missingKey, "custom quality rule is missing required key `implementation`", at: f.location) }
        default: break
        }
        q.threshold = threshold(f)
        return q
    }

    private func threshold(_ f: Fields) -> Threshold? {
        let present = ODCSKeys.thresholds.filter(f.has).sorted()
        if present.count > 1 {
            r.error(ModelMessages.badValue, "quality rule has several thresholds: \(present.map { "`\($0)`" }.joined(separator: ", "))",
                    at: f.location, help: "keep one of them")
        }
        guard let key = present.first else { return nil }
        func pair() -> (Double, Double)? {
            guard let n = f[key], case let .list(items) = n.value, items.count == 2,
                  let a = items[0].number, let b = items[1].number else {
                r.error(ModelMessages.wrongType, "`\(key)` must be a list of two numbers, such as `[0, 100]`",
                        at: f.location(of: key))
                return nil
            }
            if a > b {
                r.error(ModelMessages.badValue, "`\(key)` range is empty: \(YAMLValue.double(a)) is above \(YAMLValue.double(b))",
                        at: f.location(of: key), help: "write the lower bound first")
            }
            return (a, b)
        }
        switch key {
        case "mustBe": return f.any(key).map { .mustBe($0) }
        case "mustNotBe": return f.any(key).map { .mustNotBe($0) }
        case "mustBeGreaterThan": return f.number(key).map { .mustBeGreaterThan($0) }
        case "mustBeGreaterOrEqualTo": return f.number(key).map { .mustBeGreaterOrEqualTo($0) }
        case "mustBeLessThan": return f.number(key).map { .mustBeLessThan($0) }
        case "mustBeLessOrEqualTo": return f.number(key).map { .mustBeLessOrEqualTo($0) }
        case "mustBeBetween": return pair().map { .mustBeBetween($0, $1) }
        case "mustNotBeBetween": return pair().map { .mustNotBeBetween($0, $1) }
        default: return nil
        }
    }

    private func decodeServer(_ n: YNode) -> Server? {
        let typeNode = n.pairs.first { $0.key == "type" }?.value
        var specific: [String] = []
        var required: [String] = []
        if let typeNode, case let .string(t) = typeNode.value {
            if let entry = ODCSKeys.serverTypes[t] {
                specific = entry.allowed
                required = entry.required
            } else {
                r.error(ModelMessages.badValue, "unknown server type `\(t)`", at: typeNode.location,
                        help: Suggestions.didYouMean(t, in: ODCSKeys.serverTypes.keys) ?? "use `custom` for other systems")
                specific = ODCSKeys.serverTypes["custom"]!.allowed
            }
        }
        guard let f = r.fields(n, "server", allowed: ODCSKeys.server.union(specific)) else { return nil }
        let name = f.string("server", required: true, in: "server") ?? ""
        let type = f.string("type", required: true, in: "server") ?? ""
        for key in required where !f.has(key) {
            r.error(ModelMessages.missingKey, "server of type `\(type)` is missing required key `\(key)`", at: f.location)
        }
        var settings: [String: YAMLValue] = [:]
        for key in specific where f.has(key) {
            if key == "port" { settings[key] = f.int(key).map { .int($0) } ?? .null } else if let s = f.string(key) {
                settings[key] = .string(s)
            }
        }
        _ = f.list("roles", decodeRole)
        _ = customProperties(f)
        return Server(server: name, type: type, description: f.string("description"),
                      environment: f.string("environment"), settings: settings, _location: LocationBox(f.location))
    }

    private func decodeRole(_ n: YNode) -> Role? {
        guard let f = r.fields(n, "role", allowed: ODCSKeys.role) else { return nil }
        let role = Role(role: f.string("role", required: true, in: "role") ?? "", access: f.string("access"),
                        description: f.string("description"), firstLevelApprovers: f.string("firstLevelApprovers"),
                        secondLevelApprovers: f.string("secondLevelApprovers"), customProperties: customProperties(f),
                        _location: LocationBox(f.location))
        if let v = role.customProperties.first(where: { $0.property == "pii" })?.value, v.bool == nil {
            r.error(ModelMessages.wrongType, "custom property `pii` of a role must be `true` or `false`, found \(v.typeName)",
                    at: f.location(of: "customProperties"))
        }
        return role
    }

    private func decodeTeam(_ n: YNode) -> Team? {
        // ODCS v3.0 wrote the team as a bare list of members; v3.1 made it an object.
        if n.kind == .sequence {
            return Team(name: nil, description: nil, members: n.items.compactMap(decodeMember))
        }
        guard let f = r.fields(n, "team", allowed: ODCSKeys.team) else { return nil }
        _ = customProperties(f)
        validateAuthoritativeDefinitions(f)
        _ = f.stringList("tags")
        return Team(name: f.string("name"), description: f.string("description"), members: f.list("members", decodeMember))
    }

    private func decodeMember(_ n: YNode) -> TeamMember? {
        guard let f = r.fields(n, "team member", allowed: ODCSKeys.teamMember) else { return nil }
        _ = customProperties(f)
        _ = f.stringList("tags")
        _ = f.string("replacedByUsername")
        _ = f.string("description")
        validateAuthoritativeDefinitions(f)
        return TeamMember(username: f.string("username", required: true, in: "team member") ?? "",
                          name: f.string("name"), role: f.string("role"),
                          dateIn: f.string("dateIn"), dateOut: f.string("dateOut"))
    }

    private func decodeSLA(_ n: YNode) -> SLAProperty? {
        guard let f = r.fields(n, "SLA property", allowed: ODCSKeys.sla) else { return nil }
        let property = f.string("property", required: true, in: "SLA property") ?? ""
        if !f.has("value") { r.error(ModelMessages.missingKey, "SLA property is missing required key `value`", at: f.location) }
        var s = SLAProperty(property: property, value: f.any("value") ?? .null, valueExt: f.any("valueExt"),
                            unit: f.string("unit"), element: f.string("element"), driver: f.string("driver"),
                            span: nil, _location: LocationBox(f.location))
        _ = f.string("description")
        if let unit = s.unit {
            do {
                let u = try TimeSpan.unit(unit)
                if let v = s.value.number { s.span = TimeSpan(v, u) } else if Self.timed.contains(property.lowercased()) {
                    r.error(ModelMessages.wrongType, "`value` of `\(property)` must be a number, found \(s.value.typeName)",
                            at: f.location(of: "value"))
                }
            } catch {
                r.error(error == .ambiguous(unit) ? ModelMessages.ambiguousUnit : ModelMessages.unknownUnit,
                        error.message, at: f.location(of: "unit"), help: error.help)
            }
        } else if Self.timed.contains(property.lowercased()) {
            r.error(ModelMessages.missingKey, "SLA `\(property)` needs a `unit` (for example `d` or `h`)", at: f.location,
                    help: "add `unit: d` for days, `h` for hours, `y` for years")
        }
        return s
    }

    /// SLA properties whose value is a length of time.
    static let timed: Set<String> = ["latency", "freshness", "retention", "frequency"]

    private func customProperties(_ f: Fields) -> [CustomProperty] {
        r.customProperties(f, allowed: ODCSKeys.customProperty)
    }

    private func validateAuthoritativeDefinitions(_ f: Fields) {
        r.authoritativeDefinitions(f, allowed: ODCSKeys.authoritativeDefinition)
    }

    private func checkDuplicateNames(_ names: [(String, SourceLocation)], what: String) {
        var seen: [String: SourceLocation] = [:]
        for (name, loc) in names where !name.isEmpty {
            if let first = seen[name] {
                r.report(.error(ModelMessages.duplicateName, "duplicate \(what) `\(name)`", at: loc,
                                notes: ["first defined at \(first)"]))
            } else {
                seen[name] = loc
            }
        }
    }
}
