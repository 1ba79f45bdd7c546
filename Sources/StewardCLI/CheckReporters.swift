import Foundation

extension CheckReport {
    /// A policy of the set that judged the change.
    struct PolicyRow: Encodable {
        var id: String
        var title: String
        var level: String
        var tags: [String]
        /// The policy file and the line of its `policy` keyword.
        var path: String
        var line: Int
        /// How many targets it was evaluated for (0 when the change touches none of its targets).
        var evaluated: Int
    }

    /// The waiver that accepted a finding.
    struct WaiverRow: Codable {
        var reason: String
        var owner: String
        var expires: String
        /// The waiver file and the line of the entry.
        var path: String
        var line: Int
    }
}

/// The report formats of `steward check` besides text and JSON: SARIF for code scanning, JUnit
/// XML for CI test reports, GitHub workflow commands for annotations, and a Markdown PR comment
/// (docs/check-report.md).
enum CheckReporters {
    static let levels = ["hard", "mandatory", "warning", "advisory"]

    static func gates(_ f: CheckReport.FindingRow) -> Bool {
        !f.waived && (f.level == "mandatory" || f.level == "hard")
    }

    static func short(_ rev: String) -> String { rev.count == 40 ? String(rev.prefix(7)) : rev }

    static func location(_ f: CheckReport.FindingRow) -> String {
        f.line > 0 ? "\(f.path):\(f.line)" + (f.column > 0 ? ":\(f.column)" : "") : f.path
    }

    /// `1 hard, 2 mandatory, 0 warning, 1 advisory unwaived; 1 waived`
    static func counts(_ r: CheckReport) -> String {
        let unwaived = levels.map { "\(r.summary[$0] ?? 0) \($0)" }.joined(separator: ", ")
        return "\(unwaived) unwaived; \(r.summary["waived"] ?? 0) waived"
    }

    // MARK: SARIF 2.1.0

    /// Where a project page would go; Steward has none to name yet, and SARIF does not need one.
    static let informationUri: String? = nil

    static func sarifLevel(_ level: String) -> String {
        switch level {
        case "advisory": "note"
        case "warning": "warning"
        default: "error"
        }
    }

    /// A stable fingerprint of a (policy, target) pair: it does not move when lines do, so code
    /// scanning tracks one alert across pushes (FNV-1a, 64 bits, hex).
    static func fingerprint(_ policy: String, _ target: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(policy.utf8) + [0] + Array(target.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A repository-relative path as a URI reference (spaces and the like percent-encoded).
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ";")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    struct Sarif: Encodable {
        var schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]

        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }

