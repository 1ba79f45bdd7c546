import StewardCore

/// How much a policy's failure matters (§2.2). Ordered `advisory < warning < mandatory < hard`.
public enum PolicyLevel: String, Sendable, Codable, Comparable, CaseIterable {
    case advisory, warning, mandatory, hard

    public static func < (a: PolicyLevel, b: PolicyLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// How a finding of this level is reported.
    public var severity: Severity {
        switch self {
        case .advisory: .note
        case .warning: .warning
        case .mandatory, .hard: .error
        }
    }

    /// An unwaived fail or error at this level makes `check` fail.
    public var gates: Bool { self >= .mandatory }

    /// `hard` policies cannot be waived.
    public var waivable: Bool { self != .hard }
}
