import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// `steward check` on pull-request branches of a real repository, one rule per branch.
@Suite struct CheckTests {
    func repository(extraBase: [(String, String)] = []) throws -> ScratchMesh {
        try .pullRequest(extraBase: extraBase)
    }

    func commit(_ mesh: ScratchMesh, as email: String, _ message: String = "change") throws {
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=\(email)", "commit", "-q", "-m", message)
    }

    struct Result {
        var status: Int32
        var verdict: String
        /// `policy target outcome` of each unwaived fail or error; waived ones end in `waived`.
        var findings: [String]
        /// `policy target outcome` of every finding, advisory and warning ones too.
        var allFindings: [String]
        var out: String
    }

    func check(_ mesh: ScratchMesh, _ extra: [String] = []) throws -> Result {
        let r = StewardRunner.run(["check", "-C", mesh.path, "--format", "json", "--time", "2026-07-01T00:00:00Z"] + extra)
        // Every check here also runs on the whole mesh: loading only the change's scope must
        // not change a byte of the report.
        let whole = StewardRunner.run(["check", "-C", mesh.path, "--format", "json", "--time", "2026-07-01T00:00:00Z", "--whole-mesh"] + extra)
        #expect(whole.status == r.status && whole.out == r.out, "scoped and whole-mesh checks differ:\n\(r.out)\n---\n\(whole.out)\n\(r.err)\n\(whole.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] ?? [:]
        let findings = (json["findings"] as? [[String: Any]] ?? []).compactMap { f -> String? in
            guard ["mandatory", "hard"].contains(f["level"] as? String) else { return nil }
            return "\(f["policy"]!) \(f["target"]!) \((f["waived"] as? Bool) == true ? "waived" : f["outcome"]!)"
        }
        let all = (json["findings"] as? [[String: Any]] ?? []).map { "\($0["policy"]!) \($0["target"]!) \($0["outcome"]!)" }
        return Result(status: r.status, verdict: json["verdict"] as? String ?? "", findings: findings, allFindings: all, out: r.out + r.err)
    }

