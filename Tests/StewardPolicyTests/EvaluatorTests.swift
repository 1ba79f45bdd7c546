import Foundation
import StewardCore
import StewardModel
import StewardTestSupport
import Testing
@testable import StewardPolicy

@Suite struct EvaluatorTests {
    func outcomes(_ e: Evaluation) -> [String] {
        e.findings.map { "\($0.policy) \($0.target) \($0.outcome.rawValue)" }
    }

    @Test func passFailAndNotApplicable() throws {
        let (e, _) = try evaluate(policy("where property.pii\n  require (property.masking default \"none\") != \"none\"").replacingOccurrences(
            of: "message \"m\"", with: "message \"`{property.id}` is masked with {property.masking}\"")) { mesh in
            try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "value: hash", with: "value: none")
        }
        #expect(outcomes(e) == ["t.p sales.orders_raw.orders.email fail"])
        #expect(e.findings[0].message == "`sales.orders_raw.orders.email` is masked with none")
        #expect(e.stats["t.p"] == PolicyStats(pass: 0, fail: 1, error: 0, notApplicable: 4))
    }

    @Test func aMissingValueIsAnErrorNeverAPass() throws {
        let (e, _) = try evaluate(policy("require contract.retention <= 365d", target: "contract"))
        #expect(outcomes(e) == ["t.p sales.daily_sales fail", "t.p sales.orders_raw error"])
        let error = e.findings[1]
        #expect(error.errorId == "POL0601")
        #expect(error.message.contains("`contract.retention` is missing"))
        #expect(e.findings[0].location.path == "domains/sales/contracts/daily_sales.odcs.yaml")
        #expect(e.findings[0].location.line == 22)  // the retention SLA entry, not the contract
    }

    @Test func anErrorInWhereIsAnError() throws {
        let (e, _) = try evaluate(policy("where contract.freshness < 1d\n  require true", target: "contract"))
        #expect(outcomes(e) == ["t.p sales.daily_sales pass", "t.p sales.orders_raw error"])
    }

    @Test func guardsAndDefaultsAvoidErrors() throws {
        let (e, _) = try evaluate(policy("require has(contract.retention) and contract.retention <= 365d or not has(contract.product)", target: "contract"))
        #expect(outcomes(e) == ["t.p sales.daily_sales fail", "t.p sales.orders_raw pass"])
    }

    @Test func quantifiersComprehensionsAndFunctions() throws {
        let (e, _) = try evaluate(policy("""
        let pii = [p.name for p in contract.properties where p.pii]
          require count(p in contract.properties where p.required) >= 1
              and (every p in contract.properties where p.pii: has(p.masking))
              and join(pii, ",") == (if contract.source then "email" else "")
              and len(distinct(flatten([g.domains for g in contract.grants]))) <= 1
        """, target: "contract"))
        #expect(outcomes(e) == ["t.p sales.daily_sales pass", "t.p sales.orders_raw pass"])
    }

    @Test func inputsSeeGrantsAndProducers() throws {
        let (e, _) = try evaluate(policy("require input.source and not input.crossDomain and len(input.grants) == 0 and not has(input.producer)", target: "input"))
        #expect(outcomes(e) == ["t.p sales.daily_sales/inputs/orders pass"])
    }

    @Test func domainPoliciesJudgeOnlyTheirDomain() throws {
        let text = policy("require false", target: "contract", id: "other.p")
        let (e, _) = try evaluate(text, path: "domains/other/policies/o.policy") { mesh in
            try mesh.write("domains/other/domain.yaml", "apiVersion: steward/v1\nkind: Domain\nname: other\nowners:\n  team: o\n  members: [o@acme.example]\n")
        }
        #expect(outcomes(e).isEmpty)
        #expect(e.stats["other.p"]?.evaluated == 0)
    }

    @Test func evaluationTimeIsAnInput() throws {
        let text = policy("require evaluation.time < timestamp(\"2026-07-01T00:00:00Z\")", target: "domain")
        let (early, _) = try evaluate(text, at: 1_782_000_000)
        let (late, _) = try evaluate(text, at: 1_783_000_000)
        #expect(outcomes(early) == ["t.p sales pass"])
        #expect(outcomes(late) == ["t.p sales fail"])
    }

    @Test func runtimeErrorsAreReported() throws {
        let (e, _) = try evaluate(policy("require 1 / (len(contract.properties) - len(contract.properties)) > 0", target: "contract"))
        #expect(e.findings.allSatisfy { $0.outcome == .error && $0.errorId == "POL0603" })
        let (conversion, _) = try evaluate(policy("require int(contract.customProperties[\"tier\"]) > 0", target: "contract")) { mesh in
            try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "status: active\n",
                          with: "status: active\ncustomProperties:\n  - property: tier\n    value: gold\n")
        }
        #expect(conversion.findings.map { "\($0.target) \($0.errorId ?? "")" } == ["sales.daily_sales POL0602", "sales.orders_raw POL0601"])
    }

    /// Numbers are finite (§4): YAML's `.nan` and `.inf` do not convert.
    @Test(arguments: [".nan", ".inf", "-.inf"])
    func nonFiniteNumbersDoNotConvert(_ yaml: String) throws {
        let text = policy("require not has(contract.customProperties[\"ratio\"]) or number(contract.customProperties[\"ratio\"]) >= 0",
                          target: "contract")
        try expectOutcomes(text, ["sales.daily_sales error POL0602", "sales.orders_raw pass"]) { mesh in
            try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "status: active\n",
                          with: "status: active\ncustomProperties:\n  - property: ratio\n    value: \(yaml)\n")
        }
    }

    @Test func aFailedInterpolationKeepsTheOutcome() throws {
        let (e, _) = try evaluate(policy("require false", target: "contract").replacingOccurrences(
            of: "message \"m\"", with: "message \"kept {seconds(contract.retention)}\""))
        #expect(outcomes(e) == ["t.p sales.daily_sales fail", "t.p sales.orders_raw fail"])
        #expect(e.findings[1].message.hasPrefix("kept (error: "))
        #expect(e.diagnostics.map(\.id) == ["POL0607"])
    }

    /// Constants are folded by the reference interpreter at check time; binders inside them
    /// need frame slots like anywhere else.
    @Test func constantsMayQuantifyCountAndComprehend() throws {
        let text = """
        const doubled = [x * 2 for x in [1, 2, 3]]
        const positive = every x in [1, 2, 3]: x > 0
        const large = count(x in [1, 5, 9] where x > 4)

        """ + policy("require positive and large == 2 and doubled == [2, 4, 6] and len(contract.grants) < large", target: "contract")
        try expectOutcomes(text, ["sales.daily_sales pass", "sales.orders_raw pass"])
    }

    /// `has` and `default` absorb a missing value only at a step of their own optional chain
    /// (§7.2); a missing value inside a function argument or a comprehension is an error.
    @Test func hasAndDefaultAbsorbOnlyTheirOwnChain() throws {
        // The chain: `contract.product` is missing for the source contract `orders_raw`.
        let chain = policy("require not has(contract.product.team) and (contract.product.team.name default \"x\") == \"x\"", target: "contract")
        try expectOutcomes(chain, ["sales.daily_sales pass", "sales.orders_raw pass"])
        // Not the chain: no property of either contract declares a masking.
        let argument = policy("require has(first([p.masking for p in contract.properties]))", target: "contract")
        try expectOutcomes(argument, ["sales.daily_sales error POL0601", "sales.orders_raw error POL0601"])
        let defaulted = policy("require (first([p.masking for p in contract.properties]) default \"none\") == \"none\"", target: "contract")
        try expectOutcomes(defaulted, ["sales.daily_sales error POL0601", "sales.orders_raw error POL0601"])
        // A map key is an argument of the lookup, not a step of the chain.
        let key = policy("require not has(contract.customProperties[contract.name])", target: "contract")
        try expectOutcomes(key, ["sales.daily_sales error POL0601", "sales.orders_raw error POL0601"])
    }

    /// `sum` of an empty list is the zero of the list's element type (§6).
    @Test func sumOfNothingIsTheZeroOfItsType() throws {
        let text = policy("""
        require sum([d for d in [1d, 2d] where d > 5d]) == 0s
              and sum([q for q in [1%] where q > 5%]) == 0%
              and sum([x for x in [1.5] where x > 5.0]) + 9223372036854775807 + 1 > 0
        """, target: "domain")
        try expectOutcomes(text, ["sales pass"])
    }

    /// Classifications order by rank, `public < internal < confidential < restricted`, in
    /// `min`, `max` and sets, as in `<`.
    @Test func classificationsOrderByRank() throws {
        let ranked: (ScratchMesh) throws -> Void = { mesh in
            let path = "domains/sales/contracts/orders_raw.odcs.yaml"
            try mesh.edit(path, replacing: "logicalType: integer\n", with: "logicalType: integer\n        classification: internal\n")
            try mesh.edit(path, replacing: "logicalType: timestamp\n", with: "logicalType: timestamp\n        classification: confidential\n")
        }
        let text = policy("""
        let levels = [p.classification default "public" for p in contract.properties]
          require min(levels) == "internal" and max(levels) == "restricted"
              and join({l for l in levels}, ",") == "internal,confidential,restricted"
              and join(union(set(levels), {"public"}), ",") == "public,internal,confidential,restricted"
        """, target: "contract")
        try expectOutcomes(text, ["sales.daily_sales fail", "sales.orders_raw pass"], prepare: ranked)
        // An unknown classification cannot be ordered (POL0604), as with `<`.
        let unknown: (ScratchMesh) throws -> Void = { mesh in
            try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "classification: restricted", with: "classification: secret")
        }
        let extreme = policy("require max([p.classification default \"public\" for p in contract.properties]) != \"public\"", target: "contract")
        try expectOutcomes(extreme, ["sales.daily_sales fail", "sales.orders_raw error POL0604"], prepare: unknown)
    }

    /// Negating the most negative duration overflows (POL0603); it must not trap, neither when
    /// the checker folds a constant nor at run time.
    @Test func negationOverflowIsAnError() throws {
        let folded = policy("require -(-9223372036854775807 * 1s - 1s) > 0s", target: "domain")
        try expectOutcomes(folded, ["sales error POL0603"])
        let model = policy("require -(len(domain.products) * 0s - 9223372036854775807 * 1s - 1s) > 0s", target: "domain")
        try expectOutcomes(model, ["sales error POL0603"])
    }

    /// Concatenation and the functions that build long values count their size against the
    /// step budget of §7.6, so doubling a value in a chain of `let`s stops with POL0606.
    @Test(arguments: ["string +", "list +", "flatten", "join"])
    func buildingLongValuesCountsAgainstTheBudget(_ how: String) throws {
        func double(_ x: String) -> String {
            switch how {
            case "flatten": "flatten([\(x), \(x)])"
            case "join": "join([\(x), \(x)], \"\")"
            default: "\(x) + \(x)"
            }
        }
        var lets = "let v0 = \(how == "list +" || how == "flatten" ? "[domain.name]" : "domain.name")"
        for i in 1...24 { lets += "\n  let v\(i) = \(double("v\(i - 1)"))" }
        let text = policy(lets + "\n  require len(v24) > 0", target: "domain")
        try expectOutcomes(text, ["sales error POL0606"])
    }

    /// A constant is computed under the same budget: doubling one const after another stops
    /// with POL0212 instead of taking the checker's memory.
    @Test func constantsCountAgainstTheBudgetToo() {
        var text = "const c0 = \"x\"\n"
        for i in 1...24 { text += "const c\(i) = c\(i - 1) + c\(i - 1)\n" }
        let set = checkPolicies(text + policy("require len(c24) > 0", target: "domain"))
        #expect(positions(set.diagnostics.filter { $0.id == "POL0212" }) == ["POL0212@25:13"])
    }

    @Test func theSeedPoliciesOnTheScratchMesh() throws {
        let set = try PolicySet.load(from: FolderTree(root: repositoryRoot), domains: ["sales"])
        #expect(!set.hasErrors)
        let scratch = try ScratchMesh()
        try scratch.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "        logicalType: timestamp",
                         with: "        logicalType: timestamp\n        criticalDataElement: true")
        let mesh = try #require(try scratch.load().value)
        let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 1_782_864_000, command: "test"))
        let e = PolicyEvaluator.evaluate(set.policies.map(CompiledPolicy.init), view: view)
        #expect(outcomes(e) == [
            "ownership.productContact sales.daily_sales fail",
            "privacy.piiRetention sales.orders_raw fail",
            "quality.cdeCompleteness sales.orders_raw.orders.order_ts fail",
            "quality.contractPurpose sales.daily_sales fail",
            "quality.contractPurpose sales.orders_raw fail",
        ])
        let retention = try #require(e.findings.first { $0.policy == "privacy.piiRetention" })
        #expect(retention.message == "`sales.orders_raw` holds PII (email); its retention must be at most 365d, found (missing) on (missing)")
        #expect(retention.hint == "shorten the retention SLA (slaProperties: retention, value, unit, element) to at most 365d")
    }
}

