import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// The commands as a user runs them: arguments in, text and exit status out.
@Suite struct CLITests {
    /// The package root, which is itself the example mesh.
    static let exampleMesh = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func lintOfTheExampleMeshModelIsClean() {
        let r = StewardRunner.run(["lint", "-C", Self.exampleMesh, "--no-policies"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("ok"))
    }

    /// The example mesh keeps personal data five years, past the 365-day maximum of
    /// privacy.piiRetention, under a waiver that expires at the end of 2027: lint reports both
    /// findings as waived while it holds, and as errors once it has expired.
    @Test func lintEvaluatesThePoliciesOfTheExampleMesh() throws {
        func run(_ at: String) throws -> (Int32, [String]) {
            let r = StewardRunner.run(["lint", "-C", Self.exampleMesh, "--time", at, "--format", "json"])
            let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            let ds = json?["diagnostics"] as? [[String: Any]] ?? []
            return (r.status, ds.map { "\($0["severity"] ?? "") \($0["id"] ?? "") \(($0["location"] as? [String: Any])?["path"] ?? "")" })
        }
        let (waived, now) = try run("2026-07-01T00:00:00Z")
        #expect(waived == 0)
        #expect(now == [
            "note privacy.piiRetention domains/customer/contracts/customer_360.odcs.yaml",
            "note privacy.piiRetention domains/customer/contracts/customers_raw.odcs.yaml",
        ])
        let (expired, later) = try run("2028-01-01T00:00:00Z")
        #expect(expired == 1)
        #expect(later == [
            "error privacy.piiRetention domains/customer/contracts/customer_360.odcs.yaml",
            "error privacy.piiRetention domains/customer/contracts/customers_raw.odcs.yaml",
            "warning POL0503 waivers/privacy.yaml",
            "warning POL0503 waivers/privacy.yaml",
        ])
    }

    @Test func lintReportsEachProblemWithItsPlace() throws {
        let mesh = try ScratchMesh()
        try mesh.edit("domains/sales/products/daily_sales.odps.yaml", replacing: "contractId: sales.orders_raw",
                      with: "contractId: sales.order_raw")
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "unit: h", with: "unit: m")
        let r = StewardRunner.run(["lint", "-C", mesh.path])
        #expect(r.status == 1)
        #expect(r.out.contains("error[MESH0301]: input port `orders` names unknown contract `sales.order_raw`"))
        #expect(r.out.contains("--> domains/sales/products/daily_sales.odps.yaml:10:17"))
        #expect(r.out.contains("= help: did you mean `sales.orders_raw`?"))
        #expect(r.out.contains("10 |     contractId: sales.order_raw"))  // quoted from the tree
        #expect(r.out.contains("--> domains/sales/contracts/daily_sales.odcs.yaml:20:11"))
        #expect(r.out.contains("2 errors, 0 warnings"))
    }

    @Test func lintAtARevisionReadsTheCommitNotTheWorkTree() throws {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "a valid mesh")
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "unit: h", with: "unit: m")

        let worktree = StewardRunner.run(["lint", "-C", mesh.path])
        #expect(worktree.status == 1)
        #expect(worktree.out.contains("MESH0108"))
        #expect(worktree.out.contains("work tree"))

        let head = StewardRunner.run(["lint", "-C", mesh.path + "/domains/sales", "--rev", "HEAD"])
        #expect(head.status == 0, "\(head.out)\(head.err)")

        try mesh.git("commit", "-q", "-am", "break the unit")
        let broken = StewardRunner.run(["lint", "-C", mesh.path, "--rev", "main"])
        #expect(broken.status == 1)
        let previous = StewardRunner.run(["lint", "-C", mesh.path, "--rev", "HEAD~1"])
        #expect(previous.status == 0)
    }

    @Test func badRevisionIsAUsageError() throws {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "init")
        let r = StewardRunner.run(["lint", "-C", mesh.path, "--rev", "no-such-branch"])
        #expect(r.status == 2)
        #expect(r.err.contains("no-such-branch"))
    }

    @Test func revisionOutsideARepositoryIsAUsageError() throws {
        let mesh = try ScratchMesh()
        let r = StewardRunner.run(["lint", "-C", mesh.path, "--rev", "HEAD"])
        #expect(r.status == 2)
        #expect(r.err.contains("not inside a git repository"))
    }

    @Test func validateExitCodes() throws {
        let mesh = try ScratchMesh()
        let good = mesh.path + "/domains/sales/contracts/daily_sales.odcs.yaml"
        #expect(StewardRunner.run(["validate", good]).status == 0)
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "required: true", with: "requird: true")
        let bad = StewardRunner.run(["validate", good])
        #expect(bad.status == 1)
        #expect(bad.out.contains("did you mean `required`?"))
        #expect(StewardRunner.run(["validate", mesh.path + "/nope.odcs.yaml"]).status == 2)
        #expect(StewardRunner.run(["validate"]).status == 2)
    }

    @Test func showProductPrintsItsContract() {
        let r = StewardRunner.run(["show", "product", "customer.customer_360", "-C", Self.exampleMesh])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("product customer.customer_360"))
        #expect(r.out.contains("contract customer.customer_360"))
        #expect(r.out.contains("pii"))
        let unknown = StewardRunner.run(["show", "product", "customer.customer_36", "-C", Self.exampleMesh])
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("did you mean `customer.customer_360`?"))
    }

    @Test func showProductJSON() throws {
        let r = StewardRunner.run(["show", "product", "journey.customer_journey", "-C", Self.exampleMesh, "--format", "json"])
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(json["id"] as? String == "journey.customer_journey")
        #expect((json["inputs"] as? [[String: Any]])?.isEmpty == false)
    }

    @Test func graphFormats() throws {
        let mermaid = StewardRunner.run(["graph", "-C", Self.exampleMesh])
        #expect(mermaid.status == 0)
        #expect(mermaid.out.hasPrefix("flowchart LR"))
        #expect(mermaid.out.contains("-.->"))  // cross-domain edges are dashed
        let dot = StewardRunner.run(["graph", "-C", Self.exampleMesh, "--format", "dot"])
        #expect(dot.out.hasPrefix("digraph mesh {"))
        let json = StewardRunner.run(["graph", "-C", Self.exampleMesh, "--format", "json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let order = try #require(obj["order"] as? [String])
        // dependency order: every producer comes before its consumers
        #expect(order.firstIndex(of: "customer.customer_360")! < order.firstIndex(of: "journey.customer_journey")!)
        #expect(order.firstIndex(of: "product.catalog")! < order.firstIndex(of: "orders.order_metrics")!)
        #expect(order.count == 7)
    }
}

/// The real executable, for what only the process shows: exit codes and the streams.
@Suite struct ExecutableTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("steward").path

    func run(_ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func documentedExitCodes() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the steward product first")
        let (clean, out, _) = try run(["lint", "-C", CLITests.exampleMesh, "--no-policies"])
        #expect(clean == 0)
        #expect(out.contains("ok"))
        #expect(try run(["lint", "-C", CLITests.exampleMesh, "--time", "2026-07-01T00:00:00Z"]).0 == 0)
        #expect(try run(["lint", "-C", CLITests.exampleMesh, "--time", "2028-07-01T00:00:00Z"]).0 == 1)
        #expect(try run(["no-such-command"]).0 == 2)
        #expect(try run(["lint", "--format", "xml"]).0 == 2)
        #expect(try run(["--help"]).0 == 0)
        let (bad, _, err) = try run(["lint", "-C", "/nonexistent-folder"])
        #expect(bad == 2)
        #expect(err.contains("is not a folder"))
    }
}
