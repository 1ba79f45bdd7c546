import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel
import Testing

/// The repository's example mesh, end to end: its four sources and seven products, in
/// dependency order, masked, purged and published.
@Suite struct ExampleMeshTests {
    /// Materializes the whole example once per test (about 0.1 s).
    func materialized() throws -> (TempWarehouse, [String: RunReport], Mesh) {
        let w = try TempWarehouse()
        var reports: [String: RunReport] = [:]
        for job in try Fixtures.exampleJobs() {
            let r = try w.engine.run(job)
            reports[job.dataset] = r
        }
        return (w, reports, try Fixtures.exampleMesh())
    }

    @Test func everySourceAndProductIsPublishedWithItsContractsColumns() throws {
        let (w, reports, mesh) = try materialized()
        #expect(reports.count == 11)
        for (dataset, r) in reports.sorted(by: { $0.key < $1.key }) {
            #expect(r.outcome == .published, "\(dataset): \(r.diagnostics)")
            #expect(r.failures.isEmpty && r.fingerprint != nil && r.version == 1)
            let contract = try #require(mesh.contracts[dataset])
            #expect(try w.columns(of: dataset) == contract.objects[0].properties.map(\.name), "\(dataset)")
            #expect(try w.read("SELECT count(*) FROM \(quoted(dataset))")[0][0] == .integer(Int64(r.rowsOut)))
        }
        // Products read what their producers published, by version and fingerprint.
        let journey = try #require(reports["journey.customer_journey"])
        #expect(journey.inputs.map(\.dataset).sorted() == ["customer.customer_360", "orders.fulfillment", "orders.order_metrics",
                                                           "product.product_performance"])
        for input in journey.inputs { #expect(input.fingerprint == reports[input.dataset]?.fingerprint) }
        // Every executable quality rule was measured, and passed.
        #expect(reports.values.allSatisfy { $0.quality.allSatisfy(\.passed) })
        #expect(reports["customer.customers_raw"]?.quality.count == 9)
    }

    @Test func personalDataIsMaskedAsDeclared() throws {
        let (w, reports, _) = try materialized()
        let c360 = try #require(reports["customer.customer_360"])
        #expect(Set(c360.masking.map { "\($0.column):\($0.strategy)" }) == ["full_name:redact", "email:hash", "phone:tokenize", "birth_date:drop"])
        let masker = Masker(salt: Fixtures.salt)
        // Published values against the raw source, row by row.
        let rows = try w.read("""
            SELECT c.full_name, c.email, c.phone, c.birth_date, c.birth_decade, r.email, r.phone, r.birth_date
            FROM "customer.customer_360" AS c JOIN "customer.customers_raw" AS r USING (customer_id)
            """)
        #expect(rows.count == c360.rowsOut)
        for row in rows {
            #expect(row[0] == .text("[redacted]"))
            if case let .text(raw) = row[5] {
                #expect(row[1] == .text(masker.mask(raw.trimmingCharacters(in: .whitespaces).lowercased(), .hash)!))
            } else { #expect(row[1] == .null) }
            if case let .text(raw) = row[6] { #expect(row[2] == .text(masker.mask(raw, .tokenize)!)) } else { #expect(row[2] == .null) }
            #expect(row[3] == .null)  // dropped
            if case let .text(born) = row[7] { #expect(row[4] == .text(String(born.prefix(3)) + "0s")) }
        }
        // Downstream products read the masked columns, never the raw ones.
        #expect(try w.read(#"SELECT count(*) FROM "customer.customer_360" WHERE email LIKE '%@%' OR phone LIKE '+%'"#)[0][0] == .integer(0))
    }

    @Test func expiredRowsArePurgedAndCounted() throws {
        let (w, reports, _) = try materialized()
        // customers_raw keeps 5 years (1825 days) from 2026-06-30: signups before 2021-07-01 go.
        let csv = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("domains/customer/sources/customers.csv"), encoding: .utf8)
        let signups = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).last.map(String.init) ?? "" }
        let expired = signups.filter { !$0.isEmpty && $0 < "2021-07-01T00:00:00Z" }.count
        let raw = try #require(reports["customer.customers_raw"])
        #expect(raw.rowsIn == signups.count && raw.rowsPurged == expired && expired > 0)
        #expect(raw.rowsOut == signups.count - expired)
        #expect(try w.read(#"SELECT count(*) FROM "customer.customers_raw" WHERE signup_ts < '2021-07-01'"#)[0][0] == .integer(0))
        // fulfillment keeps 2 years of orders, from its own order_ts.
        let f = try #require(reports["orders.fulfillment"])
        #expect(f.rowsPurged > 0 && f.rowsIn == f.rowsPurged + f.rowsOut)
        #expect(try w.read(#"SELECT min(order_ts) >= '2024-07-01' FROM "orders.fulfillment""#)[0][0] == .integer(1))
    }

    @Test func runningAgainPublishesTheSameData() throws {
        let (w, first, _) = try materialized()
        for job in try Fixtures.exampleJobs() {
            let r = try w.engine.run(job)
            #expect(r.version == 2 && r.fingerprint == first[job.dataset]?.fingerprint, "\(job.dataset)")
        }
        #expect(try w.dataTables().allSatisfy { $0.hasSuffix("@2") })
    }
}

/// What each library metric counts, in rows and in percent of all rows (docs/engine.md).
@Suite struct QualityMetricTests {
    @Test func metricsMeasureWhatTheDocsSay() throws {
        let c = try SpecTests.contract(id: "test.q", table: "q", properties: """
              - name: a
                logicalType: string
                quality:
                  - {metric: nullValues, mustBe: 2}
                  - {metric: nullValues, unit: percent, mustBeBetween: [33.33, 33.34]}
                  - {metric: missingValues, arguments: {missingValues: [null, '', 'n/a']}, mustBe: 4}
                  - {metric: missingValues, mustBe: 3}
                  - {metric: invalidValues, arguments: {validValues: [x, y, '']}, mustBe: 1}
                  - {metric: invalidValues, arguments: {pattern: '^[xy]$'}, unit: percent, mustBeLessThan: 40.01}
                  - {metric: duplicateValues, mustBe: 1}
              - {name: b, logicalType: integer}
            quality:
              - {metric: rowCount, mustBeGreaterOrEqualTo: 5}
              - {metric: duplicateValues, arguments: {properties: [a, b]}, mustBe: 1}
              - {type: sql, name: big_b, query: "SELECT max(b) FROM q", mustNotBeBetween: [0, 9]}
        """)
        let w = try TempWarehouse()
        let r = try w.load(c, "a,b\nx,1\nx,2\n,\n,\n\"\",3\nn/a,10\n")
        // rows: x,1 / x,2 / null,null / null,null / '',3 / n/a,10  (6 rows)
        #expect(r.outcome == .published, "\(r.diagnostics)")
        let values = r.quality.map { "\($0.rule) \($0.value.map { String(format: "%.4g", $0) } ?? "-") \($0.passed)" }
        #expect(values == [
            "q.a nullValues 2 true",
            "q.a nullValues 33.33 true",
            "q.a missingValues 4 true",
            "q.a missingValues 3 true",
            "q.a invalidValues 1 true",
            "q.a invalidValues 33.33 true",
            "q.a duplicateValues 1 true",
            "q rowCount 6 true",
            "q duplicateValues 1 true",
            "q big_b 10 true",
        ])
        #expect(r.quality[1].count == 2 && r.quality[1].unit == "percent")
    }
}