@Suite struct ModelViewTests {
    @Test func recordKindOrdinalsAreTheirPositions() {
        #expect(RecordKind.allCases.map(\.ordinal) == Array(0..<RecordKind.allCases.count))
    }

    @Test func valuesStayTwoWordsWide() {
        #expect(MemoryLayout<Value>.size <= 17)
    }
}

@Suite struct ExplainerTests {
    @Test func explainShowsTheDecidingConditionAndItsValues() throws {
        let text = policy("""
        let pii = [p.name for p in contract.properties where p.pii]
          where len(pii) > 0
          require (every p in contract.properties where p.pii: p.masking == "tokenize") and has(contract.retention)
        """, target: "contract")
        let (e, set) = try evaluate(text)
        let finding = try #require(e.findings.first { $0.outcome == .fail })
        let mesh = try #require(try ScratchMesh().load().value)
        let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 0, command: "test"))
        let lines = Explainer.explain(finding, policies: set.policies, view: view)
            .map { $0.replacingOccurrences(of: #" {2,}"#, with: " | ", options: .regularExpression) }
        #expect(lines == [
            "where len(pii) > 0 | true",
            " | len(pii) | 1",
            " | pii | [\"email\"]",
            "require every p in contract.properties where p.pii: p.masking == \"tokenize\" false | ← decided",
            " | element #2 of contract.properties | property sales.orders_raw.orders.email | fails",
            " | p.masking | \"hash\" | domains/sales/contracts/orders_raw.odcs.yaml:17",
        ])
    }
}

