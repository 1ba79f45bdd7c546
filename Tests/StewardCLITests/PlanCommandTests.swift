import Foundation
import StewardCLI
import StewardGit
import StewardReconcile
import StewardTestSupport
import Testing

/// `steward plan` on a real repository, against a state written the way apply writes it.
@Suite struct PlanCommandTests {
    func repository() throws -> ScratchMesh {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "the mesh")
        return mesh
    }

    func commit(_ mesh: ScratchMesh, _ message: String) throws {
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", message)
    }

    func plan(_ mesh: ScratchMesh, _ args: [String] = []) throws -> (status: Int32, json: [String: Any], steps: [String], err: String) {
        let r = StewardRunner.run(["plan", "-C", mesh.path, "--format", "json"] + args)
        let json = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]) ?? [:]
        let steps = (json["steps"] as? [[String: Any]] ?? []).map { "\($0["action"]!) \($0["product"]!)" }
        return (r.status, json, steps, r.err)
    }

    /// Records every planned product as applied at the planned commit, as apply would.
    func markApplied(_ mesh: ScratchMesh, _ json: [String: Any], status: ReconcileState.ProductState.Status = .ok,
                     finished: String = "2026-07-01T00:00:00Z", reasons: [String] = []) throws {
        let repo = try Repository.discover(from: mesh.path)
        let store = StateStore(repository: repo)
        var (state, tip) = try store.read()
        let target = json["target"] as! String
        for s in json["steps"] as? [[String: Any]] ?? [] {
            state.products[s["product"] as! String] = .init(fingerprint: s["fingerprint"] as! String,
                                                            outputVersion: s["outputVersion"] as? String, status: status, commit: target,
                                                            lastRun: .init(run: "r1", finished: finished, rows: 42, reasons: reasons))
        }
        state.applied = target
        try store.write(state, expecting: tip, message: "applied \(target)",
                        by: Signature(name: "steward", email: "steward@acme.example", date: Date()))
    }

    @Test func planThenNothingThenOnlyWhatChanged() throws {
        let mesh = try repository()
        let first = try plan(mesh)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.steps == ["create sales.daily_sales"])
        #expect(first.json["target"] as? String == (try mesh.git("rev-parse", "main")))
        try markApplied(mesh, first.json)

        let none = StewardRunner.run(["plan", "-C", mesh.path])
        #expect(none.status == 0 && none.out.contains("Nothing to do"), "\(none.out)")

        // A description edit runs nothing; a transform edit rebuilds.
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "version: 1.0.0", with: "version: 1.0.0\ndescription:\n  purpose: Sales per day, for the dashboards")
        try commit(mesh, "describe the daily sales")
        #expect(try plan(mesh).steps.isEmpty)
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: "count(*)", with: "count(order_id)")
        try commit(mesh, "count order ids")
        let rebuild = try plan(mesh)
        #expect(rebuild.steps == ["rebuild sales.daily_sales"])
        #expect((rebuild.json["summary"] as? [String: Int])?["rebuild"] == 1)
        #expect(rebuild.json["stateTip"] as? String == (try mesh.git("rev-parse", StateStore.ref)))

        // --rev plans for another commit: the one before the edit needs nothing.
        #expect(try plan(mesh, ["--rev", "HEAD~1"]).steps.isEmpty)
        let text = StewardRunner.run(["plan", "-C", mesh.path])
        #expect(text.out.contains("~ rebuild  sales.daily_sales"), "\(text.out)")
        #expect(text.out.contains("Plan: 0 to create, 1 to rebuild"), "\(text.out)")
        let md = StewardRunner.run(["plan", "-C", mesh.path, "--format", "markdown"])
        #expect(md.out.contains("| ~ | rebuild | `sales.daily_sales` |"), "\(md.out)")
    }

    @Test func badInputIsAUsageErrorAndChangesNothing() throws {
        let mesh = try repository()
        #expect(try plan(mesh, ["--rev", "nope"]).status == 2)
        try mesh.edit("domains/sales/products/daily_sales.odps.yaml", replacing: "contractId: sales.orders_raw", with: "contractId: sales.order_raw")
        try commit(mesh, "a typo")
        let broken = try plan(mesh)
        #expect(broken.status == 2)
        #expect(broken.err.contains("does not load") && broken.err.contains("sales.order_raw"), "\(broken.err)")
        #expect((try? mesh.git("rev-parse", "--verify", "-q", StateStore.ref)) == nil, "plan wrote state")
    }

    func status(_ mesh: ScratchMesh, _ args: [String]) throws -> (status: Int32, json: [String: Any], out: String) {
        let r = StewardRunner.run(["status", "-C", mesh.path, "--format", "json"] + args)
        let json = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]) ?? [:]
        return (r.status, json, r.out + r.err)
    }

    @Test func statusShowsSyncDriftFailuresAndStaleProducts() throws {
        let mesh = try repository()
        let before = try status(mesh, [])
        #expect(before.status == 1 && before.json["inSync"] as? Bool == false, "\(before.out)")
        #expect((before.json["drift"] as? [String: Int]) == ["create": 1])

        try markApplied(mesh, try plan(mesh).json)
        // The daily sales promise a latency of 6 h: an hour after the run it is fresh.
        let fresh = try status(mesh, ["--time", "2026-07-01T01:00:00Z"])
        #expect(fresh.status == 0, "\(fresh.out)")
        let row = (fresh.json["products"] as? [[String: Any]])?.first
        #expect(row?["product"] as? String == "sales.daily_sales" && row?["rows"] as? Int == 42 && row?["age"] as? Int == 3600)
        #expect(row?["latency"] as? Int == 21_600 && row?["stale"] as? Bool == false)

        let late = StewardRunner.run(["status", "-C", mesh.path, "--time", "2026-07-01T07:00:00Z"])
        #expect(late.status == 1)
        #expect(late.out.contains("STALE") && late.out.contains("sales.daily_sales: last good run 7h ago, its SLA allows 6h"), "\(late.out)")

        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: "count(*)", with: "count(order_id)")
        try commit(mesh, "count order ids")
        let drifted = try status(mesh, ["--time", "2026-07-01T01:00:00Z"])
        #expect(drifted.status == 1 && (drifted.json["drift"] as? [String: Int]) == ["rebuild": 1], "\(drifted.out)")
    }

    @Test func aFailedProductIsReportedWithItsReasons() throws {
        let mesh = try repository()
        try markApplied(mesh, try plan(mesh).json, status: .failed, reasons: ["nullValues of day: 12% ≥ 5%"])
        let r = StewardRunner.run(["status", "-C", mesh.path, "--time", "2026-07-01T01:00:00Z"])
        #expect(r.status == 1)
        #expect(r.out.contains("failed") && r.out.contains("nullValues of day: 12% ≥ 5%") && r.out.contains("pending: retry"), "\(r.out)")
    }
}
