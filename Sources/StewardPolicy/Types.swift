/// The static types of the policy language (docs/policy-language.md §4).
public indirect enum PType: Hashable, Sendable, CustomStringConvertible {
    case bool, int, number, string, duration, percent, semver, timestamp
    /// A YAML value from `customProperties` or an SLA entry: convert it explicitly.
    case any
    case list(PType)
    case set(PType)
    case map(PType)
    case optional(PType)
    case record(RecordKind)
    case enumeration(EnumKind)
    /// The element type of `[]` before the context gives it one.
    case unknown
    /// The type of an expression that already has a diagnostic; it matches anything, so one
    /// mistake is reported once.
    case error

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .number: "number"
        case .string: "string"
        case .duration: "duration"
        case .percent: "percent"
        case .semver: "semver"
        case .timestamp: "timestamp"
        case .any: "any"
        case .list(let t): "list<\(t)>"
        case .set(let t): "set<\(t)>"
        case .map(let t): "map<string, \(t)>"
        case .optional(let t): "\(t)?"
        case .record(let r): r.rawValue
        case .enumeration(let e): e.rawValue
        case .unknown: "unknown"
        case .error: "error"
        }
    }

    /// The type without its `?`.
    public var unwrapped: PType {
        if case .optional(let t) = self { return t }
        return self
    }

    public var isOptional: Bool {
        if case .optional = self { return true }
        return false
    }

    /// The element type of a list or set.
    public var element: PType? {
        switch self {
        case .list(let t), .set(let t): t
        case .error: .error
        default: nil
        }
    }

    public var isNumeric: Bool { self == .int || self == .number }

    /// Whether `<` is defined (§4: operator typing).
    public var isOrdered: Bool {
        switch self {
        case .int, .number, .string, .duration, .percent, .semver, .timestamp, .error: true
        case .enumeration(let e): e.isOrdered
        default: false
        }
    }

    /// Whether `{...}` in a message may show it.
    public var isPrintable: Bool {
        switch self {
        case .record, .map, .any: false
        case .list(let t), .set(let t), .optional(let t): t.isPrintable
        default: true
        }
    }

    /// Whether `==` is defined.
    public var isEquatable: Bool {
        switch self {
        case .record, .map, .any: false
        case .list(let t), .set(let t), .optional(let t): t.isEquatable
        default: true
        }
    }
}

/// Enumerations whose values are written as string literals (§4).
public enum EnumKind: String, Sendable, CaseIterable {
    case classification, masking, changeKind, entityKind

    public var values: [String] {
        switch self {
        case .classification: ["public", "internal", "confidential", "restricted"]
        case .masking: ["none", "hash", "redact", "tokenize", "drop"]
        case .changeKind: ChangeKinds.all
        case .entityKind: ["mesh", "domain", "product", "contract", "property", "grant", "input", "transform", "policy", "waiver", "file"]
        }
    }

    public var isOrdered: Bool { self == .classification }

    /// The position of a value in the order, for `<`; nil for an unknown value (POL0604).
    public func rank(_ value: String) -> Int? { values.firstIndex(of: value) }
}

/// The change kinds of §5.4, the vocabulary of `change.kind`.
public enum ChangeKinds {
    public static let all: [String] = [
        "domain.added", "domain.removed", "domain.modified", "domain.ownersChanged",
        "product.added", "product.removed", "product.modified", "product.statusChanged", "product.transformChanged",
        "product.engineChanged", "product.outputAdded", "product.outputRemoved",
        "input.added", "input.removed",
        "contract.added", "contract.removed", "contract.modified", "contract.moved", "contract.versionChanged", "contract.statusChanged",
        "contract.teamChanged", "object.added", "object.removed",
        "retention.added", "retention.removed", "retention.shortened", "retention.lengthened",
        "freshness.added", "freshness.removed", "freshness.loosened", "freshness.tightened",
        "frequency.changed", "server.changed",
        "property.added", "property.removed", "property.renamed", "property.typeChanged", "property.requiredAdded",
        "property.requiredRemoved", "property.uniqueAdded", "property.uniqueRemoved", "property.primaryKeyChanged",
        "classification.added", "classification.removed", "classification.tightened", "classification.loosened",
        "pii.added", "pii.removed", "masking.changed", "masking.removed",
        "quality.added", "quality.removed", "quality.tightened", "quality.loosened", "constraint.tightened", "constraint.loosened",
        "criticalDataElement.added", "criticalDataElement.removed",
        "grant.added", "grant.revoked", "grant.widened", "grant.narrowed",
        "transform.added", "transform.removed", "transform.modified",
        "policy.added", "policy.removed", "policy.modified",
        "waiver.added", "waiver.removed", "waiver.modified",
        "mesh.added", "mesh.removed", "mesh.modified",
        "file.added", "file.removed", "file.modified",
    ]
}