extension ExplainerTests {
    /// A value read from a whole file (a change's) has no line: its place is the file alone,
    /// not `file:0`.
    @Test func aPlaceWithoutALineIsTheFileAlone() {
        #expect(Explainer.Session.place(SourceLocation(path: "domains/a/contracts/c.odcs.yaml")) == "domains/a/contracts/c.odcs.yaml")
        #expect(Explainer.Session.place(SourceLocation(path: "domains/a/contracts/c.odcs.yaml", line: 4, column: 3))
                == "domains/a/contracts/c.odcs.yaml:4")
    }
}

@Suite struct DemandTests {
    /// The view built for the seed policies' demand gives the findings of the full view.
    @Test func aNarrowViewGivesTheSameFindings() throws {
        let tree = FolderTree(root: repositoryRoot)
        let mesh = try #require(try MeshLoader().load(from: tree).value)
        let set = try PolicySet.load(from: tree, domains: Array(mesh.domains.keys))
        let compiled = set.policies.map(CompiledPolicy.init)
        let info = EvaluationInfo(time: 1_782_864_000, command: "test")
        let full = PolicyEvaluator.evaluate(compiled, view: ModelView(mesh: mesh, evaluation: info), includePasses: true)
        let narrow = PolicyEvaluator.evaluate(compiled, view: ModelView(mesh: mesh, evaluation: info, demand: Demand(set.policies)),
                                              includePasses: true)
        #expect(full.findings == narrow.findings)
        #expect(full.stats == narrow.stats)
        #expect(full.findings.count > 50)
    }

