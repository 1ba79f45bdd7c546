import Foundation
import StewardCore
import StewardEngine
import StewardModel
import StewardPolicy

/// One run of the embedded engine, inside the transaction `EmbeddedEngine.run` opened.
/// Each step either adds to the report and goes on, or adds its reasons and throws `Failed`.
struct Run {
    typealias Failed = EmbeddedEngine.Failed

    let engine: EmbeddedEngine
    let job: DatasetJob
    var db: Database { engine.db }

    private var spec: DatasetSpec!
    /// The new data table in the warehouse: `<dataset>@<version>`.
    private var table = ""
    private var version = 0
    private var previous: EmbeddedEngine.Published?
    /// Where the staged rows are: the data table itself for a source, a temp table for a transform.
    private var stage = ""
    private var fromTransform = false
    /// `WHERE NOT <expired>` for a transform's staged rows: they are filtered, not deleted.
    private var keepWhere = ""
    /// Expired rows counted by the type scan of a transform's stage.
    private var expiredCount = 0
    /// The rows that will be published: the stage, less the expired rows.
    private var kept: String { keepWhere.isEmpty ? stage : "(SELECT * FROM \(stage)\(keepWhere))" }
    /// Unmasked values of masked columns found in unmasked columns, by (masked, other) column.
    private var copies: [(ColumnSpec, ColumnSpec, Int)] = []
    /// Temp views this run created, dropped before it ends.
    private var views: [String] = []
    /// Step timings on standard error when STEWARD_TRACE is set.
    let trace = Trace()

    init(engine: EmbeddedEngine, job: DatasetJob) {
        self.engine = engine
        self.job = job
    }

    /// Names of the engine's own tables, views and functions.
    static func isReserved(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("steward_") || lower.hasPrefix("sqlite_")
    }

    private func fail(_ report: inout RunReport, _ d: Diagnostic) -> Failed {
        report.diagnostics.append(d)
        return Failed()
    }

    private var contractLocation: SourceLocation { job.contract.location }

    // MARK: - Staging

    mutating func materialize(_ report: inout RunReport) throws {
        if Self.isReserved(job.dataset) || job.contract.objects.contains(where: { Self.isReserved($0.name) }) {
            throw fail(&report, .error(EngineMessages.schemaShape, "contract `\(job.dataset)` uses a name reserved by the warehouse",
                                       at: contractLocation, help: "ids and table names starting with `steward_` or `sqlite_` are the engine's own"))
        }
        let (compiled, diags) = DatasetSpec.compile(job.contract)
        report.diagnostics += diags
        guard let compiled else { throw Failed() }
        spec = compiled
        previous = try engine.published(job.dataset)
        version = (previous?.version ?? 0) + 1
        table = "\(job.dataset)@\(version)"
        try db.execute("DROP TABLE IF EXISTS main.\(quoted(table))")  // a table no bookkeeping row owns

        trace.mark("\(job.dataset): start")
        switch job.work {
        case let .load(data):
            job.progress?("loading")
            try load(data, &report)
            trace.mark("\(job.dataset): loaded")
        case let .transform(t):
            fromTransform = true
            let masked = spec.columns.filter { $0.masking.needsSalt }
            if let c = masked.first, job.salt == nil {
                throw fail(&report, .error(EngineMessages.noSalt, "`\(spec.table).\(c.name)` is masked with `\(c.masking.rawValue)`, which needs the masking salt",
                                           at: c.location, help: "set \(MaskingSalt.environmentVariable) to a secret of at least \(MaskingSalt.minimumBytes) bytes"))
            }
            job.progress?("transforming")
            try transform(t, &report)
            trace.mark("\(job.dataset): transformed")
            job.progress?("checking types")
            try checkTypes(&report)
            trace.mark("\(job.dataset): types checked")
        }
        job.progress?("purging expired rows")
        try purge(&report)
        trace.mark("\(job.dataset): purged")
        job.progress?("measuring quality")
        try measure(&report)
        trace.mark("\(job.dataset): measured")
        if report.diagnostics.contains(where: { $0.severity == .error }) { throw Failed() }
        job.progress?(fromTransform ? "masking and writing" : "fingerprinting")
        if fromTransform { try writeMasked(&report) } else { try fingerprintSource(&report) }
        trace.mark("\(job.dataset): written and verified")
        if report.diagnostics.contains(where: { $0.severity == .error }) { throw Failed() }
    }

