import StewardCore

/// A token of the policy language (docs/policy-language.md §3.1), with its place.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case identifier(String)
        case keyword(Keyword)
        case int(Int64)
        case number(Double)
        /// `95%` is `percent(95)`.
        case percent(Double)
        case duration(TimeSpan)
        /// `v1.4.0-rc.1` without the `v`.
        case semver(String)
        case string(String)
        /// `r"..."`: no escapes, for regular expressions.
        case rawString(String)
        /// A string after `message` or `hint`: literal text and `{expr}` holes.
        case interpolated([Segment])
        case punctuation(String)
        case endOfFile
    }

    /// A piece of an interpolated string.
    public enum Segment: Sendable, Equatable {
        case text(String)
        /// The tokens of one `{ ... }` hole, ending with `endOfFile`.
        case expression([Token])
    }

    public var kind: Kind
    public var location: SourceLocation
    /// The text as written (for the formatter and messages).
    public var text: String

    public init(_ kind: Kind, at location: SourceLocation, text: String) {
        self.kind = kind
        self.location = location
        self.text = text
    }
}

/// Words the language reserves (§3.1).
public enum Keyword: String, Sendable, CaseIterable {
    case policy, const, title, level, target, tags, `let`, `where`, require, message, hint
    case advisory, warning, mandatory, hard, to, `true`, `false`, and, or, not, `in`
    case every, some, count, `for`, `if`, then, `else`, matches, `default`
}
