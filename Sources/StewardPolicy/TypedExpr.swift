import StewardCore

/// A checked expression: every name resolved to a frame slot, every field to its index, every
/// optional that must be present marked by an explicit `unwrap`, every function to its
/// implementation. Both the compiler and the reference interpreter run this tree, so they
/// differ only in how they walk it.
public final class TNode: Sendable {
    public let op: TOp
    public let type: PType
    /// The source expression, for explain and messages.
    public let source: Expr

    init(_ op: TOp, _ type: PType, _ source: Expr) {
        self.op = op
        self.type = type
        self.source = source
    }

    public var location: SourceLocation { source.location }

    /// The frame size that evaluating this tree on its own needs: one past the highest slot it
    /// reads or binds.
    var slotsNeeded: Int {
        let own = switch op {
        case .slot(let i, _): i + 1
        case .quantifier(_, let i, _, _, _), .count(let i, _, _), .comprehension(_, let i, _, _, _): i + 1
        default: 0
        }
        return children.reduce(own) { max($0, $1.slotsNeeded) }
    }
}

public enum TOp: Sendable {
    case constant(Value)
    /// A binding, or a quantifier or comprehension variable.
    case slot(Int, name: String)
    /// A `let`, evaluated at most once per target.
    case letValue(Int, name: String)
    /// A field of a record; the base is never optional here.
    case field(TNode, RecordKind, Int, name: String)
    case semverPart(TNode, SemverPart)
    /// An optional that must be present: missing is POL0601.
    case unwrap(TNode)
    /// `map[key]`: missing when absent.
    case index(TNode, TNode)
    case not(TNode)
    case and(TNode, TNode)
    case or(TNode, TNode)
    case equal(TNode, TNode, negated: Bool)
    /// `< <= > >=`; `ranks` orders an enum's values.
    case order(BinaryOp, TNode, TNode, ranks: EnumKind?)
    case member(TNode, TNode, negated: Bool)
    case memberKey(TNode, TNode, negated: Bool)
    /// A constant pattern is compiled at check time.
    case matches(TNode, TNode, PolicyRegex?)
    case arithmetic(BinaryOp, TNode, TNode)
    case negate(TNode)
    case defaulted(TNode, TNode)
    case has(TNode)
    case conditional(TNode, TNode, TNode)
    case quantifier(Quantifier, slot: Int, TNode, filter: TNode?, body: TNode)
    case count(slot: Int, TNode, filter: TNode?)
    case comprehension(isSet: Bool, slot: Int, TNode, filter: TNode?, element: TNode)
    case list([TNode])
    case set([TNode])
    case call(Builtin, [TNode])
}

public enum SemverPart: String, Sendable { case major, minor, patch, prerelease }

/// A checked policy, ready to evaluate.
public struct CheckedPolicy: Sendable {
    public let decl: PolicyDecl
    /// Where it was declared: nil for `policies/`, the domain for `domains/<d>/policies/`.
    public let domain: String?
    public let path: String
    public let lets: [TNode]
    public let letNames: [String]
    public let condition: TNode?
    public let requirement: TNode
    public let message: [TemplatePart]
    public let hint: [TemplatePart]?
    /// Slots: `mesh`, `evaluation`, the target's bindings, then variables.
    public let slotCount: Int
    public let slotNames: [String]
    /// The values of the constants it reads, folded into it.
    public let constants: [String: Value]

    public var id: String { decl.id }
    public var level: PolicyLevel { decl.level }
    public var target: TargetSpec { decl.target }

    /// Whether another version of the policy decides the same way: the same declaration
    /// (positions aside), in the same domain, with the same constants.
    public func decidesLike(_ other: CheckedPolicy) -> Bool {
        decl == other.decl && domain == other.domain && constants == other.constants
    }
}

public enum TemplatePart: Sendable {
    case text(String)
    case hole(TNode)
}
