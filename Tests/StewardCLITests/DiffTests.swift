import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// `steward diff` as a user runs it, on files and on a real repository.
@Suite struct DiffTests {
    func repository() throws -> ScratchMesh {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "a valid mesh")
        try mesh.git("checkout", "-q", "-b", "change")
        return mesh
    }

    @Test func aRemovedColumnIsBreakingAndNamesItsConsumers() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "      - name: order_ts\n        logicalType: timestamp\n", with: "")
        try mesh.git("commit", "-q", "-am", "drop order_ts")
        let r = StewardRunner.run(["diff", "-C", mesh.path])
        #expect(r.status == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("BREAKING  property.removed  sales.orders_raw.orders.order_ts: `orders.order_ts` removed"))
        #expect(r.out.contains("impact: read by sales.daily_sales (domains sales)"))
        #expect(r.out.contains("1 changes, 1 breaking"))
        let json = try JSONSerialization.jsonObject(with: Data(StewardRunner.run(["diff", "-C", mesh.path, "--format", "json"]).out.utf8)) as? [String: Any]
        let change = (json?["changes"] as? [[String: Any]])?.first
        #expect(change?["kind"] as? String == "property.removed")
        #expect(change?["breaking"] as? Bool == true)
        #expect((json?["head"] as? String)?.count == 40)
    }

    @Test func safeChangesExitZero() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try mesh.git("commit", "-q", "-am", "fresher")
        let r = StewardRunner.run(["diff", "-C", mesh.path, "--base", "main", "--head", "change", "--format", "markdown"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("| safe | `freshness.tightened` | `sales.daily_sales` | freshness 6h → 2h |  |"))
    }

    @Test func twoContractFiles() throws {
        let mesh = try ScratchMesh()
        let old = mesh.root.appendingPathComponent("domains/sales/contracts/daily_sales.odcs.yaml").path
        let new = mesh.root.appendingPathComponent("new.odcs.yaml").path
        try mesh.write("new.odcs.yaml", try mesh.read("domains/sales/contracts/daily_sales.odcs.yaml").replacingOccurrences(of: "value: 2\n    unit: y", with: "value: 1\n    unit: y"))
        let r = StewardRunner.run(["diff", old, new])
        #expect(r.status == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("retention.shortened  sales.daily_sales: retention 2y → 1y"))
        #expect(StewardRunner.run(["diff", old, old]).out.contains("no semantic changes"))
        #expect(StewardRunner.run(["diff", old, "/nonexistent.odcs.yaml"]).status == 2)
        #expect(StewardRunner.run(["diff", old]).status == 2)
    }

    @Test func aBadRevisionIsAUsageError() throws {
        let mesh = try repository()
        let r = StewardRunner.run(["diff", "-C", mesh.path, "--base", "no-such-branch"])
        #expect(r.status == 2)
        #expect(r.err.contains("no-such-branch"))
    }
}
