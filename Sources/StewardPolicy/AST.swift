import StewardCore

/// The syntax tree of a `.policy` file (docs/policy-language.md §3.2). Every node keeps where
/// it starts; locations are left out of equality so trees of reformatted text compare equal.
public struct PolicyFile: Sendable, Equatable {
    public var path: String
    public var items: [Item]
    /// `#` comments, in order, for the formatter.
    public var comments: [Comment]

    public enum Item: Sendable, Equatable {
        case const(ConstDecl)
        case policy(PolicyDecl)
    }

    public var consts: [ConstDecl] {
        items.compactMap { if case .const(let c) = $0 { c } else { nil } }
    }

    public var policies: [PolicyDecl] {
        items.compactMap { if case .policy(let p) = $0 { p } else { nil } }
    }

    public static func == (a: PolicyFile, b: PolicyFile) -> Bool { a.items == b.items }
}

/// `const name = expr`.
public struct ConstDecl: Sendable, Equatable {
    public var name: String
    public var value: Expr
    @Located public var location: SourceLocation
}

/// What a policy is evaluated for (§5.1).
public enum TargetKind: String, Sendable, CaseIterable, Comparable {
    case product, contract, property, domain, grant, input, change

    public static func < (a: TargetKind, b: TargetKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The entities a `target change to <entity>` can name.
public enum EntityKind: String, Sendable, CaseIterable {
    case domain, product, contract, property, grant, input
}

public struct TargetSpec: Sendable, Equatable, CustomStringConvertible {
    public var kind: TargetKind
    /// Only for `change to <entity>`.
    public var entity: EntityKind?

    public init(_ kind: TargetKind, entity: EntityKind? = nil) {
        self.kind = kind
        self.entity = entity
    }

    public var description: String {
        entity.map { "change to \($0.rawValue)" } ?? kind.rawValue
    }
}

/// A `policy <id> { ... }` block.
public struct PolicyDecl: Sendable, Equatable {
    public var id: String
    public var title: String
    public var level: PolicyLevel
    public var target: TargetSpec
    public var tags: [String]
    public var lets: [LetDecl]
    public var condition: Expr?
    public var requirement: Expr
    public var message: Template
    public var hint: Template?
    @Located public var location: SourceLocation
    /// Where each clause keyword starts, for diagnostics and the formatter.
    @Located public var clauses: [String: SourceLocation]
}

/// `let name = expr`.
public struct LetDecl: Sendable, Equatable {
    public var name: String
    public var value: Expr
    @Located public var location: SourceLocation
}

/// A `message` or `hint` string: text and `{expr}` holes.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case hole(Expr)
    }
    public var parts: [Part]
    @Located public var location: SourceLocation

    public var expressions: [Expr] {
        parts.compactMap { if case .hole(let e) = $0 { e } else { nil } }
    }
}

/// An expression with the place it starts.
public struct Expr: Sendable, Equatable {
    public var kind: ExprKind { didSet { height = Self.height(of: kind) } }
    @Located public var location: SourceLocation
    /// The nodes on the longest path down from this one, itself included. The parser caps it
    /// (`Parser.maxNesting`), so every walk of a tree recurses a bounded number of times.
    public private(set) var height: Int

    public init(_ kind: ExprKind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
        self.height = Self.height(of: kind)
    }

    private static func height(of kind: ExprKind) -> Int {
        1 + (kind.children.lazy.map(\.height).max() ?? 0)
    }
}

public indirect enum ExprKind: Sendable, Equatable {
    case literal(Literal)
    case name(String)
    /// `base.field`; the location is the field name's.
    case field(Expr, String, Located<SourceLocation>)
    case index(Expr, Expr)
    case call(String, [Expr])
    case negate(Expr)
    case not(Expr)
    case binary(BinaryOp, Expr, Expr)
    case conditional(Expr, then: Expr, else: Expr)
    case quantifier(Quantifier, Binder, Expr)
    case count(Binder)
    case list([Expr])
    case set([Expr])
    /// `[e for x in xs where c]` (or `{...}` when `isSet`).
    case comprehension(isSet: Bool, Expr, Binder)
    /// Parentheses as written; kept so positions and the formatter see them. Typing ignores them.
    case parenthesized(Expr)
}

extension ExprKind {
    /// The direct sub-expressions, binders' collections and filters included.
    public var children: [Expr] {
        switch self {
        case .literal, .name: []
        case .field(let e, _, _), .negate(let e), .not(let e), .parenthesized(let e): [e]
        case .index(let a, let b), .binary(_, let a, let b): [a, b]
        case .call(_, let args), .list(let args), .set(let args): args
        case .conditional(let c, let a, let b): [c, a, b]
        case .quantifier(_, let binder, let body): binder.parts + [body]
        case .count(let binder): binder.parts
        case .comprehension(_, let element, let binder): [element] + binder.parts
        }
    }
}

public enum Quantifier: String, Sendable { case every, some }

/// `x in xs [where c]`.
public struct Binder: Sendable, Equatable {
    public var name: String
    public var collection: Expr
    public var filter: Expr?
    @Located public var location: SourceLocation

    var parts: [Expr] { [collection] + (filter.map { [$0] } ?? []) }
}

public enum Literal: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case percent(Double)
    case duration(TimeSpan)
    case semver(String)
    case string(String)
    case rawString(String)
}

public enum BinaryOp: String, Sendable, CaseIterable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`, notIn = "not in", matches
    case `default`
    case add = "+", subtract = "-", multiply = "*", divide = "/"

    /// Binding power, higher binds tighter (§3.3).
    public var precedence: Int {
        switch self {
        case .or: 2
        case .and: 3
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in, .notIn, .matches: 5
        case .default: 6
        case .add, .subtract: 7
        case .multiply, .divide: 8
        }
    }

    public var isComparison: Bool { precedence == 5 }
}

/// Wraps a value that takes no part in equality (source positions).
@propertyWrapper
public struct Located<Value: Sendable>: Sendable, Equatable {
    public var wrappedValue: Value
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }
    public static func == (_: Located, _: Located) -> Bool { true }
}
