import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// `steward history` on a real repository with renames, merges, reverts and a contract deleted
/// and re-created.
@Suite struct HistoryTests {
    struct Entry {
        var id: String
        var message: String
        var files: [String]
        var changes: [String]
        var verdict: String?
        var findings: [String]
    }

    func history(_ mesh: ScratchMesh, _ args: [String]) throws -> (entries: [Entry], json: [String: Any]) {
        let r = StewardRunner.run(["history", "-C", mesh.path, "--format", "json"] + args)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] ?? [:]
        let entries = (json["commits"] as? [[String: Any]] ?? []).map { c in
            Entry(id: c["id"] as? String ?? "", message: c["message"] as? String ?? "",
                  files: (c["files"] as? [[String: Any]] ?? []).map { f in
                      "\(f["status"]!) \(f["oldPath"].map { "\($0) -> " } ?? "")\(f["path"]!)"
                  },
                  changes: (c["changes"] as? [[String: Any]] ?? []).map { "\($0["kind"]!) \($0["id"]!)" },
                  verdict: c["verdict"] as? String,
                  findings: (c["findings"] as? [[String: Any]] ?? []).map { "\($0["policy"]!) \($0["target"]!)" })
        }
        return (entries, json)
    }

    func commit(_ mesh: ScratchMesh, as email: String, _ message: String) throws {
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=\(email)", "commit", "-q", "-m", message)
    }

    static let contract = "domains/sales/contracts/daily_sales.odcs.yaml"
    static let moved = "domains/sales/contracts/daily.odcs.yaml"
    static let transform = "domains/sales/transforms/daily_sales.sql"
    static let lastPropertyEnd = "            mustBe: 0\n"  // the end of the last property

    /// main: the mesh; branch `change`: a column added by the owner, the contract file moved,
    /// the contract edited by an outsider and that edit reverted; merged into main after an
    /// unrelated commit there.
    func repository() throws -> ScratchMesh {
        let mesh = try ScratchMesh.pullRequest()
        try mesh.edit(Self.contract, replacing: "version: 1.0.0", with: "version: 1.1.0")
        try mesh.edit(Self.contract, replacing: Self.lastPropertyEnd, with: Self.lastPropertyEnd + "      - name: region\n        logicalType: string\n")
        try commit(mesh, as: "sam@acme.example", "add region")
        try mesh.git("mv", Self.contract, Self.moved)
        try commit(mesh, as: "sam@acme.example", "move the contract file")
        try mesh.edit(Self.moved, replacing: "version: 1.1.0", with: "version: 1.1.1")
        try commit(mesh, as: "eve@elsewhere.example", "bump the patch version")
        try mesh.git("-c", "user.email=sam@acme.example", "revert", "--no-edit", "HEAD")
        try mesh.git("checkout", "-q", "main")
        try mesh.write("domains/sales/sources/orders.csv", "order_id,email,order_ts\n2,c@d.example,2026-02-01T00:00:00Z\n")
        try commit(mesh, as: "sam@acme.example", "more sample orders")
        try mesh.git("-c", "user.email=ada@acme.example", "merge", "-q", "--no-ff", "-m", "merge change", "change")
        return mesh
    }

    @Test func followsAProductThroughARenameAndARevertNewestFirst() throws {
        let mesh = try repository()
        let (entries, json) = try history(mesh, ["sales.daily_sales"])
        #expect(json["kind"] as? String == "product")
        #expect(json["paths"] as? [String] == ["domains/sales/products/daily_sales.odps.yaml", Self.moved, Self.transform])
        // The merge took the branch's files unchanged and the unrelated commit on main touched
        // none of them: neither is listed.
        #expect(entries.map(\.message) == ["Revert \"bump the patch version\"", "bump the patch version", "move the contract file", "add region", "the mesh"])
        #expect(entries[0].files == ["modified \(Self.moved)"])
        #expect(entries[0].changes == ["contract.versionChanged sales.daily_sales"])
        #expect(entries[2].files == ["renamed \(Self.contract) -> \(Self.moved)"])
        // A moved file with the same contract is a move, nothing else (not a removal and an addition).
        #expect(entries[2].changes == ["contract.moved sales.daily_sales"])
        #expect(entries[3].files == ["modified \(Self.contract)"])
        #expect(entries[3].changes.contains("property.added sales.daily_sales.daily_sales.region"), "\(entries[3].changes)")
        #expect(entries[4].changes.contains("product.added sales.daily_sales") && entries[4].changes.contains("contract.added sales.daily_sales"))
    }

    @Test func verdictsAreThoseOfTheCommitAtTheTime() throws {
        let mesh = try repository()
        let (entries, _) = try history(mesh, ["sales.daily_sales"])
        let byMessage = Dictionary(uniqueKeysWithValues: entries.map { ($0.message, $0) })
        // Eve owns nothing in sales: her commit fails the ownership policy; the owner's revert passes.
        #expect(byMessage["bump the patch version"]?.verdict == "fail")
        #expect(byMessage["bump the patch version"]?.findings.contains { $0.hasPrefix("ownership.domainChanges sales.daily_sales") } == true,
                "\(byMessage["bump the patch version"]?.findings ?? [])")
        #expect(byMessage["Revert \"bump the patch version\""]?.verdict == "pass")
        #expect(byMessage["add region"]?.verdict == "pass", "\(byMessage["add region"]?.findings ?? [])")

        // The same answers from the cache, and with --no-verdict none at all.
        let again = try history(mesh, ["sales.daily_sales"]).entries
        #expect(again.map(\.verdict) == entries.map(\.verdict) && again.map(\.findings) == entries.map(\.findings))
        #expect(try history(mesh, ["sales.daily_sales", "--no-verdict"]).entries.allSatisfy { $0.verdict == nil })
    }

    @Test func aContractDeletedAndRecreatedShowsBothAndItsOlderLife() throws {
        let mesh = try ScratchMesh.pullRequest()
        let text = try mesh.read(Self.contract)
        try mesh.remove(Self.contract)
        try commit(mesh, as: "sam@acme.example", "drop daily_sales contract")
        try mesh.write(Self.contract, text.replacingOccurrences(of: "version: 1.0.0", with: "version: 2.0.0"))
        try commit(mesh, as: "sam@acme.example", "bring it back as 2.0.0")
        let (entries, json) = try history(mesh, ["sales.daily_sales", "--no-verdict"])
        #expect(json["kind"] as? String == "product")
        #expect(entries.map(\.message) == ["bring it back as 2.0.0", "drop daily_sales contract", "the mesh"])
        #expect(entries[0].files == ["added \(Self.contract)"])
        #expect(entries[0].changes.contains("contract.added sales.daily_sales"), "\(entries[0].changes)")
        #expect(entries[1].files == ["deleted \(Self.contract)"])
        #expect(entries[1].changes.contains("contract.removed sales.daily_sales"), "\(entries[1].changes)")
    }

    @Test func datesLimitTheCommitsAndBadInputIsAUsageError() throws {
        let mesh = try repository()
        let all = try history(mesh, ["sales.daily_sales", "--no-verdict"]).entries
        #expect(try history(mesh, ["sales.daily_sales", "--no-verdict", "--until", "2000-01-01"]).entries.isEmpty)
        #expect(try history(mesh, ["sales.daily_sales", "--no-verdict", "--since", "2000-01-01"]).entries.count == all.count)

        let unknown = StewardRunner.run(["history", "-C", mesh.path, "sales.daily_sale"])
        #expect(unknown.status == 2 && unknown.err.contains("no product or contract `sales.daily_sale`") && unknown.err.contains("sales.daily_sales"),
                "\(unknown.err)")
        let domain = StewardRunner.run(["history", "-C", mesh.path, "sales"])
        #expect(domain.status == 2 && domain.err.contains("`sales` is a domain; name one of its products: sales.daily_sales"), "\(domain.err)")
        let badRev = StewardRunner.run(["history", "-C", mesh.path, "sales.daily_sales", "--rev", "nope~3"])
        #expect(badRev.status == 2 && badRev.err.contains("nope"), "\(badRev.err)")
        let badDate = StewardRunner.run(["history", "-C", mesh.path, "sales.daily_sales", "--since", "yesterday"])
        #expect(badDate.status == 2 && badDate.err.contains("`yesterday` is not a date"), "\(badDate.err)")
    }

    @Test func textAndMarkdownNameEachCommitOnce() throws {
        let mesh = try repository()
        let text = StewardRunner.run(["history", "-C", mesh.path, "sales.daily_sales"])
        #expect(text.status == 0)
        #expect(text.out.contains("history of product sales.daily_sales") && text.out.contains("5 commits"), "\(text.out)")
        #expect(text.out.contains("renamed  \(Self.contract) -> \(Self.moved)"), "\(text.out)")
        #expect(text.out.contains("verdict: fail"), "\(text.out)")
        let md = StewardRunner.run(["history", "-C", mesh.path, "sales.daily_sales", "--format", "markdown"])
        #expect(md.out.components(separatedBy: "\n").filter { $0.hasPrefix("| `") }.count == 5, "\(md.out)")
    }
}