        struct Run: Encodable {
            var tool: Tool
            var automationDetails: Automation
            var invocations: [Invocation]
            var columnKind = "unicodeCodePoints"
            var results: [Result]
            var properties: [String: String]
        }
        struct Tool: Encodable { var driver: Driver }
        struct Driver: Encodable {
            var name = "steward"
            var informationUri: String?
            var version: String
            var semanticVersion: String
            var rules: [Rule]
        }
        struct Rule: Encodable {
            var id: String
            var name: String
            var shortDescription: Text
            var fullDescription: Text
            var defaultConfiguration: Configuration
            var properties: RuleProperties
        }
        struct Text: Encodable { var text: String }
        struct Configuration: Encodable { var level: String }
        struct RuleProperties: Encodable {
            var tags: [String]
            var level: String
            var source: String
        }
        struct Result: Encodable {
            var ruleId: String
            var ruleIndex: Int?
            var level: String
            var message: Text
            var locations: [Location]
            var partialFingerprints: [String: String]
            var suppressions: [Suppression]?
            var properties: [String: String]
        }
        struct Location: Encodable {
            var physicalLocation: PhysicalLocation?
            var logicalLocations: [LogicalLocation]?
        }
        struct PhysicalLocation: Encodable {
            var artifactLocation: ArtifactLocation
            var region: Region?
        }
        struct ArtifactLocation: Encodable {
            var uri: String
            var uriBaseId = "%SRCROOT%"
        }
        struct Region: Encodable {
            var startLine: Int
            var startColumn: Int?
        }
        struct LogicalLocation: Encodable { var fullyQualifiedName: String }
        struct Suppression: Encodable {
            var kind = "external"
            var status = "accepted"
            var justification: String
            var location: Location?
            var properties: [String: String]
        }
        struct Invocation: Encodable {
            var executionSuccessful: Bool
            var exitCode: Int
        }
        struct Automation: Encodable { var id: String }
    }

    /// A file position (no region when the line is unknown), and the target as a logical location.
    static func sarifLocation(path: String, line: Int, column: Int, target: String? = nil) -> Sarif.Location? {
        let physical = path.isEmpty ? nil : Sarif.PhysicalLocation(
            artifactLocation: .init(uri: uri(path)),
            region: line > 0 ? .init(startLine: line, startColumn: column > 0 ? column : nil) : nil)
        let logical = target.map { [Sarif.LogicalLocation(fullyQualifiedName: $0)] }
        return physical == nil && logical == nil ? nil : Sarif.Location(physicalLocation: physical, logicalLocations: logical)
    }

    static func sarif(_ r: CheckReport, version: String = Steward.configuration.version) -> String {
        var index: [String: Int] = [:]
        for (i, p) in r.policies.enumerated() where index[p.id] == nil { index[p.id] = i }
        let rules = r.policies.map { p in
            var tags: [String] = []
            for t in p.tags where !tags.contains(t) { tags.append(t) }
            let source = p.line > 0 ? "\(p.path):\(p.line)" : p.path
            return Sarif.Rule(id: p.id, name: p.id, shortDescription: .init(text: p.title),
                              fullDescription: .init(text: "\(p.title) (\(p.level) policy, \(source))"),
                              defaultConfiguration: .init(level: sarifLevel(p.level)),
                              properties: .init(tags: tags, level: p.level, source: source))
        }
        let results = r.findings.map { f in
            var text = f.message
            if let hint = f.hint { text += "\nhelp: \(hint)" }
            return Sarif.Result(
                ruleId: f.policy, ruleIndex: index[f.policy], level: sarifLevel(f.level), message: .init(text: text),
                locations: sarifLocation(path: f.path, line: f.line, column: f.column, target: f.target).map { [$0] } ?? [],
                partialFingerprints: ["stewardPolicyTarget/v1": fingerprint(f.policy, f.target)],
                suppressions: f.waiver.map { w in
                    [Sarif.Suppression(justification: w.reason, location: sarifLocation(path: w.path, line: w.line, column: 0),
                                       properties: ["owner": w.owner, "expires": w.expires])]
                } ?? (f.waived ? [Sarif.Suppression(justification: "waived", properties: [:])] : nil),
                properties: ["target": f.target, "outcome": f.outcome, "policyLevel": f.level])
        }
        let run = Sarif.Run(
            tool: .init(driver: .init(informationUri: informationUri, version: version, semanticVersion: version, rules: rules)),
            automationDetails: .init(id: "steward/check/\(r.head)"),
            invocations: [.init(executionSuccessful: true, exitCode: r.verdict == "pass" ? 0 : 1)],
            results: results,
            properties: ["base": r.base, "head": r.head, "verdict": r.verdict])
        return DiagnosticOutput.encode(Sarif(runs: [run]))
    }

    // MARK: JUnit XML

    /// Text for XML: markup characters escaped, characters XML 1.0 cannot hold replaced; in
    /// attributes also quotes and line breaks (which attribute normalisation would turn into spaces).
    static func xml(_ s: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            default:
                let v = u.value
                let valid = v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v)
                    || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
                out.unicodeScalars.append(valid ? u : "\u{FFFD}")
            }
        }
        return out
    }

    static func junit(_ r: CheckReport) -> String {
        // Suites in policy order; a finding of a policy outside the list (none today) gets its own.
        var order = r.policies.map(\.id)
        for f in r.findings where !order.contains(f.policy) { order.append(f.policy) }
        let byPolicy = Dictionary(grouping: r.findings, by: \.policy)
        let policies = Dictionary(r.policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let tests = r.findings.count, failures = r.findings.filter(gates).count, skipped = r.findings.filter(\.waived).count
        var out = [#"<?xml version="1.0" encoding="UTF-8"?>"#,
                   #"<testsuites name="steward check" tests="\#(tests)" failures="\#(failures)" errors="0" skipped="\#(skipped)">"#]
        for id in order {
            let fs = byPolicy[id] ?? []
            let p = policies[id]
            out.append(#"  <testsuite name="\#(xml(id, attribute: true))" tests="\#(fs.count)" failures="\#(fs.filter(gates).count)" errors="0" skipped="\#(fs.filter(\.waived).count)">"#)
            if let p {
                out.append("    <properties>")
                for (name, value) in [("title", p.title), ("level", p.level), ("file", p.path), ("line", String(p.line)),
                                      ("evaluated", String(p.evaluated))] {
                    out.append(#"      <property name="\#(name)" value="\#(xml(value, attribute: true))"/>"#)
                }
                out.append("    </properties>")
            }
            for f in fs {
                var attributes = #"name="\#(xml(f.target, attribute: true))" classname="\#(xml(id, attribute: true))""#
                if !f.path.isEmpty { attributes += #" file="\#(xml(f.path, attribute: true))""# }
                if f.line > 0 { attributes += #" line="\#(f.line)""# }
                var body = f.message
                if let hint = f.hint { body += "\nhelp: \(hint)" }
                body += "\n  at \(location(f))"
                out.append("    <testcase \(attributes)>")
                if let w = f.waiver {
                    let message = "waived: \(w.reason) (owner \(w.owner), expires \(w.expires))"
                    out.append(#"      <skipped message="\#(xml(message, attribute: true))"/>"#)
                } else if f.waived {
                    out.append(#"      <skipped message="waived"/>"#)
                } else if gates(f) {
                    out.append(#"      <failure message="\#(xml(f.message, attribute: true))" type="\#(f.level) \#(f.outcome)">\#(xml(body))</failure>"#)
                } else {
                    out.append("      <system-out>\(xml("\(f.level) \(f.outcome): \(body)"))</system-out>")
                }
                out.append("    </testcase>")
            }
            out.append("  </testsuite>")
        }
        out.append("</testsuites>")
        return out.joined(separator: "\n")
    }

    // MARK: GitHub workflow commands

    /// The message of a workflow command: `%`, CR and LF percent-encoded.
    static func githubData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value of a workflow command: as data, and `:` and `,` too.
    static func githubProperty(_ s: String) -> String {
        githubData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    static func githubCommand(_ f: CheckReport.FindingRow) -> String {
        guard !f.waived else { return "notice" }
        switch f.level {
        case "advisory": return "notice"
        case "warning": return "warning"
        default: return "error"
        }
    }

    /// One `::error|warning|notice file=…,line=…,col=…,title=…::message` per finding (waived ones
    /// as notices), then a plain summary line.
    static func github(_ r: CheckReport) -> String {
        var out: [String] = []
        for f in r.findings {
            var properties: [String] = []
            if !f.path.isEmpty { properties.append("file=\(githubProperty(f.path))") }
            if !f.path.isEmpty && f.line > 0 {
                properties.append("line=\(f.line)")
                if f.column > 0 { properties.append("col=\(f.column)") }
            }
            properties.append("title=\(githubProperty(f.policy + (f.waived ? " (waived)" : "")))")
            var message = f.message
            if let hint = f.hint { message += "\nhelp: \(hint)" }
            if let w = f.waiver {
                message += "\nwaived: \(w.reason) (owner \(w.owner), expires \(w.expires))"
            }
            out.append("::\(githubCommand(f)) \(properties.joined(separator: ","))::\(githubData(message))")
        }
        let breaking = r.changes.filter(\.breaking).count
        out.append("steward check \(short(r.base))..\(short(r.head)): \(r.verdict); \(counts(r)); "
                   + "\(r.changes.count) change\(r.changes.count == 1 ? "" : "s") (\(breaking) breaking)")
        return out.joined(separator: "\n")
    }

    // MARK: Markdown

    /// A table cell: pipes escaped, lines joined with `<br>`, `<` outside code spans escaped so
    /// that a message cannot open HTML.
    static func cell(_ s: String) -> String {
        let pieces = s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r", with: "")
            .split(separator: "`", omittingEmptySubsequences: false)
        let text = pieces.enumerated().map { i, piece in
            i % 2 == 0 ? piece.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;") : String(piece)
        }.joined(separator: "`")
        return text.replacingOccurrences(of: "\n", with: "<br>")
    }

    static func code(_ s: String) -> String { s.isEmpty ? "" : "`\(s.replacingOccurrences(of: "`", with: "'"))`" }

    /// Rows a table shows before it says how many more there are (a PR comment holds 65,536 characters).
    static let tableLimit = 100

    static let levelHeading = ["hard": "🛑 Hard", "mandatory": "❌ Mandatory", "warning": "⚠️ Warning", "advisory": "ℹ️ Advisory"]

    static func markdown(_ r: CheckReport) -> String {
        let pass = r.verdict == "pass"
        let gating = r.findings.filter(gates)
        var out = ["<!-- steward-check -->", "## \(pass ? "✅" : "❌") steward check: \(r.verdict)", ""]
        let breaking = r.changes.filter(\.breaking)
        var line = "`\(short(r.base))..\(short(r.head))`: \(r.changes.count) semantic change\(r.changes.count == 1 ? "" : "s") (\(breaking.count) breaking); "
        line += gating.isEmpty ? "no finding blocks the merge" : "\(gating.count) finding\(gating.count == 1 ? "" : "s") block\(gating.count == 1 ? "s" : "") the merge"
        line += " (\(counts(r)))."
        out += [line, ""]

        func more(_ n: Int) -> [String] { n > tableLimit ? ["", "… and \(n - tableLimit) more (see `steward check --format json`)."] : [] }

        out += ["### Semantic changes", ""]
        if r.changes.isEmpty {
            out.append("No semantic changes.")
        } else {
            out += ["| | change | element | what | impact |", "|---|---|---|---|---|"]
            for c in (breaking + r.changes.filter { !$0.breaking }).prefix(tableLimit) {
                let impact = c.impact.map { i in (i.direct + i.transitive).map(code).joined(separator: ", ") } ?? ""
                out.append("| \(c.breaking ? "⚠️ breaking" : "safe") | `\(c.kind)` | \(cell(code(c.id))) | \(cell(c.description)) | \(impact) |")
            }
            out += more(r.changes.count)
        }

        let unwaived = r.findings.filter { !$0.waived }
        out += ["", "### Findings", ""]
        if unwaived.isEmpty { out.append(r.findings.isEmpty ? "No findings." : "No findings besides the waived ones.") }
        for level in levels + Array(Set(unwaived.map(\.level)).subtracting(levels)).sorted() {
            let fs = unwaived.filter { $0.level == level }
            guard !fs.isEmpty else { continue }
            out += ["#### \(levelHeading[level] ?? level) (\(fs.count))", "",
                    "| policy | target | message | where |", "|---|---|---|---|"]
            for f in fs.prefix(tableLimit) {
                var message = (f.outcome == "error" ? "**error:** " : "") + f.message
                if let hint = f.hint { message += "\n💡 \(hint)" }
                out.append("| \(code(f.policy)) | \(cell(code(f.target))) | \(cell(message)) | \(cell(code(location(f)))) |")
            }
            out += more(fs.count)
            out.append("")
        }

        let waived = r.findings.filter(\.waived)
        if !waived.isEmpty {
            if out.last == "" { out.removeLast() }
            out += ["", "### Waived (\(waived.count))", "",
                    "| policy | target | message | reason | owner | expires |", "|---|---|---|---|---|---|"]
            for f in waived.prefix(tableLimit) {
                let w = f.waiver
                out.append("| \(code(f.policy)) | \(cell(code(f.target))) | \(cell(f.message)) | \(cell(w?.reason ?? "")) | \(cell(w?.owner ?? "")) | \(cell(w?.expires ?? "")) |")
            }
            out += more(waived.count)
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n")
    }
}
