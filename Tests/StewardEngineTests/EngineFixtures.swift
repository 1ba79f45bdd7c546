import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel

/// A warehouse in a fresh temporary folder, removed when the value goes away.
final class TempWarehouse {
    let folder: URL
    let engine: EmbeddedEngine

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("steward-warehouse-\(UUID().uuidString)")
        engine = try EmbeddedEngine(warehouse: folder)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A second, independent connection: what a reader of the warehouse sees.
    func read(_ sql: String) throws -> [[SQLValue]] {
        try Database(path: engine.path).rows(sql)
    }

    func columns(of dataset: String) throws -> [String] {
        try read("SELECT name FROM pragma_table_info(\(literal(dataset)))").map { "\($0[0])" }
    }
}

enum Fixtures {
    /// The repository's own example mesh (read only).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The sample data's reference date (scripts/gen_sample_data.py).
    static let asOf = Date(timeIntervalSince1970: 1_782_777_600)  // 2026-06-30T00:00:00Z

    static let salt = try! MaskingSalt("a test salt, not a secret")

    static func exampleMesh() throws -> Mesh {
        let loaded = try MeshLoader().load(from: FolderTree(root: repoRoot))
        guard let mesh = loaded.value, !loaded.hasErrors else {
            throw FixtureError("the example mesh does not load: \(loaded.diagnostics.filter { $0.severity == .error })")
        }
        return mesh
    }

    static func exampleJobs(salt: MaskingSalt? = Fixtures.salt) throws -> [DatasetJob] {
        let mesh = try exampleMesh()
        let (jobs, diags) = MeshJobs(mesh: mesh, tree: FolderTree(root: repoRoot), root: repoRoot, asOf: asOf, salt: salt).all()
        guard diags.isEmpty else { throw FixtureError("jobs: \(diags)") }
        return jobs
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension TempWarehouse {
    /// The source every engine test starts from: `test.src`, table `src`.
    static func sourceContract(_ extra: String = "") throws -> Contract {
        try SpecTests.contract(extra, id: "test.src", table: "src", properties: """
              - {name: id, logicalType: integer, required: true}
              - {name: name, logicalType: string}
              - {name: email, logicalType: string}
              - {name: ts, logicalType: timestamp}
        """)
    }

    static let sourceCSV = """
        id,name,email,ts
        1,Ada Lovelace,ada@acme.example,2026-06-01T10:00:00Z
        2,Linus Torvalds,linus@acme.example,2026-05-01T10:00:00Z
        3,Grace Hopper,,2020-01-01T00:00:00Z
        4,Alan Turing,alan@acme.example,

        """

    /// A product over `src` that masks, checks and keeps a year: `test.out`, table `out`.
    static func productContract(quality: String = "", extra: String = "") throws -> Contract {
        try SpecTests.contract("""
            slaProperties:
              - {property: retention, value: 365, unit: d, element: out.ts}
            \(extra)
            """, id: "test.out", table: "out", properties: """
              - {name: id, logicalType: integer, required: true, unique: true}
              - name: name
                logicalType: string
                customProperties: [{property: anonymizationStrategy, value: redact}]
              - name: email
                logicalType: string
                tags: [pii]
                customProperties: [{property: anonymizationStrategy, value: hash}]
                quality:
                  - {metric: nullValues, mustBeLessThan: 50, unit: percent}
              - {name: ts, logicalType: timestamp}
        \(quality)
        """)
    }

    static let productSQL = "SELECT id, name, lower(email) AS email, ts FROM people"

    @discardableResult
    func load(_ contract: Contract, _ text: String, format: SourceData.Format = .csv, label: String = "domains/test/sources/src.csv") throws -> RunReport {
        let data = SourceData(origin: .bytes(Array(text.utf8)), format: format, label: label)
        return try engine.run(DatasetJob(contract: contract, product: nil, work: .load(data), asOf: Fixtures.asOf))
    }

    @discardableResult
    func transform(_ contract: Contract, _ sql: String, inputs: [(String, Contract)], salt: MaskingSalt? = Fixtures.salt,
                   timeLimit: Duration? = nil) throws -> RunReport {
        let t = Transform(text: sql, label: "domains/test/transforms/out.sql", inputs: inputs.map { Input(port: $0.0, contract: $0.1) })
        return try engine.run(DatasetJob(contract: contract, product: "test.out", work: .transform(t), asOf: Fixtures.asOf,
                                         salt: salt, timeLimit: timeLimit))
    }

    /// Loads the source and publishes the product once: the last good version later tests keep.
    func publishBaseline() throws -> (source: Contract, product: Contract, report: RunReport) {
        let source = try Self.sourceContract()
        let product = try Self.productContract()
        let s = try load(source, Self.sourceCSV)
        guard s.outcome == .published else { throw FixtureError("source: \(s.diagnostics)") }
        let p = try transform(product, Self.productSQL, inputs: [("people", source)])
        guard p.outcome == .published else { throw FixtureError("product: \(p.diagnostics)") }
        return (source, product, p)
    }

    /// The data tables in the warehouse file (`<dataset>@<version>`).
    func dataTables() throws -> [String] {
        try read("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%@%' ORDER BY name").map { "\($0[0])" }
    }
}
