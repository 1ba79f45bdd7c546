import Foundation
import StewardCLI
import StewardCore
import StewardGit
import StewardReconcile
import StewardTestSupport
import Testing

/// `steward apply` end to end on a copy of the example mesh (docs/reconciler.md §6).
@Suite struct ApplyTests {
    static let all = ["customer.customer_360", "customer.customer_segments", "journey.customer_journey", "orders.fulfillment",
                      "orders.order_metrics", "product.catalog", "product.product_performance"]

    @Test func firstApplyBuildsEverythingWithMaskingAndRetentionThenANoOp() throws {
        let repo = try ExampleRepo()
        let first = repo.apply()
        #expect(first.status == 0, "\(first.err)")
        #expect(ExampleRepo.outcomes(first.json) == Dictionary(uniqueKeysWithValues: Self.all.map { ($0, "published") }))
        #expect(first.json["applied"] as? Bool == true)
        #expect((first.json["sources"] as? [[String: Any]])?.count == 4)

        // Masking is in the published data: hashed, tokenized, redacted, dropped.
        let customers = try repo.published("customer.customer_360")
        #expect(customers.count == 261)
        #expect(customers.allSatisfy { $0["email"] == "NULL" || $0["email"]!.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil })
        #expect(customers.allSatisfy { $0["phone"] == "NULL" || $0["phone"]!.hasPrefix("tok_") })
        #expect(customers.allSatisfy { $0["full_name"] == "NULL" || $0["full_name"] == "[redacted]" })
        #expect(customers.contains { $0["email"] != "NULL" })
        #expect(customers.first?["birth_date"] == nil || customers.allSatisfy { $0["birth_date"] == "NULL" })
        // Retention: fulfillment keeps two years (730 days) before the as-of time, and says what it purged.
        let orders = try repo.published("orders.fulfillment")
        #expect(!orders.isEmpty && orders.allSatisfy { $0["order_ts"]! >= "2024-06-30T00:00:00Z" }, "\(orders.map { $0["order_ts"]! }.min() ?? "")")
        let fulfillment = (first.json["steps"] as? [[String: Any]])?.first { $0["product"] as? String == "orders.fulfillment" }
        #expect(fulfillment?["rowsPurged"] as? Int == 39)
        #expect(fulfillment?["rowsOut"] as? Int == orders.count)

        // The audit log has the run: its plan, a start, each product's result, its end; it
        // verifies, and holds no value of the data (an e-mail address of the source, say).
        let log = StewardRunner.run(["audit", "log", "-C", repo.path, "--format", "json"])
        #expect(log.status == 0, "\(log.err)")
        for type in ["\"plan\"", "\"apply-start\"", "\"product-result\"", "\"apply-done\""] {
            #expect(log.out.contains("\"type\" : \(type)") || log.out.contains("\"type\":\(type)"), "\(type) in \(log.out.prefix(400))")
        }
        #expect(log.out.components(separatedBy: "product-result").count - 1 == 7, "one result per product")
        // Retention purged rows of three products (fulfillment, order_metrics, customer_journey).
        let purges = StewardRunner.run(["audit", "log", "-C", repo.path, "--type", "retention-purge", "--format", "json"]).out
        #expect(purges.components(separatedBy: "\"rowsPurged\"").count - 1 == 3, "\(purges)")
        #expect(purges.contains("\"rowsPurged\" : 39") || purges.contains("\"rowsPurged\":39"), "\(purges)")
        #expect(log.out.contains("\"strategy\" : \"hash\"") || log.out.contains("\"strategy\":\"hash\""), "masking is recorded")
        let sourceEmail = try #require(try repo.mesh.read("domains/customer/sources/customers.csv")
            .split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",") }.first { $0.contains("@") })
        #expect(!log.out.contains(sourceEmail), "no PII value in the audit log")
        #expect(StewardRunner.run(["audit", "verify", "-C", repo.path]).status == 0)

        let tip = try repo.mesh.git("rev-parse", StateStore.ref)
        let text = StewardRunner.run(["apply", "-C", repo.path, "--as-of", ExampleRepo.asOf])
        #expect(text.status == 0)
        #expect(text.out.contains("Nothing to do"), "\(text.out)")
        #expect(try repo.mesh.git("rev-parse", StateStore.ref) == tip, "a no-op apply writes nothing")
        let status = StewardRunner.run(["status", "-C", repo.path, "--time", "2026-11-23T00:00:00Z", "--format", "json"])
        #expect(status.out.contains("\"inSync\" : true"), "\(status.out)")
    }

    @Test func aTransformEditRebuildsItAndItsDownstreamOnly() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "WHEN MIN(price) < 20 ", with: "WHEN MIN(price) < 25 ")
        // Formatting and comments alone change nothing.
        try repo.mesh.edit("domains/customer/transforms/customer_segments.sql", replacing: "SELECT\n", with: "-- reformatted\nSELECT  \n")
        try repo.commit("catalog: budget under 25")
        let r = repo.apply()
        #expect(r.status == 0, "\(r.err)")
        #expect(ExampleRepo.outcomes(r.json) == ["product.catalog": "published", "orders.order_metrics": "published",
                                                 "product.product_performance": "published", "journey.customer_journey": "published"])
        #expect(r.json["unchanged"] as? Int == 3)
        let engine = try repo.engine()
        #expect(try engine.state(of: "product.catalog")?.version == 2)
        #expect(try engine.state(of: "customer.customer_360")?.version == 1)
        #expect(try engine.state(of: "customer.customer_segments")?.version == 1)
        #expect(try engine.state(of: "product.products_raw")?.version == 1, "an unchanged source is not loaded again")
    }

    @Test func aQualityFailureKeepsTheOldVersionAndBlocksDownstreamWhileOthersGoOn() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        let before = try repo.published("product.catalog")
        // `other` is not among the category's valid values: the invalidValues rule fails.
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "'uncategorized'", with: "'other'")
        try repo.mesh.edit("domains/customer/transforms/customer_segments.sql", replacing: "tenure_days < 180 ", with: "tenure_days < 90 ")
        try repo.commit("catalog: other; segments: newcomers 90 days")
        let r = repo.apply()
        #expect(r.status == 1)
        #expect(ExampleRepo.outcomes(r.json) == ["product.catalog": "failed", "orders.order_metrics": "blocked",
                                                 "product.product_performance": "blocked", "journey.customer_journey": "blocked",
                                                 "customer.customer_segments": "published"])
        #expect(r.json["applied"] as? Bool == false)
        let catalog = (r.json["steps"] as? [[String: Any]])?.first { $0["product"] as? String == "product.catalog" }
        #expect((catalog?["reasons"] as? [String])?.first?.contains("invalidValues") == true, "\(catalog ?? [:])")
        #expect(try repo.published("product.catalog") == before, "the last good version stays published")
        #expect(try repo.engine().state(of: "product.catalog")?.version == 1)

        let status = StewardRunner.run(["status", "-C", repo.path, "--time", "2026-11-23T00:00:00Z"])
        #expect(status.status == 1)
        #expect(status.out.contains("product.catalog") && status.out.contains("failed"), "\(status.out)")
        let metrics = status.out.split(separator: "\n").first { $0.hasPrefix("  orders.order_metrics ") }
        #expect(metrics?.contains("blocked") == true && metrics?.contains("540 rows") == true, "\(status.out)")
        // Nothing changed: the same failure again, and still not applied.
        let again = repo.apply()
        #expect(again.status == 1)
        #expect(ExampleRepo.outcomes(again.json)["product.catalog"] == "failed")
        // Fixed: the failed product and the blocked ones publish.
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "'other'", with: "'uncategorized'")
        try repo.commit("catalog: back to uncategorized")
        let fixed = repo.apply()
        #expect(fixed.status == 0, "\(fixed.out)")
        #expect(ExampleRepo.outcomes(fixed.json).values.allSatisfy { $0 == "published" })
        #expect(StewardRunner.run(["status", "-C", repo.path, "--time", "2026-11-23T00:00:00Z"]).status == 0)
    }

    @Test func aTransformOutsideItsSandboxFailsAndPublishesNothing() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        let before = try repo.snapshot()
        let attempts = [
            ("SELECT * FROM orders_raw", "not declared"),
            ("ATTACH DATABASE '/tmp/steward-escape.db' AS escape; SELECT 1", "ATTACH"),
            ("SELECT load_extension('/tmp/evil.so')", "load_extension"),
        ]
        for (sql, _) in attempts {
            try repo.mesh.write("domains/customer/transforms/customer_segments.sql", sql)
            try repo.commit("segments: \(sql)")
            let r = repo.apply()
            #expect(r.status == 1)
            let step = (r.json["steps"] as? [[String: Any]])?.first { $0["product"] as? String == "customer.customer_segments" }
            #expect(step?["outcome"] as? String == "failed", "\(sql): \(r.out)")
            let reasons = step?["reasons"] as? [String] ?? []
            #expect(!reasons.isEmpty, "a clear reason for \(sql)")
            #expect(try repo.engine().state(of: "customer.customer_segments")?.version == 1, "nothing published for \(sql)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/steward-escape.db"))
        #expect(try repo.snapshot().filter { $0.hasPrefix("dataset") }.count == before.filter { $0.hasPrefix("dataset") }.count)
    }

    @Test func aSavedPlanIsRefusedWhenTheStateOrTheRevisionMoved() throws {
        let repo = try ExampleRepo()
        let planFile = repo.mesh.root.appendingPathComponent("plan.json").path
        let plan = StewardRunner.run(["plan", "-C", repo.path, "--format", "json"])
        try Data(plan.out.utf8).write(to: URL(fileURLWithPath: planFile))
        // The revision moved: refused before anything happens.
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "WHEN MIN(price) < 20 ", with: "WHEN MIN(price) < 25 ")
        try repo.commit("catalog: budget under 25")
        let moved = repo.apply(["--plan", planFile])
        #expect(moved.status == 2 && moved.err.contains("is now"), "\(moved.err)")
        #expect(try repo.mesh.git("for-each-ref", "refs/steward/") == "", "nothing written")
        // A plan of the new tip applies; then it is stale, because the state moved.
        let fresh = StewardRunner.run(["plan", "-C", repo.path, "--format", "json"])
        try Data(fresh.out.utf8).write(to: URL(fileURLWithPath: planFile))
        let applied = repo.apply(["--plan", planFile])
        #expect(applied.status == 0, "\(applied.err)")
        let stale = repo.apply(["--plan", planFile])
        #expect(stale.status == 2 && stale.err.contains("state moved"), "\(stale.err)")
        #expect(repo.apply(["--plan", planFile, "--prune"]).status == 2)
        #expect(repo.apply(["--plan", "/nonexistent/plan.json"]).status == 2)
    }

    @Test func badInputChangesNothing() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply(["--rev", "no-such-rev"]).status == 2)
        #expect(repo.apply(["--as-of", "yesterday"]).status == 2)
        try repo.mesh.write("domains/customer/products/customer_360.odps.yaml", "apiVersion: [unclosed\n")
        try repo.commit("break the mesh")
        let broken = repo.apply()
        #expect(broken.status == 2)
        #expect(broken.err.contains("--> domains/customer/products/customer_360.odps.yaml:2:1"), "\(broken.err)")
        #expect(try repo.mesh.git("for-each-ref", "refs/steward/") == "", "nothing written")
        #expect(!FileManager.default.fileExists(atPath: repo.warehouse.path))
    }

    @Test func historyShowsWhatWasMaterializedFromEachCommit() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        let first = try repo.mesh.git("rev-parse", "HEAD")
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "'uncategorized'", with: "'other'")
        try repo.commit("catalog: other")
        #expect(repo.apply().status == 1)
        // A commit that does not touch the catalog: the next apply rebuilds nothing of it.
        try repo.mesh.edit("domains/customer/transforms/customer_segments.sql", replacing: "tenure_days < 180 ", with: "tenure_days < 90 ")
        try repo.commit("segments: 90 days")
        let r = StewardRunner.run(["history", "product.catalog", "-C", repo.path, "--no-verdict", "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let commits = json["commits"] as? [[String: Any]] ?? []
        #expect(commits.count == 2)
        let made = commits.map { ($0["materialized"] as? [[String: Any]] ?? []).map { "\($0["outcome"]!) \($0["version"] ?? "-")" } }
        #expect(made == [["failed 1"], ["published 1"]], "\(made)")
        #expect((commits.last?["materialized"] as? [[String: Any]])?.first?["applied"] as? String == first)
        // From the first commit, the later (failed) apply is not shown: it made a later change live.
        let older = StewardRunner.run(["history", "product.catalog", "-C", repo.path, "--no-verdict", "--rev", first, "--format", "json"])
        #expect(older.out.components(separatedBy: "\"outcome\"").count - 1 == 1 && older.out.contains("\"published\""), "\(older.out)")
        let text = StewardRunner.run(["history", "product.catalog", "-C", repo.path, "--no-verdict"])
        #expect(text.out.contains("materialized: failed (v1 stayed published)"), "\(text.out)")
    }

    @Test func aRecordedCheckWritesEachWaiverItUsed() throws {
        let repo = try ExampleRepo()
        // The example mesh keeps personal data past privacy.piiRetention under a waiver.
        let r = StewardRunner.run(["check", "-C", repo.path, "--base", "HEAD", "--head", "HEAD", "--all", "--record",
                                   "--time", "2026-07-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("with 2 waiver-used entries"), "\(r.err)")
        let used = StewardRunner.run(["audit", "log", "-C", repo.path, "--type", "waiver-used", "--format", "json"]).out
        #expect(used.contains("privacy.piiRetention") && used.contains("\"owner\""), "\(used)")
        #expect(StewardRunner.run(["audit", "verify", "-C", repo.path]).status == 0)
        // Once the waiver has expired, nothing is waived and nothing recorded as used.
        let late = StewardRunner.run(["check", "-C", repo.path, "--base", "HEAD", "--head", "HEAD", "--all", "--record",
                                      "--time", "2028-07-01T00:00:00Z"])
        #expect(late.status == 1 && !late.err.contains("waiver-used"), "\(late.err)")
    }

    @Test func publishedDataThatIsGoneIsRebuiltNotTrustedToTheState() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        // A table dropped behind steward's back: only that product is rebuilt.
        let engine = try repo.engine()
        #expect(try engine.retire("product.catalog"))
        let r = repo.apply()
        #expect(r.status == 0, "\(r.err)")
        #expect(ExampleRepo.outcomes(r.json) == ["product.catalog": "published"])
        let step = (r.json["steps"] as? [[String: Any]])?.first
        #expect((step?["reasons"] as? [String]) == ["its published data is gone from the warehouse"])
        // The whole warehouse deleted: everything is rebuilt, even though the commit is applied.
        try FileManager.default.removeItem(at: repo.warehouse)
        let all = repo.apply()
        #expect(all.status == 0, "\(all.err)")
        #expect(ExampleRepo.outcomes(all.json).count == 7 && ExampleRepo.outcomes(all.json).values.allSatisfy { $0 == "published" })
        #expect(repo.apply().out.contains("nothingToDo"))
    }

    @Test func aProductRemovedFromTheMeshIsKeptUnlessPruned() throws {
        let repo = try ExampleRepo()
        #expect(repo.apply().status == 0)
        // journey.customer_journey consumes nothing else: removing it leaves a valid mesh.
        try repo.mesh.git("rm", "-rq", "domains/journey")
        try repo.commit("retire the journey domain")
        let kept = repo.apply()
        #expect(kept.status == 0, "\(kept.err)")
        #expect(ExampleRepo.outcomes(kept.json) == ["journey.customer_journey": "orphaned"])
        #expect(try repo.engine().state(of: "journey.customer_journey")?.version == 1)
        let pruned = repo.apply(["--prune"])
        #expect(pruned.status == 0, "\(pruned.err)")
        #expect(ExampleRepo.outcomes(pruned.json) == ["journey.customer_journey": "retired"])
        #expect(try repo.engine().state(of: "journey.customer_journey")?.version == nil)
        #expect(repo.apply(["--prune"]).out.contains("nothingToDo"))
    }
}

/// Two applies never run together: the lease keeps the second out, or makes it wait.
@Suite struct ApplyConcurrencyTests {
    @Test func aHeldLeaseRefusesOrWaits() throws {
        let repo = try ExampleRepo()
        let git = try Repository.discover(from: repo.path)
        // A live holder (this very process) on this machine.
        let lease = try Lease.acquire(in: git, holder: "eve@acme.example", run: "other-run", for: 600)
        let refused = repo.apply()
        #expect(refused.status == 2)
        #expect(refused.err.contains("eve@acme.example") && refused.err.contains("other-run"), "\(refused.err)")
        #expect(try StateStore(repository: git).read().tip == nil, "nothing written")
        try lease.release(in: git)
        #expect(repo.apply(["--wait", "5"]).status == 0)
    }

    @Test func twoProcessesStartedTogetherTakeTurns() throws {
        let repo = try ExampleRepo()
        let runs = (0..<2).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ExecutableTests.binary)
            p.arguments = ["apply", "-C", repo.path, "--as-of", ExampleRepo.asOf, "--wait", "120", "--format", "json"]
            p.environment = ["STEWARD_MASKING_SALT": ExampleRepo.salt, "PATH": "/usr/bin:/bin"]
            p.standardOutput = Pipe()
            p.standardError = Pipe()
            return p
        }
        for p in runs { try p.run() }
        for p in runs { p.waitUntilExit() }
        #expect(runs.allSatisfy { $0.terminationStatus == 0 }, "\(runs.map { String(decoding: ($0.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) })")
        let outputs = runs.map { String(decoding: ($0.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        // One built everything; the other, after it, found nothing to do.
        #expect(outputs.filter { $0.contains("\"nothingToDo\" : true") }.count == 1, "\(outputs)")
        // The state's history: each run's commits are contiguous, never interleaved.
        let messages = try repo.mesh.git("log", "--format=%s", "--reverse", StateStore.ref).split(separator: "\n")
        let runIDs = messages.compactMap { m in m.range(of: "run ").map { String(m[$0.upperBound...].prefix(25)) } }
        var seen: [String] = []
        for id in runIDs where seen.last != id {
            #expect(!seen.contains(id), "run \(id) resumed after another run wrote: \(messages)")
            seen.append(id)
        }
        #expect(try repo.engine().state(of: "journey.customer_journey")?.version == 1, "built once")
    }
}