    @Test func demandNamesTheFieldsPoliciesRead() {
        let set = checkPolicies(policy("require some g in contract.grants: len(g.domains) > 0", target: "contract"))
        let d = Demand(set.policies)
        #expect(d.targets == [.contract])
        #expect(d.wants(.contract, "grants") && d.wants(.grant, "domains"))
        #expect(!d.wants(.contract, "sla") && !d.wants(.property, "quality"))
    }
}

@Suite struct DerivedGuaranteesTests {
    @Test func aPropertyHasTheBestGuaranteeOfItsRulesPlacedAtTheFirstThatGivesOne() throws {
        let scratch = try ScratchMesh()
        try scratch.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "        required: true\n", with: """
                        required: true
                        quality:
                          - {type: library, metric: rowCount, mustBeGreaterThan: 0}
                          - {type: library, metric: nullValues, mustBeLessThan: 5, unit: percent}
                          - {type: library, metric: invalidValues, mustBeLessOrEqualTo: 2, unit: percent}
                          - {type: library, metric: missingValues, mustBe: 0}
                          - {type: library, metric: invalidValues, mustBeLessOrEqualTo: 1, unit: percent}

                """)
        let mesh = try #require(try scratch.load().value)
        let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 0, command: "test"))
        let target = try #require(view.targets(.property).first { $0.id == "sales.orders_raw.orders.order_id" })
        guard case .record(let ref) = target.bindings[0] else { Issue.record("not a record"); return }
        #expect(view.field("completeness", of: target.bindings[0]) == .percent(100))
        #expect(view.field("errorRate", of: target.bindings[0]) == .percent(1))
        let rules = mesh.contracts["sales.orders_raw"]!.objects[0].properties[0].quality
        #expect(view.location(ref, field: Schema.index(of: "completeness", in: .property)!) == rules[1].location)
        #expect(view.location(ref, field: Schema.index(of: "errorRate", in: .property)!) == rules[2].location)
        #expect(view.location(ref, field: Schema.index(of: "name", in: .property)!) == view.location(ref))
    }
}

