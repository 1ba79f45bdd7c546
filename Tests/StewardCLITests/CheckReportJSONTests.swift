import Foundation
import StewardDiff
@testable import StewardCLI
import StewardTestSupport
import Testing

/// `check --format json` is written directly (`CheckReport.json`, `JSONText`), not through
/// `JSONEncoder`: both must give the same bytes, for every member, present or absent, and for
/// every character a string can hold.
@Suite struct CheckReportJSONTests {
    /// Control characters, the escaped ones, a slash, non-ASCII and an emoji.
    static let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{1}", "\u{1f}", "\u{7f}",
                         "é", "ß", "\u{301}", "🚀", "\u{2028}", "{", "]", ":", ",", "%", "<b>"]

    static func report(_ texts: [String]) -> CheckReport {
        var t = texts.makeIterator()
        func next() -> String { t.next() ?? "" }
        return CheckReport(
            base: next(), head: next(), policiesFrom: next(), time: "2026-07-01T00:00:00Z",
            changes: [
                CheckReport.ChangeRow(kind: next(), entity: next(), id: next(), path: next(), breaking: true, description: next(),
                                      impact: Impact(direct: [next(), next()], transitive: [], domains: [next()])),
                CheckReport.ChangeRow(kind: next(), entity: next(), id: next(), path: next(), breaking: false, description: next(), impact: nil),
            ],
            findings: [
                CheckReport.FindingRow(policy: next(), level: "hard", outcome: "fail", message: next(), hint: next(), path: next(),
                                       line: 12, column: -1, target: next(), waived: true, explanation: [next(), next()],
                                       waiver: CheckReport.WaiverRow(reason: next(), owner: next(), expires: next(), path: next(), line: 0)),
                CheckReport.FindingRow(policy: next(), level: "advisory", outcome: "error", message: next(), hint: nil, path: next(),
                                       line: 1, column: 100_000, target: next(), waived: false),
            ],
            policies: [
                CheckReport.PolicyRow(id: next(), title: next(), level: "mandatory", tags: [next(), next()], path: next(), line: 3, evaluated: 7),
                CheckReport.PolicyRow(id: next(), title: next(), level: "warning", tags: [], path: next(), line: 1, evaluated: 0),
            ],
            summary: ["hard": 1, "mandatory": 0, "warning": 2, "advisory": 3, "waived": 1, next(): 4], verdict: "fail")
    }

    @Test func writesWhatTheEncoderWrites() {
        let texts = seededTexts(Self.pieces, seed: 2026, count: 4_000, maxPieces: 6)
        var checked = 0
        for start in stride(from: 0, to: texts.count - 60, by: 60) {
            let report = Self.report(Array(texts[start..<start + 60]))
            let expected = DiagnosticOutput.encode(report)
            #expect(report.json == expected)
            if report.json != expected { break }
            checked += 1
        }
        #expect(checked > 60)
    }

    /// A member added to the report or a row must be written by `CheckReport.json` too (and
    /// given a value in `report` above): an optional one left nil would pass the test above.
    @Test func theMembersWrittenAreTheReportsMembers() {
        let r = Self.report([])
        func labels(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label).sorted() }
        #expect(labels(r) == ["base", "changes", "findings", "head", "policies", "policiesFrom", "summary", "time", "verdict"])
        #expect(labels(r.changes[0]) == ["breaking", "description", "entity", "id", "impact", "kind", "path"])
        #expect(labels(r.changes[0].impact!) == ["direct", "domains", "transitive"])
        #expect(labels(r.findings[0]) == ["column", "explanation", "hint", "level", "line", "message", "outcome", "path", "policy",
                                          "target", "waived", "waiver"])
        #expect(labels(r.findings[0].waiver!) == ["expires", "line", "owner", "path", "reason"])
        #expect(labels(r.policies[0]) == ["evaluated", "id", "level", "line", "path", "tags", "title"])
    }

    @Test func emptyListsAndNoFindings() {
        let report = CheckReport(base: "b", head: "WORKTREE", policiesFrom: "b", time: "t", changes: [], findings: [], policies: [],
                                 summary: [:], verdict: "pass")
        #expect(report.json == DiagnosticOutput.encode(report))
        #expect(report.json.contains("\"changes\" : [\n\n  ]"))
    }
}
