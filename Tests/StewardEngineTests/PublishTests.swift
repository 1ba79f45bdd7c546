import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel
import Testing

/// Staging, checks and the atomic switch: only a passing run is published; a failing one keeps
/// the last good version and says why.
@Suite struct PublishTests {
    @Test func aPassingRunIsMaskedPurgedAndPublished() throws {
        let w = try TempWarehouse()
        let (_, _, r) = try w.publishBaseline()
        #expect(r.version == 1 && r.publishedVersion == 1)
        #expect(r.rowsIn == 4 && r.rowsPurged == 1 && r.rowsUndated == 1 && r.rowsOut == 3)
        #expect(r.masking == [MaskingApplied(column: "name", strategy: "redact", values: 3),
                              MaskingApplied(column: "email", strategy: "hash", values: 3)])
        #expect(r.inputs.map(\.dataset) == ["test.src"])
        let rows = try w.read(#"SELECT id, name, email, ts FROM "test.out" ORDER BY id"#)
        let masker = Masker(salt: Fixtures.salt)
        #expect(rows.map { "\($0[0])" } == ["1", "2", "4"])  // 3 is older than a year
        #expect(rows.map { "\($0[1])" } == ["[redacted]", "[redacted]", "[redacted]"])
        #expect(rows.map { "\($0[2])" } == ["ada@acme.example", "linus@acme.example", "alan@acme.example"].map { masker.mask($0, .hash)! })
        #expect(rows[2][3] == .null)  // undated rows are kept
        #expect(try w.columns(of: "test.out") == ["id", "name", "email", "ts"])
        #expect(try w.dataTables() == ["test.out@1", "test.src@1"])
        // The raw values never reach the warehouse file through the product.
        #expect(try w.read(#"SELECT count(*) FROM "test.out@1" WHERE email LIKE '%@%' OR name <> '[redacted]'"#)[0][0] == .integer(0))
    }

    @Test func aFailedQualityRuleKeepsTheLastGoodVersion() throws {
        let w = try TempWarehouse()
        let (source, _, good) = try w.publishBaseline()
        let failing = try TempWarehouse.productContract(quality: """
            quality:
              - {metric: rowCount, mustBeGreaterThan: 1000}
        """)
        let r = try w.transform(failing, TempWarehouse.productSQL, inputs: [("people", source)])
        #expect(r.outcome == .failed)
        #expect(r.version == nil && r.publishedVersion == 1 && r.fingerprint == nil)
        let d = try #require(r.failures.first)
        #expect(d.id == "ENG0404")
        #expect(d.message == "quality rule `out rowCount` measured 3, which is not > 1000")
        #expect(d.location?.path == "domains/test/contracts/out.odcs.yaml" && (d.location?.line ?? 0) > 0)
        #expect(r.quality.contains { $0.rule == "out rowCount" && !$0.passed && $0.value == 3 })

        // Readers still see version 1, and nothing of the failed run is left behind.
        #expect(try w.read(#"SELECT count(*) FROM "test.out""#)[0][0] == .integer(3))
        #expect(try w.dataTables() == ["test.out@1", "test.src@1"])
        let state = try #require(try w.engine.state(of: "test.out"))
        #expect(state.version == 1 && state.lastRunFailed && state.fingerprint == good.fingerprint)
        #expect(state.lastReport?.failures.first?.id == "ENG0404")

        // The next good run publishes version 2 and drops version 1.
        let again = try w.transform(try TempWarehouse.productContract(), TempWarehouse.productSQL, inputs: [("people", source)])
        #expect(again.outcome == .published && again.version == 2 && again.fingerprint == good.fingerprint)
        #expect(try w.dataTables() == ["test.out@2", "test.src@1"])
        #expect(try w.engine.state(of: "test.out")?.lastRunFailed == false)
    }

    @Test func aWarningRuleReportsWithoutBlocking() throws {
        let w = try TempWarehouse()
        let (source, _, _) = try w.publishBaseline()
        let c = try TempWarehouse.productContract(quality: """
            quality:
              - {metric: rowCount, mustBeGreaterThan: 1000, severity: warning}
        """)
        let r = try w.transform(c, TempWarehouse.productSQL, inputs: [("people", source)])
        #expect(r.outcome == .published && r.version == 2)
        #expect(r.diagnostics.map(\.id) == ["ENG0405"] && r.diagnostics[0].severity == .warning)
    }

    @Test func valuesOfTheWrongTypeFailWithAnExample() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, "SELECT id, name, email, datetime(ts) AS ts FROM people", inputs: [("people", source)])
        #expect(r.outcome == .failed)
        let d = try #require(r.failures.first)
        #expect(d.id == "ENG0401")
        #expect(d.message == "`out.ts` is declared timestamp, but 3 values are not (for example `2026-06-01 10:00:00`)")
        #expect(d.help?.contains("strftime") == true)
    }

    @Test func requiredAndUniqueAreChecked() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, """
            SELECT CASE WHEN id = 4 THEN NULL ELSE 1 END AS id, name, email, ts FROM people
            """, inputs: [("people", source)])
        #expect(r.failures.map(\.id) == ["ENG0402", "ENG0403"])
        #expect(r.failures[1].message == "`out.id` is unique, but 1 value repeats an earlier one")
    }

    @Test func outputColumnsMustBeTheContracts() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, "SELECT id, name, email AS mail, ts, 1 AS x FROM people", inputs: [("people", source)])
        #expect(r.failures.map(\.message) == [
            "the output columns of `domains/test/transforms/out.sql` differ from contract `test.out`: missing `email`; not in the contract `mail`, `x`",
        ])
    }

    @Test func columnsMayComeInAnyOrder() throws {
        let w = try TempWarehouse()
        let (source, product, good) = try w.publishBaseline()
        let r = try w.transform(product, "SELECT ts, lower(email) AS email, name, id FROM people", inputs: [("people", source)])
        #expect(r.outcome == .published && r.fingerprint == good.fingerprint)
        #expect(try w.columns(of: "test.out") == ["id", "name", "email", "ts"])
    }

    @Test func copyingAMaskedValueIntoAnotherColumnIsCaught() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, "SELECT id, email AS name, email, ts FROM people", inputs: [("people", source)])
        // `name` is redacted, so the copy does not leak; copying into an unmasked column does.
        #expect(r.outcome == .published)
        let leaky = try TempWarehouse.productContract().withoutMasking("name")
        let l = try w.transform(leaky, "SELECT id, email AS name, email, ts FROM people", inputs: [("people", source)])
        #expect(l.outcome == .failed)
        #expect(l.failures.map(\.message) == ["column `name` holds the unmasked value of masked column `email` in 3 rows"])
        #expect(l.failures[0].id == "ENG0408")
    }

    @Test func hashingNeedsTheSalt() throws {
        let w = try TempWarehouse()
        let (source, product, _) = try w.publishBaseline()
        let r = try w.transform(product, TempWarehouse.productSQL, inputs: [("people", source)], salt: nil)
        #expect(r.failures.map(\.id) == ["ENG0501"])
        #expect(r.failures[0].help?.contains("STEWARD_MASKING_SALT") == true)
    }

    @Test func anInputWithoutAPublishedVersionBlocks() throws {
        let w = try TempWarehouse()
        let r = try w.transform(try TempWarehouse.productContract(), TempWarehouse.productSQL,
                                inputs: [("people", try TempWarehouse.sourceContract())])
        #expect(r.failures.map(\.message) == ["input `people` (`test.src`) has no published version"])
        #expect(try w.engine.state(of: "test.out")?.version == nil)
    }

    @Test func theWarehouseSurvivesReopening() throws {
        let w = try TempWarehouse()
        let (_, _, good) = try w.publishBaseline()
        let reopened = try EmbeddedEngine(warehouse: w.folder)
        let s = try #require(try reopened.state(of: "test.out"))
        #expect(s.version == 1 && s.rows == 3 && s.fingerprint == good.fingerprint && s.lastReport == good)
    }
}

extension Contract {
    /// The same contract with one column's masking removed.
    func withoutMasking(_ column: String) -> Contract {
        var c = self
        for i in c.objects[0].properties.indices where c.objects[0].properties[i].name == column {
            c.objects[0].properties[i].customProperties.removeAll { $0.property == "anonymizationStrategy" }
        }
        return c
    }
}