@Suite struct NestedPropertiesTests {
    @Test func nestedPropertiesAreTargetsWithDottedPathsInDocumentOrder() throws {
        let scratch = try ScratchMesh()
        try scratch.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "        logicalType: timestamp\n", with: """
                logicalType: timestamp
              - name: address
                logicalType: object
                properties:
                  - name: street
                    logicalType: string
                  - name: geo
                    logicalType: object
                    properties:
                      - name: lat
                        logicalType: number
              - name: lines
                logicalType: array
                items:
                  logicalType: object
                  properties:
                    - name: sku
                      logicalType: string

        """)
        let mesh = try #require(try scratch.load().value)
        let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 0, command: "test"))
        let targets = view.targets(.property).filter { $0.id.hasPrefix("sales.orders_raw.") }
        #expect(targets.map(\.id) == ["order_id", "email", "order_ts", "address", "address.street", "address.geo", "address.geo.lat",
                                       "lines", "lines.sku"].map { "sales.orders_raw.orders.\($0)" })
        #expect(targets.map { view.field("name", of: $0.bindings[0]) } == SchemaProperty.flatten(
            mesh.contracts["sales.orders_raw"]!.objects[0].properties).map { .string($0.path) })
    }
}

@Suite struct TransformReadsTests {
    @Test func wordsSkipCommentsAndStringLiterals() {
        let w = ModelView.words(of: "SELECT c.Email AS contact, '-- not a comment', 'phone' -- birth_date\nFROM t")
        #expect(w.contains("email") && w.contains("contact") && w.contains("from"))
        #expect(!w.contains("phone") && !w.contains("birth_date") && !w.contains("not"))
    }