    private func createTable(_ name: String, typed: Bool) -> String {
        let columns = spec.columns.map { typed ? "\(quoted($0.name)) \(CheckSQL.sqliteType($0.type))" : quoted($0.name) }
        return "CREATE TABLE \(name) (\(columns.joined(separator: ", ")))"
    }

    private mutating func load(_ data: SourceData, _ report: inout RunReport) throws {
        stage = "main.\(quoted(table))"
        try db.execute(createTable(stage, typed: true))
        let marks = Array(repeating: "?", count: spec.columns.count).joined(separator: ", ")
        let insert = try db.prepare("INSERT INTO \(stage) VALUES (\(marks))")
        var loader = SourceLoader(columns: spec.columns, insert: insert)
        if let progress = job.progress { loader.progress = { progress("loading, \($0) rows") } }
        switch Self.read(data, into: loader) {
        case let .success(rows): report.rowsIn = rows
        case let .failure(f):
            throw fail(&report, Diagnostic(.error, f.id, f.message, at: SourceLocation(path: data.label, line: f.line, column: f.column),
                                           help: f.help))
        }
    }

    private static func read(_ data: SourceData, into loader: SourceLoader) -> Result<Int, SourceLoader.Failure> {
        let reader: ChunkReader
        do { reader = try ChunkReader(data) } catch { return .failure(error) }
        defer { reader.close() }
        var r = reader
        do {
            switch data.format {
            case .csv: return .success(try loader.loadCSV(&r))
            case .jsonl: return .success(try loader.loadJSONL(&r))
            }
        } catch { return .failure(error) }
    }

    // MARK: - The transform, in the sandbox

