import Foundation
import StewardCLI
import Testing

/// `steward audit export` after an apply of the example mesh: golden files of both formats,
/// and every OpenLineage event and facet validated against the OpenLineage 2-0-2 schemas.
@Suite struct AuditExportTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")

    /// One apply with every outcome: six products published, one failed (catalog, by its
    /// invalidValues rule) with its consumers blocked, after a first apply that published all.
    static func appliedRepository() throws -> ExampleRepo {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "'uncategorized'", with: "'other'")
        try repo.commit("catalog: other")
        #expect(repo.apply().status == 1)
        return repo
    }

    /// What differs between two runs of the same test: times, durations, run and commit ids,
    /// hashes over them, who ran it.
    static func normalized(_ text: String) -> String {
        var s = text
        let rules: [(String, String)] = [
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ-[0-9a-f]{4}"#, "<run>"),
            (#""(time|eventTime)":"[^"]+""#, #""$1":"<time>""#),
            (#""seconds":[0-9.e-]+"#, #""seconds":0"#),
            (#""(prev|planDigest)":"[0-9a-f]{64}""#, #""$1":"<hash>""#),
            (#""actor":"[^"]*""#, #""actor":"<actor>""#),
            (#""runId":"[0-9a-f-]{36}""#, #""runId":"<uuid>""#),
            (#"\b[0-9a-f]{40}\b"#, "<commit>"),
        ]
        for (pattern, template) in rules {
            s = s.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return s
    }

    func expectGolden(_ name: String, _ actual: String) throws {
        let file = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["STEWARD_UPDATE_GOLDEN"] != nil {
            try Data(actual.utf8).write(to: file)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from the golden file; rerun with STEWARD_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test func bothFormatsMatchTheirGoldenFilesAndTheEventsValidate() throws {
        let repo = try Self.appliedRepository()
        let jsonl = StewardRunner.run(["audit", "export", "-C", repo.path])
        #expect(jsonl.status == 0, "\(jsonl.err)")
        try expectGolden("audit-export.jsonl", Self.normalized(jsonl.out))

        let lineage = StewardRunner.run(["audit", "export", "-C", repo.path, "--format", "openlineage"])
        #expect(lineage.status == 0, "\(lineage.err)")
        try expectGolden("openlineage.jsonl", Self.normalized(lineage.out))

        let events = lineage.out.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        // First apply: 7 runs; second: catalog failed (its consumers were blocked: no run, no event).
        #expect(events.count == 2 * 8, "\(events.count) events")
        let types = events.compactMap { $0?["eventType"] as? String }
        #expect(types.filter { $0 == "START" }.count == 8 && types.filter { $0 == "COMPLETE" }.count == 7 && types.filter { $0 == "FAIL" }.count == 1)
        #expect(try OpenLineageSchema.validate(lineage.out) == [])
    }

    @Test func theValidatorRefusesABrokenEvent() throws {
        let repo = try Self.appliedRepository()
        let lineage = StewardRunner.run(["audit", "export", "-C", repo.path, "--format", "openlineage"]).out
        let first = String(lineage.split(separator: "\n")[1])
        // A COMPLETE event without its run id, and a facet missing a required field.
        let noRun = first.replacingOccurrences(of: #""runId":"[0-9a-f-]+""#, with: #""id":"x""#, options: .regularExpression)
        #expect(try !OpenLineageSchema.validate(noRun).isEmpty)
        let badFacet = first.replacingOccurrences(of: #""datasetVersion":"#, with: #""dataset_version":"#)
        #expect(first != badFacet)
        #expect(try !OpenLineageSchema.validate(badFacet).isEmpty)
    }
}

/// Validates OpenLineage events (one JSON object a line) against the spec's RunEvent schema and
/// each facet against its own schema (Fixtures/openlineage), with Python's jsonschema.
enum OpenLineageSchema {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/openlineage")

    static let script = """
    import json, os, sys
    import jsonschema
    folder, events_file = sys.argv[1], sys.argv[2]
    main = json.load(open(os.path.join(folder, "OpenLineage.json"), encoding="utf-8"))
    store = {main["$id"]: main}
    for name in os.listdir(os.path.join(folder, "facets")):
        s = json.load(open(os.path.join(folder, "facets", name), encoding="utf-8"))
        store[s["$id"]] = s
    def validator(ref):
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": ref}
        checker = jsonschema.FormatChecker()
        try:
            from referencing import Registry, Resource
            registry = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in store.items()])
            return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)
        except ImportError:
            resolver = jsonschema.RefResolver.from_schema(main, store=store)
            return jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=checker)
    def report(where, v, instance):
        for e in sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
            print(where + "/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message)
    event_validator = validator(main["$id"] + "#/$defs/RunEvent")
    for n, line in enumerate(l for l in open(events_file, encoding="utf-8") if l.strip()):
        event = json.loads(line)
        report("event %d" % n, event_validator, event)
        groups = [("run", event.get("run", {}).get("facets", {})), ("job", event.get("job", {}).get("facets", {}))]
        for kind in ("inputs", "outputs"):
            for i, d in enumerate(event.get(kind, [])):
                groups.append(("%s/%d" % (kind, i), d.get("facets", {})))
                groups.append(("%s/%d/io" % (kind, i), d.get("inputFacets", d.get("outputFacets", {}))))
        for where, facets in groups:
            for name, facet in facets.items():
                url = facet.get("_schemaURL", "")
                if url.split("#")[0] not in store:
                    print("event %d %s/%s: unknown facet schema %s" % (n, where, name, url))
                    continue
                report("event %d %s/%s" % (n, where, name), validator(url), facet)
    """

    /// The schemas' complaints, one a line; empty when every event and facet is valid.
    static func validate(_ events: String) throws -> [String] {
        guard let python = SARIFSchema.python else { throw SARIFSchema.Unavailable() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("steward-ol-\(UUID().uuidString).jsonl")
        try Data(events.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = SARIFSchema.run(python, ["-W", "ignore", "-c", script, folder.path, file.path])
        let lines = r.out.split(separator: "\n").map(String.init)
        if r.status != 0 { return ["python exited \(r.status)"] + lines }
        return lines
    }
}
