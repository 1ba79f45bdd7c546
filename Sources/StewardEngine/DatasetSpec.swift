import Foundation
import StewardCore
import StewardModel
import StewardPolicy

/// The value types of a column, as ODCS `logicalType` names them.
public enum LogicalType: String, Sendable, Codable, CaseIterable {
    case string, integer, number, boolean, date, timestamp
}

/// A contract read the way an engine needs it: one table, typed columns, the masking of each,
/// the checks to measure and the retention to apply. Every engine starts from this, so they
/// all read a contract the same way.
public struct DatasetSpec: Sendable {
    public var dataset: String
    /// The table name: the contract's single schema object (what sql rules query).
    public var table: String
    public var columns: [ColumnSpec]
    public var checks: [QualityCheck]
    public var retention: RetentionSpec?

    public func column(_ name: String) -> ColumnSpec? { columns.first { $0.name == name } }
    public var maskedColumns: [ColumnSpec] { columns.filter { $0.masking != .none } }
}

public struct ColumnSpec: Sendable {
    public var name: String
    public var type: LogicalType
    public var required: Bool
    public var unique: Bool
    public var masking: MaskingStrategy
    public var location: SourceLocation
    /// Personal or masked: its values are never quoted in a message (messages reach the
    /// state, the terminal and CI logs).
    public var sensitive: Bool
}

/// Rows whose time column is older than `asOf - span` are purged.
public struct RetentionSpec: Sendable {
    public var column: String
    public var type: LogicalType
    public var span: TimeSpan
    public var location: SourceLocation

    /// The first instant kept, as `YYYY-MM-DDTHH:MM:SS` (UTC, no zone letter): a row is purged
    /// when its time is strictly before it. A date counts as its midnight. Spans are the
    /// model's (a month is 30 days, a year 365), not calendar arithmetic.
    public func cutoff(asOf: Date) -> String {
        let now = Int64(asOf.timeIntervalSince1970.rounded(.down))
        return String(TimeText.format(epochSeconds: now - Int64(span.seconds.rounded(.down))).dropLast())
    }
}

/// One executable quality rule of the contract.
public struct QualityCheck: Sendable {
    public enum Measure: Sendable {
        case rowCount
        case nullValues(String)
        /// The values that count as missing; `.null` among them when null does.
        case missingValues(String, [YAMLValue])
        case invalidValues(String, valid: [YAMLValue])
        case invalidPattern(String, PolicyRegex)
        /// One column: repeated non-null values. Several: repeated tuples (nulls equal).
        case duplicateValues([String])
        case sql(String)
    }

    public enum Unit: String, Sendable { case rows, percent }

    /// `customers.email`, or the object name for a table-level rule.
    public var scope: String
    /// The metric, or the sql rule's name (`sql` when it has none).
    public var name: String
    public var measure: Measure
    public var unit: Unit
    public var threshold: Threshold?
    public var severity: String
    public var dimension: String?
    public var location: SourceLocation

    /// A failed rule blocks publication unless its severity says it is only a warning.
    public var blocking: Bool { !["warning", "warn", "info"].contains(severity) }
    public var label: String { "\(scope) \(name)" }
}

extension Threshold {
    /// Whether a measured number satisfies the bound. Between is inclusive at both ends.
    public func accepts(_ v: Double) -> Bool {
        switch self {
        case let .mustBe(x): x.number.map { v == $0 } ?? false
        case let .mustNotBe(x): x.number.map { v != $0 } ?? true
        case let .mustBeGreaterThan(x): v > x
        case let .mustBeGreaterOrEqualTo(x): v >= x
        case let .mustBeLessThan(x): v < x
        case let .mustBeLessOrEqualTo(x): v <= x
        case let .mustBeBetween(a, b): a <= v && v <= b
        case let .mustNotBeBetween(a, b): v < a || v > b
        }
    }

    /// Whether a text result (of an sql rule) satisfies the bound: only `mustBe`/`mustNotBe`
    /// with a string compare text; other bounds need a number.
    public func accepts(text: String) -> Bool? {
        switch self {
        case let .mustBe(.string(s)): text == s
        case let .mustNotBe(.string(s)): text != s
        default: nil
        }
    }
}

