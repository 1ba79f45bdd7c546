import StewardCore

/// One semantic difference between two versions of the mesh (docs/breaking-changes.md).
/// The kinds are the vocabulary of the policy language's `change.kind` (§5.4 of
/// docs/policy-language.md); `breaking` says whether a consumer can be broken by it.
public struct Change: Sendable, Equatable, Codable {
    /// `property.removed`, `retention.shortened`, ...
    public var kind: String
    /// `contract`, `property`, `grant`, `product`, `input`, `domain`, ...
    public var entity: String
    /// The id of what changed: a contract id, `<contract>.<object>.<property>`,
    /// `<contract>/grants/<role>`, a product id.
    public var element: String
    /// The element's id at the base when it differs: a renamed property's old id.
    public var previousElement: String?
    public var breaking: Bool
    /// One line for humans: what changed, from what, to what.
    public var description: String
    /// Where the new version says it (the old one for removals).
    public var location: SourceLocation?

    public init(_ kind: String, entity: String, element: String, breaking: Bool, _ description: String,
                at location: SourceLocation? = nil) {
        self.kind = kind
        self.entity = entity
        self.element = element
        self.breaking = breaking
        self.description = description
        self.location = location
    }
}
