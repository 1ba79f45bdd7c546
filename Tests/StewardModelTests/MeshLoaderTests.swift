import Foundation
import StewardCore
import Testing
@testable import StewardModel
import StewardTestSupport

/// The loader on a scratch mesh: valid as written, then broken one way at a time.
@Suite struct MeshLoaderTests {
    @Test func validScratchMeshLoadsClean() throws {
        let mesh = try ScratchMesh()
        let loaded = try mesh.load()
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(DiagnosticRenderer.short))")
        let m = try #require(loaded.value)
        #expect(m.settings.name == "scratch")
        #expect(m.domains["sales"]?.owners.members == ["sam@acme.example"])
        #expect(m.products.keys.sorted() == ["sales.daily_sales"])
        #expect(m.sourceContracts == ["sales.orders_raw"])
        #expect(m.transforms["sales.daily_sales"] == "domains/sales/transforms/daily_sales.sql")
        let c = try #require(m.contracts["sales.daily_sales"])
        #expect(c.retention == TimeSpan(2, .years))
        #expect(c.freshness == TimeSpan(6, .hours))
        #expect(c.roles.first?.grantedDomains == ["sales"])
        let email = try #require(m.contracts["sales.orders_raw"]?.property(named: "orders.email"))
        #expect(email.isPII && email.anonymizationStrategy == "hash")
        #expect(email.location == SourceLocation(path: "domains/sales/contracts/orders_raw.odcs.yaml", line: 17, column: 9))
    }

    struct Breakage: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let old: String
        let new: String
        let id: String
        let line: Int
        var testDescription: String { name }
    }

    static let product = "domains/sales/products/daily_sales.odps.yaml"
    static let contract = "domains/sales/contracts/daily_sales.odcs.yaml"
    static let source = "domains/sales/contracts/orders_raw.odcs.yaml"

    static let breakages: [Breakage] = [
        Breakage(name: "unknown contract in an input port", path: product, old: "contractId: sales.orders_raw",
                 new: "contractId: sales.order_raw", id: "MESH0301", line: 10),
        Breakage(name: "unknown contract in an output port", path: product, old: "contractId: sales.daily_sales",
                 new: "contractId: sales.daily", id: "MESH0301", line: 14),
        Breakage(name: "product reads its own output (cycle)", path: product, old: "contractId: sales.orders_raw",
                 new: "contractId: sales.daily_sales", id: "MESH0304", line: 10),
        Breakage(name: "retention time column does not exist", path: contract,
                 old: "    unit: y\n    element: daily_sales.day", new: "    unit: y\n    element: daily_sales.created_at",
                 id: "MESH0306", line: 22),
        Breakage(name: "ambiguous latency unit", path: contract, old: "unit: h", new: "unit: m", id: "MESH0108", line: 20),
        Breakage(name: "transform path escapes the repository", path: product, old: "status: active",
                 new: "status: active\ncustomProperties:\n  - property: transform\n    value: ../../../../etc/passwd", id: "MESH0206", line: 1),
        Breakage(name: "source path escapes the repository", path: source, old: "path: sources/orders.csv",
                 new: "path: ../../../../secret.csv", id: "MESH0206", line: 7),
        Breakage(name: "source file missing", path: source, old: "path: sources/orders.csv",
                 new: "path: sources/missing.csv", id: "MESH0307", line: 7),
        Breakage(name: "product in the wrong domain", path: product, old: "domain: sales", new: "domain: marketing",
                 id: "MESH0203", line: 1),
        Breakage(name: "product name differs from its file", path: product, old: "name: daily_sales", new: "name: daily",
                 id: "MESH0203", line: 1),
        Breakage(name: "unknown key in a product", path: product, old: "status: active", new: "status: active\ninputports: []",
                 id: "MESH0101", line: 7),
        Breakage(name: "wrong type in a domain", path: "domains/sales/domain.yaml", old: "members: [sam@acme.example]",
                 new: "members: sam@acme.example", id: "MESH0102", line: 6),
        Breakage(name: "owner is not an email", path: "domains/sales/domain.yaml", old: "members: [sam@acme.example]",
                 new: "members: [sam]", id: "MESH0104", line: 6),
        Breakage(name: "domain name differs from its folder", path: "domains/sales/domain.yaml", old: "name: sales",
                 new: "name: sale", id: "MESH0203", line: 1),
        Breakage(name: "grant to an unknown domain", path: contract, old: "value: [sales]", new: "value: [finanse]",
                 id: "MESH0309", line: 27),
        Breakage(name: "unknown engine in settings", path: "steward.yaml", old: "name: scratch", new: "name: scratch\ndefaultEngine: spark",
                 id: "MESH0104", line: 4),
        Breakage(name: "bad YAML in a contract", path: contract, old: "status: active", new: "status: [active",
                 id: "MESH0001", line: 6),
        Breakage(name: "unknown classification", path: source, old: "classification: restricted", new: "classification: secret",
                 id: "MESH0112", line: 19),
    ]

    @Test(arguments: breakages)
    func breakageIsReportedWithItsPlace(_ b: Breakage) throws {
        let mesh = try ScratchMesh()
        try mesh.edit(b.path, replacing: b.old, with: b.new)
        let loaded = try mesh.load()
        let hit = loaded.diagnostics.first { $0.id == b.id }
        #expect(hit != nil, "expected \(b.id); got \(loaded.diagnostics.map(DiagnosticRenderer.short))")
        #expect(hit?.location?.path == b.path, "\(hit.map(DiagnosticRenderer.short) ?? "")")
        #expect(hit?.location?.line == b.line, "\(hit.map(DiagnosticRenderer.short) ?? "")")
        #expect((hit?.location?.column ?? 0) >= 1)
    }

    @Test func classificationLevelsAreLowercased() throws {
        let mesh = try ScratchMesh()
        try mesh.edit(Self.source, replacing: "classification: restricted", with: "classification: Restricted")
        try mesh.edit(Self.source, replacing: "      - name: order_ts\n",
                      with: "      - name: phone\n        classification: PII\n      - name: order_ts\n")
        let loaded = try mesh.load()
        let orders = try #require(loaded.value?.contracts["sales.orders_raw"])
        #expect(orders.property(named: "orders.email")?.classification == "restricted")
        #expect(orders.property(named: "orders.phone")?.classification == "pii")
        // A known level in another case is fine; an unknown one is warned about, as written.
        #expect(loaded.diagnostics.map(\.id) == ["MESH0112"])
        #expect(loaded.diagnostics.first?.severity == .warning)
        #expect(loaded.diagnostics.first?.message == "unknown classification `PII`")
    }

    @Test func missingTransformIsAnError() throws {
        let mesh = try ScratchMesh()
        try mesh.remove("domains/sales/transforms/daily_sales.sql")
        let d = try #require(try mesh.load().errors.first)
        #expect(d.id == "MESH0305")
        #expect(d.location?.path == Self.product)
        #expect(d.message.contains("domains/sales/transforms/daily_sales.sql"))
    }

    @Test func missingDomainFileIsAnError() throws {
        let mesh = try ScratchMesh()
        try mesh.remove("domains/sales/domain.yaml")
        #expect(try mesh.load().errors.map(\.id) == ["MESH0202"])
    }

    @Test func missingSettingsStopsTheLoad() throws {
        let mesh = try ScratchMesh()
        try mesh.remove("steward.yaml")
        let loaded = try mesh.load()
        #expect(loaded.value == nil)
        #expect(loaded.errors.map(\.id) == ["MESH0201"])
    }

    @Test func cycleThroughTwoProductsIsNamed() throws {
        let mesh = try ScratchMesh()
        // a second product reads daily_sales, and daily_sales reads it back
        try mesh.write("domains/sales/contracts/weekly.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.weekly
        version: 1.0.0
        status: active
        schema:
          - name: weekly
            properties:
              - name: week
                logicalType: date

        """)
        try mesh.write("domains/sales/products/weekly.odps.yaml", """
        apiVersion: v1.0.0
        kind: DataProduct
        id: w
        name: weekly
        domain: sales
        status: active
        inputPorts:
          - name: daily
            version: 1.0.0
            contractId: sales.daily_sales
        outputPorts:
          - name: weekly
            version: 1.0.0
            contractId: sales.weekly

        """)
        try mesh.write("domains/sales/transforms/weekly.sql", "SELECT 1;\n")
        try mesh.edit(Self.product, replacing: "    contractId: sales.orders_raw",
                      with: "    contractId: sales.orders_raw\n  - name: weekly\n    version: 1.0.0\n    contractId: sales.weekly")
        let cycles = try mesh.load().errors.filter { $0.id == "MESH0304" }
        #expect(cycles.count == 1)
        #expect(cycles.first?.message.contains("`sales.daily_sales` -> `sales.weekly` -> `sales.daily_sales`") == true,
                "\(cycles.map(\.message))")
    }

    @Test func duplicateContractIdIsNamedWithBothPlaces() throws {
        let mesh = try ScratchMesh()
        try mesh.write("domains/sales/contracts/copy.odcs.yaml", try mesh.read(Self.contract))
        let d = try #require(try mesh.load().errors.first { $0.id == "MESH0205" })
        #expect(d.notes.first?.contains("daily_sales.odcs.yaml") == true || d.location?.path.contains("daily_sales") == true)
    }

    @Test func everyProblemIsReportedInOneRun() throws {
        let mesh = try ScratchMesh()
        try mesh.edit(Self.product, replacing: "contractId: sales.orders_raw", with: "contractId: nope")
        try mesh.edit(Self.contract, replacing: "unit: h", with: "unit: m")
        try mesh.edit("steward.yaml", replacing: "kind: Mesh", with: "kind: Mesh\nmainbranch: main")
        let ids = Set(try mesh.load().errors.map(\.id))
        #expect(ids == ["MESH0301", "MESH0108", "MESH0101"])
    }

    @Test func lineageAndOrder() throws {
        let m = try #require(try ScratchMesh().load().value)
        let g = Lineage(m)
        #expect(g.edges.map { "\($0.from)->\($0.to)" } == ["sales.orders_raw->sales.daily_sales"])
        #expect(g.topologicalOrder() == ["sales.daily_sales"])
        #expect(g.downstream(of: "sales.orders_raw") == ["sales.daily_sales"])
    }
}
