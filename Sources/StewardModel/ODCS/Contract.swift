import StewardCore

/// A data contract (ODCS v3.0.0 – v3.2.0). Fields Steward reasons about are typed; the rest
/// of the standard is validated on load and kept in `extra` so nothing is silently dropped.
public struct Contract: Sendable, Hashable {
    public var id: String
    public var apiVersion: String
    public var version: String
    public var status: String
    public var name: String?
    public var domain: String?
    public var dataProduct: String?
    public var tenant: String?
    public var description: ContractDescription?
    public var objects: [SchemaObject]
    public var servers: [Server]
    public var roles: [Role]
    public var team: Team?
    public var slaDefaultElement: String?
    public var sla: [SLAProperty]
    public var tags: [String]
    public var customProperties: [CustomProperty]
    /// Standard fields Steward does not interpret (price, support, authoritativeDefinitions...).
    public var extra: [String: YAMLValue]
    /// Where the contract was read from; not part of equality.
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public init(id: String, apiVersion: String = "v3.1.0", version: String = "1.0.0", status: String = "active",
                objects: [SchemaObject] = [], location: SourceLocation? = nil) {
        self.id = id
        self.apiVersion = apiVersion
        self.version = version
        self.status = status
        self.objects = objects
        self.servers = []
        self.roles = []
        self.sla = []
        self.tags = []
        self.customProperties = []
        self.extra = [:]
        self._location = LocationBox(location)
    }

    /// Every property of every object, nested ones included, with its dotted path.
    public var allProperties: [(object: SchemaObject, path: String, property: SchemaProperty)] {
        var out: [(SchemaObject, String, SchemaProperty)] = []
        func walk(_ o: SchemaObject, _ prefix: String, _ props: [SchemaProperty]) {
            for p in props {
                let path = prefix.isEmpty ? p.name : "\(prefix).\(p.name)"
                out.append((o, path, p))
                walk(o, path, p.properties)
                if let items = p.items { walk(o, path, items.properties) }
            }
        }
        for o in objects { walk(o, "", o.properties) }
        return out
    }

    /// Finds `object.property` (or a property by name alone), as an SLA `element` names it.
    /// Physical names count too. Nested properties are reached with dots: `object.parent.child`.
    public func property(named element: String) -> SchemaProperty? {
        // By index, and the names compared in place: a copy of every property passed over was
        // most of the mesh check's time on a large mesh, which looks up every SLA's element.
        func find(_ path: ArraySlice<Substring>, in props: [SchemaProperty]) -> SchemaProperty? {
            guard let head = path.first else { return nil }
            for i in props.indices where props[i].name == head || props[i].physicalName.map({ $0 == head }) == true {
                if path.count == 1 { return props[i] }
                let nested = props[i].properties.isEmpty ? (props[i].items?.properties ?? []) : props[i].properties
                if let hit = find(path.dropFirst(), in: nested) { return hit }
            }
            return nil
        }
        let parts = element.split(separator: ".")
        if parts.count >= 2 {
            for o in objects.indices where objects[o].name == parts[0] || objects[o].physicalName.map({ $0 == parts[0] }) == true {
                if let hit = find(parts.dropFirst(), in: objects[o].properties) { return hit }
            }
        }
        for o in objects.indices {
            if let hit = find(parts[...], in: objects[o].properties) { return hit }
        }
        return nil
    }

    public func sla(_ name: String) -> SLAProperty? {
        sla.first { $0.property.equalsIgnoringCase(name) }
    }

    /// The retention SLA as a time span, when declared with a valid unit.
    public var retention: TimeSpan? { sla("retention")?.span }
    /// The freshness SLA (`latency`, formerly `freshness`) as a time span.
    public var freshness: TimeSpan? { (sla("latency") ?? sla("freshness"))?.span }
    public var frequency: TimeSpan? { sla("frequency")?.span }

    public func custom(_ name: String) -> YAMLValue? { customProperties.first { $0.property == name }?.value }
}

public struct ContractDescription: Sendable, Hashable {
    public var purpose: String?
    public var limitations: String?
    public var usage: String?
}

/// A table, topic, file or other object of a contract's schema.
public struct SchemaObject: Sendable, Hashable {
    public var name: String
    public var id: String?
    public var physicalName: String?
    public var physicalType: String?
    public var logicalType: String?
    public var businessName: String?
    public var description: String?
    public var properties: [SchemaProperty]
    public var quality: [QualityRule]
    public var tags: [String]
    public var customProperties: [CustomProperty]
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public init(name: String, properties: [SchemaProperty] = [], location: SourceLocation? = nil) {
        self.name = name
        self.properties = properties
        self.quality = []
        self.tags = []
        self.customProperties = []
        self._location = LocationBox(location)
    }
}

