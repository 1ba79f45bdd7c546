internal import CSQLite
import Foundation

/// An error reported by SQLite: its result code and message, read right after the failing call.
package struct SQLiteError: Error, Sendable, CustomStringConvertible {
    package var code: Int32
    package var message: String
    /// Byte offset in the statement's text of what the message is about, when SQLite knows.
    package var offset: Int? = nil

    package var description: String { message }
    /// SQLITE_INTERRUPT: the progress handler stopped a statement.
    package var isInterrupted: Bool { code & 0xFF == SQLITE_INTERRUPT }
    /// SQLITE_BUSY or SQLITE_LOCKED: another connection held a lock the statement needed.
    package var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

/// A value as SQLite holds it.
package enum SQLValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    package var description: String {
        switch self {
        case .null: "null"
        case let .integer(i): String(i)
        case let .real(d): String(d)
        case let .text(s): s
        case let .blob(b): "<\(b.count) bytes>"
        }
    }
}

/// One connection to one database file, closed once when the owner goes away.
package final class Database {
    let handle: OpaquePointer
    /// Decides what user SQL may do (see Authorizer.swift); installed for the connection's life.
    let authorizer = Authorizer()

    /// Opens (creating if needed) the file, with extension loading off, ATTACH impossible and
    /// the defensive mode on, before any statement runs.
    package init(path: String) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message)
        }
        handle = db
        // INVARIANT: no SQL runs before these: a transform must never load code or open files.
        _ = steward_sqlite3_db_config_int(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0)
        _ = steward_sqlite3_db_config_int(db, SQLITE_DBCONFIG_DEFENSIVE, 1)
        _ = steward_sqlite3_db_config_int(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0)
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
        sqlite3_extended_result_codes(db, 1)
        authorizer.install(on: db)
    }

    deinit {
        sqlite3_progress_handler(handle, 0, nil, nil)
        sqlite3_close_v2(handle)
    }

    var lastError: SQLiteError {
        let offset = sqlite3_error_offset(handle)
        return SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)),
                           offset: offset >= 0 ? Int(offset) : nil)
    }

    /// Runs statements that return no rows (several, separated by `;`).
    package func execute(_ sql: String) throws(SQLiteError) {
        var rest = Substring(sql)
        while true {
            guard let stmt = try prepareNext(&rest) else { return }
            while try stmt.step() {}
        }
    }

    /// Prepares one statement; text after it must be empty or comments.
    package func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var rest = Substring(sql)
        guard let stmt = try prepareNext(&rest) else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "no statement in `\(sql.prefix(80))`")
        }
        return stmt
    }

    /// Prepares the first statement of `rest` and moves `rest` past it; nil when only
    /// whitespace and comments are left.
    package func prepareNext(_ rest: inout Substring) throws(SQLiteError) -> Statement? {
        var text = String(rest)
        var result: Result<(Statement?, Int), SQLiteError> = .success((nil, 0))
        text.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                var stmt: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v3(handle, chars.baseAddress, Int32(chars.count), 0, &stmt, &tail)
                if rc != SQLITE_OK {
                    if let stmt { sqlite3_finalize(stmt) }
                    result = .failure(lastError)
                    return
                }
                let used = tail.map { $0 - chars.baseAddress! } ?? chars.count
                result = .success((stmt.map { Statement($0, self) }, used))
            }
        }
        let (stmt, used) = try result.get()
        let utf8 = rest.utf8
        rest = Substring(utf8[utf8.index(utf8.startIndex, offsetBy: used)...])
        if stmt == nil, !rest.isEmpty { return try prepareNext(&rest) }
        return stmt
    }

    package var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The rows of a query, for small results (bookkeeping, tests).
    package func rows(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> [[SQLValue]] {
        let stmt = try prepare(sql)
        try stmt.bind(parameters)
        var out: [[SQLValue]] = []
        while try stmt.step() { out.append((0..<stmt.columnCount).map { stmt.value($0) }) }
        return out
    }

    /// Calls `check` every few thousand virtual machine steps; returning true stops the statement.
    package func onProgress(_ check: (() -> Bool)?) {
        progress = check.map(ProgressBox.init)
        if let box = progress {
            sqlite3_progress_handler(handle, 10_000, { ctx in
                Unmanaged<ProgressBox>.fromOpaque(ctx!).takeUnretainedValue().check() ? 1 : 0
            }, Unmanaged.passUnretained(box).toOpaque())
        } else {
            sqlite3_progress_handler(handle, 0, nil, nil)
        }
    }

    private var progress: ProgressBox?

    private final class ProgressBox {
        let check: () -> Bool
        init(_ check: @escaping () -> Bool) { self.check = check }
    }
}

/// A prepared statement; finalized when dropped. Keeps its database alive.
package final class Statement {
    let handle: OpaquePointer
    let db: Database

    init(_ handle: OpaquePointer, _ db: Database) {
        self.handle = handle
        self.db = db
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once: true when a row is ready, false when done.
    @discardableResult
    package func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let e = db.lastError
            sqlite3_reset(handle)
            throw e
        }
    }

    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    package var columnCount: Int { Int(sqlite3_column_count(handle)) }
    package func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(i))) }
    package var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }
    package var isExplain: Bool { sqlite3_stmt_isexplain(handle) != 0 }
    /// The statement's text as prepared.
    package var sql: String { String(cString: sqlite3_sql(handle)) }

    package func bind(_ values: [SQLValue]) throws(SQLiteError) {
        for (i, v) in values.enumerated() { try bind(v, at: i + 1) }
    }

    package func bind(_ v: SQLValue, at index: Int) throws(SQLiteError) {
        let i = Int32(index)
        let rc: Int32
        switch v {
        case .null: rc = sqlite3_bind_null(handle, i)
        case let .integer(n): rc = sqlite3_bind_int64(handle, i, n)
        case let .real(d): rc = sqlite3_bind_double(handle, i, d)
        case var .text(s): rc = s.withUTF8 { bindText($0, at: index) }
        case let .blob(b): rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, i, $0.baseAddress, Int32($0.count), nil) == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR }
        }
        if rc != SQLITE_OK { throw db.lastError }
    }

    /// Binds UTF-8 text that SQLite copies (the fast path of source loading).
    @inline(__always)
    package func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int32 {
        // A null pointer would bind NULL: the empty string needs a real one.
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(handle, Int32(index), "", 0, nil) }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            steward_sqlite3_bind_text_transient(handle, Int32(index), $0, Int32(bytes.count))
        }
    }

    @inline(__always)
    package func bindInteger(_ v: Int64, at index: Int) -> Int32 { sqlite3_bind_int64(handle, Int32(index), v) }
    @inline(__always)
    package func bindDouble(_ v: Double, at index: Int) -> Int32 { sqlite3_bind_double(handle, Int32(index), v) }
    @inline(__always)
    package func bindNull(at index: Int) -> Int32 { sqlite3_bind_null(handle, Int32(index)) }

    package func value(_ i: Int) -> SQLValue {
        let c = Int32(i)
        switch sqlite3_column_type(handle, c) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, c))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, c))
        case SQLITE_TEXT:
            let n = Int(sqlite3_column_bytes(handle, c))
            guard let p = sqlite3_column_text(handle, c) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(handle, c))
            guard let p = sqlite3_column_blob(handle, c) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }
}

/// SQL text for an identifier: double-quoted, inner quotes doubled.
package func quoted(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// SQL text for a string literal.
package func literal(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
}
