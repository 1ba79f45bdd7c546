import ArgumentParser
import Foundation
import StewardCore
import StewardModel
import StewardPolicy

/// `steward policy ...`: the policies of the mesh.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "List and check the mesh's policies.",
        subcommands: [PolicyList.self, PolicyCheck.self, PolicyTest.self]
    )
}

/// Loads the policies of a mesh source; the domain names come from the mesh when it loads.
enum PolicyLoading {
    static func load(_ tree: any FileTree, mesh: Mesh?) throws -> PolicySet {
        let domains = try mesh.map { Array($0.domains.keys) } ?? domainFolders(tree)
        return try PolicySet.load(from: tree, domains: domains)
    }

    static func domainFolders(_ tree: any FileTree) throws -> [String] {
        Array(Set(try tree.files(under: "domains").compactMap { p -> String? in
            let parts = p.split(separator: "/")
            return parts.count >= 3 ? String(parts[1]) : nil
        }))
    }

    /// A finding as a diagnostic, so one renderer prints both.
    static func diagnostic(_ f: Finding) -> Diagnostic {
        var notes = ["target: \(f.target)", "policy: \(f.policy) (\(f.level.rawValue)) at \(f.policyLocation)"]
        if let w = f.waiver { notes.append("waived until \(w.expires) by \(w.owner): \(w.reason)") }
        let severity: Severity = f.waived ? .note : f.level.severity
        let message = (f.waived ? "[waived] " : "") + (f.outcome == .error ? "[error] \(f.message)" : f.message)
        return Diagnostic(severity, f.policy, message, at: f.location, help: f.hint, notes: notes)
    }

    /// `evaluation.time`: given, or now truncated to the second (§7.4).
    static func time(_ at: String?) throws -> Int64 {
        guard let at else { return Int64(Date().timeIntervalSince1970) }
        guard let t = Value.parseTimestamp(at) else {
            throw UsageError(message: "`\(at)` is not a timestamp", help: "write RFC 3339, such as 2026-06-30T00:00:00Z")
        }
        return t
    }
}

struct PolicyList: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every policy with its level, target, scope and tags.",
        discussion: """
        Examples:
          steward policy list
          steward policy list --domain customer --tag privacy
          steward policy list --format json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Read the policies at this git revision instead of the work tree.", valueName: "rev"))
    var rev: String?

    @Option(help: "Only policies that bind this domain (global ones and the domain's own).")
    var domain: String?

    @Option(help: "Only policies with this tag.")
    var tag: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    struct Row: Encodable {
        var id: String
        var level: String
        var target: String
        var scope: String
        var tags: [String]
        var title: String
        var location: String
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let source = try MeshSource.open(path: global.repo, revision: rev)
        let set = try PolicyLoading.load(source.tree, mesh: nil)
        if set.hasErrors {
            DiagnosticOutput.text(set.diagnostics, sources: set.sources, tree: source.tree, console: console)
            return .usage
        }
        let rows = set.policies.filter { p in
            (domain == nil || p.domain == nil || p.domain == domain) && (tag == nil || p.decl.tags.contains(tag!))
        }.map { p in
            Row(id: p.id, level: p.level.rawValue, target: p.target.description, scope: p.domain ?? "global",
                tags: p.decl.tags, title: p.decl.title, location: p.decl.location.description)
        }
        switch format {
        case .json: console.out(DiagnosticOutput.encode(rows))
        case .text:
            let w = (rows.map(\.id.count).max() ?? 0) + 2
            for r in rows {
                let id = r.id.padding(toLength: w, withPad: " ", startingAt: 0)
                let level = r.level.padding(toLength: 10, withPad: " ", startingAt: 0)
                let target = r.target.padding(toLength: 19, withPad: " ", startingAt: 0)
                let scope = r.scope.padding(toLength: 10, withPad: " ", startingAt: 0)
                console.out("\(id)\(level)\(target)\(scope)\(r.title)")
            }
            console.out("\(plural(rows.count, "policy").replacingOccurrences(of: "policys", with: "policies"))")
        }
        return .success
    }
}

struct PolicyCheck: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and type-check every policy file without evaluating anything.",
        discussion: """
        Reports unknown fields, wrong types, unknown functions and unused bindings with \
        file:line:column and a "did you mean". Exits 2 when a policy is broken.

        Examples:
          steward policy check
          steward policy check --rev main
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Read the policies at this git revision instead of the work tree.", valueName: "rev"))
    var rev: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func execute(_ console: Console) throws -> ExitStatus {
        let source = try MeshSource.open(path: global.repo, revision: rev)
        let set = try PolicyLoading.load(source.tree, mesh: nil)
        switch format {
        case .json: console.out(DiagnosticOutput.encode(DiagnosticOutput.json(set.diagnostics)))
        case .text:
            DiagnosticOutput.text(set.diagnostics, sources: set.sources, tree: source.tree, console: console)
            let verdict = set.diagnostics.isEmpty ? "ok" : DiagnosticRenderer.summary(set.diagnostics)
            console.out("\(source.tree.label): \(set.policies.count) policies checked: \(verdict)")
        }
        return set.hasErrors ? .usage : .success
    }
}

