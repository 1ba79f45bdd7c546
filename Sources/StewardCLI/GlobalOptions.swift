import ArgumentParser

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .long], help: ArgumentHelp("The mesh repository (any folder inside it).", valueName: "path"))
    var repo: String = "."

    @Option(help: "Colour in text output: auto (only on a terminal), always, never.")
    var color: ColorMode = .auto

    @Flag(name: .shortAndLong, help: "Log what Steward does, with timings, to standard error.")
    var verbose = false
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ColorMode: ExpressibleByArgument {}
