import ArgumentParser
import StewardGit

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .long], help: ArgumentHelp("The mesh repository (any folder inside it).", valueName: "path"))
    var repo: String = "."

    @Option(help: "Colour in text output: auto (only on a terminal), always, never.")
    var color: ColorMode = .auto

    @Flag(name: .shortAndLong, help: "Log what Steward does, with timings, to standard error.")
    var verbose = false

    /// The git repository `--repo` is inside; a usage error naming the command otherwise.
    func repository(for command: String) throws -> Repository {
        try Self.repository(at: repo, for: command)
    }

    static func repository(at path: String, for command: String) throws -> Repository {
        do {
            return try Repository.discover(from: path)
        } catch GitError.notARepository {
            throw UsageError(message: "`\(path)` is not inside a git repository", help: "run \(command) inside the mesh repository")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ColorMode: ExpressibleByArgument {}
