import Foundation
import StewardCore
import StewardPolicy
import StewardModel
import Testing
@testable import StewardDiff

@Suite struct ContractDiffTests {
    static let base = """
    apiVersion: v3.1.0
    kind: DataContract
    id: sales.customers
    version: 1.2.0
    status: active
    servers:
      - {server: local, type: local, path: sources/customers.csv, format: csv}
    schema:
      - name: customers
        properties:
          - name: customer_id
            id: cid
            logicalType: integer
            physicalType: int
            required: true
            unique: true
            primaryKey: true
            criticalDataElement: true
            quality:
              - {metric: nullValues, mustBeLessOrEqualTo: 1, unit: percent}
          - name: email
            logicalType: string
            classification: restricted
            tags: [pii]
            customProperties:
              - {property: anonymizationStrategy, value: hash}
            logicalTypeOptions: {maxLength: 254, pattern: "^.+@.+$"}
          - name: signup_ts
            logicalType: date
          - name: status
            logicalType: string
            quality:
              - {metric: invalidValues, mustBe: 0, arguments: {validValues: [active, closed]}}
    slaProperties:
      - {property: latency, value: 6, unit: h, element: customers.signup_ts}
      - {property: retention, value: 2, unit: y, element: customers.signup_ts}
    roles:
      - role: marketing_reader
        access: read
        customProperties:
          - {property: domains, value: [marketing, finance]}
          - {property: pii, value: true}

    """

    func contract(_ text: String) throws -> Contract {
        let loaded = Documents.load(Array(text.utf8), path: "c.odcs.yaml")
        guard case .contract(let c)? = loaded.value, !loaded.hasErrors else {
            throw ScratchFailure("does not load: \(loaded.diagnostics.map(\.message))")
        }
        return c
    }

    struct ScratchFailure: Error { let message: String; init(_ m: String) { message = m } }

    /// `kind breaking|safe element` for each change of editing the base contract.
    func diff(_ edits: [(String, String)]) throws -> [String] {
        var text = Self.base
        for (a, b) in edits {
            #expect(text.contains(a), "edit target `\(a)` not in the base contract")
            text = text.replacingOccurrences(of: a, with: b)
        }
        return ContractDiff.compare(try contract(Self.base), try contract(text)).map {
            "\($0.kind) \($0.breaking ? "breaking" : "safe") \($0.element)"
        }
    }

    @Test func identicalContractsHaveNoChanges() throws {
        #expect(try diff([]).isEmpty)
    }