struct PolicyTest: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the policy test cases (*.test.yaml) and compare their findings.",
        discussion: """
        Each case builds a small mesh (a fixture folder, inline ODCS/ODPS fragments, or both), \
        evaluates the policies under test and compares the findings with `expect`, exhaustively: \
        every fail and error must be expected, and nothing else may appear. A mismatch prints \
        `- expected` / `+ actual` lines and exits 1; a broken test file or policy exits 2.

        Examples:
          steward policy test                              # every test file of the mesh
          steward policy test policies/privacy.test.yaml
          steward policy test --coverage --min-coverage 90
          steward policy test --coverage-format lcov --coverage-out policy.lcov
        """
    )

    enum CoverageFormat: String, ExpressibleByArgument, CaseIterable { case lcov, cobertura }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Test files (repository-relative); default: every *.test.yaml under policies/ and domains/*/policies/.")
    var paths: [String] = []

    @Flag(help: "Print branch coverage of the policies under test, and the branches no case reached.")
    var coverage = false

    @Option(help: "Write coverage as lcov or cobertura (with --coverage-out).")
    var coverageFormat: CoverageFormat?

    @Option(help: ArgumentHelp("The file to write coverage to.", valueName: "file"))
    var coverageOut: String?

    @Option(help: ArgumentHelp("Fail (exit 1) when branch coverage is under this percentage.", valueName: "percent"))
    var minCoverage: Double?

    func execute(_ console: Console) throws -> ExitStatus {
        let source = try MeshSource.open(path: global.repo, revision: nil)
        let set = try PolicyLoading.load(source.tree, mesh: nil)
        if set.hasErrors {
            DiagnosticOutput.text(set.diagnostics, sources: set.sources, tree: source.tree, console: console)
            return .usage
        }
        let files = paths.isEmpty ? try PolicyTestRunner.testFiles(in: source.tree) : paths
        if files.isEmpty {
            console.err("error: no policy test files (*.test.yaml) under policies/ or domains/*/policies/")
            return .usage
        }
        if (coverageFormat == nil) != (coverageOut == nil) {
            throw UsageError(message: "--coverage-format and --coverage-out go together",
                             help: "for example: --coverage-format lcov --coverage-out policy.lcov")
        }
        let wantsCoverage = coverage || coverageFormat != nil || minCoverage != nil
        let recorder = wantsCoverage ? CoverageRecorder() : nil
        let report = try PolicyTestRunner.run(files: files, tree: source.tree, policies: set, coverage: recorder)
        for suite in report.suites {
            console.out(suite.path)
            for c in suite.cases {
                console.out("  \(c.passed ? "ok  " : "FAIL") \(c.name)")
                if !c.passed {
                    console.out("       at \(c.location)")
                    for line in c.diff { console.out("       \(line)") }
                }
            }
        }
        if !report.diagnostics.isEmpty {
            DiagnosticOutput.text(report.diagnostics.sorted(), sources: report.sources, tree: source.tree, console: console)
        }
        console.out("\(report.passed) passed, \(report.failed) failed")
        if report.diagnostics.contains(where: { $0.severity == .error }) { return .usage }
        var status: ExitStatus = report.failed > 0 ? .findings : .success
        if let recorder {
            // Run over the whole mesh, untested policies count too (at 0%); over named files,
            // only the policies those files exercise.
            let cov = recorder.report(paths.isEmpty ? set.policies : report.tested)
            if coverage { for line in cov.text() { console.out(line) } }
            if let format = coverageFormat, let out = coverageOut {
                let text = format == .lcov ? cov.lcov() : cov.cobertura()
                let url = URL(fileURLWithPath: out, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
                    throw UsageError(message: "cannot write `\(out)`: \(error.localizedDescription)")
                }
            }
            if let min = minCoverage, cov.percent < min {
                console.out(String(format: "coverage %.1f%% is under the minimum %.1f%%", cov.percent, min))
                status = .findings
            }
        }
        return status
    }
}
