import ArgumentParser
import Foundation
import StewardGit

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install git hooks that run Steward locally.",
        subcommands: [HookInstall.self]
    )
}

struct HookInstall: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a pre-push hook that runs `steward check` before every push.",
        discussion: """
        The hook runs the same check as CI, against the merge base with the main branch, and \
        stops the push when the check fails (exit 1) or cannot run (exit 2). Skip it once with \
        `git push --no-verify`. An existing pre-push hook that Steward did not write is kept \
        unless --force.

        Examples:
          steward hook install
          steward hook install --force
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Replace an existing pre-push hook that Steward did not write.")
    var force = false

    static let marker = "# Installed by `steward hook install`"

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try global.repository(for: "it")
        let hooks = URL(fileURLWithPath: repository.gitDir).appendingPathComponent("hooks")
        let hook = hooks.appendingPathComponent("pre-push")
        if let existing = try? String(contentsOf: hook, encoding: .utf8), !existing.contains(Self.marker), !force {
            throw UsageError(message: "`\(hook.path)` already exists and was not written by Steward",
                             help: "add `steward check` to it yourself, or replace it with --force")
        }
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        try script(binary: Self.binary()).write(to: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        console.out("installed \(hook.path): `steward check` runs before every push (skip once with --no-verify)")
        return .success
    }

    /// The running binary when it is a file, so the hook works without `steward` on PATH.
    static func binary() -> String {
        let arg0 = CommandLine.arguments.first ?? "steward"
        let path = URL(fileURLWithPath: arg0).standardizedFileURL.path
        return arg0.contains("/") && FileManager.default.isExecutableFile(atPath: path) && path.hasSuffix("/steward") ? path : "steward"
    }

    func script(binary: String) -> String {
        """
        #!/bin/sh
        \(Self.marker): the pre-merge check before every push.
        # Skip it once with `git push --no-verify`; remove this file to uninstall.
        steward="\(binary)"
        command -v "$steward" >/dev/null 2>&1 || steward=steward
        exec "$steward" check -C "$(git rev-parse --show-toplevel)"

        """
    }
}