/// The record types of the object model (§5.2).
public enum RecordKind: String, Sendable, CaseIterable {
    case evaluation, mesh, platformTeam, domain, owners, product, input, output, contract, object, property
    case qualityRule, grant, team, member, slaProperty, server, change, commit, person
}

/// One field of a record type.
public struct FieldSpec: Sendable {
    public var name: String
    public var type: PType
    public var doc: String
}

/// The object model as data: the checker resolves names against it, the model view fills
/// records in exactly this order, and `policy schema` prints it.
public enum Schema {
    public static func fields(of kind: RecordKind) -> [FieldSpec] { table[kind]! }

    /// The index of a field in its record, or nil.
    public static func index(of field: String, in kind: RecordKind) -> Int? { indexes[kind]![field] }

    private static let indexes: [RecordKind: [String: Int]] = table.mapValues { fields in
        Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($0.element.name, $0.offset) })
    }

    private static func f(_ name: String, _ type: PType, _ doc: String = "") -> FieldSpec {
        FieldSpec(name: name, type: type, doc: doc)
    }

    private static let str = PType.string
    private static let optStr = PType.optional(.string)
    private static let strings = PType.list(.string)
    private static let custom = PType.map(.any)

    static let table: [RecordKind: [FieldSpec]] = [
        .evaluation: [
            f("time", .timestamp, "the evaluation time given by the caller"),
            f("command", str, "check, lint, history, apply or test"),
            f("base", optStr, "the base commit compared, when any"),
            f("head", optStr, "the head commit compared, when any"),
        ],
        .mesh: [
            f("name", str), f("defaultEngine", str),
            f("platformTeam", .record(.platformTeam)),
            f("domains", .list(.record(.domain))),
        ],
        .platformTeam: [f("name", str), f("members", strings, "e-mails, lowercased")],
        .owners: [f("team", str), f("members", strings, "e-mails, lowercased")],
        .domain: [
            f("name", str), f("description", optStr), f("owners", .record(.owners)),
            f("products", .list(.record(.product))), f("contracts", .list(.record(.contract))),
        ],
        .product: [
            f("id", str, "<domain>.<name>"), f("odpsId", str, "the ODPS id as written"), f("name", str),
            f("domain", str), f("status", str), f("version", .optional(.semver)), f("description", optStr),
            f("inputs", .list(.record(.input))), f("outputs", .list(.record(.output))),
            f("contracts", .list(.record(.contract)), "the output contracts"),
            f("transform", str), f("engine", str), f("team", .optional(.record(.team))),
            f("tags", strings), f("customProperties", custom), f("path", str),
        ],
        .input: [
            f("name", str), f("contractId", str), f("version", optStr),
            f("contract", .record(.contract)), f("producer", .optional(.record(.product))),
            f("producerDomain", str), f("source", .bool), f("crossDomain", .bool),
            f("grants", .list(.record(.grant)), "grants of the contract that include the consumer's domain"),
            f("grant", .optional(.record(.grant))),
            f("reads", .list(.string), "the contract's columns the consumer's transform names"),
            f("piiReads", .list(.string), "the PII columns among them"),
        ],
        .output: [
            f("name", str), f("contractId", str), f("contract", .record(.contract)),
            f("version", optStr), f("type", optStr),
        ],
        .contract: [
            f("id", str), f("status", str), f("domain", str), f("apiVersion", str),
            f("name", optStr), f("dataProduct", optStr), f("description", optStr),
            f("version", .optional(.semver), "missing when not SemVer 2.0.0"), f("objects", .list(.record(.object))),
            f("properties", .list(.record(.property)), "all properties, flattened, in document order"),
            f("source", .bool), f("product", .optional(.record(.product))),
            f("consumers", .list(.record(.product))),
            f("retention", .optional(.duration)), f("retentionElement", optStr),
            f("freshness", .optional(.duration)), f("freshnessElement", optStr),
            f("frequency", .optional(.duration)), f("sla", .list(.record(.slaProperty))),
            f("grants", .list(.record(.grant)), "ODCS roles"), f("team", .optional(.record(.team))),
            f("servers", .list(.record(.server))), f("tags", strings), f("customProperties", custom), f("path", str),
        ],
        .object: [
            f("name", str), f("contract", str), f("physicalName", optStr), f("physicalType", optStr),
            f("businessName", optStr), f("properties", .list(.record(.property))),
            f("quality", .list(.record(.qualityRule))), f("tags", strings),
        ],
        .property: [
            f("id", str, "<contract id>.<object>.<property>"), f("stableId", optStr, "the ODCS property id"),
            f("name", str), f("object", str), f("contract", str),
            f("logicalType", optStr), f("physicalType", optStr), f("physicalName", optStr),
            f("businessName", optStr), f("description", optStr),
            f("required", .bool), f("unique", .bool), f("primaryKey", .bool), f("partitioned", .bool),
            f("criticalDataElement", .bool),
            f("classification", .optional(.enumeration(.classification))),
            f("pii", .bool, "tags contain pii"), f("masking", .optional(.enumeration(.masking)), "anonymizationStrategy"),
            f("quality", .list(.record(.qualityRule))),
            f("completeness", .optional(.percent)), f("errorRate", .optional(.percent)),
            f("tags", strings), f("customProperties", custom),
        ],
        .qualityRule: [
            f("type", str), f("name", optStr), f("metric", optStr), f("dimension", optStr),
            f("severity", optStr), f("description", optStr), f("operator", optStr),
            f("threshold", .optional(.number)), f("lower", .optional(.number)), f("upper", .optional(.number)),
            f("unit", str), f("completeness", .optional(.percent)), f("errorRate", .optional(.percent)),
        ],
        .grant: [
            f("role", str), f("contract", str), f("access", optStr), f("description", optStr),
            f("firstLevelApprovers", optStr), f("secondLevelApprovers", optStr), f("approvers", strings),
            f("domains", strings), f("pii", .bool),
        ],
        .team: [f("name", optStr), f("members", .list(.record(.member)))],
        .member: [f("username", str), f("name", optStr), f("role", optStr), f("email", optStr)],
        .slaProperty: [
            f("property", str), f("value", .any), f("unit", optStr), f("element", optStr), f("driver", optStr),
            f("duration", .optional(.duration)),
        ],
        .server: [f("server", str), f("type", str), f("path", optStr), f("format", optStr)],
        .change: [
            f("kind", .enumeration(.changeKind)), f("entity", .enumeration(.entityKind)), f("summary", .bool),
            f("breaking", .bool), f("element", str), f("path", str), f("description", str),
            f("details", .list(.record(.change))), f("commits", .list(.record(.commit))),
            f("authors", .list(.record(.person))),
        ],
        .commit: [
            f("id", str), f("author", .record(.person)), f("committer", .record(.person)),
            f("coAuthors", .list(.record(.person))), f("message", str), f("time", .timestamp),
        ],
        .person: [f("name", str), f("email", str)],
    ]

    /// The record type each target binding has (§5.1), in frame order after `mesh` and
    /// `evaluation`. Optional bindings may be missing for some targets.
    public static func bindings(for target: TargetSpec) -> [(name: String, type: PType)] {
        let domain = ("domain", PType.record(.domain))
        let producer = ("product", PType.optional(.record(.product)))
        switch target.kind {
        case .product: return [("product", .record(.product)), domain]
        case .contract: return [("contract", .record(.contract)), producer, domain]
        case .property:
            return [("property", .record(.property)), ("object", .record(.object)), ("contract", .record(.contract)), producer, domain]
        case .domain: return [domain]
        case .grant: return [("grant", .record(.grant)), ("contract", .record(.contract)), producer, domain]
        case .input: return [("input", .record(.input)), ("product", .record(.product)), domain]
        case .change:
            var out: [(String, PType)] = [("change", .record(.change)), ("domain", .optional(.record(.domain)))]
            if let e = target.entity {
                let t = PType.optional(.record(RecordKind(rawValue: e.rawValue)!))
                out += [("old", t), ("new", t)]
            }
            return out
        }
    }

    /// Every binding name any target has, for "not available for this target" (POL0104).
    static let allBindingNames: Set<String> = ["product", "contract", "property", "object", "domain", "grant", "input", "change", "old", "new"]
}
