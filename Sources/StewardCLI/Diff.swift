import ArgumentParser
import Foundation
import StewardCore
import StewardDiff
import StewardGit
import StewardModel

struct Diff: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the semantic change between two revisions of the mesh, or two contract files.",
        discussion: """
        Compares domains, products and contracts element by element (properties, types, \
        required, keys, classification, PII, masking, quality rules, retention, freshness, \
        servers, grants) and marks each change breaking or safe for consumers, with the \
        products and domains downstream of each breaking change. The rules are in \
        docs/breaking-changes.md. Exits 1 when a change breaks consumers.

        With two files, compares two ODCS contracts directly, outside any mesh. Otherwise \
        compares two revisions, read straight from git: --base defaults to the merge base of \
        HEAD with the main branch named in steward.yaml, --head to HEAD.

        Examples:
          steward diff                                  # this branch against main
          steward diff --base main~3 --head main --format markdown
          steward diff old/orders.odcs.yaml new/orders.odcs.yaml
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Two ODCS contract files to compare (old, then new).")
    var files: [String] = []

    @Option(help: ArgumentHelp("The revision to compare from.", valueName: "rev"))
    var base: String?

    @Option(help: ArgumentHelp("The revision to compare to.", valueName: "rev"))
    var head: String?

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    func validate() throws {
        if !files.isEmpty && files.count != 2 { throw ValidationError("give two contract files (old and new), or none to compare revisions") }
        if !files.isEmpty && (base != nil || head != nil) { throw ValidationError("compare two files or two revisions, not both") }
    }

    struct Report: Encodable {
        var base: String
        var head: String
        var changes: [Row]
        var summary: Summary
    }

    struct Row: Encodable {
        var kind: String
        var entity: String
        var id: String
        var path: String?
        var line: Int?
        var column: Int?
        var breaking: Bool
        var description: String
        var impact: Impact?
    }

    struct Summary: Encodable {
        var changes: Int
        var breaking: Int
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let report = try files.count == 2 ? compareFiles(console) : compareRevisions(console)
        guard let report else { return .usage }
        switch format {
        case .json: console.out(DiagnosticOutput.encode(report))
        case .markdown: console.out(markdown(report))
        case .text: console.out(text(report))
        }
        return report.summary.breaking > 0 ? .findings : .success
    }

    // MARK: inputs

    func compareFiles(_ console: Console) throws -> Report? {
        var contracts: [Contract] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw UsageError(message: "cannot read `\(file)`", help: "check the path")
            }
            let loaded = Documents.load(Array(data), path: file)
            guard case .contract(let c)? = loaded.value, !loaded.hasErrors else {
                DiagnosticOutput.text(loaded.diagnostics.isEmpty
                    ? [.error("MESH0107", "`\(file)` is not a data contract", at: SourceLocation(path: file))] : loaded.diagnostics,
                    sources: loaded.sources, console: console)
                return nil
            }
            contracts.append(c)
        }
        let changes = ContractDiff.compare(contracts[0], contracts[1])
        return Report(base: files[0], head: files[1], changes: changes.map { Self.row($0, impact: nil) },
                      summary: Summary(changes: changes.count, breaking: changes.filter(\.breaking).count))
    }

    func compareRevisions(_ console: Console) throws -> Report? {
        guard let pair = try RevisionPair.open(path: global.repo, base: base, head: head,
                                               help: "compare revisions inside the mesh repository, or give two contract files",
                                               console: console), let headID = pair.headID else { return nil }
        let (repository, baseID, oldMesh, newMesh) = (pair.repository, pair.baseID, pair.base, pair.head)
        let paths = Set(try repository.changes(from: baseID, to: headID, detectRenames: false).map(\.path))
        let changes = MeshDiff.compare(oldMesh, newMesh, changedPaths: paths, transform: pair.text)
        let newLineage = Lineage(newMesh), oldLineage = Lineage(oldMesh)
        let rows = changes.map { c -> Row in
            guard c.breaking else { return Self.row(c, impact: nil) }
            let inNew = Impact.contract(of: c, in: newMesh)
            let contract = inNew ?? Impact.contract(of: c, in: oldMesh)
            let mesh = inNew != nil ? newMesh : oldMesh
            let product = c.entity == "product" ? c.element : nil
            let impact = Impact.of(contract: contract, product: product, in: mesh, lineage: inNew != nil ? newLineage : oldLineage)
            return Self.row(c, impact: impact.isEmpty ? nil : impact)
        }
        return Report(base: baseID.description, head: headID.description, changes: rows,
                      summary: Summary(changes: changes.count, breaking: changes.filter(\.breaking).count))
    }

    static func row(_ c: Change, impact: Impact?) -> Row {
        Row(kind: c.kind, entity: c.entity, id: c.element, path: c.location?.path, line: c.location.map(\.line),
            column: c.location.map(\.column), breaking: c.breaking, description: c.description, impact: impact)
    }

    // MARK: output

    func text(_ r: Report) -> String {
        var out: [String] = []
        let width = r.changes.map(\.kind.count).max() ?? 0
        for c in r.changes {
            let tag = c.breaking ? "BREAKING" : "safe    "
            out.append("\(tag)  \(c.kind.padding(toLength: width, withPad: " ", startingAt: 0))  \(c.id): \(c.description)")
            if let i = c.impact {
                var parts: [String] = []
                if !i.direct.isEmpty { parts.append("read by \(i.direct.joined(separator: ", "))") }
                if !i.transitive.isEmpty { parts.append("downstream \(i.transitive.joined(separator: ", "))") }
                out.append("          impact: \(parts.joined(separator: "; ")) (domains \(i.domains.joined(separator: ", ")))")
            }
        }
        out.append(r.changes.isEmpty ? "no semantic changes" : "\(r.summary.changes) changes, \(r.summary.breaking) breaking")
        return out.joined(separator: "\n")
    }

    func markdown(_ r: Report) -> String {
        var out = ["### Semantic changes", ""]
        if r.changes.isEmpty { return (out + ["No semantic changes."]).joined(separator: "\n") }
        out.append("**\(r.summary.changes) changes, \(r.summary.breaking) breaking**")
        out.append("")
        out.append("| | change | element | what | impact |")
        out.append("|---|---|---|---|---|")
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        for c in r.changes {
            let impact = c.impact.map { i in
                (i.direct + i.transitive).map { "`\($0)`" }.joined(separator: ", ")
            } ?? ""
            out.append("| \(c.breaking ? "⚠️ breaking" : "safe") | `\(c.kind)` | `\(cell(c.id))` | \(cell(c.description)) | \(impact) |")
        }
        return out.joined(separator: "\n")
    }
}
