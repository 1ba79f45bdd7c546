import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// `steward log` on a real repository: a merged pull request shown once with its changes, direct
/// commits on main, commits outside the mesh left out, filters and the verdict at each commit.
@Suite struct LogTests {
    struct Entry {
        var message: String
        var merge: Bool
        var pullRequest: [String]?
        var domains: [String]
        var products: [String]
        var files: [String]
        var changes: [String]
        var breaking: Int
        var verdict: String?
        /// `policy target` of the findings that gate.
        var gating: [String]
    }

    func log(_ mesh: ScratchMesh, _ args: [String] = []) throws -> [Entry] {
        let r = StewardRunner.run(["log", "-C", mesh.path, "--format", "json"] + args)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] ?? [:]
        return (json["commits"] as? [[String: Any]] ?? []).map { c in
            Entry(message: c["message"] as? String ?? "", merge: c["merge"] as? Bool ?? false,
                  pullRequest: (c["pullRequest"] as? [[String: Any]])?.map { "\($0["email"]!) \($0["message"]!)" },
                  domains: c["domains"] as? [String] ?? [], products: c["products"] as? [String] ?? [],
                  files: c["files"] as? [String] ?? [],
                  changes: (c["changes"] as? [[String: Any]] ?? []).map { "\($0["kind"]!) \($0["id"]!)" },
                  breaking: c["breaking"] as? Int ?? -1, verdict: c["verdict"] as? String,
                  gating: (c["findings"] as? [[String: Any]] ?? []).filter { f in
                      ["mandatory", "hard"].contains(f["level"] as? String) && f["waived"] as? Bool == false
                  }.map { "\($0["policy"]!) \($0["target"]!)" })
        }
    }

    func commit(_ mesh: ScratchMesh, as email: String, _ message: String, date: String) throws {
        try mesh.git("add", "-A")
        try mesh.git(["-c", "user.email=\(email)", "commit", "-q", "-m", message], env: ["GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date])
    }

    static let contract = "domains/sales/contracts/daily_sales.odcs.yaml"
    static let ordersRaw = "domains/sales/contracts/orders_raw.odcs.yaml"

    /// main: the mesh (sales, and marketing reading sales' orders under a grant); a pull request
    /// by sam (a fresher SLA, then a column removed without a major version) merged by ada; a
    /// README edit; an outsider's edit of the sales contract; the grant to marketing revoked by
    /// the sales owner; a policy edit by ada.
    func repository() throws -> ScratchMesh {
        let mesh = try ScratchMesh.pullRequest(extraBase: CheckTests.marketing)
        // Dated before everything else (branch `change` starts from it again).
        try mesh.git("checkout", "-q", "main")
        try mesh.git(["-c", "user.email=ada@acme.example", "commit", "-q", "--amend", "--no-edit", "--reset-author"],
                     env: ["GIT_COMMITTER_DATE": "2026-01-01T10:00:00Z", "GIT_AUTHOR_DATE": "2026-01-01T10:00:00Z"])
        try mesh.git("checkout", "-q", "-B", "change")
        try mesh.edit(Self.contract, replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try commit(mesh, as: "sam@acme.example", "fresher", date: "2026-02-01T10:00:00Z")
        try mesh.edit(Self.contract, replacing: "      - name: orders\n        logicalType: integer\n", with: "")
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: ", count(*) AS orders", with: "")
        try commit(mesh, as: "sam@acme.example", "drop orders", date: "2026-02-02T10:00:00Z")
        try mesh.git("checkout", "-q", "main")
        try mesh.git(["-c", "user.email=ada@acme.example", "merge", "-q", "--no-ff", "-m", "Merge the daily sales rework", "change"],
                     env: ["GIT_COMMITTER_DATE": "2026-02-03T10:00:00Z", "GIT_AUTHOR_DATE": "2026-02-03T10:00:00Z"])
        try mesh.write("README.md", "the sales mesh\n")
        try commit(mesh, as: "ada@acme.example", "a readme", date: "2026-03-01T10:00:00Z")
        try mesh.edit(Self.ordersRaw, replacing: "version: 1.0.0", with: "version: 1.0.1")
        try commit(mesh, as: "eve@elsewhere.example", "patch the orders", date: "2026-04-01T10:00:00Z")
        let ordersRaw = try String(contentsOfFile: "\(mesh.path)/\(Self.ordersRaw)", encoding: .utf8)
        try mesh.write(Self.ordersRaw, String(ordersRaw[..<ordersRaw.range(of: "roles:\n")!.lowerBound]))
        try commit(mesh, as: "sam@acme.example", "no more grant to marketing", date: "2026-05-01T10:00:00Z")
        try mesh.edit("policies/privacy.policy", replacing: "const maxPiiRetention = 365d", with: "const maxPiiRetention = 400d")
        try commit(mesh, as: "ada@acme.example", "a longer PII retention", date: "2026-06-01T10:00:00Z")
        return mesh
    }

    @Test func aMergeIsShownOnceWithItsPullRequestAndEachCommitHasItsVerdict() throws {
        let mesh = try repository()
        let entries = try log(mesh)
        // The pull request's commits are not listed on their own, nor is the README edit.
        #expect(entries.map(\.message) == ["a longer PII retention", "no more grant to marketing", "patch the orders",
                                           "Merge the daily sales rework", "the mesh"])
        let policy = entries[0]
        #expect(policy.files == ["policies/privacy.policy"] && policy.domains.isEmpty && policy.products.isEmpty)
        #expect(policy.verdict == "pass", "\(policy.gating)")

        // Revoking the grant breaks marketing's read: a finding on the consumer, in another domain.
        let revoke = entries[1]
        #expect(revoke.domains == ["sales"] && revoke.breaking > 0, "\(revoke.changes)")
        #expect(revoke.verdict == "fail")
        #expect(revoke.gating.contains("access.crossDomainGrant marketing.reach/inputs/orders"), "\(revoke.gating)")

        let outsider = entries[2]
        #expect(outsider.products.isEmpty && outsider.domains == ["sales"], "a source contract has no producer")
        #expect(outsider.changes == ["contract.versionChanged sales.orders_raw"])
        // The edit brings the raw orders into scope, with the PII they keep past the maximum.
        #expect(outsider.gating == ["ownership.domainChanges sales.orders_raw:contract.modified", "privacy.piiRetention sales.orders_raw"])

        let merge = entries[3]
        #expect(merge.merge)
        #expect(merge.pullRequest == ["sam@acme.example fresher", "sam@acme.example drop orders"])
        #expect(merge.domains == ["sales"] && merge.products == ["sales.daily_sales"])
        #expect(merge.changes.contains("freshness.tightened sales.daily_sales"), "\(merge.changes)")
        #expect(merge.changes.contains("property.removed sales.daily_sales.daily_sales.orders"), "\(merge.changes)")
        #expect(merge.breaking == 1)
        #expect(merge.gating == ["versioning.breakingNeedsMajor sales.daily_sales:contract.modified"])

        let root = entries[4]
        #expect(root.domains == ["marketing", "sales"] && root.products == ["marketing.reach", "sales.daily_sales"])
    }

    @Test func filtersByDomainAuthorDateAndCount() throws {
        let mesh = try repository()
        #expect(try log(mesh, ["--domain", "marketing", "--no-verdict"]).map(\.message) == ["the mesh"])
        // A merge matches its pull request's authors.
        #expect(try log(mesh, ["--author", "SAM@acme", "--no-verdict"]).map(\.message) == ["no more grant to marketing", "Merge the daily sales rework"])
        #expect(try log(mesh, ["--author", "Eve", "--no-verdict"]).map(\.message) == ["patch the orders"])
        #expect(try log(mesh, ["--since", "2026-02-03", "--until", "2026-04-01", "--no-verdict"]).map(\.message)
                == ["patch the orders", "Merge the daily sales rework"])
        let limited = try log(mesh, ["--limit", "2"])
        #expect(limited.map(\.message) == ["a longer PII retention", "no more grant to marketing"])
        #expect(try log(mesh, ["--no-verdict"]).allSatisfy { $0.verdict == nil })
        // From another revision: the pull request's branch, with its own commits.
        #expect(try log(mesh, ["--rev", "change", "--no-verdict"]).map(\.message) == ["drop orders", "fresher", "the mesh"])
    }

    @Test func cachedVerdictsGiveTheSameAnswers() throws {
        let mesh = try repository()
        let first = StewardRunner.run(["log", "-C", mesh.path, "--format", "json"])
        #expect(FileManager.default.fileExists(atPath: "\(mesh.path)/.git/steward/verdicts"))
        let second = StewardRunner.run(["log", "-C", mesh.path, "--format", "json"])
        #expect(first.status == 0 && first.out == second.out)
    }

    @Test func textAndMarkdown() throws {
        let mesh = try repository()
        let text = StewardRunner.run(["log", "-C", mesh.path, "--limit", "4"])
        #expect(text.status == 0)
        #expect(text.out.contains("merge of 2 commits by sam@acme.example"), "\(text.out)")
        #expect(text.out.contains("BREAKING property.removed sales.daily_sales.daily_sales.orders"), "\(text.out)")
        #expect(text.out.contains("verdict: fail (1 mandatory finding"), "\(text.out)")
        let md = StewardRunner.run(["log", "-C", mesh.path, "--format", "markdown"])
        #expect(md.out.contains("| commit | date | author | message | products | changes | verdict |"))
        #expect(md.out.contains("(merge of 2 commits)"), "\(md.out)")
    }

    @Test func badInputIsAUsageError() throws {
        let mesh = try repository()
        let domain = StewardRunner.run(["log", "-C", mesh.path, "--domain", "sale"])
        #expect(domain.status == 2 && domain.err.contains("no domain `sale`") && domain.err.contains("sales"), "\(domain.err)")
        for args in [["--rev", "nope"], ["--since", "yesterday"], ["--limit", "0"]] {
            let r = StewardRunner.run(["log", "-C", mesh.path] + args)
            #expect(r.status == 2, "\(args): \(r.err)")
        }
    }
}
