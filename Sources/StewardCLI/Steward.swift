import ArgumentParser
import Foundation
import Logging
import StewardGit

/// The `steward` command: GitOps governance for a data mesh.
public struct Steward: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "GitOps governance and policy-as-code for a data mesh.",
        discussion: """
        The mesh (domains, ODPS products, ODCS contracts, policies) lives in a git repository. \
        Steward reads it at any commit through libgit2, without checking anything out.

        Exit codes: 0 clean, 1 findings of severity error, 2 usage error or unreadable input.
        """,
        version: "0.1.0",
        subcommands: [Lint.self, Validate.self, Show.self, Graph.self, Check.self, Diff.self, History.self, GovernanceLog.self, PlanCommand.self, ApplyCommand.self, Status.self, AuditCommand.self, PolicyCommand.self, Fmt.self, Hook.self]
    )

    public init() {}

    /// Runs the tool with the process arguments and exits with a documented status:
    /// a command-line mistake is 2 (argument-parser alone would say 64).
    public static func runMain() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }
}

/// A subcommand that writes to a `Console` and returns an exit status, so tests can run it.
protocol StewardCommand: ParsableCommand {
    var global: GlobalOptions { get }
    func execute(_ console: Console) throws -> ExitStatus
}

extension StewardCommand {
    mutating func run() throws {
        Log.bootstrap(verbose: global.verbose)
        let console = Console.standard(colorMode: global.color)
        let status = Self.guarded(console) { try execute(console) }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Runs `body`, turning input errors into a message on standard error and exit status 2.
    static func guarded(_ console: Console, _ body: () throws -> ExitStatus) -> ExitStatus {
        do {
            return try body()
        } catch let e as UsageError {
            console.err("error: \(e.message)")
            if let help = e.help { console.err("help: \(help)") }
        } catch let e as GitError {
            console.err("error: \(e)")
        } catch {
            console.err("error: \(error)")
        }
        return .usage
    }

    /// Runs the command into `console` (used by tests and by `run`).
    func callAsFunction(_ console: Console) -> ExitStatus {
        Self.guarded(console) { try execute(console) }
    }
}

/// Test entry: parses `arguments` like the command line and runs into a captured console.
public enum StewardRunner {
    public static func run(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let console = Console.capture()
        do {
            let parsed = try Steward.parseAsRoot(arguments)
            guard let command = parsed as? any StewardCommand else {
                return (0, Steward.helpMessage(), "")
            }
            let status = command(console)
            return (status.rawValue, console.standardOutput, console.standardError)
        } catch {
            let code = Steward.exitCode(for: error).rawValue
            return (code == 0 ? 0 : ExitStatus.usage.rawValue, console.standardOutput, Steward.fullMessage(for: error))
        }
    }
}

enum Log {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done = false

    static let logger = Logger(label: "steward")

    static func bootstrap(verbose: Bool) {
        lock.withLock {
            guard !done else { return }
            done = true
            let level: Logger.Level = verbose ? .debug : .warning
            LoggingSystem.bootstrap { label in
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return h
            }
        }
    }
}

/// Keeps large values alive until the process exits. A command that has printed its result
/// is about to exit; freeing a 10,000-product model first would add a third of a second.
enum ExitLifetime {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var kept: [Any] = []
    static func keep(_ value: Any) { lock.withLock { kept.append(value) } }
}