    @Test(arguments: [
        // schema
        ([("      - name: signup_ts\n        logicalType: date\n", "")], ["property.removed breaking sales.customers.customers.signup_ts"]),
        ([("      - name: signup_ts\n", "      - name: country\n        logicalType: string\n      - name: signup_ts\n")],
         ["property.added safe sales.customers.customers.country"]),
        ([("      - name: customer_id\n", "      - name: client_id\n")], ["property.renamed breaking sales.customers.customers.client_id"]),
        ([("physicalType: int\n", "physicalType: bigint\n")], ["property.typeChanged breaking sales.customers.customers.customer_id"]),
        ([("logicalType: date", "logicalType: timestamp")], ["property.typeChanged breaking sales.customers.customers.signup_ts"]),
        ([("        required: true\n", "")], ["property.requiredRemoved breaking sales.customers.customers.customer_id"]),
        ([("        logicalType: date\n", "        logicalType: date\n        required: true\n")],
         ["property.requiredAdded safe sales.customers.customers.signup_ts"]),
        ([("        unique: true\n", "")], ["property.uniqueRemoved breaking sales.customers.customers.customer_id"]),
        ([("        primaryKey: true\n", "")], ["property.primaryKeyChanged breaking sales.customers.customers.customer_id"]),
        ([("classification: restricted", "classification: internal")], ["classification.loosened breaking sales.customers.customers.email"]),
        ([("        logicalType: date\n", "        logicalType: date\n        classification: confidential\n")],
         ["classification.added safe sales.customers.customers.signup_ts"]),
        ([("        classification: restricted\n", "")], ["classification.removed breaking sales.customers.customers.email"]),
        ([("        tags: [pii]\n", "")], ["pii.removed breaking sales.customers.customers.email"]),
        ([("value: hash}", "value: tokenize}")], ["masking.changed breaking sales.customers.customers.email"]),
        ([("value: hash}", "value: none}")], ["masking.removed breaking sales.customers.customers.email"]),
        ([("        criticalDataElement: true\n", "")], ["criticalDataElement.removed safe sales.customers.customers.customer_id"]),
        // quality
        ([("mustBeLessOrEqualTo: 1,", "mustBeLessOrEqualTo: 5,")], ["quality.loosened breaking sales.customers.customers.customer_id"]),
        ([("mustBeLessOrEqualTo: 1,", "mustBeLessOrEqualTo: 0,")], ["quality.tightened safe sales.customers.customers.customer_id"]),
        ([("mustBeLessOrEqualTo: 1, unit: percent}", "mustBeLessOrEqualTo: 1}")], ["quality.loosened breaking sales.customers.customers.customer_id"]),
        ([("        quality:\n          - {metric: nullValues, mustBeLessOrEqualTo: 1, unit: percent}\n", "")],
         ["quality.removed breaking sales.customers.customers.customer_id"]),
        // constraints (logicalTypeOptions) and quality arguments: admitting fewer values is safe
        ([("maxLength: 254", "maxLength: 100")], ["constraint.tightened safe sales.customers.customers.email"]),
        ([("maxLength: 254", "maxLength: 320")], ["constraint.loosened breaking sales.customers.customers.email"]),
        ([("maxLength: 254, ", "")], ["constraint.loosened breaking sales.customers.customers.email"]),
        ([("pattern: \"^.+@.+$\"", "pattern: \"^[^@]+@[^@]+$\"")], ["constraint.loosened breaking sales.customers.customers.email"]),
        ([("{maxLength: 254, ", "{minLength: 3, maxLength: 254, ")], ["constraint.tightened safe sales.customers.customers.email"]),
        ([("validValues: [active, closed]", "validValues: [active]")], ["quality.tightened safe sales.customers.customers.status"]),
        ([("validValues: [active, closed]", "validValues: [active, closed, frozen]")], ["quality.loosened breaking sales.customers.customers.status"]),
        ([("validValues: [active, closed]", "invalidValues: [frozen]")], ["quality.loosened breaking sales.customers.customers.status"]),
        // SLA
        ([("value: 2, unit: y", "value: 1, unit: y")], ["retention.shortened breaking sales.customers"]),
        ([("value: 2, unit: y", "value: 3, unit: y")], ["retention.lengthened safe sales.customers"]),
        ([("  - {property: retention, value: 2, unit: y, element: customers.signup_ts}\n", "")], ["retention.removed safe sales.customers"]),
        ([("value: 6, unit: h", "value: 1, unit: d")], ["freshness.loosened breaking sales.customers"]),
        ([("value: 6, unit: h", "value: 1, unit: h")], ["freshness.tightened safe sales.customers"]),
        ([("path: sources/customers.csv", "path: sources/clients.csv")], ["server.changed breaking sales.customers"]),
        // grants
        ([("value: [marketing, finance]", "value: [marketing]")], ["grant.narrowed breaking sales.customers/grants/marketing_reader"]),
        ([("value: [marketing, finance]", "value: [marketing, finance, audit]")], ["grant.widened safe sales.customers/grants/marketing_reader"]),
        ([("role: marketing_reader", "role: marketing")],
         ["grant.revoked breaking sales.customers/grants/marketing_reader", "grant.added safe sales.customers/grants/marketing"]),
        ([("{property: pii, value: true}", "{property: pii, value: false}")], ["grant.narrowed breaking sales.customers/grants/marketing_reader"]),
        ([("    access: read\n", "")], ["grant.narrowed breaking sales.customers/grants/marketing_reader"]),
        ([("classification: restricted", "classification: Restricted")], []),
        // contract
        ([("version: 1.2.0", "version: 2.0.0")], ["contract.versionChanged safe sales.customers"]),
        ([("status: active", "status: retired")], ["contract.statusChanged breaking sales.customers"]),
    ] as [([(String, String)], [String])])
    func eachRule(_ edits: [(String, String)], _ expected: [String]) throws {
        #expect(try diff(edits) == expected)
    }