    private mutating func transform(_ t: Transform, _ report: inout RunReport) throws {
        let where_ = SourceLocation(path: t.label)
        guard t.language == .sql else {
            throw fail(&report, .error(EngineMessages.wrongEngine, "`\(t.label)` is a Python transform; the embedded engine runs SQL",
                                       at: where_, help: "run the product with the ray engine (customProperties `engine: ray`)"))
        }
        var readable: Set<Authorizer.Table> = []
        var ports = Set<String>()
        for input in t.inputs {
            if Self.isReserved(input.port) {
                throw fail(&report, .error(EngineMessages.inputNotPublished, "input port name `\(input.port)` is reserved by the warehouse",
                                           at: input.location ?? where_, help: "names starting with `steward_` or `sqlite_` are the engine's own"))
            }
            guard ports.insert(input.port.lowercased()).inserted else {
                throw fail(&report, .error(EngineMessages.inputNotPublished, "input port name `\(input.port)` is used twice",
                                           at: input.location ?? where_, help: "give each input its own table name"))
            }
            guard let p = try engine.published(input.dataset) else {
                throw fail(&report, .error(EngineMessages.inputNotPublished,
                                           "input `\(input.port)` (`\(input.dataset)`) has no published version",
                                           at: input.location ?? where_, help: "materialize `\(input.dataset)` first; a failed producer blocks its consumers"))
            }
            report.inputs.append(InputRead(port: input.port, dataset: input.dataset, version: p.version, fingerprint: p.fingerprint))
            try db.execute("DROP VIEW IF EXISTS temp.\(quoted(input.port)); CREATE TEMP VIEW \(quoted(input.port)) AS SELECT * FROM main.\(quoted(p.table))")
            views.append(input.port)
            readable.insert(.init("temp", input.port))
            readable.insert(.init("main", p.table))
        }
        defer { dropViews() }
        let declared = t.inputs.map { "`\($0.port)`" }.joined(separator: ", ")

        // The text alone first: exactly one SELECT, whose columns are the contract's.
        var rest = Substring(t.text)
        let first = prepareSandboxed(&rest, readable)
        let firstEnd = t.text.utf8.count - rest.utf8.count
        let select: Statement
        switch first {
        case let .failure(e): throw fail(&report, userSQLError(e, t, declared: declared))
        case .success(nil):
            throw fail(&report, .error(EngineMessages.notASelect, "`\(t.label)` holds no SQL statement", at: where_,
                                       help: "write one SELECT that produces the contract's columns"))
        case let .success(s?): select = s
        }
        switch prepareSandboxed(&rest, readable) {
        case .success(nil): break
        case let .failure(e):
            throw fail(&report, userSQLError(e, t, declared: declared))
        case .success:
            throw fail(&report, .error(EngineMessages.notASelect, "`\(t.label)` holds more than one statement",
                                       at: location(t, offset: firstEnd),
                                       help: "a transform is one SELECT (WITH clauses are fine); remove the statements after it"))
        }
        guard !select.isExplain, select.isReadOnly, select.columnCount > 0 else {
            throw fail(&report, .error(EngineMessages.notASelect, "`\(t.label)` is not a SELECT", at: where_,
                                       help: "a transform is one SELECT over its inputs; Steward writes the result"))
        }
        let names = (0..<select.columnCount).map(select.columnName)
        try checkColumns(names, t, &report)

        // Then the rows, into the staging table, still in the sandbox.
        var body = select.sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        stage = "temp.\(EmbeddedEngine.stage)"
        try db.execute("DROP TABLE IF EXISTS \(stage); " + createTable(stage, typed: false))
        let insert = "INSERT INTO \(stage) (\(names.map(quoted).joined(separator: ", "))) SELECT * FROM (\n\(body)\n)"
        let sandbox = Authorizer.Sandbox(readable: readable, insertInto: .init("temp", EmbeddedEngine.stage))
        let filled = Result { () throws(SQLiteError) in
            try sandboxed(sandbox) { () throws(SQLiteError) in
                let s = try db.prepare(insert)
                try s.step()
            }
        }
        if case let .failure(e) = filled { throw fail(&report, userSQLError(e, t, declared: declared, offsetValid: false)) }
        report.rowsIn = db.changes
    }

    private func prepareSandboxed(_ rest: inout Substring, _ readable: Set<Authorizer.Table>) -> Result<Statement?, SQLiteError> {
        var text = rest
        defer { rest = text }
        return Result { () throws(SQLiteError) in
            try db.authorizer.with(.sandbox(.init(readable: readable))) { () throws(SQLiteError) in try db.prepareNext(&text) }
        }
    }

    /// Runs user SQL under the sandbox and the run's time limit.
    private func sandboxed<T>(_ box: Authorizer.Sandbox, _ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        if let limit = job.timeLimit {
            let deadline = ContinuousClock.now + limit
            db.onProgress { ContinuousClock.now > deadline }
        }
        defer { db.onProgress(nil) }
        return try db.authorizer.with(.sandbox(box), body)
    }