    @Test func aCleanChangeByAnOwnerPasses() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try commit(mesh, as: "sam@acme.example")
        let r = try check(mesh)
        #expect(r.status == 0, "\(r.out)")
        #expect(r.verdict == "pass")
        #expect(r.findings.isEmpty)
    }

    @Test func aPIIColumnWithoutMaskingFails() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "      - name: orders\n",
                      with: "      - name: top_email\n        logicalType: string\n        tags: [pii]\n      - name: orders\n")
        try commit(mesh, as: "sam@acme.example")
        let r = try check(mesh)
        #expect(r.status == 1)
        #expect(r.verdict == "fail")
        #expect(r.findings == [
            "privacy.piiMasking sales.daily_sales.daily_sales.top_email fail",
            "privacy.piiRetention sales.daily_sales fail",
        ])
    }

    @Test func aBreakingChangeWithoutAMajorVersionFails() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "      - name: orders\n        logicalType: integer\n", with: "")
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: ", count(*) AS orders", with: "")
        try commit(mesh, as: "sam@acme.example")
        let r = try check(mesh)
        #expect(r.status == 1, "\(r.out)")
        #expect(r.findings == ["versioning.breakingNeedsMajor sales.daily_sales:contract.modified fail"])
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "version: 1.0.0", with: "version: 2.0.0")
        try commit(mesh, as: "sam@acme.example", "major")
        #expect(try check(mesh).status == 0)
    }

    @Test func aMovedContractIsJudgedAsModifiedNotRemoved() throws {
        let mesh = try repository()
        try mesh.git("mv", "domains/sales/contracts/daily_sales.odcs.yaml", "domains/sales/contracts/daily_totals.odcs.yaml")
        try commit(mesh, as: "sam@acme.example", "move")
        let moved = try check(mesh)
        #expect(moved.status == 0, "\(moved.out)")
        #expect(!moved.out.contains("contract.removed"), "\(moved.out)")
        // A breaking edit in the moved file still needs a major version.
        try mesh.edit("domains/sales/contracts/daily_totals.odcs.yaml", replacing: "      - name: orders\n        logicalType: integer\n", with: "")
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: ", count(*) AS orders", with: "")
        try commit(mesh, as: "sam@acme.example")
        let r = try check(mesh)
        #expect(r.status == 1, "\(r.out)")
        #expect(r.findings == ["versioning.breakingNeedsMajor sales.daily_sales:contract.modified fail"])
    }

    /// A waiver of the retention finding on `sales.daily_sales`, until 2027-01-01.
    static let retentionWaiver = """
    apiVersion: steward/v1
    kind: Waivers
    waivers:
      - policy: privacy.piiRetention
        target: sales.daily_sales
        reason: audit trail
        owner: sam@acme.example
        approvedBy: ada@acme.example
        expires: 2027-01-01T00:00:00Z

    """

    /// A second domain whose product reads the sales orders, e-mail excluded, under a grant
    /// without PII.
    static let marketing: [(String, String)] = [
        ("domains/marketing/domain.yaml", """
        apiVersion: steward/v1
        kind: Domain
        name: marketing
        owners:
          team: marketing-data
          members: [mia@acme.example]

        """),
        ("domains/marketing/contracts/reach.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: marketing.reach
        version: 1.0.0
        status: active
        schema:
          - name: reach
            properties:
              - name: order_id
                logicalType: integer

        """),
        ("domains/marketing/products/reach.odps.yaml", """
        apiVersion: v1.0.0
        kind: DataProduct
        id: 7d1f3c9e-0000-4000-8000-000000000002
        name: reach
        domain: marketing
        status: active
        inputPorts:
          - name: orders
            version: 1.0.0
            contractId: sales.orders_raw
        outputPorts:
          - name: reach
            version: 1.0.0
            contractId: marketing.reach

        """),
        ("domains/marketing/transforms/reach.sql", "SELECT order_id FROM orders;\n"),
        ("domains/sales/contracts/orders_raw.odcs.yaml", ScratchMesh.valid.first { $0.0 == "domains/sales/contracts/orders_raw.odcs.yaml" }!.1 + """
        roles:
          - role: marketing_reader
            access: read
            customProperties:
              - property: domains
                value: [marketing]

        """),
    ]

    @Test func aTransformChangeEvaluatesItsProduct() throws {
        let mesh = try repository(extraBase: Self.marketing)
        try mesh.edit("domains/marketing/transforms/reach.sql", replacing: "SELECT order_id", with: "SELECT order_id, email")
        try commit(mesh, as: "mia@acme.example")
        let r = try check(mesh)
        #expect(r.status == 1, "\(r.out)")
        #expect(r.findings == ["access.piiGrant marketing.reach/inputs/orders fail"])
        let json = try JSONSerialization.jsonObject(with: Data(StewardRunner.run(["check", "-C", mesh.path, "--format", "json"]).out.utf8)) as? [String: Any]
        let change = (json?["changes"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "product.transformChanged" }
        #expect(change?["path"] as? String == "domains/marketing/transforms/reach.sql")
    }

    @Test func aContractChangeEvaluatesItsProducer() throws {
        let weekly = [
            ("domains/sales/contracts/weekly.odcs.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: sales.weekly_report
            version: 1.0.0
            status: active
            schema:
              - name: weekly
                properties:
                  - name: week
                    logicalType: date
            slaProperties:
              - property: latency
                value: 6
                unit: h
                element: weekly.week

            """),
            ("domains/sales/products/weekly.odps.yaml", """
            apiVersion: v1.0.0
            kind: DataProduct
            id: 7d1f3c9e-0000-4000-8000-000000000003
            name: weekly
            domain: sales
            status: active
            tags: [critical]
            inputPorts:
              - name: daily_sales
                version: 1.0.0
                contractId: sales.daily_sales
            outputPorts:
              - name: weekly
                version: 1.0.0
                contractId: sales.weekly_report

            """),
            ("domains/sales/transforms/weekly.sql", "SELECT day AS week FROM daily_sales;\n"),
        ]
        let mesh = try repository(extraBase: weekly)
        try mesh.edit("domains/sales/contracts/weekly.odcs.yaml", replacing: "    value: 6\n", with: "    value: 12\n")
        try mesh.edit("domains/sales/contracts/weekly.odcs.yaml", replacing: "version: 1.0.0", with: "version: 2.0.0")
        try commit(mesh, as: "sam@acme.example")
        let r = try check(mesh)
        #expect(r.status == 0, "\(r.out)")
        #expect(r.allFindings.contains("sla.criticalFreshness sales.weekly fail"), "\(r.allFindings)")
    }

    @Test func proposedPoliciesAreEvaluatedOnTheirWholeBlastRadius() throws {
        let mesh = try repository()
        try mesh.write("policies/retention.policy", """
        policy retention.declared {
          title "Every contract declares a retention"
          level mandatory
          target contract
          require has(contract.retention)
          message "`{contract.id}` declares no retention"
        }

        """)
        try commit(mesh, as: "ada@acme.example", "a new policy")
        #expect(try check(mesh).status == 0)
        let proposed = try check(mesh, ["--policies-from", "head"])
        #expect(proposed.status == 1, "\(proposed.out)")
        // The new policy judges the whole mesh; the unchanged ones only what the change touches.
        #expect(proposed.findings == ["retention.declared sales.orders_raw fail"])

        // A changed constant changes the policies that read it.
        try mesh.edit("policies/privacy.policy", replacing: "const maxPiiRetention = 365d", with: "const maxPiiRetention = 30d")
        try commit(mesh, as: "ada@acme.example", "stricter retention")
        let stricter = try check(mesh, ["--policies-from", "head", "--base", "HEAD~1"])
        #expect(stricter.findings == ["privacy.piiRetention sales.orders_raw fail"])
    }

    @Test func aChangeByANonOwnerFails() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=eve@acme.example", "commit", "-q", "-m", "fresher\n\nCo-authored-by: Sam <sam@acme.example>")
        let r = try check(mesh)
        #expect(r.status == 1)
        #expect(r.findings == ["ownership.domainChanges sales.daily_sales:contract.modified fail"])
    }

    @Test func policiesComeFromTheBase() throws {
        let mesh = try repository()
        try mesh.edit("policies/privacy.policy", replacing: "  level hard\n", with: "  level advisory\n")
        try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "      - name: order_ts\n",
                      with: "      - name: phone\n        logicalType: string\n        tags: [pii]\n      - name: order_ts\n")
        try commit(mesh, as: "ada@acme.example")
        let fromBase = try check(mesh)
        #expect(fromBase.status == 1)
        #expect(fromBase.findings.contains("privacy.piiMasking sales.orders_raw.orders.phone fail"))
        let fromHead = try check(mesh, ["--policies-from", "head"])
        #expect(!fromHead.findings.contains("privacy.piiMasking sales.orders_raw.orders.phone fail"))
    }

    @Test func waivedAndExpiredWaiverFindings() throws {
        let waiver = Self.retentionWaiver
        let mesh = try repository(extraBase: [("waivers/sales.yaml", waiver)])
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "      - name: orders\n",
                      with: "      - name: top_email\n        logicalType: string\n        tags: [pii]\n        customProperties:\n          - {property: anonymizationStrategy, value: hash}\n      - name: orders\n")
        try commit(mesh, as: "sam@acme.example")
        let active = try check(mesh)
        #expect(active.status == 0, "\(active.out)")
        #expect(active.findings == ["privacy.piiRetention sales.daily_sales waived"])
        let expired = try check(mesh, ["--time", "2027-02-01T00:00:00Z"])
        #expect(expired.status == 1)
        #expect(expired.findings == ["privacy.piiRetention sales.daily_sales fail"])
    }

    /// The example mesh has domain policies and waivers, and grants across four domains: a
    /// change in one domain, checked on its scope, reports what the whole mesh reports.
    @Test(arguments: [
        ("domains/orders/contracts/order_metrics.odcs.yaml", "    value: 6\n    unit: h\n    element: order_metrics.last_order_ts",
         "    value: 12\n    unit: h\n    element: order_metrics.last_order_ts"),
        ("domains/customer/contracts/customer_360.odcs.yaml", "version: ", "version: 9"),
    ])
    func theExampleMeshScopedAndWholeAgree(_ edit: (String, String, String)) throws {
        let mesh = try ScratchMesh()
        let example = URL(fileURLWithPath: CLITests.exampleMesh)
        for top in ["steward.yaml", "domains", "policies", "waivers"] {
            try? FileManager.default.removeItem(at: mesh.root.appendingPathComponent(top))
            try FileManager.default.copyItem(at: example.appendingPathComponent(top), to: mesh.root.appendingPathComponent(top))
        }
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=ada@acme.example", "commit", "-q", "-m", "the example mesh")
        try mesh.git("checkout", "-q", "-b", "change")
        try mesh.edit(edit.0, replacing: edit.1, with: edit.2)
        try commit(mesh, as: "priya@acme.example")
        for format in ["json", "sarif", "junit", "markdown"] {
            let scoped = StewardRunner.run(["check", "-C", mesh.path, "--format", format, "--time", "2026-07-01T00:00:00Z"])
            let whole = StewardRunner.run(["check", "-C", mesh.path, "--format", format, "--time", "2026-07-01T00:00:00Z", "--whole-mesh"])
            #expect(scoped.status == whole.status && scoped.out == whole.out, "\(format): \(scoped.out)\n---\n\(whole.out)")
            #expect(!scoped.out.isEmpty && scoped.status != 2, "\(scoped.err)")
        }
    }

    @Test func aDanglingReferenceInTheChangeStopsTheCheck() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/products/daily_sales.odps.yaml", replacing: "contractId: sales.orders_raw", with: "contractId: sales.order_raw")
        try commit(mesh, as: "sam@acme.example")
        for extra in [[], ["--whole-mesh"]] {
            let r = StewardRunner.run(["check", "-C", mesh.path] + extra)
            #expect(r.status == 2, "\(extra)")
            #expect(r.out.contains("sales.order_raw") && r.out.contains("did you mean") && r.err.contains("does not load"), "\(extra): \(r.out)")
        }
    }

    @Test func aNewDomainWithoutItsDomainFileStopsTheCheck() throws {
        let mesh = try repository()
        let product = try mesh.read("domains/sales/products/daily_sales.odps.yaml")
        try mesh.write("domains/promo/products/daily_sales.odps.yaml", product.replacingOccurrences(of: "domain: sales", with: "domain: promo"))
        try commit(mesh, as: "ada@acme.example")
        for extra in [[], ["--whole-mesh"]] {
            let r = StewardRunner.run(["check", "-C", mesh.path] + extra)
            #expect(r.status == 2 && r.out.contains("domain.yaml"), "\(extra): \(r.out)\(r.err)")
        }
    }

    @Test func aBadRevisionOrABrokenPolicyIsAUsageError() throws {
        let mesh = try repository()
        #expect(StewardRunner.run(["check", "-C", mesh.path, "--base", "nope"]).status == 2)
        try mesh.edit("policies/privacy.policy", replacing: "property.pii", with: "property.pi")
        try commit(mesh, as: "ada@acme.example")
        #expect(StewardRunner.run(["check", "-C", mesh.path, "--policies-from", "head"]).status == 2)
    }
}