    @Test func typeChangesSayWhetherTheyWidenOrNarrow() throws {
        let base = try contract(Self.base)
        let wider = try contract(Self.base.replacingOccurrences(of: "physicalType: int\n", with: "physicalType: bigint\n"))
        let narrower = try contract(Self.base.replacingOccurrences(of: "logicalType: date", with: "logicalType: timestamp"))
        #expect(ContractDiff.compare(base, wider).first?.description == "`customers.customer_id` physicalType int → bigint (widened)")
        #expect(ContractDiff.compare(narrower, base).first?.description == "`customers.signup_ts` logicalType timestamp → date (narrowed)")
    }
}

@Suite struct ChangeVocabularyTests {
    /// Every kind the diff can emit is a `changeKind` the policy language knows, so a policy
    /// can name it (`change.kind == "retention.shortened"`) and the checker accepts it.
    @Test func everyEmittedKindIsInThePolicyVocabulary() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var emitted = Set<String>()
        for file in ["ContractDiff.swift", "MeshDiff.swift"] {
            let text = try String(contentsOf: root.appendingPathComponent("Sources/StewardDiff/\(file)"), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"add\("([a-zA-Z]+\.[a-zA-Z]+)"|Change\("([a-zA-Z]+\.[a-zA-Z]+)"|"([a-zA-Z]+\.[a-zA-Z]+)" : "([a-zA-Z]+\.[a-zA-Z]+)""#)
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                for g in 1..<m.numberOfRanges {
                    if let r = Range(m.range(at: g), in: text) { emitted.insert(String(text[r])) }
                }
            }
        }
        #expect(emitted.count > 30)
        #expect(emitted.subtracting(ChangeKinds.all).isEmpty, "\(emitted.subtracting(ChangeKinds.all).sorted())")
    }
}

@Suite struct ChangeSetTests {
    @Test(arguments: [
        ("steward.yaml", "mesh"), ("policies/privacy.policy", "policy"), ("policies/privacy.test.yaml", "policy"),
        ("waivers/privacy.yaml", "waiver"), ("domains/sales/waivers/w.yaml", "waiver"), ("domains/sales/domain.yaml", "domain"),
        ("domains/sales/contracts/orders.odcs.yaml", "contract"), ("domains/sales/products/orders.odps.yaml", "product"),
        ("domains/sales/transforms/orders.sql", "transform"), ("domains/sales/sources/orders.csv", "file"), ("README.md", "file"),
        ("domains/sales/policies/s.policy", "policy"),
    ])
    func entityOfAPath(_ path: String, _ entity: String) {
        #expect(ChangeSet.entity(of: path) == entity)
    }

    @Test func filesCompareByContent() throws {
        let a = MemoryTree(label: "a", files: ["x": Array("1".utf8), "y": Array("2".utf8), "z": []])
        let b = MemoryTree(label: "b", files: ["x": Array("1".utf8), "y": Array("3".utf8), "w": []])
        #expect(try ChangeSet.files(from: a, to: b) == [
            FileChange(path: "w", status: .added), FileChange(path: "y", status: .modified), FileChange(path: "z", status: .removed),
        ])
    }
}

