import StewardCore
import StewardDiff
import StewardModel
import StewardTestSupport
import Testing
@testable import StewardPolicy

/// `change to E` targets over two versions of the scratch mesh: which changes they hold, and
/// what their `old` and `new` see.
@Suite struct ChangeViewTests {
    static let daily = "domains/sales/contracts/daily_sales.odcs.yaml"

    /// `policy target outcome: message` of evaluating `policyText` over the change from the
    /// scratch mesh edited by `base` to the scratch mesh edited by `head`.
    func evaluate(_ policyText: String, base: (ScratchMesh) throws -> Void = { _ in },
                  head: (ScratchMesh) throws -> Void) throws -> [String] {
        let before = try ScratchMesh(), after = try ScratchMesh()
        try base(before)
        try base(after)
        try head(after)
        let old = try #require(try before.load().value), new = try #require(try after.load().value)
        let files = try ChangeSet.files(from: before.tree, to: after.tree)
        let changes = ChangeSet.build(changes: MeshDiff.compare(old, new, changedPaths: Set(files.map(\.path))),
                                      files: files, old: old, new: new, commits: [])
        let set = checkPolicies(policyText, domains: Array(new.domains.keys))
        #expect(!set.hasErrors, "\(set.diagnostics)")
        // The view built for what the policies read must judge as the view of everything.
        let results = [Demand.all, Demand(set.policies)].map { demand in
            let view = ModelView(base: old, head: new, changes: changes, evaluation: EvaluationInfo(time: 0, command: "test"), demand: demand)
            return PolicyEvaluator.evaluate(set.policies.map(CompiledPolicy.init), view: view).findings.map {
                "\($0.policy) \($0.target) \($0.outcome.rawValue): \($0.message)"
            }
        }
        #expect(results[0] == results[1])
        return results[1]
    }

    @Test func aRevokedGrantIsSeenThroughOld() throws {
        let findings = try evaluate("""
        policy t.revoked {
          title "t"
          level mandatory
          target change to grant
          where change.kind == "grant.revoked"
          require len(old.domains) == 0
          message "`{old.role}` no longer grants {join(old.domains, ", ")}"
        }

        """) { mesh in
            try mesh.edit(Self.daily, replacing: "roles:\n  - role: finance_reader\n    access: read\n    customProperties:\n      - property: domains\n        value: [sales]\n", with: "")
        }
        #expect(findings.count == 1)
        #expect(findings.first?.hasPrefix("t.revoked ") == true && findings.first?.hasSuffix("fail: `finance_reader` no longer grants sales") == true, "\(findings)")
    }

    @Test func objectChangesAreChangesToTheirContract() throws {
        let findings = try evaluate("""
        policy t.objects {
          title "t"
          level mandatory
          target change to contract
          where change.kind == "object.added"
          require len(new.objects) == len(old.objects)
          message "`{new.id}` grows from {len(old.objects)} to {len(new.objects)} objects"
        }

        """) { mesh in
            try mesh.edit(Self.daily, replacing: "slaProperties:\n", with: "  - name: weekly_sales\n    properties:\n      - name: week\n        logicalType: date\nslaProperties:\n")
        }
        #expect(findings == ["t.objects sales.daily_sales.weekly_sales:object.added fail: `sales.daily_sales` grows from 1 to 2 objects"])
    }

    @Test func aRenamedPropertyIsFoundAtTheBaseUnderItsOldName() throws {
        let findings = try evaluate("""
        policy t.renames {
          title "t"
          level mandatory
          target change to property
          where change.kind in ["property.renamed", "property.typeChanged"]
          require old.logicalType == new.logicalType
          message "`{old.name}` ({old.logicalType}) became `{new.name}` ({new.logicalType})"
        }

        """, base: { mesh in
            try mesh.edit(Self.daily, replacing: "      - name: orders\n", with: "      - name: orders\n        id: orders_count\n")
        }, head: { mesh in
            try mesh.edit(Self.daily, replacing: "      - name: orders\n        id: orders_count\n        logicalType: integer\n",
                          with: "      - name: order_count\n        id: orders_count\n        logicalType: number\n")
        })
        #expect(findings == [
            "t.renames sales.daily_sales.daily_sales.order_count:property.renamed fail: `orders` (integer) became `order_count` (number)",
            "t.renames sales.daily_sales.daily_sales.order_count:property.typeChanged fail: `orders` (integer) became `order_count` (number)",
        ])
    }
}
