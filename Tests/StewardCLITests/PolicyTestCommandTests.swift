import Foundation
import StewardCLI
import StewardTestSupport
import Testing

/// `steward policy test` as a user runs it.
@Suite struct PolicyTestCommandTests {
    @Test func theShippedPolicyTestsPass() {
        let r = StewardRunner.run(["policy", "test", "-C", CLITests.exampleMesh])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("0 failed"))
        #expect(!r.out.contains("FAIL"))
    }

    static let policyText = """
    policy sales.masked {
      title "PII is masked"
      level mandatory
      target property
      where property.pii
      require has(property.masking)
      message "`{property.id}` is not masked"
    }

    """

    static func suite(outcome: String, extraKey: String = "", policy: String = "sales.masked") -> String {
        """
        apiVersion: steward/v1
        kind: PolicyTest
        policies: [\(policy)]
        cases:
          - name: unmasked email
            \(extraKey)given:
              domains:
                sales:
                  contracts:
                    - id: sales.people
                      schema:
                        - name: people
                          properties:
                            - {name: email, logicalType: string, tags: [pii]}
            expect:
              - {policy: sales.masked, target: sales.people.people.email, outcome: \(outcome)}

        """
    }

    @Test func aWrongExpectationFailsWithADiff() throws {
        let mesh = try ScratchMesh()
        try mesh.write("domains/sales/policies/masked.policy", Self.policyText)
        try mesh.write("domains/sales/policies/masked.test.yaml", Self.suite(outcome: "fail"))
        let ok = StewardRunner.run(["policy", "test", "-C", mesh.path])
        #expect(ok.status == 0, "\(ok.out)\(ok.err)")
        try mesh.write("domains/sales/policies/masked.test.yaml", Self.suite(outcome: "pass"))
        let bad = StewardRunner.run(["policy", "test", "-C", mesh.path])
        #expect(bad.status == 1)
        #expect(bad.out.contains("FAIL unmasked email"))
        #expect(bad.out.contains("- expected sales.masked sales.people.people.email pass"))
        #expect(bad.out.contains("+ actual   sales.masked sales.people.people.email fail"))
    }

    @Test func brokenTestFilesAreUsageErrors() throws {
        let mesh = try ScratchMesh()
        try mesh.write("domains/sales/policies/masked.policy", Self.policyText)
        try mesh.write("domains/sales/policies/masked.test.yaml", Self.suite(outcome: "fail", extraKey: "at: 2026-01-01T00:00:00Z\n    gvn: 1\n    "))
        let unknownKey = StewardRunner.run(["policy", "test", "-C", mesh.path])
        #expect(unknownKey.status == 2)
        #expect(unknownKey.out.contains("error[POL0703]: unknown key `gvn` in test case"))
        try mesh.write("domains/sales/policies/masked.test.yaml", Self.suite(outcome: "fail", policy: "sales.maskd"))
        let unknownPolicy = StewardRunner.run(["policy", "test", "-C", mesh.path])
        #expect(unknownPolicy.status == 2)
        #expect(unknownPolicy.out.contains("error[POL0701]: unknown policy `sales.maskd`"))
        #expect(unknownPolicy.out.contains("did you mean `sales.masked`?"))
    }
}