    @Test func wordsLowercaseIdentifiersWithUnderscoresAndDigits() {
        let sql = "SELECT Customer_ID, o.orderTotal2, 'it''s -- quoted' AS x9\nFROM sales.Orders_v2 -- Trailing\nWHERE a-b > 0 --- three\nAND \"Quoted_Col\" = 1"
        #expect(ModelView.words(of: sql) == ["select", "customer_id", "o", "ordertotal2", "as", "x9", "from", "sales", "orders_v2",
                                             "where", "a", "b", "0", "and", "quoted_col", "1"])
        // A `\r\n` is one Character, not a `\n`: it does not end a comment.
        #expect(ModelView.words(of: "a -- b\r\nc\nd") == ["a", "d"])
        #expect(ModelView.words(of: "SELECT Näme，Straße FROM t") == ["select", "näme", "straße", "from", "t"])
    }

    @Test func inputReadsAreTheInputColumnsTheTransformNames() throws {
        let scratch = try ScratchMesh()
        try scratch.write("domains/sales/transforms/daily_sales.sql", "SELECT Email, order_ts FROM orders -- order_id\n")
        let mesh = try #require(try scratch.load().value)
        let view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 0, command: "test"), files: scratch.tree)
        let input = try #require(view.targets(.input).first { $0.id == "sales.daily_sales/inputs/orders" }).bindings[0]
        #expect(view.field("reads", of: input) == .list([.string("email"), .string("order_ts")]))
        #expect(view.field("piiReads", of: input) == .list([.string("email")]))
        let withoutTransforms = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: 0, command: "test"))
        let unread = try #require(withoutTransforms.targets(.input).first { $0.id == "sales.daily_sales/inputs/orders" }).bindings[0]
        #expect(withoutTransforms.field("reads", of: unread) == .list([]))
    }

    /// The byte scan for ASCII text finds exactly the columns the set of all words finds,
    /// on random text and contracts whose columns differ only in case, repeat across objects,
    /// have physical names, or are not ASCII (which, like non-ASCII text, takes the words path).
    @Test func theByteScanReadsTheColumnsTheWordsRead() {
        let names = ["id", "Email", "email", "order_ts", "ORDER_TS", "x1", "a", "näme"]
        let alphabet = Array("aeIdmlxo_1 -'\n\r,.")
        var seed: UInt64 = 7
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33) % n
        }
        var fastPaths = 0
        for round in 0..<1500 {
            // Most rounds keep to ASCII names, so most take the byte scan.
            let pool = round % 4 == 0 ? names.count : names.count - 1
            let inputs: [TransformReads.Columns?] = (0..<(1 + next(3))).map { _ in
                if next(5) == 0 { return nil }
                let objects = (0..<(1 + next(2))).map { o in
                    SchemaObject(name: "o\(o)", properties: (0..<next(4)).map { _ in
                        var p = SchemaProperty(name: names[next(pool)])
                        if next(3) == 0 { p.physicalName = names[next(pool)].uppercased() }
                        if next(2) == 0 { p.tags = ["PII"] }
                        return p
                    })
                }
                return TransformReads.Columns(Contract(id: "c", objects: objects))
            }
            var sql = ""
            for _ in 0..<30 { sql += next(4) == 0 ? names[next(pool)] : String(alphabet[next(alphabet.count)]) }
            let words = ModelView.words(of: sql)
            let expected = inputs.map { c in c?.read { k in c!.spellings[k].contains { words.contains($0) } } ?? [] }
            let actual = TransformReads.reads(of: sql, inputs: inputs)
            #expect(actual.map { $0.map { "\($0.name):\($0.pii)" } } == expected.map { $0.map { "\($0.name):\($0.pii)" } },
                    "\(sql.debugDescription)")
            // The words kept for a transform answer as its text does.
            if let words = TransformReads.words(of: sql), let fromWords = TransformReads.reads(words: words, inputs: inputs) {
                #expect(fromWords.map { $0.map { "\($0.name):\($0.pii)" } } == actual.map { $0.map { "\($0.name):\($0.pii)" } },
                        "\(sql.debugDescription)")
            }
            if inputs.allSatisfy({ $0?.ascii ?? true }) && sql.utf8.allSatisfy({ $0 < 0x80 }) { fastPaths += 1 }
        }
        #expect(fastPaths > 1000, "the byte scan was tried \(fastPaths) times")
    }

    @Test func approversAreTrimmedAsFoundationTrimsThem() {
        for text in seededTexts(Array(" \ta,b\n\r\u{00A0}\u{2003}é").map(String.init), seed: 5, count: 2000, maxPieces: 8) {
            #expect(Substring(text).trimmingSpace(newlines: false) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func trimTrimsAsFoundationTrims() {
        // Every ASCII control from tab to CR, CRLF as one character, and spaces that are not ASCII.
        let alphabet = Array(" \ta,b\n\r\u{0B}\u{0C}\r\n\u{00A0}\u{2003}\u{85}é").map(String.init)
        let texts = seededTexts(alphabet, seed: 11, count: 4000, maxPieces: 8)
        for text in texts {
            #expect(text.trimmingSpace(newlines: true) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
        #expect(texts.count { $0.utf8.allSatisfy { $0 < 0x80 } } >= 1_000)  // the fast path was taken often
    }

    @Test func asciiWordsMatchTheCharacterScan() {
        let alphabet = Array("aZ_9 -'\n\r,.")
        var seed: UInt64 = 42
        for _ in 0..<2000 {
            var sql = ""
            for _ in 0..<40 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                sql.append(alphabet[Int(seed >> 33) % alphabet.count])
            }
            #expect(ModelView.words(of: sql) == ModelView.unicodeWords(of: sql), "\(sql.debugDescription)")
        }
    }
}
