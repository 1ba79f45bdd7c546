import Foundation
import StewardGit

/// A throwaway git repository in its own temporary folder, driven by the `git` CLI (the tests
/// may shell out; the product may not). Commits are deterministic: fixed names, emails and a
/// clock that advances one minute per commit. The folder is removed when the value goes away.
final class TestRepo {
    /// The root of the work tree (or of the bare repository), symlinks resolved.
    let path: String
    /// The folder that holds `path` and any clones made from it.
    let base: String
    private var tick = 0

    init(bare: Bool = false) throws {
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-git-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        base = tmp.resolvingSymlinksInPath().path
        path = base + "/repo"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git(["-c", "init.defaultBranch=main", "init", "-q"] + (bare ? ["--bare"] : []))
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    func open() throws -> Repository { try Repository(path: path) }

    /// Runs git in `dir` (default: the repository) and returns its trimmed standard output.
    @discardableResult
    func git(_ args: [String], in dir: String? = nil, env extra: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `-C` rather than `currentDirectoryURL`: Foundation changes the working directory of
        // the whole process to launch, which races when tests run in parallel.
        process.arguments = ["git", "-C", dir ?? path] + args
        let date = "@\(1_700_000_000 + tick * 60) +0100"
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        env.merge([
            "HOME": base,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@acme.example", "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "Ada Lovelace", "GIT_COMMITTER_EMAIL": "ada@acme.example", "GIT_COMMITTER_DATE": date,
        ]) { _, new in new }
        env.merge(extra) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("git \(args.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func git(_ args: String...) throws -> String { try git(args) }

    /// Writes a file (creating folders) relative to the work tree.
    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + relative)
    }

    /// Stages everything and commits; returns the new commit's id.
    @discardableResult
    func commit(_ message: String, author: (name: String, email: String)? = nil) throws -> ObjectID {
        tick += 1
        try git("add", "-A")
        var env: [String: String] = [:]
        if let author {
            env["GIT_AUTHOR_NAME"] = author.name
            env["GIT_AUTHOR_EMAIL"] = author.email
        }
        try git(["commit", "-q", "--allow-empty", "-m", message], env: env)
        return try id("HEAD")
    }

    /// Advances the clock without committing (for merges made with `git merge`).
    func advanceClock() { tick += 1 }

    /// `git rev-parse` as an `ObjectID`.
    func id(_ revision: String) throws -> ObjectID {
        let hex = try git("rev-parse", "--verify", "-q", revision)
        guard let id = ObjectID(hex: hex) else { throw TestFailure("not an id: \(hex)") }
        return id
    }

    /// The file holding a loose object, made writable so a test can damage it.
    func looseObjectPath(_ id: ObjectID) throws -> String {
        let p = path + "/.git/objects/" + id.hex.prefix(2) + "/" + id.hex.dropFirst(2)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: p)
        return p
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension [UInt8] {
    var text: String { String(decoding: self, as: UTF8.self) }
}
