import StewardCore

/// A data product (ODPS v0.9.0 – v1.1.0).
public struct Product: Sendable, Hashable {
    /// The ODPS `id` as written (often a UUID).
    public var odpsID: String
    public var apiVersion: String
    public var name: String
    public var version: String?
    public var status: String
    public var domain: String?
    public var tenant: String?
    public var purpose: String?
    public var inputPorts: [InputPort]
    public var outputPorts: [OutputPort]
    public var tags: [String]
    public var team: Team?
    public var customProperties: [CustomProperty]
    public var extra: [String: YAMLValue]
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox

    public init(odpsID: String, name: String, domain: String?, status: String = "active",
                inputPorts: [InputPort] = [], outputPorts: [OutputPort] = [], location: SourceLocation? = nil) {
        self.odpsID = odpsID
        self.apiVersion = "v1.0.0"
        self.name = name
        self.status = status
        self.domain = domain
        self.inputPorts = inputPorts
        self.outputPorts = outputPorts
        self.tags = []
        self.customProperties = []
        self.extra = [:]
        self._location = LocationBox(location)
    }

    public func custom(_ name: String) -> YAMLValue? { customProperties.first { $0.property == name }?.value }

    /// The mesh id `<domain>.<name>`.
    public var id: String { "\(domain ?? "").\(name)" }
}

/// Where a product reads from: a contract id, whose owner is another product or a source.
public struct InputPort: Sendable, Hashable {
    /// The table name the transform uses.
    public var name: String
    public var version: String
    public var contractId: String
    public var tags: [String]
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox
    /// Where `contractId` is written, for messages about the reference.
    public var contractLocation: SourceLocation { _contractLocation.location ?? location }
    var _contractLocation: LocationBox
}

/// What a product publishes: a contract id in the product's own domain.
public struct OutputPort: Sendable, Hashable {
    public var name: String
    public var version: String
    public var contractId: String?
    public var type: String?
    public var description: String?
    public var tags: [String]
    public var location: SourceLocation { _location.location ?? SourceLocation(path: "") }
    var _location: LocationBox
    public var contractLocation: SourceLocation { _contractLocation.location ?? location }
    var _contractLocation: LocationBox
}