/// A column or field of a schema object.
public struct SchemaProperty: Sendable, Hashable {
    public var name: String
    public var id: String?
    public var logicalType: String?
    public var physicalType: String?
    public var physicalName: String?
    public var businessName: String?
    public var description: String?
    public var required: Bool
    public var unique: Bool
    public var primaryKey: Bool
    public var primaryKeyPosition: Int?
    public var partitioned: Bool
    public var classification: String?
    /// ODCS `logicalTypeOptions`: the constraints on values (`minLength`, `maximum`, `pattern`, ...).
    public var logicalTypeOptions: [String: YAMLValue] = [:]
    public var criticalDataElement: Bool
    public var tags: [String]
    public var quality: [QualityRule]
    public var customProperties: [CustomProperty]
    /// Nested fields of an `object` property.
    public var properties: [SchemaProperty]
    /// The element type of an `array` property.
    public var items: ItemsBox?
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public init(name: String, logicalType: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.logicalType = logicalType
        self.required = false
        self.unique = false
        self.primaryKey = false
        self.partitioned = false
        self.criticalDataElement = false
        self.tags = []
        self.quality = []
        self.customProperties = []
        self.properties = []
        self._location = LocationBox(location)
    }

    /// Personal data: tagged `pii` (any case).
    public var isPII: Bool { Self.isPII(tags: tags) }

    /// The declared masking strategy (`customProperties.anonymizationStrategy`).
    public var anonymizationStrategy: String? { Self.anonymizationStrategy(in: customProperties) }

    static func isPII(tags: [String]) -> Bool { tags.contains { $0.equalsIgnoringCase("pii") } }

    static func anonymizationStrategy(in custom: [CustomProperty]) -> String? {
        custom.first { $0.property == "anonymizationStrategy" }?.value.string
    }
}

/// The computed members of a property read in place. Asked through `pointee`, a computed
/// property copies the whole property first (its 23 fields retained, then released): a fifth of
/// building a large mesh's contracts, which the model view reads through pointers. These read
/// only the stored fields they need.
extension UnsafePointer where Pointee == SchemaProperty {
    public var location: SourceLocation { pointee._location.location ?? SourceLocation(path: "") }
    public var isPII: Bool { SchemaProperty.isPII(tags: pointee.tags) }
    public var anonymizationStrategy: String? { SchemaProperty.anonymizationStrategy(in: pointee.customProperties) }
}

/// Boxes the element type of an array property (a struct cannot contain itself directly).
public final class ItemsBox: Sendable, Hashable {
    public let logicalType: String?
    public let properties: [SchemaProperty]
    init(logicalType: String?, properties: [SchemaProperty]) {
        self.logicalType = logicalType
        self.properties = properties
    }
    public static func == (a: ItemsBox, b: ItemsBox) -> Bool {
        a.logicalType == b.logicalType && a.properties == b.properties
    }
    public func hash(into h: inout Hasher) {
        h.combine(logicalType)
        h.combine(properties)
    }
}

/// A data quality rule (ODCS `quality` item).
public struct QualityRule: Sendable, Hashable {
    public enum Kind: String, Sendable { case library, sql, text, custom }
    public var type: Kind
    /// For library rules: `nullValues`, `rowCount`, ... (`rule` in ODCS v3.0).
    public var metric: String?
    public var query: String?
    public var threshold: Threshold?
    /// `rows` or `percent`.
    public var unit: String?
    public var dimension: String?
    public var severity: String?
    public var name: String?
    public var description: String?
    public var arguments: YAMLValue?
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public init(type: Kind, metric: String? = nil, threshold: Threshold? = nil, unit: String? = nil, location: SourceLocation? = nil) {
        self.type = type
        self.metric = metric
        self.threshold = threshold
        self.unit = unit
        self._location = LocationBox(location)
    }
}

/// The comparison a quality rule demands of its measured value.
public enum Threshold: Sendable, Hashable, CustomStringConvertible {
    case mustBe(YAMLValue)
    case mustNotBe(YAMLValue)
    case mustBeGreaterThan(Double)
    case mustBeGreaterOrEqualTo(Double)
    case mustBeLessThan(Double)
    case mustBeLessOrEqualTo(Double)
    case mustBeBetween(Double, Double)
    case mustNotBeBetween(Double, Double)