/// `steward check --at REV`: the mesh as it stood at a past commit, by its own rules or by
/// another revision's (`--policies-from REV`).
@Suite struct CheckAtTests {
    static let fresher = ("domains/sales/contracts/daily_sales.odcs.yaml", "value: 6\n    unit: h", "value: 2\n    unit: h")
    static let retentionPolicy = """
    policy retention.declared {
      title "Every contract declares a retention"
      level mandatory
      target contract
      require has(contract.retention)
      message "`{contract.id}` declares no retention"
    }

    """

    func commit(_ mesh: ScratchMesh, as email: String, _ message: String, date: String? = nil) throws -> String {
        try mesh.git("add", "-A")
        try mesh.git(["-c", "user.email=\(email)", "commit", "-q", "-m", message],
                     env: date.map { ["GIT_COMMITTER_DATE": $0, "GIT_AUTHOR_DATE": $0] } ?? [:])
        return try mesh.git("rev-parse", "HEAD")
    }

    func check(_ mesh: ScratchMesh, _ args: [String]) throws -> (status: Int32, json: [String: Any], findings: [String], out: String) {
        let r = StewardRunner.run(["check", "-C", mesh.path, "--format", "json"] + args)
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] ?? [:]
        let findings = (json["findings"] as? [[String: Any]] ?? []).compactMap { f -> String? in
            guard f["level"] as? String == "mandatory", f["outcome"] as? String != "pass" else { return nil }
            return "\(f["policy"]!) \(f["target"]!) \((f["waived"] as? Bool) == true ? "waived" : f["outcome"]!)"
        }
        return (r.status, json, findings, r.out + r.err)
    }

    @Test func anOldCommitByItsOwnRulesAndByTodays() throws {
        let mesh = try ScratchMesh.pullRequest()
        let root = try mesh.git("rev-parse", "HEAD")
        try mesh.edit(Self.fresher.0, replacing: Self.fresher.1, with: Self.fresher.2)
        let old = try commit(mesh, as: "sam@acme.example", "fresher", date: "2026-05-01T10:00:00Z")
        try mesh.write("policies/retention.policy", Self.retentionPolicy)
        let today = try commit(mesh, as: "ada@acme.example", "every contract declares a retention", date: "2026-06-01T10:00:00Z")

        // By its own rules (its parent's), as of its commit time, the whole mesh: the scratch
        // mesh's raw orders keep PII past the maximum, which a check of the commit's change
        // alone does not look at.
        let preexisting = "privacy.piiRetention sales.orders_raw fail"
        let own = try check(mesh, ["--at", old])
        #expect(own.status == 1, "\(own.out)")
        #expect(own.findings == [preexisting])
        #expect(try check(mesh, ["--base", root, "--head", old]).findings.isEmpty)
        #expect(own.json["base"] as? String == root && own.json["head"] as? String == old)
        #expect(own.json["policiesFrom"] as? String == root)
        #expect(own.json["time"] as? String == "2026-05-01T10:00:00Z")
        #expect((own.json["changes"] as? [[String: Any]])?.map { "\($0["kind"]!) \($0["id"]!)" } == ["freshness.tightened sales.daily_sales"])

        // Would today's rules have allowed it? Today's new policy judges the old mesh.
        let todays = try check(mesh, ["--at", old, "--policies-from", "change"])
        #expect(todays.status == 1, "\(todays.out)")
        #expect(todays.json["policiesFrom"] as? String == today)
        #expect(todays.findings == [preexisting, "retention.declared sales.orders_raw fail"])

        // The commit that added the policy was judged by the rules before it.
        #expect(try check(mesh, ["--at", today]).findings == [preexisting])
        // A root commit is judged as it stands: no change.
        let first = try check(mesh, ["--at", root])
        #expect(first.findings == [preexisting] && (first.json["changes"] as? [Any])?.isEmpty == true, "\(first.out)")
    }

    @Test func aMergeIsJudgedWithThePullRequestsChange() throws {
        let mesh = try ScratchMesh.pullRequest()
        try mesh.edit(Self.fresher.0, replacing: Self.fresher.1, with: Self.fresher.2)
        _ = try commit(mesh, as: "sam@acme.example", "fresher")
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "version: 1.0.0", with: "version: 1.1.0")
        _ = try commit(mesh, as: "sam@acme.example", "minor")
        try mesh.git("checkout", "-q", "main")
        try mesh.git("-c", "user.email=ada@acme.example", "merge", "-q", "--no-ff", "-m", "Merge the fresher SLA", "change")
        let r = try check(mesh, ["--at", "main"])
        #expect(r.findings == ["privacy.piiRetention sales.orders_raw fail"], "\(r.out)")
        #expect(Set((r.json["changes"] as? [[String: Any]] ?? []).map { "\($0["kind"]!) \($0["id"]!)" })
                == ["freshness.tightened sales.daily_sales", "contract.versionChanged sales.daily_sales"])
        let text = StewardRunner.run(["check", "-C", mesh.path, "--at", "main"])
        // The pull request's two commits and the merge itself.
        #expect(text.out.contains("2 semantic changes (0 breaking) in 1 file, 3 commits"), "\(text.out)")
    }

    @Test func theCommitTimeDecidesWhetherAWaiverHadExpired() throws {
        let waiver = CheckTests.retentionWaiver
        let mesh = try ScratchMesh.pullRequest(extraBase: [("waivers/sales.yaml", waiver)])
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "      - name: orders\n",
                      with: "      - name: top_email\n        logicalType: string\n        tags: [pii]\n        customProperties:\n          - {property: anonymizationStrategy, value: hash}\n      - name: orders\n")
        let late = try commit(mesh, as: "sam@acme.example", "a PII column after the waiver expired", date: "2027-02-01T00:00:00Z")
        let atCommit = try check(mesh, ["--at", late])
        #expect(atCommit.status == 1, "\(atCommit.out)")
        #expect(atCommit.findings == ["privacy.piiRetention sales.daily_sales fail", "privacy.piiRetention sales.orders_raw fail"])
        let earlier = try check(mesh, ["--at", late, "--time", "2026-07-01T00:00:00Z"])
        #expect(earlier.findings == ["privacy.piiRetention sales.daily_sales waived", "privacy.piiRetention sales.orders_raw fail"])
    }

    @Test func badInputIsAUsageError() throws {
        let mesh = try ScratchMesh.pullRequest()
        for args in [["--at", "nope"], ["--at", "HEAD", "--base", "HEAD"], ["--at", "HEAD", "--worktree"],
                     ["--at", "HEAD", "--policies-from", "nope"], ["--at", "HEAD", "--time", "yesterday"]] {
            let r = StewardRunner.run(["check", "-C", mesh.path] + args)
            #expect(r.status == 2, "\(args): \(r.out) \(r.err)")
            #expect(!r.err.isEmpty)
        }
        // A revision whose mesh does not load cannot lend its policies.
        try mesh.write("steward.yaml", "apiVersion: steward/v1\nkind: Mesh\nname: [broken\n")
        _ = try commit(mesh, as: "ada@acme.example", "broken settings")
        let broken = StewardRunner.run(["check", "-C", mesh.path, "--at", "main", "--policies-from", "change"])
        #expect(broken.status == 2 && broken.err.contains("--policies-from"), "\(broken.err)")
    }
}
