/// How bad a diagnostic is. Ordered: `note < warning < error`.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One problem found in user input, by any phase (loading, validation, policy, check).
///
/// Diagnostics are data: phases collect them, one renderer prints them.
/// Messages follow one style: lowercase, no final period, user input in backticks;
/// the fix goes in `help`, apart from the message.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// A stable id such as `MESH0102`; documented in docs/diagnostics.md.
    public var id: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    public var help: String?
    public var notes: [String]
    /// Preformatted lines shown under the notes, such as a policy finding's explanation.
    public var detail: [String] = []

    public init(
        _ severity: Severity, _ id: String, _ message: String,
        at location: SourceLocation? = nil, help: String? = nil, notes: [String] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.location = location
        self.help = help
        self.notes = notes
    }

    public static func error(
        _ id: String, _ message: String, at location: SourceLocation? = nil,
        notes: [String] = [], help: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, id, message, at: location, help: help, notes: notes)
    }

    public static func warning(
        _ id: String, _ message: String, at location: SourceLocation? = nil,
        notes: [String] = [], help: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, id, message, at: location, help: help, notes: notes)
    }
}

extension Diagnostic: Comparable {
    /// Sorted by file, then position, then id, so output is stable.
    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        let la = a.location ?? SourceLocation(path: "")
        let lb = b.location ?? SourceLocation(path: "")
        if la != lb { return la < lb }
        return (a.id, a.message) < (b.id, b.message)
    }
}

extension Diagnostic {
    private enum CodingKeys: String, CodingKey { case id, severity, message, location, help, notes, detail }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode(Severity.self, forKey: .severity), try c.decode(String.self, forKey: .id),
                  try c.decode(String.self, forKey: .message), at: try c.decodeIfPresent(SourceLocation.self, forKey: .location),
                  help: try c.decodeIfPresent(String.self, forKey: .help),
                  notes: try c.decodeIfPresent([String].self, forKey: .notes) ?? [])
        detail = try c.decodeIfPresent([String].self, forKey: .detail) ?? []
    }

    /// `detail` appears only when there is one, so reports without `--explain` stay as they were.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(severity, forKey: .severity)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(location, forKey: .location)
        try c.encodeIfPresent(help, forKey: .help)
        try c.encode(notes, forKey: .notes)
        if !detail.isEmpty { try c.encode(detail, forKey: .detail) }
    }
}

/// A diagnostic can be thrown where a phase must stop (an unreadable file, a bad revision).
extension Diagnostic: Error {}