    public var description: String {
        switch self {
        case let .mustBe(v): "= \(v)"
        case let .mustNotBe(v): "≠ \(v)"
        case let .mustBeGreaterThan(v): "> \(YAMLValue.double(v))"
        case let .mustBeGreaterOrEqualTo(v): "≥ \(YAMLValue.double(v))"
        case let .mustBeLessThan(v): "< \(YAMLValue.double(v))"
        case let .mustBeLessOrEqualTo(v): "≤ \(YAMLValue.double(v))"
        case let .mustBeBetween(a, b): "between \(YAMLValue.double(a)) and \(YAMLValue.double(b))"
        case let .mustNotBeBetween(a, b): "not between \(YAMLValue.double(a)) and \(YAMLValue.double(b))"
        }
    }
}

/// Where a contract's data lives (ODCS `servers` item).
public struct Server: Sendable, Hashable {
    public var server: String
    public var type: String
    public var description: String?
    public var environment: String?
    /// The type-specific fields (`host`, `path`, `format`, ...).
    public var settings: [String: YAMLValue]
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public var path: String? { settings["path"]?.string }
    public var format: String? { settings["format"]?.string }
}

/// An access role (ODCS `roles` item). Steward reads grants from its custom properties.
public struct Role: Sendable, Hashable {
    public var role: String
    public var access: String?
    public var description: String?
    public var firstLevelApprovers: String?
    public var secondLevelApprovers: String?
    public var customProperties: [CustomProperty]
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    /// The consumer domains this role grants (`customProperties.domains`).
    public var grantedDomains: [String] {
        guard let v = customProperties.first(where: { $0.property == "domains" })?.value else { return [] }
        if let s = v.string { return [s] }
        return v.list?.compactMap(\.string) ?? []
    }

    /// Whether the grant covers PII properties (`customProperties.pii`, default false).
    public var allowsPII: Bool {
        customProperties.first { $0.property == "pii" }?.value.bool ?? false
    }
}

public struct Team: Sendable, Hashable {
    public var name: String?
    public var description: String?
    public var members: [TeamMember]
}

public struct TeamMember: Sendable, Hashable {
    public var username: String
    public var name: String?
    public var role: String?
    public var dateIn: String?
    public var dateOut: String?
}

/// One SLA property (ODCS `slaProperties` item), with its duration parsed when it is one.
public struct SLAProperty: Sendable, Hashable {
    public var property: String
    public var value: YAMLValue
    public var valueExt: YAMLValue?
    public var unit: String?
    public var element: String?
    public var driver: String?
    /// `value` + `unit` as a span, for `latency`, `retention`, `frequency` and other timed SLAs.
    public var span: TimeSpan?
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox
}

public struct CustomProperty: Sendable, Hashable {
    public var property: String
    public var value: YAMLValue
    public var description: String?

    public init(property: String, value: YAMLValue, description: String? = nil) {
        self.property = property
        self.value = value
        self.description = description
    }
}

/// Carries a source location without taking part in equality or hashing: two models read
/// from differently formatted files are equal when their content is.
struct LocationBox: Sendable, Hashable {
    let location: SourceLocation?
    init(_ location: SourceLocation?) { self.location = location }
    static func == (_: LocationBox, _: LocationBox) -> Bool { true }
    func hash(into _: inout Hasher) {}
}

extension String {
    /// `lowercased() == other.lowercased()`, without building either when both are ASCII (a
    /// property's tags and a contract's SLA names are compared for every property and contract).
    @inlinable public func equalsIgnoringCase(_ other: String) -> Bool {
        let (a, b) = (utf8, other.utf8)
        if a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) {
            func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
            return a.count == b.count && zip(a, b).allSatisfy { lower($0) == lower($1) }
        }
        return lowercased() == other.lowercased()
    }
}

extension SchemaProperty {
    /// Every property of a list, nested ones (`properties`, `items`) included, with its dotted
    /// path from the object: what the diff pairs and what policies see as `property` targets.
    public static func flatten(_ props: [SchemaProperty], prefix: String = "") -> [(path: String, property: SchemaProperty)] {
        var out: [(path: String, property: SchemaProperty)] = []
        for p in props {
            let path = prefix.isEmpty ? p.name : "\(prefix).\(p.name)"
            out.append((path, p))
            out += flatten(p.properties, prefix: path)
            if let items = p.items { out += flatten(items.properties, prefix: path) }
        }
        return out
    }
}
