import ArgumentParser
import Foundation
import StewardCore
import StewardModel

struct Validate: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate standalone ODCS contracts or ODPS products.",
        discussion: """
        Each file is read on its own, outside any mesh: the kind comes from `kind:` \
        (DataContract or DataProduct) or the name (*.odcs.yaml, *.odps.yaml). ODCS v3.0.0 to \
        v3.2.0 and ODPS v0.9.0 to v1.1.0 are accepted.

        Examples:
          steward validate orders.odcs.yaml
          steward validate contracts/*.odcs.yaml products/*.odps.yaml --format json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The files to validate.")
    var files: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to validate") }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        var all: [Diagnostic] = []
        var sources: [String: String] = [:]
        var results: [(String, String, Bool)] = []
        var unreadable = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                all.append(.error("MESH0005", "cannot read `\(file)`", at: SourceLocation(path: file), help: "check the path"))
                unreadable = true
                continue
            }
            let loaded = Documents.load(Array(data), path: file)
            sources.merge(loaded.sources) { a, _ in a }
            all += loaded.diagnostics.sorted()
            let kind = switch loaded.value {
            case .contract?: "data contract"
            case .product?: "data product"
            case nil: "file"
            }
            results.append((file, kind, !loaded.hasErrors))
        }
        switch format {
        case .json:
            console.out(DiagnosticOutput.encode(DiagnosticOutput.json(all)))
        case .text:
            DiagnosticOutput.text(all, sources: sources, console: console)
            for (file, kind, ok) in results {
                console.out("\(file): \(ok ? "valid" : "invalid") \(kind)")
            }
        }
        if unreadable { return .usage }
        return all.contains { $0.severity == .error } ? .findings : .success
    }
}
