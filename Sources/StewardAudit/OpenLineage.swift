import Crypto
import Foundation
import StewardCore

/// The reconciler's product runs as OpenLineage 2-0-2 RunEvents (docs/audit-log.md §4): for each
/// `product-result` entry whose engine ran, a START and a COMPLETE (published) or FAIL event.
/// Built from the audit entries alone, so an export says what the log says, nothing more.
public enum OpenLineage {
    public static let specURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
    /// Who produced the events (OpenLineage asks for a URI).
    public static let producer = "urn:steward:reconciler"

    static let facetSchemas = [
        "schema": "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
        "version": "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
        "outputStatistics": "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
        "dataQualityAssertions": "https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet",
        "errorMessage": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
        "jobType": "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
        "processing_engine": "https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet",
    ]

    /// The events of `entries`, in log order; `namespace` names the mesh (its jobs and datasets).
    public static func events(from entries: [AuditEntry], namespace: String) -> [JSONValue] {
        var out: [JSONValue] = []
        for e in entries where e.type == .productResult {
            guard let product = e.details["product"]?.string, let dataset = e.details["dataset"]?.string,
                  let outcome = e.details["outcome"]?.string, outcome == "published" || outcome == "failed",
                  let engine = e.details["engine"]?.string else { continue }
            let end = e.time
            let seconds = e.details["seconds"]?.number ?? 0
            let start = Self.time(Self.date(end).map { $0.addingTimeInterval(-seconds) }) ?? end
            let runID = uuid("\(e.run ?? "")/\(product)")
            let job: JSONValue = .object([
                "namespace": .string(namespace), "name": .string(product),
                "facets": .object(["jobType": facet("jobType", [
                    "processingType": .string("BATCH"), "integration": .string("STEWARD"), "jobType": .string("TRANSFORM"),
                ])]),
            ])
            let inputs: [JSONValue] = (e.details["inputs"]?.array ?? []).compactMap { i in
                guard let name = i.field("dataset")?.string else { return nil }
                var facets: [String: JSONValue] = [:]
                if let v = i.field("version")?.number { facets["version"] = facet("version", ["datasetVersion": .string("\(Int(v))")]) }
                return .object(["namespace": .string(namespace), "name": .string(name), "facets": .object(facets)])
            }
            var runFacets: [String: JSONValue] = [
                "processing_engine": facet("processing_engine", ["name": .string("steward-\(engine)"), "version": .string("1")]),
            ]
            var events: [(String, String, [JSONValue])] = [("START", start, [])]
            if outcome == "published" {
                events.append(("COMPLETE", end, [output(e, dataset: dataset, namespace: namespace)]))
            } else {
                let failures = (e.details["failures"]?.array ?? []).map { f in
                    [f.field("id")?.string, f.field("at")?.string, f.field("reason")?.string].compactMap { $0 }.joined(separator: " at ")
                }
                runFacets["errorMessage"] = facet("errorMessage", [
                    "message": .string(failures.isEmpty ? "the run failed" : failures.joined(separator: "; ")),
                    "programmingLanguage": .string(engine == "ray" ? "PYTHON" : "SQL"),
                ])
                events.append(("FAIL", end, []))
            }
            for (type, time, outputs) in events {
                out.append(.object([
                    "eventType": .string(type), "eventTime": .string(time), "producer": .string(producer),
                    "schemaURL": .string("\(specURL)#/$defs/RunEvent"),
                    "run": .object(["runId": .string(runID), "facets": .object(type == "START" ? [:] : runFacets)]),
                    "job": job, "inputs": .array(inputs), "outputs": .array(outputs),
                ]))
            }
        }
        return out
    }

    /// The published dataset: its schema, version, row count and the quality rules measured.
    static func output(_ e: AuditEntry, dataset: String, namespace: String) -> JSONValue {
        var facets: [String: JSONValue] = [:]
        if let fields = e.details["schema"]?.array {
            facets["schema"] = facet("schema", ["fields": .array(fields.compactMap { f in
                guard let name = f.field("name")?.string else { return nil }
                return .object(["name": .string(name), "type": .string(f.field("type")?.string ?? "string")])
            })])
        }
        if let v = e.details["version"]?.number { facets["version"] = facet("version", ["datasetVersion": .string("\(Int(v))")]) }
        let assertions: [JSONValue] = (e.details["quality"]?.array ?? []).compactMap { q in
            guard let rule = q.field("rule")?.string, let metric = q.field("metric")?.string else { return nil }
            var a: [String: JSONValue] = ["assertion": .string(metric), "name": .string(rule),
                                          "success": .bool(q.field("passed") == .bool(true))]
            // `table.column metric` names a property's rule; `table metric` the object's.
            if let head = rule.split(separator: " ").first, let dot = head.firstIndex(of: ".") {
                a["column"] = .string(String(head[head.index(after: dot)...]))
            }
            if let severity = q.field("severity")?.string { a["severity"] = .string(severity) }
            return .object(a)
        }
        if !assertions.isEmpty { facets["dataQualityAssertions"] = facet("dataQualityAssertions", ["assertions": .array(assertions)]) }
        var outputFacets: [String: JSONValue] = [:]
        if let rows = e.details["rows"]?.field("out")?.number {
            outputFacets["outputStatistics"] = facet("outputStatistics", ["rowCount": .number(rows)])
        }
        return .object(["namespace": .string(namespace), "name": .string(dataset), "facets": .object(facets),
                        "outputFacets": .object(outputFacets)])
    }

    static func facet(_ name: String, _ fields: [String: JSONValue]) -> JSONValue {
        .object(fields.merging(["_producer": .string(producer), "_schemaURL": .string(facetSchemas[name]!)]) { a, _ in a })
    }

    /// A stable UUID for a product run: the same entry always exports the same run id.
    static func uuid(_ name: String) -> String {
        var b = Array(SHA256.hash(data: Array("steward:openlineage:\(name)".utf8)).prefix(16))
        b[6] = (b[6] & 0x0F) | 0x50  // name-based
        b[8] = (b[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = Hex.lowercase(b)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    static func date(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        return f.date(from: text)
    }

    static func time(_ d: Date?) -> String? {
        guard let d else { return nil }
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
}
