import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// `check` loads only the change's neighbourhood (ScopedPair); these are changes at the edges
/// of that neighbourhood, each checked both ways: the report must be the whole mesh's.
@Suite struct ScopedCheckTests {
    func commit(_ mesh: ScratchMesh, as email: String, _ message: String = "change") throws {
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=\(email)", "commit", "-q", "-m", message)
    }

    /// Runs the check scoped and on the whole mesh; returns the scoped run. The scoped check
    /// runs twice: first finding readers in the product files (and keeping their words), then
    /// in the kept words.
    @discardableResult
    func agree(_ mesh: ScratchMesh, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) -> (status: Int32, out: String) {
        let args = ["check", "-C", mesh.path, "--format", "json", "--time", "2026-07-01T00:00:00Z"] + extra
        let scoped = StewardRunner.run(args)
        let again = StewardRunner.run(args)
        let whole = StewardRunner.run(args + ["--whole-mesh"])
        #expect(whole.status == scoped.status && whole.out == scoped.out,
                "scoped and whole-mesh checks differ:\n\(scoped.status) \(scoped.out)\n\(scoped.err)\n---\n\(whole.status) \(whole.out)\n\(whole.err)",
                sourceLocation: sourceLocation)
        #expect(again.status == scoped.status && again.out == scoped.out && again.err == scoped.err,
                "the scoped check differs on its second run:\n\(again.status) \(again.out)\n\(again.err)", sourceLocation: sourceLocation)
        // --all: the head whole, the base scoped; the report must be the whole meshes'.
        let all = StewardRunner.run(args + ["--all"])
        let allWhole = StewardRunner.run(args + ["--all", "--whole-mesh"])
        #expect(all.status == allWhole.status && all.out == allWhole.out,
                "--all with a scoped base and on the whole meshes differ:\n\(all.status) \(all.out)\n\(all.err)\n---\n\(allWhole.status) \(allWhole.out)\n\(allWhole.err)",
                sourceLocation: sourceLocation)
        return (scoped.status, scoped.out + scoped.err)
    }

    static let ops: [(String, String)] = [
        ("domains/ops/domain.yaml", """
        apiVersion: steward/v1
        kind: Domain
        name: ops
        owners:
          team: ops-data
          members: [olga@acme.example]

        """),
        ("domains/ops/contracts/load.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: ops.load
        version: 1.0.0
        status: active
        schema:
          - name: load
            properties:
              - name: day
                logicalType: date

        """),
        ("domains/ops/products/load.odps.yaml", """
        apiVersion: v1.0.0
        kind: DataProduct
        id: 7d1f3c9e-0000-4000-8000-000000000009
        name: load
        domain: ops
        status: active
        inputPorts:
          - name: daily_sales
            version: 1.0.0
            contractId: sales.daily_sales
        outputPorts:
          - name: load
            version: 1.0.0
            contractId: ops.load

        """),
        ("domains/ops/transforms/load.sql", "SELECT day FROM daily_sales;\n"),
    ]

    @Test func aBreakingChangeWithAConsumerThatHasNoGrant() throws {
        // ops reads sales.daily_sales, which grants only sales: a finding on ops, but still a
        // consumer the breaking change reaches.
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing + Self.ops)
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "      - name: orders\n        logicalType: integer\n        quality:\n          - metric: nullValues\n            mustBe: 0\n", with: "")
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: ", count(*) AS orders", with: "")
        try commit(mesh, as: "sam@acme.example")
        agree(mesh)
    }

    @Test func aNonBreakingChangeToAContractReadWithoutAGrant() throws {
        // The inputs that read a changed contract are in scope: ops's has no grant.
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing + Self.ops)
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try commit(mesh, as: "sam@acme.example")
        let r = agree(mesh)
        #expect(r.out.contains("ops.load/inputs/daily_sales"), "\(r.out)")
    }

    @Test func anAllCheckSeesDomainsOutsideTheChangeWithTheirWaivers() throws {
        // A change in marketing (a description: no semantic change, but the file is checked, so
        // the sales contract it reads must be loaded): ops is outside its neighbourhood, so
        // `--all` loads ops whole at the head and only its domain file and waivers at the base.
        // Its input without a grant fails everywhere, waived by ops's own waiver; nothing of
        // ops shows as added.
        let waiver = ("domains/ops/waivers/grant.yaml", """
        apiVersion: steward/v1
        kind: Waivers
        waivers:
          - policy: access.crossDomainGrant
            target: ops.load/inputs/daily_sales
            reason: a grant is on its way
            owner: olga@acme.example
            approvedBy: ada@acme.example
            expires: 2027-01-01T00:00:00Z

        """)
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing + Self.ops + [waiver])
        try mesh.edit("domains/marketing/products/reach.odps.yaml", replacing: "status: active", with: "status: active\ndescription:\n  purpose: Reach of each order.")
        try commit(mesh, as: "mia@acme.example")
        agree(mesh)
        let all = StewardRunner.run(["check", "-C", mesh.path, "--format", "json", "--time", "2026-07-01T00:00:00Z", "--all"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(all.out.utf8)) as? [String: Any], "\(all.out)\n\(all.err)")
        let findings = (json["findings"] as? [[String: Any]] ?? []).filter { $0["target"] as? String == "ops.load/inputs/daily_sales" }
        #expect(findings.map { "\($0["policy"]!) \($0["waived"]!)" } == ["access.crossDomainGrant 1"], "\(all.out)")
        #expect((json["changes"] as? [[String: Any]] ?? []).allSatisfy { ($0["id"] as? String)?.hasPrefix("ops") != true }, "\(all.out)")
    }

    @Test func aPolicyThatCountsTheMeshsDomainsSeesTheWholeMesh() throws {
        // A change in marketing does not reach ops, so no scope of it holds ops: a policy that
        // reads `mesh.domains` makes the check (and --all) load everything.
        let policy = ("policies/domains.policy", """
        policy mesh.fewDomains {
          title "A small mesh"
          level mandatory
          target product
          require len(mesh.domains) <= 2
          message "the mesh has {len(mesh.domains)} domains"
        }

        """)
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing + Self.ops + [policy])
        try mesh.edit("domains/marketing/products/reach.odps.yaml", replacing: "status: active", with: "status: active\ndescription:\n  purpose: Reach of each order.")
        try commit(mesh, as: "mia@acme.example")
        let r = agree(mesh)
        #expect(r.out.contains("the mesh has 3 domains"), "\(r.out)")
    }

    @Test func aBreakingChangeToASourceReadInAnotherDomain() throws {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "      - name: order_ts\n        logicalType: timestamp\n", with: "")
        try commit(mesh, as: "sam@acme.example")
        agree(mesh)
    }

    @Test func aDeletedConsumerDomain() throws {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        try mesh.git("rm", "-r", "-q", "domains/marketing")
        try commit(mesh, as: "ada@acme.example")
        agree(mesh)
    }

    @Test func aDeletedProducerDomainWhoseContractIsStillRead() throws {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        try mesh.git("rm", "-r", "-q", "domains/sales")
        try commit(mesh, as: "ada@acme.example")
        agree(mesh)
    }

    @Test func aProductMovedToAnotherDomain() throws {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        try FileManager.default.createDirectory(at: mesh.root.appendingPathComponent("domains/growth/products"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: mesh.root.appendingPathComponent("domains/growth/transforms"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: mesh.root.appendingPathComponent("domains/growth/contracts"), withIntermediateDirectories: true)
        try mesh.write("domains/growth/domain.yaml", "apiVersion: steward/v1\nkind: Domain\nname: growth\nowners:\n  team: growth\n  members: [gil@acme.example]\n")
        try mesh.git("mv", "domains/marketing/products/reach.odps.yaml", "domains/growth/products/reach.odps.yaml")
        try mesh.git("mv", "domains/marketing/transforms/reach.sql", "domains/growth/transforms/reach.sql")
        try mesh.git("mv", "domains/marketing/contracts/reach.odcs.yaml", "domains/growth/contracts/reach.odcs.yaml")
        try mesh.edit("domains/growth/products/reach.odps.yaml", replacing: "domain: marketing", with: "domain: growth")
        try mesh.edit("domains/growth/contracts/reach.odcs.yaml", replacing: "id: marketing.reach", with: "id: growth.reach")
        try mesh.edit("domains/growth/products/reach.odps.yaml", replacing: "contractId: marketing.reach", with: "contractId: growth.reach")
        try commit(mesh, as: "ada@acme.example")
        agree(mesh)
    }

    @Test func aWaiverAPolicyAndADomainPolicyChange() throws {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        try mesh.write("waivers/sales.yaml", CheckTests.retentionWaiver)
        try commit(mesh, as: "sam@acme.example", "a waiver")
        agree(mesh)
        try mesh.edit("policies/privacy.policy", replacing: "  level hard\n", with: "  level advisory\n")
        try commit(mesh, as: "sam@acme.example", "a policy")
        agree(mesh)
        try mesh.write("domains/marketing/policies/reach.policy", """
        policy marketing.reachHasOrder {
          title "reach has order_id"
          level mandatory
          target contract
          require contract.id != "sales.orders_raw"
          message "no"
        }

        """)
        try commit(mesh, as: "mia@acme.example", "a domain policy")
        agree(mesh)
        agree(mesh, ["--base", "HEAD~1"])
    }

    @Test func aConsumerInAnotherDomainOfAChangedProduct() throws {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        // The producer's transform changes: marketing reads its source.
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: "count(*)", with: "count(order_id)")
        try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "value: [marketing]", with: "value: [marketing, sales]")
        try commit(mesh, as: "sam@acme.example")
        agree(mesh)
    }
}
