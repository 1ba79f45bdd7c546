/// What a set of policies can observe of the model: the target kinds they evaluate and the
/// record fields they read. The view builds only that; a field no `.field` node names can
/// never be seen, so leaving it empty changes no outcome. (Explain also shows records by
/// their `id`, `name`, `role` or `username`, which are always built.)
public struct Demand: Sendable {
    public var targets: Set<TargetKind>
    /// `kind.field` names.
    public var fields: Set<String> { didSet { fieldsByKind = Self.byKind(fields) } }
    /// The field names of `fields` by `RecordKind.ordinal`: the model view asks `wants` for
    /// every record, and building a `kind.field` string for each question cost 200,000 of them.
    private var fieldsByKind: [Set<String>]

    /// Everything: for callers that do not know their policies in advance.
    public static let all = Demand(targets: Set(TargetKind.allCases), fields: [], everything: true)

    let everything: Bool
    /// The entities `change to E` policies bind as `old` and `new`: a change view builds
    /// their records (and the index that finds them by id) even when no policy targets them.
    public var changeEntities: Set<EntityKind> = []

    init(targets: Set<TargetKind>, fields: Set<String>, everything: Bool = false) {
        self.targets = targets
        self.fields = fields
        self.fieldsByKind = Self.byKind(fields)
        self.everything = everything
    }

    private static func byKind(_ fields: Set<String>) -> [Set<String>] {
        var out = Array(repeating: Set<String>(), count: RecordKind.allCases.count)
        for kind in RecordKind.allCases {
            let prefix = kind.rawValue + "."
            out[kind.ordinal] = Set(fields.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        }
        return out
    }

    public init(_ policies: [CheckedPolicy]) {
        var targets = Set<TargetKind>()
        var fields = Set<String>()
        func walk(_ n: TNode) {
            if case .field(_, let kind, _, let name) = n.op { fields.insert("\(kind.rawValue).\(name)") }
            for c in n.children { walk(c) }
        }
        var entities = Set<EntityKind>()
        for p in policies {
            targets.insert(p.target.kind)
            if let e = p.target.entity { entities.insert(e) }
            for l in p.lets { walk(l) }
            if let c = p.condition { walk(c) }
            walk(p.requirement)
            for part in p.message + (p.hint ?? []) { if case .hole(let n) = part { walk(n) } }
        }
        self.init(targets: targets, fields: fields)
        changeEntities = entities
    }

    /// What a change view builds: this, and the entities change policies bind as `old` and
    /// `new` (their fields are among `fields`: the checker types `old` and `new`).
    var forChanges: Demand {
        guard !everything else { return self }
        var d = self
        for e in changeEntities { if let kind = TargetKind(rawValue: e.rawValue) { d.targets.insert(kind) } }
        return d
    }

    public func wants(_ kind: RecordKind, _ field: String) -> Bool {
        everything || fieldsByKind[kind.ordinal].contains(field)
    }

    public func evaluates(_ target: TargetKind) -> Bool { everything || targets.contains(target) }
}
