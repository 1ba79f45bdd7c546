import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import StewardCLI
import StewardTestSupport
import Testing

/// `steward check --format sarif|junit|github|markdown` on one pull request that has a hard, a
/// mandatory, an advisory and a waived finding.
@Suite struct CheckReporterTests {
    func repository(extraBase: [(String, String)] = []) throws -> ScratchMesh {
        try .pullRequest(extraBase: extraBase)
    }

    static let waiver = """
    apiVersion: steward/v1
    kind: Waivers
    waivers:
      - policy: privacy.piiRetention
        target: sales.daily_sales
        reason: audit trail, kept <2y> & "reviewed"
        owner: sam@acme.example
        approvedBy: ada@acme.example
        expires: 2027-01-01T00:00:00Z

    """

    /// Eve, who owns nothing, adds an unmasked PII column that is a critical data element:
    /// ownership (mandatory), masking (hard), completeness (mandatory, a `%` in its message),
    /// the contract's purpose (advisory), and a waived retention finding.
    func pullRequest() throws -> ScratchMesh {
        let mesh = try repository(extraBase: [("waivers/sales.yaml", Self.waiver)])
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "      - name: orders\n",
                      with: "      - name: top_email\n        logicalType: string\n        criticalDataElement: true\n        tags: [pii]\n      - name: orders\n")
        try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: "      - name: order_ts\n        logicalType: timestamp\n", with: "")
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: "date(order_ts)", with: "current_date")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=eve@acme.example", "commit", "-q", "-m", "top customer")
        return mesh
    }

    func check(_ mesh: ScratchMesh, _ format: String) -> (status: Int32, out: String, err: String) {
        StewardRunner.run(["check", "-C", mesh.path, "--format", format, "--time", "2026-07-01T00:00:00Z"])
    }


    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    // MARK: SARIF

    @Test func sarifIsValidAgainstTheOfficialSchema() throws {
        let mesh = try pullRequest()
        let r = check(mesh, "sarif")
        #expect(r.status == 1, "\(r.err)")
        let problems = try SARIFSchema.validate(r.out)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The validator does reject what the schema forbids.
        let broken = r.out.replacingOccurrences(of: #""level" : "note""#, with: #""level" : "fatal""#)
        #expect(broken != r.out)
        #expect(try !SARIFSchema.validate(broken).isEmpty)
    }

    @Test func sarifRulesResultsAndSuppressions() throws {
        let mesh = try pullRequest()
        let report = try json(check(mesh, "json").out)
        let sarif = try json(check(mesh, "sarif").out)
        #expect(sarif["version"] as? String == "2.1.0")
        #expect((sarif["$schema"] as? String)?.hasSuffix("sarif-schema-2.1.0.json") == true)
        let runs = try #require(sarif["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let run = runs[0]
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "steward")
        #expect(driver["version"] as? String == Steward.configuration.version)

        // Rules: every policy of the set, with its level mapped and its tags.
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let policies = try #require(report["policies"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == policies.map { $0["id"] as? String })
        #expect(rules.count == 12)
        func rule(_ id: String) throws -> [String: Any] { try #require(rules.first { $0["id"] as? String == id }) }
        func level(_ object: [String: Any]) -> String? { (object["defaultConfiguration"] as? [String: Any])?["level"] as? String }
        #expect(level(try rule("privacy.piiMasking")) == "error")         // hard
        #expect(level(try rule("privacy.piiRetention")) == "error")       // mandatory
        #expect(level(try rule("sla.criticalFreshness")) == "warning")    // warning
        #expect(level(try rule("quality.contractPurpose")) == "note")     // advisory
        #expect((try rule("privacy.piiMasking")["shortDescription"] as? [String: Any])?["text"] as? String == "PII columns declare a masking strategy")
        #expect((try rule("privacy.piiMasking")["properties"] as? [String: Any])?["tags"] as? [String] == ["privacy", "gdpr"])

        // Results: one per finding, each pointing at its rule.
        let results = try #require(run["results"] as? [[String: Any]])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(results.count == findings.count)
        #expect(results.count == 11)
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
        func result(_ policy: String, _ target: String) throws -> [String: Any] {
            try #require(results.first { $0["ruleId"] as? String == policy && ($0["properties"] as? [String: Any])?["target"] as? String == target })
        }
        func physical(_ result: [String: Any]) -> [String: Any]? {
            ((result["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any]
        }
        let masking = try result("privacy.piiMasking", "sales.daily_sales.daily_sales.top_email")
        #expect(masking["level"] as? String == "error")
        #expect((masking["message"] as? [String: Any])?["text"] as? String == """
            `sales.daily_sales.daily_sales.top_email` is tagged pii but its anonymizationStrategy is (missing)
            help: declare the custom property anonymizationStrategy (hash, redact, tokenize or drop)
            """)
        let artifact = physical(masking)?["artifactLocation"] as? [String: Any]
        #expect(artifact?["uri"] as? String == "domains/sales/contracts/daily_sales.odcs.yaml")
        #expect(artifact?["uriBaseId"] as? String == "%SRCROOT%")
        let region = physical(masking)?["region"] as? [String: Any]
        #expect(region?["startLine"] as? Int == 12)
        #expect(region?["startColumn"] as? Int == 9)
        #expect(masking["suppressions"] == nil)
        // A finding without a line (a changed file) has no region.
        let owner = try result("ownership.domainChanges", "sales.daily_sales:contract.modified")
        #expect(physical(owner) != nil)
        #expect(physical(owner)?["region"] == nil)
        #expect(try result("quality.contractPurpose", "sales.daily_sales")["level"] as? String == "note")

        // The waived finding is suppressed, with the waiver's reason.
        let suppressed = results.filter { $0["suppressions"] != nil }
        #expect(suppressed.count == 1)
        let suppression = try #require((suppressed.first?["suppressions"] as? [[String: Any]])?.first)
        #expect(suppressed.first?["ruleId"] as? String == "privacy.piiRetention")
        #expect(suppression["kind"] as? String == "external")
        #expect(suppression["justification"] as? String == #"audit trail, kept <2y> & "reviewed""#)
        #expect((suppression["properties"] as? [String: Any])?["owner"] as? String == "sam@acme.example")

        // Fingerprints: one per (policy, target).
        let prints = results.compactMap { ($0["partialFingerprints"] as? [String: String])?.values.first }
        #expect(prints.count == results.count)
        #expect(Set(prints).count == prints.count)

        let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == true)
        #expect(invocation["exitCode"] as? Int == 1)
        let head = try mesh.git("rev-parse", "HEAD")
        #expect((run["automationDetails"] as? [String: Any])?["id"] as? String == "steward/check/\(head)")
        #expect((run["properties"] as? [String: Any])?["head"] as? String == head)
    }

    @Test func sarifFingerprintsDoNotMoveWithLines() throws {
        let mesh = try pullRequest()
        func masking() throws -> (line: Int?, print: String?) {
            let sarif = try json(check(mesh, "sarif").out)
            let results = try #require(((sarif["runs"] as? [[String: Any]])?.first)?["results"] as? [[String: Any]])
            let r = try #require(results.first { $0["ruleId"] as? String == "privacy.piiMasking" })
            let region = (((r["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any]
            return (region?["startLine"] as? Int, (r["partialFingerprints"] as? [String: String])?["stewardPolicyTarget/v1"])
        }
        let before = try masking()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "kind: DataContract\n", with: "kind: DataContract\n# daily totals\n")
        try mesh.git("commit", "-q", "-am", "comment")
        let after = try masking()
        #expect(before.line == 12)
        #expect(after.line == 13)
        #expect(before.print != nil)
        #expect(before.print == after.print)
    }

    // MARK: JUnit

    @Test func junitIsWellFormedWithTheRightCounts() throws {
        let mesh = try pullRequest()
        let r = check(mesh, "junit")
        #expect(r.status == 1, "\(r.err)")
        let junit = try JUnitReader.read(r.out)
        #expect(junit.root == ["name": "steward check", "tests": "11", "failures": "7", "errors": "0", "skipped": "1"])
        #expect(junit.suites.count == 12)
        for suite in junit.suites {
            #expect(suite.attributes["tests"] == String(suite.cases), "\(suite.name)")
            #expect(suite.attributes["failures"] == String(suite.failures), "\(suite.name)")
            #expect(suite.attributes["skipped"] == String(suite.skipped), "\(suite.name)")
        }
        #expect(junit.suites.map(\.cases).reduce(0, +) == 11)
        func suite(_ name: String) -> JUnitReader.Suite? { junit.suites.first { $0.name == name } }
        #expect(suite("ownership.domainChanges")?.failures == 3)
        #expect(suite("privacy.piiMasking")?.failures == 1)
        #expect(suite("privacy.piiRetention").map { ($0.cases, $0.failures, $0.skipped) } ?? (0, 0, 0) == (2, 1, 1))
        #expect(suite("quality.contractPurpose").map { ($0.cases, $0.failures, $0.outputs) } ?? (0, 0, 0) == (2, 0, 2))
        #expect(suite("sla.criticalFreshness")?.cases == 0)
        #expect(junit.skippedMessages == [#"waived: audit trail, kept <2y> & "reviewed" (owner sam@acme.example, expires 2027-01-01T00:00:00Z)"#])
        #expect(junit.failureTexts.contains("""
            `sales.daily_sales.daily_sales.top_email` is tagged pii but its anonymizationStrategy is (missing)
            help: declare the custom property anonymizationStrategy (hash, redact, tokenize or drop)
              at domains/sales/contracts/daily_sales.odcs.yaml:12:9
            """))
    }

    @Test func junitEscapesWhatXMLCannotHoldVerbatim() throws {
        let nasty = "a <b> & \"c\" 'd'\nline\u{1}two\ttab"
        #expect(CheckReporters.xml(nasty, attribute: true) == "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;&#10;line\u{FFFD}two&#9;tab")
        #expect(CheckReporters.xml(nasty) == "a &lt;b&gt; &amp; \"c\" 'd'\nline\u{FFFD}two\ttab")
        let report = CheckReport(
            base: "b", head: "h", policiesFrom: "b", time: "2026-07-01T00:00:00Z", changes: [],
            findings: [CheckReport.FindingRow(policy: "p.one", level: "hard", outcome: "error", message: nasty, hint: "]]> <![CDATA[",
                                              path: "a&b.yaml", line: 3, column: 1, target: "t<1>", waived: false)],
            policies: [CheckReport.PolicyRow(id: "p.one", title: "Title \"quoted\" & <tagged>", level: "hard", tags: [],
                                             path: "policies/p.policy", line: 1, evaluated: 1)],
            summary: ["hard": 1], verdict: "fail")
        let junit = try JUnitReader.read(CheckReporters.junit(report))
        #expect(junit.root["failures"] == "1")
        #expect(junit.suites.first?.properties["title"] == "Title \"quoted\" & <tagged>")
        #expect(junit.caseNames == ["t<1>"])
        #expect(junit.failureMessages == ["a <b> & \"c\" 'd'\nline\u{FFFD}two\ttab"])
        #expect(junit.failureTexts.first?.contains("help: ]]> <![CDATA[") == true)
    }

    // MARK: GitHub

    @Test func githubWorkflowCommands() throws {
        let mesh = try pullRequest()
        let r = check(mesh, "github")
        #expect(r.status == 1, "\(r.err)")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        #expect(lines.count == 12)
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 7)
        #expect(lines.filter { $0.hasPrefix("::notice ") }.count == 4)
        #expect(lines.contains("::error file=domains/sales/contracts/daily_sales.odcs.yaml,line=12,col=9,title=privacy.piiMasking::"
            + "`sales.daily_sales.daily_sales.top_email` is tagged pii but its anonymizationStrategy is (missing)"
            + "%0Ahelp: declare the custom property anonymizationStrategy (hash, redact, tokenize or drop)"))
        #expect(lines.contains("::error file=domains/sales/contracts/daily_sales.odcs.yaml,line=12,col=9,title=quality.cdeCompleteness::"
            + "critical data element `sales.daily_sales.daily_sales.top_email` guarantees completeness (missing); at least 95%25 is required"
            + "%0Ahelp: add a quality rule with metric nullValues, unit percent and mustBeLessOrEqualTo 5"))
        // No line for a changed file: no line or col property.
        #expect(lines.contains("::error file=domains/sales/contracts/orders_raw.odcs.yaml,title=ownership.domainChanges::"
            + "domains/sales/contracts/orders_raw.odcs.yaml in domain sales was changed by eve@acme.example, neither a sales-data owner nor in the platform team"
            + "%0Ahelp: ask an owner of sales (sam@acme.example) to make the change"))
        #expect(lines.contains("::notice file=domains/sales/contracts/daily_sales.odcs.yaml,line=1,col=1,title=quality.contractPurpose::"
            + "`sales.daily_sales` has no purpose, or one shorter than 20 characters"
            + "%0Ahelp: describe in description.purpose what the data is and what it may be used for"))
        #expect(lines.contains("::notice file=domains/sales/contracts/daily_sales.odcs.yaml,line=26,col=5,title=privacy.piiRetention (waived)::"
            + "`sales.daily_sales` holds PII (top_email); its retention must be at most 365d, found 730d on daily_sales.day"
            + "%0Ahelp: shorten the retention SLA (slaProperties: retention, value, unit, element) to at most 365d"
            + "%0Awaived: audit trail, kept <2y> & \"reviewed\" (owner sam@acme.example, expires 2027-01-01T00:00:00Z)"))
        let base = try mesh.git("rev-parse", "--short=7", "main"), head = try mesh.git("rev-parse", "--short=7", "HEAD")
        #expect(lines.last == "steward check \(base)..\(head): fail; 1 hard, 6 mandatory, 0 warning, 3 advisory unwaived; 1 waived; 3 changes (1 breaking)")
    }

    @Test func githubEscaping() {
        #expect(CheckReporters.githubData("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad")
        #expect(CheckReporters.githubProperty("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad")
        let report = CheckReport(
            base: "b", head: "h", policiesFrom: "b", time: "2026-07-01T00:00:00Z", changes: [],
            findings: [CheckReport.FindingRow(policy: "p.one", level: "warning", outcome: "fail", message: "x", hint: nil,
                                              path: "dir,with:odd/file.yaml", line: 2, column: 0, target: "t", waived: false)],
            policies: [], summary: [:], verdict: "pass")
        #expect(CheckReporters.github(report).hasPrefix("::warning file=dir%2Cwith%3Aodd/file.yaml,line=2,title=p.one::x\n"))
    }

    // MARK: Markdown

    @Test func markdownComment() throws {
        let mesh = try pullRequest()
        let r = check(mesh, "markdown")
        #expect(r.status == 1, "\(r.err)")
        let md = r.out
        #expect(md.hasPrefix("<!-- steward-check -->\n## ❌ steward check: fail\n"))
        #expect(md.contains("3 semantic changes (1 breaking); 7 findings block the merge (1 hard, 6 mandatory, 0 warning, 3 advisory unwaived; 1 waived)."))
        // Breaking changes first, with their consumers.
        let breaking = "| ⚠️ breaking | `property.removed` | `sales.orders_raw.orders.order_ts` | `orders.order_ts` removed | `sales.daily_sales` |"
        let safe = "| safe | `property.added` | `sales.daily_sales.daily_sales.top_email` | `daily_sales.top_email` added |  |"
        #expect(md.contains(breaking))
        #expect(md.contains(safe))
        #expect(md.range(of: breaking)!.lowerBound < md.range(of: safe)!.lowerBound)
        #expect(md.contains("| safe | `product.transformChanged` | `sales.daily_sales` | transform domains/sales/transforms/daily_sales.sql changed |  |"))
        // Findings by level, most severe first; no empty level.
        let headings = ["### Semantic changes", "### Findings", "#### 🛑 Hard (1)", "#### ❌ Mandatory (6)", "#### ℹ️ Advisory (3)", "### Waived (1)"]
        let positions = headings.map { md.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil), "\(md)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(!md.contains("Warning ("))
        #expect(md.contains("| `privacy.piiMasking` | `sales.daily_sales.daily_sales.top_email` | "
            + "`sales.daily_sales.daily_sales.top_email` is tagged pii but its anonymizationStrategy is (missing)"
            + "<br>💡 declare the custom property anonymizationStrategy (hash, redact, tokenize or drop) | `domains/sales/contracts/daily_sales.odcs.yaml:12:9` |"))
        #expect(md.contains("| `ownership.domainChanges` | `sales.orders_raw:contract.modified` | "))
        // Waived findings apart, with the waiver.
        #expect(md.contains("| `privacy.piiRetention` | `sales.daily_sales` | `sales.daily_sales` holds PII (top_email); its retention must be at most 365d, found 730d on daily_sales.day"
            + " | audit trail, kept &lt;2y&gt; & \"reviewed\" | sam@acme.example | 2027-01-01T00:00:00Z |"))
        let waivedSection = md[md.range(of: "### Waived (1)")!.lowerBound...]
        #expect(!waivedSection.contains("privacy.piiMasking"))
    }

    @Test func markdownCellsCannotBreakTheTable() {
        #expect(CheckReporters.cell("a|b\nc <script> `x<y|z`") == "a\\|b<br>c &lt;script&gt; `x<y\\|z`")
    }

    // MARK: a passing change

    @Test func aPassingChangeInEveryFormat() throws {
        let mesh = try repository()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=sam@acme.example", "commit", "-q", "-m", "fresher")
        for format in ["sarif", "junit", "github", "markdown"] {
            #expect(check(mesh, format).status == 0, "\(format)")
        }
        #expect(check(mesh, "markdown").out.hasPrefix("<!-- steward-check -->\n## ✅ steward check: pass\n"))
        #expect(check(mesh, "markdown").out.contains("; no finding blocks the merge ("))
        #expect(check(mesh, "github").out.split(separator: "\n").last?.contains(": pass; 0 hard, 0 mandatory,") == true)
        let junit = try JUnitReader.read(check(mesh, "junit").out)
        #expect(junit.root["failures"] == "0")
        let sarif = check(mesh, "sarif").out
        #expect(try SARIFSchema.validate(sarif).isEmpty)
        #expect(sarif.contains(#""exitCode" : 0"#))
    }
}

/// Validates a SARIF log against the official SARIF 2.1.0 schema (Fixtures/sarif-2.1.0.json)
/// with Python's jsonschema, which scripts/setup.sh installs.
enum SARIFSchema {
    static let schema = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sarif-2.1.0.json")

    static let script = """
    import json, sys
    import jsonschema
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    instance = json.load(open(sys.argv[2], encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if cls is not jsonschema.Draft4Validator:
        print("expected the draft-04 validator, got " + cls.__name__)
        sys.exit(1)
    for e in sorted(cls(schema).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        print("/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message)
    """

    struct Unavailable: Error, CustomStringConvertible {
        var description = "no python3 with the jsonschema module (run scripts/setup.sh, which installs python3-jsonschema)"
    }

    /// `python3` on the PATH, else Debian's `/usr/bin/python3`: the first that has jsonschema.
    static let python: String? = ["python3", "/usr/bin/python3"].first { run($0, ["-c", "import jsonschema"]).status == 0 }

    static func run(_ python: String, _ arguments: [String]) -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python] + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (127, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The schema's complaints, one a line; empty when the log is valid.
    static func validate(_ sarif: String) throws -> [String] {
        guard let python else { throw Unavailable() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("steward-sarif-\(UUID().uuidString).json")
        try Data(sarif.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = run(python, ["-c", script, schema.path, file.path])
        let lines = r.out.split(separator: "\n").map(String.init)
        if r.status != 0 { return ["python exited \(r.status)"] + lines }
        return lines
    }
}

/// Reads a JUnit report with Foundation's XMLParser: the root's attributes and, per suite,
/// its attributes and what its test cases hold.
final class JUnitReader: NSObject, XMLParserDelegate {
    struct Suite {
        var name: String
        var attributes: [String: String]
        var properties: [String: String] = [:]
        var cases = 0, failures = 0, skipped = 0, outputs = 0
    }

    struct ParseError: Error, CustomStringConvertible { var description: String }

    var root: [String: String] = [:]
    var suites: [Suite] = []
    var caseNames: [String] = []
    var skippedMessages: [String] = []
    var failureMessages: [String] = []
    var failureTexts: [String] = []
    private var text: String?

    static func read(_ xml: String) throws -> JUnitReader {
        let reader = JUnitReader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        guard parser.parse() else {
            throw ParseError(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")\n\(xml)")
        }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "testsuites": root = attributes
        case "testsuite": suites.append(Suite(name: attributes["name"] ?? "", attributes: attributes))
        case "property": suites[suites.count - 1].properties[attributes["name"] ?? ""] = attributes["value"]
        case "testcase":
            suites[suites.count - 1].cases += 1
            caseNames.append(attributes["name"] ?? "")
        case "failure":
            suites[suites.count - 1].failures += 1
            failureMessages.append(attributes["message"] ?? "")
            text = ""
        case "skipped":
            suites[suites.count - 1].skipped += 1
            skippedMessages.append(attributes["message"] ?? "")
        case "system-out": suites[suites.count - 1].outputs += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "failure", let t = text { failureTexts.append(t) }
        if name == "failure" { text = nil }
    }
}
