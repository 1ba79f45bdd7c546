import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel
import Testing

/// A transform reads its declared inputs and nothing else: no other dataset, no bookkeeping,
/// no schema, no file (ATTACH), no code (load_extension), no write. Each refusal fails the run
/// with a message that says what was refused, and publishes nothing.
@Suite struct SandboxTests {
    static let attachedFile = FileManager.default.temporaryDirectory.appendingPathComponent("steward-attach-\(UUID().uuidString).db").path

    @Test(arguments: [
        ("SELECT id, name, email, ts FROM other", "reads `other`, which is not one of its declared inputs (`people`)"),
        (#"SELECT id, name, email, ts FROM "test.secret""#, "reads `test.secret@1`, which is not one of its declared inputs (`people`)"),
        (#"SELECT id, name, email, ts FROM "test.secret@1""#, "reads `test.secret@1`, which is not one of its declared inputs (`people`)"),
        ("SELECT rowid AS id, name, sql AS email, NULL AS ts FROM sqlite_master", "reads `sqlite_master`, which is not one of its declared inputs (`people`)"),
        ("SELECT 1 AS id, dataset AS name, last_report AS email, NULL AS ts FROM steward_datasets", "reads `steward_datasets`, which is not one of its declared inputs (`people`)"),
        ("SELECT id, name, email, ts FROM temp.steward_stage", "reads `temp.steward_stage`, which is not one of its declared inputs (`people`)"),
        ("ATTACH DATABASE '\(attachedFile)' AS x", "tries to ATTACH or DETACH a database"),
        ("SELECT id, name, email, ts FROM people; ATTACH DATABASE '\(attachedFile)' AS x", "tries to ATTACH or DETACH a database"),
        ("SELECT load_extension('/tmp/steward-no-such-extension') AS id, name, email, ts FROM people", "calls `load_extension`, which transforms may not call"),
        ("SELECT steward_is_date(email) AS id, name, email, ts FROM people", "calls `steward_is_date`, which transforms may not call"),
        ("SELECT id, name, email, ts FROM people, pragma_table_info('people')", "reads `sqlite_master`, which is not one of its declared inputs (`people`)"),
        ("PRAGMA writable_schema = 1", "runs PRAGMA `writable_schema`"),
        ("DELETE FROM people", "writes to `people`; a transform only reads its inputs"),
        ("INSERT INTO steward_datasets (dataset, last_outcome, last_report) VALUES ('x', 'y', 'z')", "writes to `steward_datasets`; a transform only reads its inputs"),
        ("SELECT id, name, email, ts FROM people; DROP TABLE steward_datasets", "writes to `steward_datasets`; a transform only reads its inputs"),
        ("CREATE TABLE people2 AS SELECT * FROM people", "writes to `people2`; a transform only reads its inputs"),
        ("BEGIN", "uses a transaction, which a transform may not"),
    ])
    func refused(_ sql: String, _ expected: String) throws {
        let w = try TempWarehouse()
        let (source, product, good) = try w.publishBaseline()
        // Another published dataset the transform did not declare.
        let secret = try SpecTests.contract(id: "test.secret", table: "secret", properties: """
              - {name: id, logicalType: integer}
        """)
        try #require(try w.load(secret, "id\n42\n", label: "domains/test/sources/secret.csv").outcome == .published)

        let r = try w.transform(product, sql, inputs: [("people", source)])
        #expect(r.outcome == .failed)
        let d = try #require(r.failures.first)
        #expect(d.id == "ENG0303", "\(d)")
        #expect(d.message == "`domains/test/transforms/out.sql` " + expected)
        // Nothing was published, nothing was written, no file was attached.
        #expect(try w.engine.state(of: "test.out")?.version == 1)
        #expect(try w.engine.state(of: "test.out")?.fingerprint == good.fingerprint)
        #expect(try w.dataTables() == ["test.out@1", "test.secret@1", "test.src@1"])
        #expect(try w.read("SELECT count(*) FROM steward_datasets")[0][0] == .integer(3))
        #expect(!FileManager.default.fileExists(atPath: Self.attachedFile))
    }

    @Test func thePortNamesOfTheEngineAreReserved() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, "SELECT id, name, email, ts FROM steward_stage", inputs: [("steward_stage", source)])
        #expect(r.failures.map(\.message) == ["input port name `steward_stage` is reserved by the warehouse"])
        #expect(try w.engine.state(of: "test.out")?.version == 1)
    }

    @Test func theErrorPointsAtTheLine() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, "SELECT id, name, email, ts\nFROM people\nJOIN orders USING (id)", inputs: [("people", source)])
        let d = try #require(r.failures.first)
        #expect(d.message.contains("reads `orders`"))
        #expect(d.location == SourceLocation(path: "domains/test/transforms/out.sql", line: 3, column: 6))
    }

    @Test func aSyntaxErrorIsSQLitesMessage() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, "SELEC id FROM people", inputs: [("people", source)])
        #expect(r.failures.map(\.id) == ["ENG0304"])
        #expect(r.failures[0].message == "`domains/test/transforms/out.sql`: near \"SELEC\": syntax error")
    }

    @Test func theSQLWrappingCannotBeEscaped() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        // Balanced text that would close the engine's wrapping if it were pasted blindly.
        let r = try w.transform(product, "SELECT id, name, email, ts FROM people) ; DELETE FROM steward_runs; SELECT * FROM (SELECT 1",
                                inputs: [("people", source)])
        #expect(r.outcome == .failed)
        #expect(try w.read("SELECT outcome FROM steward_runs ORDER BY run").map { "\($0[0])" } == ["published", "published", "failed"])
    }

    @Test func aRunawayQueryIsStoppedByTheTimeLimit() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let forever = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
            SELECT i AS id, 'x' AS name, 'x' AS email, NULL AS ts FROM n WHERE i < 0
            """
        let r = try w.transform(product, forever, inputs: [("people", source)], timeLimit: .milliseconds(200))
        #expect(r.failures.map(\.id) == ["ENG0306"])
        #expect(r.seconds < 5)
    }

    @Test func anSQLRuleReadsOnlyItsOwnTable() throws {
        let w = try TempWarehouse()
        let (source, _, _) = try w.publishBaseline()
        let c = try TempWarehouse.productContract(quality: """
            quality:
              - {type: sql, name: peek, query: "SELECT count(*) FROM steward_datasets", mustBe: 0}
              - {type: sql, name: fine, query: "SELECT count(*) FROM {object} WHERE id < 0", mustBe: 0}
        """)
        let r = try w.transform(c, TempWarehouse.productSQL, inputs: [("people", source)])
        #expect(r.outcome == .failed)
        #expect(r.failures.map(\.message) == ["quality rule `out peek` cannot be measured: it reads `steward_datasets`; an sql rule reads only `out`"])
        #expect(r.quality.map(\.passed) == [true, false, true])
    }
}
