import Foundation
import StewardCore
import Testing
@testable import StewardModel

/// Every official ODCS v3.1.0 and ODPS example must load without an error.
@Suite struct ConformanceTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/conformance")

    static func files(_ folder: String) -> [String] {
        let dir = fixtures.appendingPathComponent(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func load(_ folder: String, _ name: String) throws -> Loaded<Document> {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(folder).appendingPathComponent(name))
        return Documents.load(Array(data), path: name)
    }

    @Test func fixturesArePresent() {
        #expect(Self.files("odcs").count == 18)
        #expect(Self.files("odps").count == 2)
    }

    @Test(arguments: files("odcs"))
    func officialContractLoads(_ name: String) throws {
        let loaded = try Self.load("odcs", name)
        #expect(loaded.errors.isEmpty, "\(loaded.errors.map(DiagnosticRenderer.short))")
        guard case let .contract(c)? = loaded.value else {
            Issue.record("\(name) did not load as a contract")
            return
        }
        #expect(!c.id.isEmpty)
    }

    @Test(arguments: files("odps"))
    func officialProductLoads(_ name: String) throws {
        let loaded = try Self.load("odps", name)
        #expect(loaded.errors.isEmpty, "\(loaded.errors.map(DiagnosticRenderer.short))")
        guard case .product? = loaded.value else {
            Issue.record("\(name) did not load as a product")
            return
        }
    }

    @Test func fullExampleIsReadInDetail() throws {
        guard case let .contract(c)? = try Self.load("odcs", "all__full-example.odcs.yaml").value else {
            Issue.record("not a contract")
            return
        }
        #expect(c.apiVersion == "v3.1.0")
        #expect(c.objects.map(\.name) == ["tbl", "receivers"])
        let date = try #require(c.objects[0].properties.first)
        #expect(date.name == "transaction_reference_date")
        #expect(date.logicalType == "date")
        #expect(date.classification == "public")
        #expect(date.partitioned)
        #expect(date.location.line == 65)
        #expect(c.retention == TimeSpan(3, .years))
        #expect(c.freshness == TimeSpan(4, .days))
        #expect(c.roles.count == 4)
        #expect(c.team?.members.count == 3)
        let rule = try #require(c.objects[0].quality.first)
        #expect(rule.metric == "rowCount")
        #expect(rule.threshold == .mustBeGreaterThan(1_000_000))
    }
}

/// Broken variants of an official example: each names the right id at the right place.
@Suite struct BrokenContractTests {
    static let base: String = {
        let url = ConformanceTests.fixtures.appendingPathComponent("odcs/all__full-example.odcs.yaml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let old: String
        let new: String
        let id: String
        let line: Int
        let column: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown key with suggestion", old: "        classification: public\n        transformSourceObjects",
             new: "        clasification: public\n        transformSourceObjects", id: "MESH0101", line: 79, column: 9),
        Case(name: "wrong type for a boolean", old: "        partitioned: true", new: "        partitioned: \"yes\"",
             id: "MESH0102", line: 75, column: 22),
        Case(name: "number where a string is required", old: "version: 1.1.0", new: "version: 1.1",
             id: "MESH0102", line: 4, column: 10),
        Case(name: "ambiguous unit", old: "    unit: y\n", new: "    unit: m\n", id: "MESH0108", line: 282, column: 11),
        Case(name: "unknown unit", old: "    unit: y\n", new: "    unit: fortnight\n", id: "MESH0109", line: 282, column: 11),
        Case(name: "unsupported version", old: "apiVersion: v3.1.0", new: "apiVersion: v4.0.0", id: "MESH0105", line: 24, column: 13),
        Case(name: "wrong kind", old: "kind: DataContract", new: "kind: DataContrakt", id: "MESH0107", line: 23, column: 7),
        Case(name: "missing id", old: "id: 53581432-6c55-4ba2-a65f-72344a91553a\n", new: "", id: "MESH0103", line: 2, column: 1),
        Case(name: "unknown logical type", old: "        logicalType: date\n        physicalType: date",
             new: "        logicalType: datetime\n        physicalType: date", id: "MESH0104", line: 71, column: 22),
        Case(name: "bad YAML", old: "status: active", new: "status: [active", id: "MESH0001", line: 6, column: 3),
        Case(name: "duplicate key", old: "tenant: ClimateQuantumInc", new: "tenant: A\ntenant: B", id: "MESH0002", line: 22, column: 1),
        Case(name: "v3.2 key in a v3.1 contract", old: "    dataGranularityDescription:", new: "    context: x\n    dataGranularityDescription:",
             id: "MESH0106", line: 49, column: 5),
        Case(name: "server missing type-specific key", old: "    database: pypl-edw\n", new: "", id: "MESH0103", line: 28, column: 5),
        Case(name: "threshold range reversed", old: "mustBeGreaterThan: 1000000", new: "mustBeBetween: [10, 1]",
             id: "MESH0104", line: 154, column: 24),
    ]

    @Test(arguments: cases)
    func brokenVariantIsNamed(_ c: Case) throws {
        #expect(Self.base.contains(c.old), "fixture text changed")
        let text = Self.base.replacingOccurrences(of: c.old, with: c.new)
        let loaded = Documents.load(Array(text.utf8), path: "broken.odcs.yaml")
        let hit = loaded.errors.first { $0.id == c.id }
        #expect(hit != nil, "expected \(c.id); got \(loaded.diagnostics.map(DiagnosticRenderer.short))")
        #expect(hit?.location?.line == c.line, "\(hit.map(DiagnosticRenderer.short) ?? "")")
        #expect(hit?.location?.column == c.column, "\(hit.map(DiagnosticRenderer.short) ?? "")")
    }

    @Test func unknownKeySuggestsTheClosest() {
        let text = Self.base.replacingOccurrences(of: "  - property: retention", with: "  - proprety: retention")
        let d = Documents.load(Array(text.utf8), path: "x.odcs.yaml").errors.first { $0.id == "MESH0101" }
        #expect(d?.help == "did you mean `property`?")
    }

    @Test func binaryAndEmptyFilesAreRefused() {
        #expect(Documents.load([0x00, 0x01, 0x02], path: "a.odcs.yaml").errors.first?.id == "MESH0003")
        #expect(Documents.load([0xFF, 0xFE, 0x41], path: "a.odcs.yaml").errors.first?.id == "MESH0003")
        #expect(Documents.load([], path: "a.odcs.yaml").errors.first?.id == "MESH0004")
        #expect(Documents.load(Array("just text".utf8), path: "a.yaml").errors.first?.id == "MESH0107")
    }

    @Test func v32KeysAreAcceptedInAV32Contract() {
        let text = Self.base
            .replacingOccurrences(of: "apiVersion: v3.1.0", with: "apiVersion: v3.2.0")
            .replacingOccurrences(of: "    dataGranularityDescription:", with: "    context: x\n    dataGranularityDescription:")
        #expect(Documents.load(Array(text.utf8), path: "x.odcs.yaml").errors.isEmpty)
    }

    @Test func v30TeamListIsAccepted() {
        let text = """
        apiVersion: v3.0.2
        kind: DataContract
        id: a
        version: 1.0.0
        status: active
        team:
          - username: ada
            role: owner
        """
        let loaded = Documents.load(Array(text.utf8), path: "a.odcs.yaml")
        #expect(loaded.errors.isEmpty)
        guard case let .contract(c)? = loaded.value else { Issue.record("no contract"); return }
        #expect(c.team?.members.map(\.username) == ["ada"])
    }
}
