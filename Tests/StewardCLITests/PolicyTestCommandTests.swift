import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
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

    /// Fragments whose contract ids end alike are two files, not one written over the other;
    /// a fragment still replaces the fixture's contract of the same id.
    @Test func fragmentsWithTheSameLastIdSegmentAreDistinctContracts() throws {
        let mesh = try ScratchMesh()
        try mesh.write("domains/sales/policies/masked.policy", Self.policyText)
        try mesh.write("domains/sales/policies/fixture/steward.yaml", "apiVersion: steward/v1\nkind: Mesh\nname: fixture\n")
        try mesh.write("domains/sales/policies/fixture/domains/sales/domain.yaml",
                       "apiVersion: steward/v1\nkind: Domain\nname: sales\nowners: {team: s, members: [s@acme.example]}\n")
        try mesh.write("domains/sales/policies/fixture/domains/sales/contracts/people.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.people
        version: 1.0.0
        status: active
        schema:
          - name: people
            properties:
              - {name: email, logicalType: string, tags: [pii]}

        """)
        try mesh.write("domains/sales/policies/masked.test.yaml", """
        apiVersion: steward/v1
        kind: PolicyTest
        policies: [sales.masked]
        cases:
          - name: two orders contracts
            mesh: fixture
            given:
              domains:
                sales:
                  contracts:
                    - id: sales.eu.orders
                      schema:
                        - name: orders
                          properties:
                            - {name: email, logicalType: string, tags: [pii]}
                    - id: sales.us.orders
                      schema:
                        - name: orders
                          properties:
                            - {name: order_id, logicalType: integer}
                    - id: sales.people
                      schema:
                        - name: people
                          properties:
                            - {name: email, logicalType: string, tags: [pii], customProperties: [{property: anonymizationStrategy, value: hash}]}
            expect:
              - {policy: sales.masked, target: sales.eu.orders.orders.email, outcome: fail}
              - {policy: sales.masked, target: sales.people.people.email, outcome: pass}

        """)
        let r = StewardRunner.run(["policy", "test", "-C", mesh.path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
    }
}

@Suite struct PolicyCoverageTests {
    @Test func coverageNamesTheMissedBranches() throws {
        let mesh = try ScratchMesh()
        try mesh.write("domains/sales/policies/masked.policy", PolicyTestCommandTests.policyText)
        try mesh.write("domains/sales/policies/masked.test.yaml", PolicyTestCommandTests.suite(outcome: "fail"))
        let r = StewardRunner.run(["policy", "test", "-C", mesh.path, "--coverage", "--min-coverage", "90"])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.out.contains("domains/sales/policies/masked.policy  branches 3/6  50.0%"))
        #expect(r.out.contains("missed domains/sales/policies/masked.policy:1:1  policy sales.masked passes a test target"))
        #expect(r.out.contains("missed domains/sales/policies/masked.policy:5:9  `property.pii` false"))
        #expect(r.out.contains("coverage 50.0% is under the minimum 90.0%"))
    }

    @Test func lcovAndCoberturaFiles() throws {
        let mesh = try ScratchMesh()
        try mesh.write("domains/sales/policies/masked.policy", PolicyTestCommandTests.policyText)
        try mesh.write("domains/sales/policies/masked.test.yaml", PolicyTestCommandTests.suite(outcome: "fail"))
        let lcovPath = mesh.root.appendingPathComponent("cov.lcov").path
        #expect(StewardRunner.run(["policy", "test", "-C", mesh.path, "--coverage-format", "lcov", "--coverage-out", lcovPath]).status == 0)
        let lcov = try String(contentsOfFile: lcovPath, encoding: .utf8)
        #expect(lcov.contains("SF:domains/sales/policies/masked.policy\n"))
        #expect(lcov.contains("BRDA:5,2,0,1\nBRDA:5,2,1,-\n"))
        #expect(lcov.contains("BRF:6\nBRH:3\n"))
        let xmlPath = mesh.root.appendingPathComponent("cov.xml").path
        #expect(StewardRunner.run(["policy", "test", "-C", mesh.path, "--coverage-format", "cobertura", "--coverage-out", xmlPath]).status == 0)
        let xml = try String(contentsOfFile: xmlPath, encoding: .utf8)
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "cobertura output is not well-formed XML")
        #expect(xml.contains("branches-covered=\"3\" branches-valid=\"6\""))
        #expect(xml.contains("<line number=\"5\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (1/2)\"/>"))
    }
}
