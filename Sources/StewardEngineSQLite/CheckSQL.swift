import StewardEngine
import StewardModel

/// The SQL that measures a staged table against its contract. Each expression is an aggregate
/// over the table's rows, so one scan measures many rules. docs/engine.md defines what each
/// counts; these are that definition in SQLite's dialect.
enum CheckSQL {
    /// Counts the non-null values of column `c` whose type is not the column's logical type.
    /// No implicit conversion: `'12'` is not an integer, `1.0` is not an integer, `2` is a number.
    static func typeMismatch(_ c: String, _ type: LogicalType) -> String {
        "coalesce(sum(\(typeMismatchPredicate(c, type))), 0)"
    }

    /// The row predicate behind `typeMismatch`.
    static func typeMismatchPredicate(_ c: String, _ type: LogicalType) -> String {
        let q = quoted(c)
        let bad: String
        switch type {
        case .string: bad = "typeof(\(q)) <> 'text'"
        case .integer: bad = "typeof(\(q)) <> 'integer'"
        case .number: bad = "typeof(\(q)) NOT IN ('integer', 'real')"
        case .boolean: bad = "typeof(\(q)) <> 'integer' OR \(q) NOT IN (0, 1)"
        case .date: bad = "typeof(\(q)) <> 'text' OR NOT steward_is_date(\(q))"
        case .timestamp: bad = "typeof(\(q)) <> 'text' OR NOT steward_is_timestamp(\(q))"
        }
        return "\(q) IS NOT NULL AND (\(bad))"
    }

    static func nulls(_ c: String) -> String { "coalesce(sum(\(quoted(c)) IS NULL), 0)" }

    /// Repeated non-null values: each occurrence after the first counts.
    static func duplicates(_ c: String) -> String { "count(\(quoted(c))) - count(DISTINCT \(quoted(c)))" }

    /// Repeated tuples of several columns (nulls equal to each other), as one query.
    static func duplicateTuples(_ columns: [String], in table: String) -> String {
        let list = columns.map(quoted).joined(separator: ", ")
        return "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM \(table) GROUP BY \(list))"
    }

    /// Whether a row is older than the retention: `cutoff` is `YYYY-MM-DDTHH:MM:SS`.
    static func expired(_ r: RetentionSpec, cutoff: String) -> String {
        let q = quoted(r.column)
        switch r.type {
        case .date: return "(\(q) IS NOT NULL AND \(q) || 'T00:00:00' < \(literal(cutoff)))"
        default: return "(\(q) IS NOT NULL AND substr(\(q), 1, 19) < \(literal(cutoff)))"
        }
    }

    /// The count a library measure is made of (rowCount excepted), as an aggregate.
    static func count(_ m: QualityCheck.Measure, patternIndex: Int?) -> String? {
        switch m {
        case .rowCount: return "count(*)"
        case let .nullValues(c): return nulls(c)
        case let .missingValues(c, missing):
            let q = quoted(c)
            var terms: [String] = []
            if missing.contains(.null) { terms.append("\(q) IS NULL") }
            let listed = missing.filter { $0 != .null }.compactMap(sqlLiteral)
            if !listed.isEmpty { terms.append("\(q) IN (\(listed.joined(separator: ", ")))") }
            return terms.isEmpty ? "0" : "coalesce(sum(\(terms.joined(separator: " OR "))), 0)"
        case let .invalidValues(c, valid):
            let q = quoted(c)
            let listed = valid.filter { $0 != .null }.compactMap(sqlLiteral)
            if listed.isEmpty { return "count(\(q))" }
            return "coalesce(sum(\(q) IS NOT NULL AND \(q) NOT IN (\(listed.joined(separator: ", ")))), 0)"
        case let .invalidPattern(c, _):
            guard let k = patternIndex else { return nil }
            let q = quoted(c)
            return "coalesce(sum(\(q) IS NOT NULL AND NOT steward_matches(\(k), CAST(\(q) AS TEXT))), 0)"
        case let .duplicateValues(cs) where cs.count == 1: return duplicates(cs[0])
        case .duplicateValues, .sql: return nil
        }
    }

    /// A YAML scalar as an SQL literal; booleans are 1 and 0, as SQLite stores them.
    static func sqlLiteral(_ v: YAMLValue) -> String? {
        switch v {
        case let .string(s): literal(s)
        case let .int(i): String(i)
        case let .double(d): d.isFinite ? "\(d)" : nil
        case let .bool(b): b ? "1" : "0"
        case .null: "NULL"
        case .list, .map: nil
        }
    }

    /// The published expression of a column under its masking.
    static func masked(_ c: ColumnSpec) -> String {
        let q = quoted(c.name)
        switch c.masking {
        case .none: return q
        case .hash: return "steward_mask_hash(\(q))"
        case .tokenize: return "steward_mask_token(\(q))"
        case .redact: return "CASE WHEN \(q) IS NULL THEN NULL ELSE \(literal(Masker.redactedMarker)) END"
        case .drop: return "NULL"
        }
    }

    /// Rows where the published value `v.c` is not the masked form of the staged `s.c`.
    static func notMasked(_ c: ColumnSpec) -> String {
        let v = "v." + quoted(c.name)
        let s = "s." + quoted(c.name)
        let nullKept = "(\(s) IS NULL) <> (\(v) IS NULL)"
        let unchanged = "(\(s) IS NOT NULL AND \(v) = \(s) AND \(s) <> \(literal(Masker.redactedMarker)))"
        let form: String
        switch c.masking {
        case .none: return "0"
        case .drop: return "coalesce(sum(\(v) IS NOT NULL), 0)"
        case .hash: form = "(\(v) IS NOT NULL AND NOT steward_has_mask_form(0, \(v)))"
        case .tokenize: form = "(\(v) IS NOT NULL AND NOT steward_has_mask_form(1, \(v)))"
        case .redact: form = "(\(v) IS NOT NULL AND \(v) IS NOT \(literal(Masker.redactedMarker)))"
        }
        return "coalesce(sum(\(nullKept) OR \(form) OR \(unchanged)), 0)"
    }

    /// Staged rows where unmasked column `other` holds the value of masked column `m`: what the
    /// published table would show unmasked (`other` is copied as is).
    static func copies(of m: ColumnSpec, in other: ColumnSpec) -> String {
        let s = quoted(m.name)
        return "coalesce(sum(\(s) IS NOT NULL AND length(\(s)) > 0 AND \(quoted(other.name)) = \(s)), 0)"
    }

    static func sqliteType(_ t: LogicalType) -> String {
        switch t {
        case .integer, .boolean: "INTEGER"
        case .number: "REAL"
        case .string, .date, .timestamp: "TEXT"
        }
    }
}