@Suite struct QualityBoundsTests {
    func direction(_ old: Threshold, _ new: Threshold) -> String {
        let a = QualityRule(type: .library, metric: "nullValues", threshold: old, unit: "percent")
        let b = QualityRule(type: .library, metric: "nullValues", threshold: new, unit: "percent")
        return "\(QualityBounds.compare(a, b))"
    }

    /// Every bound kind against its neighbours: strict and inclusive ends at the same value,
    /// equalities, ranges and exclusions.
    @Test(arguments: [
        (Threshold.mustBeLessThan(5), Threshold.mustBeLessOrEqualTo(5), "loosened"),
        (.mustBeLessOrEqualTo(5), .mustBeLessThan(5), "tightened"),
        (.mustBeGreaterThan(95), .mustBeGreaterOrEqualTo(95), "loosened"),
        (.mustBeGreaterOrEqualTo(95), .mustBeGreaterThan(95), "tightened"),
        (.mustBeLessThan(5), .mustBeLessThan(4), "tightened"),
        (.mustBeLessThan(5), .mustBeLessOrEqualTo(4.5), "tightened"),
        (.mustBe(.int(0)), .mustBeLessOrEqualTo(0), "loosened"),
        (.mustBeLessOrEqualTo(0), .mustBe(.int(0)), "tightened"),
        (.mustBeLessThan(1), .mustBe(.int(1)), "loosened"),
        (.mustBeBetween(0, 10), .mustBeBetween(1, 10), "tightened"),
        (.mustBeBetween(0, 10), .mustBeLessOrEqualTo(10), "loosened"),
        (.mustBeLessOrEqualTo(10), .mustBeBetween(0, 10), "tightened"),
        (.mustBeBetween(0, 10), .mustBeLessThan(10), "loosened"),
        (.mustNotBe(.int(0)), .mustBeGreaterThan(0), "tightened"),
        (.mustBeGreaterThan(0), .mustNotBe(.int(0)), "loosened"),
        (.mustNotBeBetween(0, 5), .mustNotBeBetween(0, 10), "tightened"),
        (.mustNotBeBetween(0, 10), .mustNotBeBetween(0, 5), "loosened"),
        (.mustNotBeBetween(0, 5), .mustBeGreaterThan(5), "tightened"),
        (.mustNotBeBetween(0, 5), .mustBeGreaterOrEqualTo(5), "loosened"),
        (.mustNotBeBetween(0, 5), .mustBeLessThan(0), "tightened"),
        (.mustBe(.string("ok")), .mustBe(.string("fine")), "unknown"),
    ] as [(Threshold, Threshold, String)])
    func boundDirection(_ old: Threshold, _ new: Threshold, _ expected: String) {
        #expect(direction(old, new) == expected)
    }

    /// ODCS counts rows when a rule names no unit: spelling it out changes nothing.
    @Test func anAbsentUnitIsRows() throws {
        let implicit = ContractDiffTests.base.replacingOccurrences(of: "mustBeLessOrEqualTo: 1, unit: percent}", with: "mustBeLessOrEqualTo: 1}")
        let explicit = ContractDiffTests.base.replacingOccurrences(of: "mustBeLessOrEqualTo: 1, unit: percent}", with: "mustBeLessOrEqualTo: 1, unit: rows}")
        #expect(ContractDiff.compare(try ContractDiffTests().contract(implicit), try ContractDiffTests().contract(explicit)).isEmpty)
        #expect(ContractDiff.compare(try ContractDiffTests().contract(explicit), try ContractDiffTests().contract(implicit)).isEmpty)
    }

    @Test func aStrictBoundBecomingInclusiveIsABreakingLoosening() throws {
        let strict = ContractDiffTests.base.replacingOccurrences(of: "mustBeLessOrEqualTo: 1,", with: "mustBeLessThan: 1,")
        let changes = ContractDiff.compare(try ContractDiffTests().contract(strict), try ContractDiffTests().contract(ContractDiffTests.base))
        #expect(changes.map { "\($0.kind) \($0.breaking)" } == ["quality.loosened true"])
    }
}