    private func checkColumns(_ names: [String], _ t: Transform, _ report: inout RunReport) throws {
        let expected = spec.columns.map(\.name)
        let missing = expected.filter { !names.contains($0) }
        let extra = names.filter { !expected.contains($0) }
        let repeated = Set(names.filter { n in names.filter { $0 == n }.count > 1 }).sorted()
        guard missing.isEmpty, extra.isEmpty, repeated.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing " + missing.map { "`\($0)`" }.joined(separator: ", ")) }
            if !extra.isEmpty { parts.append("not in the contract " + extra.map { "`\($0)`" }.joined(separator: ", ")) }
            if !repeated.isEmpty { parts.append("repeated " + repeated.map { "`\($0)`" }.joined(separator: ", ")) }
            throw fail(&report, .error(EngineMessages.outputColumns,
                                       "the output columns of `\(t.label)` differ from contract `\(job.dataset)`: " + parts.joined(separator: "; "),
                                       at: SourceLocation(path: t.label),
                                       help: "produce exactly the contract's properties: " + expected.joined(separator: ", ")))
        }
    }

    /// Turns SQLite's complaint about user SQL into a message that says what was refused.
    private func userSQLError(_ e: SQLiteError, _ t: Transform, declared: String, offsetValid: Bool = true) -> Diagnostic {
        let at = offsetValid ? e.offset.map { location(t, offset: $0) } ?? SourceLocation(path: t.label) : SourceLocation(path: t.label)
        let what = "`\(t.label)`"
        if e.isInterrupted, let limit = job.timeLimit {
            return .error(EngineMessages.timeLimit, "\(what) ran longer than its limit of \(limit)", at: at,
                          help: "make the query cheaper, or raise the limit")
        }
        if let d = db.authorizer.primaryDenial {
            let at = offsetValid && e.offset == nil ? wordLocation(d.what, in: t) ?? at : at
            switch d.kind {
            case .read:
                return .error(EngineMessages.forbidden, "\(what) reads `\(d.what)`, which is not one of its declared inputs (\(declared))",
                              at: at, help: "a transform reads only its input ports; add an input port to the product to read another dataset")
            case .attach:
                return .error(EngineMessages.forbidden, "\(what) tries to ATTACH or DETACH a database", at: at,
                              help: "a transform reads only its declared inputs, never other files")
            case .pragma:
                return .error(EngineMessages.forbidden, "\(what) runs PRAGMA `\(d.what)`", at: at, help: "a transform may not read or change settings")
            case .function:
                return .error(EngineMessages.forbidden, "\(what) calls `\(d.what)`, which transforms may not call", at: at,
                              help: "extensions are never loaded; masking is applied by Steward on publish")
            case .write:
                return .error(EngineMessages.forbidden, "\(what) writes to `\(d.what)`; a transform only reads its inputs", at: at,
                              help: "write one SELECT: Steward stores its result")
            case .other:
                return .error(EngineMessages.forbidden, "\(what) uses \(d.what), which a transform may not", at: at,
                              help: "a transform is one SELECT")
            }
        }
        if e.message.hasPrefix("no such table: ") {
            let name = String(e.message.dropFirst("no such table: ".count))
            let at = offsetValid && e.offset == nil ? wordLocation(name, in: t) ?? at : at
            return .error(EngineMessages.forbidden, "\(what) reads `\(name)`, which is not one of its declared inputs (\(declared))",
                          at: at, help: "a transform reads only its input ports, by their `name`")
        }
        if e.message.hasPrefix("cannot modify "), let name = e.message.dropFirst("cannot modify ".count).split(separator: " ").first {
            return .error(EngineMessages.forbidden, "\(what) writes to `\(name)`; a transform only reads its inputs", at: at,
                          help: "write one SELECT: Steward stores its result")
        }
        return .error(EngineMessages.sqlError, "\(what): \(e.message)", at: at)
    }

    /// Where `name` first appears in the transform as a word (the last part of a dotted name),
    /// for errors SQLite gives no position for.
    private func wordLocation(_ name: String, in t: Transform) -> SourceLocation? {
        let word = Array((name.split(separator: ".").last.map(String.init) ?? name).lowercased().utf8)
        let text = Array(t.text.lowercased().utf8)
        guard !word.isEmpty, text.count >= word.count else { return nil }
        func isIdent(_ b: UInt8) -> Bool { b == 0x5F || (b >= 48 && b <= 57) || (b >= 97 && b <= 122) || b >= 0x80 }
        for i in 0...(text.count - word.count) where text[i..<(i + word.count)].elementsEqual(word) {
            let before = i == 0 || !isIdent(text[i - 1])
            let after = i + word.count == text.count || !isIdent(text[i + word.count])
            if before && after { return location(t, offset: i) }
        }
        return nil
    }

    /// The line and column of a byte offset in the transform's text.
    private func location(_ t: Transform, offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        for (i, b) in t.text.utf8.enumerated() {
            if i >= offset { break }
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return SourceLocation(path: t.label, line: line, column: column)
    }

    private mutating func dropViews() {
        for v in views { _ = try? db.execute("DROP VIEW IF EXISTS temp.\(quoted(v))") }
        views = []
    }

    // MARK: - Checks

    /// A transform's values must have their column's type (a loaded source has them by construction).
    private mutating func checkTypes(_ report: inout RunReport) throws {
        var exprs = spec.columns.map { CheckSQL.typeMismatch($0.name, $0.type) }
        if let r = spec.retention { exprs.append("coalesce(sum(\(CheckSQL.expired(r, cutoff: r.cutoff(asOf: job.asOf)))), 0)") }
        let counts = try db.rows("SELECT \(exprs.joined(separator: ", ")) FROM \(stage)")[0]
        if spec.retention != nil, case let .integer(n) = counts[spec.columns.count] { expiredCount = Int(n) }
        for (c, v) in zip(spec.columns, counts) {
            guard case let .integer(n) = v, n > 0 else { continue }
            let inner = CheckSQL.typeMismatchPredicate(c.name, c.type)
            let example = c.sensitive ? "" : try db.rows("SELECT \(quoted(c.name)) FROM \(stage) WHERE \(inner) LIMIT 1").first?.first
                .map { " (for example `\($0)`)" } ?? ""
            report.diagnostics.append(.error(EngineMessages.typeMismatch,
                                             "`\(spec.table).\(c.name)` is declared \(c.type.rawValue), but \(n) value\(n == 1 ? " is" : "s are") not\(example)",
                                             at: c.location, help: typeHelp(c.type)))
        }
        if report.diagnostics.contains(where: { $0.severity == .error }) { throw Failed() }
    }

    private func typeHelp(_ t: LogicalType) -> String {
        switch t {
        case .timestamp: "write timestamps as YYYY-MM-DDTHH:MM:SSZ, for example strftime('%Y-%m-%dT%H:%M:%SZ', x)"
        case .date: "write dates as YYYY-MM-DD, for example date(x)"
        case .integer: "CAST the value AS INTEGER"
        case .number: "CAST the value AS REAL"
        case .boolean: "booleans are 0 or 1"
        case .string: "CAST the value AS TEXT"
        }
    }

    /// A source's expired rows are deleted from its new table; a transform's are left out when
    /// its rows are measured and written (cheaper than deleting from the stage).
    private mutating func purge(_ report: inout RunReport) throws {
        guard let r = spec.retention else { return }
        let expired = CheckSQL.expired(r, cutoff: r.cutoff(asOf: job.asOf))
        if fromTransform {
            keepWhere = " WHERE NOT \(expired)"
            report.rowsPurged = expiredCount
        } else {
            try db.execute("DELETE FROM \(stage) WHERE \(expired)")
            report.rowsPurged = db.changes
        }
    }

    /// Required and unique columns, then every quality rule, on the rows left after the purge.
    private mutating func measure(_ report: inout RunReport) throws {
        var exprs = ["count(*)"]
        var patterns: [PolicyRegex] = []
        let required = spec.columns.filter(\.required)
        let unique = spec.columns.filter(\.unique)
        exprs += required.map { CheckSQL.nulls($0.name) }
        exprs += unique.map { CheckSQL.duplicates($0.name) }
        var slot: [Int: Int] = [:]  // check index -> expression index
        for (i, check) in spec.checks.enumerated() {
            var k: Int?
            if case let .invalidPattern(_, re) = check.measure {
                k = patterns.count
                patterns.append(re)
            }
            if let e = CheckSQL.count(check.measure, patternIndex: k) {
                slot[i] = exprs.count
                exprs.append(e)
            }
        }
        let undatedSlot = exprs.count
        if let r = spec.retention { exprs.append(CheckSQL.nulls(r.column)) }
        var pairs: [(ColumnSpec, ColumnSpec)] = []
        if fromTransform {
            for m in spec.maskedColumns {
                for other in spec.columns where other.name != m.name && other.masking == .none { pairs.append((m, other)) }
            }
        }
        let copiesSlot = exprs.count
        exprs += pairs.map { CheckSQL.copies(of: $0.0, in: $0.1) }
        engine.functions.setPatterns(patterns)
        let row = try db.rows("SELECT \(exprs.joined(separator: ", ")) FROM \(kept)")[0]
        func int(_ v: SQLValue) -> Int { if case let .integer(i) = v { Int(i) } else { 0 } }
        let rows = int(row[0])
        report.rowsOut = rows
        if spec.retention != nil { report.rowsUndated = int(row[undatedSlot]) }
        copies = pairs.enumerated().map { ($1.0, $1.1, int(row[copiesSlot + $0])) }
        for (i, c) in required.enumerated() where int(row[1 + i]) > 0 {
            let n = int(row[1 + i])
            report.diagnostics.append(.error(EngineMessages.requiredNull,
                                             "`\(spec.table).\(c.name)` is required, but \(n) row\(n == 1 ? " has" : "s have") no value",
                                             at: c.location, help: "fill the column in the transform or the source, or drop `required`"))
        }
        for (i, c) in unique.enumerated() where int(row[1 + required.count + i]) > 0 {
            let n = int(row[1 + required.count + i])
            report.diagnostics.append(.error(EngineMessages.notUnique,
                                             "`\(spec.table).\(c.name)` is unique, but \(n) value\(n == 1 ? " repeats" : "s repeat") an earlier one",
                                             at: c.location, help: "deduplicate in the transform (GROUP BY), or drop `unique`"))
        }
        for (i, check) in spec.checks.enumerated() {
            var count: Int?
            var text: String?
            var problem: String?
            if let s = slot[i] {
                count = int(row[s])
            } else if case let .duplicateValues(cs) = check.measure {
                count = int(try db.rows(CheckSQL.duplicateTuples(cs, in: kept))[0][0])
            } else if case let .sql(query) = check.measure {
                switch sqlRule(query) {
                case let .success(.integer(n)): count = Int(n)
                case let .success(.real(d)): record(check, value: d, count: nil, &report); continue
                case let .success(.text(s)): text = s
                case .success: problem = "returned no value"
                case let .failure(p): problem = p.message
                }
            }
            if let problem {
                report.quality.append(QualityMeasurement(rule: check.label, metric: check.name, dimension: check.dimension, value: nil, count: nil,
                                                         unit: check.unit.rawValue, threshold: check.threshold?.description, passed: false,
                                                         severity: check.severity, location: check.location))
                report.diagnostics.append(Diagnostic(check.blocking ? .error : .warning, EngineMessages.sqlRuleError,
                                                     "quality rule `\(check.label)` cannot be measured: \(problem)", at: check.location,
                                                     help: "an sql rule is one SELECT over `\(spec.table)` returning one number"))
                continue
            }
            if let text {
                if let v = Double(text) { record(check, value: v, count: nil, &report); continue }
                let passed = check.threshold.map { $0.accepts(text: text) ?? false } ?? true
                appendMeasurement(check, value: nil, count: nil, passed: passed, shown: "`\(text)`", &report)
                continue
            }
            let n = count ?? 0
            let value = check.unit == .percent ? (rows == 0 ? 0 : 100.0 * Double(n) / Double(rows)) : Double(n)
            record(check, value: value, count: check.unit == .percent ? n : nil, &report)
        }
    }

    private func record(_ check: QualityCheck, value: Double, count: Int?, _ report: inout RunReport) {
        let passed = check.threshold?.accepts(value) ?? true
        // A percentage says what it is a share of: `12.5% (25 of 200 rows)`.
        let shown = check.unit == .percent
            ? String(format: "%.4g%%", value) + (count.map { " (\($0) of \(report.rowsOut) rows)" } ?? "")
            : YAMLValue.double(value).description
        appendMeasurement(check, value: value, count: count, passed: passed, shown: shown, &report)
    }

    private func appendMeasurement(_ check: QualityCheck, value: Double?, count: Int?, passed: Bool, shown: String, _ report: inout RunReport) {
        report.quality.append(QualityMeasurement(rule: check.label, metric: check.name, dimension: check.dimension, value: value, count: count,
                                                 unit: check.unit.rawValue, threshold: check.threshold?.description, passed: passed,
                                                 severity: check.severity, location: check.location))
        guard !passed, let t = check.threshold else { return }
        report.diagnostics.append(Diagnostic(check.blocking ? .error : .warning,
                                             check.blocking ? EngineMessages.qualityFailed : EngineMessages.qualityWarning,
                                             "quality rule `\(check.label)` measured \(shown), which is not \(t)\(check.unit == .percent ? "%" : "")",
                                             at: check.location,
                                             help: check.blocking ? "fix the data or the transform, or relax the bound; `severity: warning` reports without blocking" : nil))
    }

    /// Runs an sql rule in the sandbox: it reads the staged rows under the object's name, nothing else.
    struct RuleProblem: Error {
        let message: String
        init(_ m: String) { message = m }
    }

    private func sqlRule(_ query: String) -> Result<SQLValue, RuleProblem> {
        let view = spec.table
        let underlying: Authorizer.Table = fromTransform ? .init("temp", EmbeddedEngine.stage) : .init("main", table)
        do {
            try db.execute("DROP VIEW IF EXISTS temp.\(quoted(view)); CREATE TEMP VIEW \(quoted(view)) AS SELECT * FROM \(kept)")
        } catch { return .failure(RuleProblem(error.message)) }
        defer { _ = try? db.execute("DROP VIEW IF EXISTS temp.\(quoted(view))") }
        do {
            return .success(try sandboxed(.init(readable: [.init("temp", view), underlying])) { () throws(SQLiteError) -> SQLValue in
                var rest = Substring(query)
                guard let s = try db.prepareNext(&rest) else { return .null }
                guard s.isReadOnly, s.columnCount > 0, try db.prepareNext(&rest) == nil else {
                    throw SQLiteError(code: 1, message: "the query must be one SELECT")
                }
                return try s.step() ? s.value(0) : .null
            })
        } catch {
            if let d = db.authorizer.primaryDenial {
                return .failure(RuleProblem(d.kind == .read ? "it reads `\(d.what)`; an sql rule reads only `\(view)`" : "it uses `\(d.what)`, which rules may not"))
            }
            return .failure(RuleProblem(error.message))
        }
    }

    // MARK: - Writing and verifying

    /// Copies the staged rows into the new data table, masked, then checks in one scan that
    /// every masked value has its strategy's form, that no unmasked value was kept, and
    /// computes the fingerprint.
    private func writeMasked(_ report: inout RunReport) throws {
        let target = "main.\(quoted(table))"
        try db.execute(createTable(target, typed: true))
        engine.functions.setMasker(job.salt.map(Masker.init))
        let names = spec.columns.map { quoted($0.name) }.joined(separator: ", ")
        let exprs = spec.columns.map(CheckSQL.masked).joined(separator: ", ")
        try db.execute("INSERT INTO \(target) (rowid, \(names)) SELECT rowid, \(exprs) FROM \(stage)\(keepWhere)")
        engine.functions.setMasker(nil)
        trace.mark("\(job.dataset): masked rows written")

        let masked = spec.maskedColumns
        engine.functions.prepareFingerprint(spec.columns.map { ($0.name, $0.type) })
        let fingerprintCall = "steward_fingerprint(" + spec.columns.map { "v." + quoted($0.name) }.joined(separator: ", ") + ")"
        guard !masked.isEmpty else {
            report.fingerprint = try text(db.rows("SELECT \(fingerprintCall) FROM \(target) AS v")[0][0])
            try db.execute("DROP TABLE \(stage)")
            return
        }
        var exprsCheck = [fingerprintCall]
        for m in masked {
            exprsCheck.append("count(s.\(quoted(m.name)))")
            exprsCheck.append(CheckSQL.notMasked(m))
        }
        let row = try db.rows("SELECT \(exprsCheck.joined(separator: ", ")) FROM \(target) AS v CROSS JOIN \(stage) AS s ON s.rowid = v.rowid")[0]
        try db.execute("DROP TABLE \(stage)")
        report.fingerprint = text(row[0])
        func int(_ i: Int) -> Int { if case let .integer(n) = row[i] { Int(n) } else { 0 } }
        for (i, m) in masked.enumerated() {
            report.masking.append(MaskingApplied(column: m.name, strategy: m.masking.rawValue, values: int(1 + 2 * i)))
            let wrong = int(2 + 2 * i)
            if wrong > 0 {
                report.diagnostics.append(.error(EngineMessages.maskingNotApplied,
                                                 "`\(spec.table).\(m.name)` should be masked with `\(m.masking.rawValue)`, but \(wrong) published value\(wrong == 1 ? " is" : "s are") not",
                                                 at: m.location, help: "nothing was published; this is a fault of the engine, please report it"))
            }
        }
        for (m, other, n) in copies where n > 0 {
            // A copy in many rows is the transform passing the value on; a few are coincidences.
            let systematic = n * 100 > report.rowsOut
            report.diagnostics.append(Diagnostic(systematic ? .error : .warning, EngineMessages.maskedValueCopied,
                                                 "column `\(other.name)` holds the unmasked value of masked column `\(m.name)` in \(n) row\(n == 1 ? "" : "s")",
                                                 at: other.location,
                                                 help: "mask `\(other.name)` too, or stop copying `\(m.name)` into it in the transform"))
        }
    }

    private func fingerprintSource(_ report: inout RunReport) throws {
        engine.functions.prepareFingerprint(spec.columns.map { ($0.name, $0.type) })
        let call = "steward_fingerprint(" + spec.columns.map { quoted($0.name) }.joined(separator: ", ") + ")"
        report.fingerprint = try text(db.rows("SELECT \(call) FROM \(stage)")[0][0])
    }

    private func text(_ v: SQLValue) -> String? { if case let .text(s) = v { s } else { nil } }

    // MARK: - Publishing

    /// Switches the dataset's view to the new table and drops the old one, in the run's transaction.
    func publish(_ report: inout RunReport) throws {
        report.version = version
        report.publishedVersion = version
        let json = EmbeddedEngine.json(report)
        let view = "main.\(quoted(job.dataset))"
        try db.execute("DROP VIEW IF EXISTS \(view); CREATE VIEW \(view) AS SELECT * FROM main.\(quoted(table))")
        if let old = previous, old.table != table { try db.execute("DROP TABLE IF EXISTS main.\(quoted(old.table))") }
        let now = TimeText.format(Date())
        _ = try db.rows("""
            INSERT INTO steward_datasets (dataset, product, version, data_table, fingerprint, rows, published_at, last_outcome, last_report)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'published', ?)
            ON CONFLICT (dataset) DO UPDATE SET product = excluded.product, version = excluded.version, data_table = excluded.data_table,
                fingerprint = excluded.fingerprint, rows = excluded.rows, published_at = excluded.published_at,
                last_outcome = 'published', last_report = excluded.last_report
            """, [.text(job.dataset), job.product.map(SQLValue.text) ?? .null, .integer(Int64(version)), .text(table),
                  report.fingerprint.map(SQLValue.text) ?? .null, .integer(Int64(report.rowsOut)), .text(now), .text(json)])
        _ = try db.rows("INSERT INTO steward_runs (dataset, version, outcome, finished_at, report) VALUES (?, ?, 'published', ?, ?)",
                        [.text(job.dataset), .integer(Int64(version)), .text(now), .text(json)])
    }
}
