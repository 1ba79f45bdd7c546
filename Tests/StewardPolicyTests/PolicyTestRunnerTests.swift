import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct PolicyTestRunnerTests {
    /// A fragment's file is named by its whole id, encoded so that no two ids share a name.
    @Test func contractFileNamesCannotCollide() {
        #expect(PolicyTestRunner.fileName(of: "sales.eu.orders") == "sales.eu.orders")
        #expect(PolicyTestRunner.fileName(of: "sales.eu.orders") != PolicyTestRunner.fileName(of: "sales.us.orders"))
        #expect(PolicyTestRunner.fileName(of: "a/b") == "a%2Fb")
        #expect(PolicyTestRunner.fileName(of: "a%2Fb") == "a%252Fb")
        #expect(PolicyTestRunner.fileName(of: "é") == "%C3%A9")
    }

    /// A case's base and head differ in a product's `sql:`: the change policies see the edit.
    @Test func aTransformEditInACaseIsAChange() throws {
        let policy = """
        policy t.transforms {
          title "t"
          level mandatory
          target change to product
          where change.kind == "product.transformChanged"
          require false
          message "{change.path}"
        }

        """
        func product(_ sql: String) -> String {
            "{domains: {sales: {products: [{name: daily, sql: \"\(sql)\"}]}}}"
        }
        let test = """
        apiVersion: steward/v1
        kind: PolicyTest
        policies: [t.transforms]
        cases:
          - name: an edited transform
            base: \(product("SELECT 1;"))
            given: \(product("SELECT 2;"))
            expect:
              - {policy: t.transforms, target: "sales.daily:product.transformChanged", outcome: fail,
                 messageContains: domains/sales/transforms/daily.sql}

        """
        let tree = MemoryTree(label: "mesh", files: ["policies/t.test.yaml": Array(test.utf8)])
        let report = try PolicyTestRunner.run(files: ["policies/t.test.yaml"], tree: tree, policies: checkPolicies(policy))
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(report.suites.flatMap(\.cases).map(\.diff) == [[]])
    }
}