extension DatasetSpec {
    /// Reads a contract; every reason it cannot be materialized is a diagnostic at its place.
    public static func compile(_ contract: Contract) -> (DatasetSpec?, [Diagnostic]) {
        var diags: [Diagnostic] = []
        guard contract.objects.count == 1, let object = contract.objects.first else {
            diags.append(.error(EngineMessages.schemaShape,
                                "contract `\(contract.id)` has \(contract.objects.count) schema objects; an engine materializes exactly one table",
                                at: contract.location, help: "keep one object in `schema`, one contract per table"))
            return (nil, diags)
        }
        var columns: [ColumnSpec] = []
        var seen = Set<String>()
        for p in object.properties {
            if !p.properties.isEmpty || p.items != nil {
                diags.append(.error(EngineMessages.unsupportedType, "property `\(object.name).\(p.name)` has nested properties, which the engines do not materialize",
                                    at: p.location, help: "flatten it into columns"))
                continue
            }
            if !seen.insert(p.name).inserted { continue }  // the loader already reports duplicates
            let typeName = (p.logicalType ?? "string").lowercased()
            guard let type = LogicalType(rawValue: typeName) else {
                diags.append(.error(EngineMessages.unsupportedType, "property `\(object.name).\(p.name)` has logicalType `\(typeName)`, which the engines do not materialize",
                                    at: p.location, help: "use one of: " + LogicalType.allCases.map(\.rawValue).joined(separator: ", ")))
                continue
            }
            var masking = MaskingStrategy.none
            if let s = p.anonymizationStrategy {
                if let m = MaskingStrategy(rawValue: s.lowercased()) { masking = m } else {
                    diags.append(.error(EngineMessages.badMasking, "unknown anonymizationStrategy `\(s)` on `\(object.name).\(p.name)`",
                                        at: p.location, help: Suggestions.didYouMean(s, in: MaskingStrategy.allCases.map(\.rawValue))
                                            ?? "use none, hash, redact, tokenize or drop"))
                }
            }
            if [.hash, .tokenize, .redact].contains(masking), type != .string {
                diags.append(.error(EngineMessages.badMasking, "`\(masking.rawValue)` publishes text, but `\(object.name).\(p.name)` is a \(type.rawValue)",
                                    at: p.location, help: "declare it `logicalType: string`, or mask it with `drop`"))
            }
            if masking == .drop && p.required {
                diags.append(.error(EngineMessages.badMasking, "`\(object.name).\(p.name)` is required but dropped on publish, so it could never pass",
                                    at: p.location, help: "remove `required: true` (a dropped column keeps only nulls)"))
            }
            columns.append(ColumnSpec(name: p.name, type: type, required: p.required, unique: p.unique,
                                      masking: masking, location: p.location, sensitive: p.isPII || masking != .none))
        }
        let names = Set(columns.map(\.name))

        var checks: [QualityCheck] = []
        for p in object.properties where names.contains(p.name) {
            for rule in p.quality {
                if let c = check(rule, scope: "\(object.name).\(p.name)", column: p.name, object: object, names: names, &diags) {
                    checks.append(c)
                }
            }
        }
        for rule in object.quality {
            if let c = check(rule, scope: object.name, column: nil, object: object, names: names, &diags) { checks.append(c) }
        }

        var retention: RetentionSpec?
        if let sla = contract.sla("retention") {
            retention = retentionSpec(sla, contract: contract, object: object, columns: columns, &diags)
        }
        if diags.contains(where: { $0.severity == .error }) { return (nil, diags) }
        return (DatasetSpec(dataset: contract.id, table: object.name, columns: columns, checks: checks, retention: retention), diags)
    }

    private static func retentionSpec(_ sla: SLAProperty, contract: Contract, object: SchemaObject, columns: [ColumnSpec],
                                      _ diags: inout [Diagnostic]) -> RetentionSpec? {
        guard let span = sla.span else {
            diags.append(.error(EngineMessages.badRetention, "retention `\(sla.value) \(sla.unit ?? "")` is not a duration",
                                at: sla.location, help: "write a number and a unit: s, min, h, d, w, mo, y"))
            return nil
        }
        guard let element = sla.element ?? contract.slaDefaultElement else {
            diags.append(.error(EngineMessages.badRetention, "retention names no time column",
                                at: sla.location, help: "add `element: \(object.name).<date or timestamp column>`"))
            return nil
        }
        // The model's lookup (object and physical names too), so the engine agrees with lint.
        guard let property = contract.property(named: element), let column = columns.first(where: { $0.name == property.name }) else {
            diags.append(.error(EngineMessages.badRetention, "retention element `\(element)` is not a column of `\(object.name)`",
                                at: sla.location, help: "name the time column as `\(object.name).<column>`"))
            return nil
        }
        guard column.type == .date || column.type == .timestamp else {
            diags.append(.error(EngineMessages.badRetention, "retention element `\(element)` is a \(column.type.rawValue), not a date or timestamp",
                                at: sla.location, help: "retention counts age from a date or timestamp column"))
            return nil
        }
        return RetentionSpec(column: column.name, type: column.type, span: span, location: sla.location)
    }

