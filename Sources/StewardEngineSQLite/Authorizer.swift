internal import CSQLite

/// The gate between user SQL (transforms and sql quality rules) and the warehouse.
///
/// SQLite asks it about every table read, write, function, pragma and attach while compiling a
/// statement. Under `.trusted` (the engine's own statements) everything passes. Under
/// `.sandbox` only this passes: SELECT; reading the tables and views listed as readable;
/// the functions of SQLite's core except `load_extension`, `fts3_tokenizer` and the engine's
/// own `steward_*` functions; recursive CTEs; and an INSERT into the one table the engine
/// names (the staging table a transform fills). Every refusal is recorded, so the engine can
/// say what was refused instead of SQLite's bare "not authorized".
///
/// Statements are compiled again when the schema changes, in the middle of a step: the engine
/// sets the policy around each use of a statement, not only around its preparation.
final class Authorizer {
    struct Table: Hashable {
        let database: String
        let name: String
        init(_ database: String, _ name: String) {
            self.database = database.lowercased()
            self.name = name.lowercased()
        }
    }

    struct Sandbox {
        var readable: Set<Table>
        var insertInto: Table?
    }

    enum Policy {
        case trusted
        case sandbox(Sandbox)
    }

    /// What the sandbox refused, in words for a message: `reads \`orders\``, `ATTACH`.
    struct Denial: Hashable {
        enum Kind {
            case read, write, attach, pragma, function, other
            /// How much a refusal of this kind says about the statement (lowest first).
            var rank: Int {
                switch self {
                case .attach: 0
                case .function: 1
                case .pragma: 2
                case .read: 3
                case .write: 4
                case .other: 5
                }
            }
        }
        let kind: Kind
        let what: String
    }

    var policy: Policy = .trusted
    private(set) var denials: [Denial] = []

    /// The refusal that says most about what the statement tried: ATTACH, then a function, a
    /// PRAGMA, a read, a write. SQLite's own schema reads (for a pragma's table, say) count only
    /// when they are all there is.
    var primaryDenial: Denial? {
        let ranked = denials.sorted { $0.kind.rank < $1.kind.rank }
        return ranked.first { !Self.schemaTables.contains($0.what.lowercased()) } ?? ranked.first
    }

    /// Eponymous virtual tables that read only their arguments.
    static let harmlessTables: Set<String> = ["json_each", "json_tree"]
    static let forbiddenFunctions: Set<String> = ["load_extension", "fts3_tokenizer"]
    static let schemaTables: Set<String> = ["sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema"]

    func install(on db: OpaquePointer) {
        sqlite3_set_authorizer(db, { ctx, action, a1, a2, a3, _ in
            let me = Unmanaged<Authorizer>.fromOpaque(ctx!).takeUnretainedValue()
            return me.decide(action, a1.map { String(cString: $0) }, a2.map { String(cString: $0) }, a3.map { String(cString: $0) })
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Runs `body` under `policy`, restoring the previous policy after; denials start empty.
    func with<T>(_ policy: Policy, _ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        let saved = self.policy
        self.policy = policy
        denials = []
        defer { self.policy = saved }
        return try body()
    }

    private func decide(_ action: Int32, _ a1: String?, _ a2: String?, _ database: String?) -> Int32 {
        guard case let .sandbox(box) = policy else { return SQLITE_OK }
        func deny(_ kind: Denial.Kind, _ what: String) -> Int32 {
            let d = Denial(kind: kind, what: what)
            if !denials.contains(d) { denials.append(d) }
            return SQLITE_DENY
        }
        switch action {
        case SQLITE_SELECT, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_READ:
            let table = a1 ?? ""
            if box.readable.contains(Table(database ?? "main", table)) { return SQLITE_OK }
            if (database ?? "main").lowercased() == "main", Self.harmlessTables.contains(table.lowercased()) { return SQLITE_OK }
            return deny(.read, table)
        case SQLITE_FUNCTION:
            let name = (a2 ?? "").lowercased()
            if Self.forbiddenFunctions.contains(name) || name.hasPrefix("steward_") { return deny(.function, a2 ?? "") }
            return SQLITE_OK
        case SQLITE_INSERT where Self.schemaTables.contains((a1 ?? "").lowercased()),
             SQLITE_UPDATE where Self.schemaTables.contains((a1 ?? "").lowercased()),
             SQLITE_DELETE where Self.schemaTables.contains((a1 ?? "").lowercased()):
            // SQLite's own bookkeeping, asked before the act it belongs to (CREATE, DROP, a
            // pragma's table); that act is asked next and refused there, with its own name.
            // Writing the schema directly is refused by the defensive mode.
            return SQLITE_OK
        case SQLITE_INSERT:
            if let target = box.insertInto, target == Table(database ?? "main", a1 ?? "") { return SQLITE_OK }
            return deny(.write, a1 ?? "")
        case SQLITE_UPDATE, SQLITE_DELETE, SQLITE_DROP_TABLE, SQLITE_DROP_VIEW, SQLITE_DROP_INDEX, SQLITE_DROP_TRIGGER,
             SQLITE_DROP_TEMP_TABLE, SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TEMP_INDEX, SQLITE_DROP_TEMP_TRIGGER,
             SQLITE_CREATE_TABLE, SQLITE_CREATE_VIEW, SQLITE_CREATE_INDEX, SQLITE_CREATE_TRIGGER,
             SQLITE_CREATE_TEMP_TABLE, SQLITE_CREATE_TEMP_VIEW, SQLITE_CREATE_TEMP_INDEX, SQLITE_CREATE_TEMP_TRIGGER,
             SQLITE_ALTER_TABLE, SQLITE_CREATE_VTABLE, SQLITE_DROP_VTABLE:
            return deny(.write, a1 ?? "")
        case SQLITE_ATTACH:
            return deny(.attach, a1 ?? "")
        case SQLITE_DETACH:
            return deny(.attach, a1 ?? "")
        case SQLITE_PRAGMA:
            return deny(.pragma, a1 ?? "")
        default:
            // transactions, savepoints, analyze, reindex: nothing a query needs
            return deny(.other, Self.actionName(action))
        }
    }

    private static func actionName(_ action: Int32) -> String {
        switch action {
        case SQLITE_TRANSACTION: "a transaction"
        case SQLITE_SAVEPOINT: "a savepoint"
        case SQLITE_ANALYZE: "ANALYZE"
        case SQLITE_REINDEX: "REINDEX"
        default: "operation \(action)"
        }
    }
}
