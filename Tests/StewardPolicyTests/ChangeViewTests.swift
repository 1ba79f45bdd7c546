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

    /// The base's records follow the head's in the same tables, and its products are built
    /// beside its contracts and appended after them: every reference they hold must move
    /// with them. A base product the head lacks, with two inputs and a team, shifts every
    /// input and member after it, so a reference left unmoved reads the head's records.
    @Test func theBasesRecordsPointAtTheBasesOwnInputsAndMembers() throws {
        let before = try ScratchMesh(), after = try ScratchMesh()
        try before.write("domains/sales/products/a_first.odps.yaml", """
        apiVersion: v1.0.0
        kind: DataProduct
        id: 7d1f3c9e-0000-4000-8000-000000000002
        name: a_first
        domain: sales
        status: active
        team:
          name: firsts
          members:
            - username: ana@acme.example
              role: owner
            - username: bo@acme.example
        inputPorts:
          - name: daily
            version: 1.0.0
            contractId: sales.daily_sales
          - name: raw
            version: 1.0.0
            contractId: sales.orders_raw

        """)
        let old = try #require(try before.load().value), new = try #require(try after.load().value)
        let files = try ChangeSet.files(from: before.tree, to: after.tree)
        let changes = ChangeSet.build(changes: MeshDiff.compare(old, new, changedPaths: Set(files.map(\.path))),
                                      files: files, old: old, new: new, commits: [])
        let view = ModelView(base: old, head: new, changes: changes, evaluation: EvaluationInfo(time: 0, command: "test"))
        let baseMesh = try #require(view.targets(for: TargetSpec(.change)).first?.mesh)
        func records(_ name: String, of v: Value) -> [Value] { view.field(name, of: v)?.elements ?? [] }
        var seen = 0
        for domain in records("domains", of: baseMesh) {
            for product in records("products", of: domain) {
                guard case .string(let id) = view.field("id", of: product) else { Issue.record("a product without an id"); continue }
                let model = try #require(old.products[id])
                let inputs: [Value?] = records("inputs", of: product).map { view.field("contractId", of: $0) }
                #expect(inputs == model.inputPorts.map { Value.string($0.contractId) }, "\(id)")
                let members = view.field("team", of: product).map { records("members", of: $0) } ?? []
                let usernames: [Value?] = members.map { view.field("username", of: $0) }
                #expect(usernames == (model.team?.members ?? []).map { Value.string($0.username) }, "\(id)")
                seen += 1
            }
        }
        #expect(seen == 2)
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