    static let metrics = ["rowCount", "nullValues", "missingValues", "invalidValues", "duplicateValues"]

    private static func check(_ rule: QualityRule, scope: String, column: String?, object: SchemaObject, names: Set<String>,
                              _ diags: inout [Diagnostic]) -> QualityCheck? {
        func fail(_ message: String, help: String? = nil) -> QualityCheck? {
            diags.append(.error(EngineMessages.badQualityRule, message, at: rule.location, help: help))
            return nil
        }
        let unit: QualityCheck.Unit
        switch rule.unit?.lowercased() {
        case nil, "rows", "row": unit = .rows
        case "percent", "%": unit = .percent
        case let u?: return fail("quality rule on `\(scope)` has unit `\(u)`", help: "use `rows` or `percent`")
        }
        let severity = (rule.severity ?? "error").lowercased()
        let measure: QualityCheck.Measure
        let name: String
        let args = rule.arguments.flatMap(Self.map)
        switch rule.type {
        case .text, .custom:
            return nil  // descriptive or for another tool: nothing an engine can run
        case .sql:
            guard var query = rule.query, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return fail("sql quality rule on `\(scope)` has no query", help: "add `query: SELECT COUNT(*) FROM \(object.name) WHERE …`")
            }
            query = query.replacingOccurrences(of: "{object}", with: object.name)
            if let column { query = query.replacingOccurrences(of: "{property}", with: column) }
            measure = .sql(query)
            name = rule.name ?? "sql"
        case .library:
            guard let metric = rule.metric else {
                return fail("library quality rule on `\(scope)` names no metric", help: "add `metric:` one of " + metrics.joined(separator: ", "))
            }
            name = metric
            switch (metric, column) {
            case ("rowCount", _):
                if unit == .percent { return fail("rowCount counts rows; it has no percent unit", help: "use `unit: rows`") }
                measure = .rowCount
            case ("nullValues", let c?): measure = .nullValues(c)
            case ("missingValues", let c?):
                var missing: [YAMLValue] = [.null, .string("")]
                if let list = args?["missingValues"] {
                    guard let l = list.list else { return fail("missingValues on `\(scope)`: `arguments.missingValues` must be a list") }
                    missing = l
                }
                measure = .missingValues(c, missing)
            case ("invalidValues", let c?):
                if let valid = args?["validValues"] {
                    guard let l = valid.list else { return fail("invalidValues on `\(scope)`: `arguments.validValues` must be a list") }
                    measure = .invalidValues(c, valid: l)
                } else if let pattern = args?["pattern"]?.string {
                    do { measure = .invalidPattern(c, try PolicyRegex(pattern)) } catch {
                        diags.append(.error(EngineMessages.badPattern, "invalidValues on `\(scope)`: pattern `\(pattern)`: \(error.message)",
                                            at: rule.location,
                                            help: "patterns use RE2 syntax without backreferences or lookaround (docs/engine.md)"))
                        return nil
                    }
                } else {
                    return fail("invalidValues on `\(scope)` needs `arguments.validValues` or `arguments.pattern`")
                }
            case ("duplicateValues", let c?): measure = .duplicateValues([c])
            case ("duplicateValues", nil):
                guard let props = args?["properties"]?.list?.compactMap(\.string), !props.isEmpty else {
                    return fail("a table-level duplicateValues needs `arguments.properties`", help: "list the columns that together must be unique")
                }
                if let bad = props.first(where: { !names.contains($0) }) {
                    return fail("duplicateValues on `\(scope)` names `\(bad)`, which is not a column",
                                help: Suggestions.didYouMean(bad, in: names))
                }
                measure = .duplicateValues(props)
            case (_, nil) where metrics.contains(metric):
                return fail("`\(metric)` measures a column; put it under the property's `quality`")
            default:
                return fail("unknown quality metric `\(metric)` on `\(scope)`",
                            help: Suggestions.didYouMean(metric, in: metrics) ?? "use one of " + metrics.joined(separator: ", "))
            }
        }
        return QualityCheck(scope: scope, name: name, measure: measure, unit: unit, threshold: rule.threshold,
                            severity: severity, dimension: rule.dimension, location: rule.location)
    }

    private static func map(_ v: YAMLValue) -> [String: YAMLValue]? {
        guard case let .map(pairs) = v else { return nil }
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }
}
