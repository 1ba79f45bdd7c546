import ArgumentParser
import Foundation
import StewardCore
import StewardGit
import StewardPolicy

struct Fmt: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite policy files in the canonical layout.",
        discussion: """
        Formats .policy files as docs/policy-language.md §12 says: two-space indentation, one \
        clause per line, canonical literals (365days becomes 365d), no redundant parentheses, \
        clauses longer than 100 columns broken before `where`, `or` or `and`, comments kept. \
        Without a PATH it formats every policy file of the mesh (policies/ and \
        domains/*/policies/); a PATH may be a file or a folder, and a relative PATH is read \
        from the -C folder. Rewritten files are listed.

        With --check nothing is written: fmt prints a unified diff of what it would change and \
        exits 1 if any file is not formatted, for CI.

        A file with a syntax error is never formatted: fmt prints the diagnostics, writes no \
        file at all and exits 2.

        Examples:
          steward fmt                   # rewrite the mesh's policy files in place
          steward fmt --check           # CI: print a diff, exit 1 if not formatted
          steward fmt policies/privacy.policy
          steward fmt -C ../mesh domains/customer/policies
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Write nothing; print a diff and exit 1 if any file would change.")
    var check = false

    @Argument(help: ArgumentHelp("Policy files or folders (default: every policy file of the mesh).", valueName: "path"))
    var paths: [String] = []

    struct Target {
        /// As printed and used in diagnostics.
        var name: String
        var url: URL
    }

    func execute(_ console: Console) throws -> ExitStatus {
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        var changes: [(target: Target, old: String, new: String)] = []
        for target in try targets() {
            guard let data = FileManager.default.contents(atPath: target.url.path) else {
                throw UsageError(message: "cannot read `\(target.name)`")
            }
            guard let text = String(validating: Array(data), as: UTF8.self) else {
                diagnostics.append(.error("POL0001", "policy file is not valid UTF-8", at: SourceLocation(path: target.name, line: 1, column: 1)))
                continue
            }
            sources[target.name] = text
            let (output, problems) = Formatter.format(text, path: target.name)
            diagnostics += problems
            if let output, output != text { changes.append((target, text, output)) }
        }
        // One broken file and nothing is written, so a run never leaves the mesh half-formatted.
        if diagnostics.contains(where: { $0.severity == .error }) {
            DiagnosticOutput.text(diagnostics.sorted(), sources: sources, console: console)
            console.err("error: nothing formatted: \(DiagnosticRenderer.summary(diagnostics))")
            return .usage
        }
        if check {
            for c in changes { console.out(LineDiff.unified(c.old, c.new, name: c.target.name)) }
            if !changes.isEmpty {
                console.err("\(plural(changes.count, "file")) not formatted; run `steward fmt` to fix")
            }
            return changes.isEmpty ? .success : .findings
        }
        for c in changes {
            do {
                try Data(c.new.utf8).write(to: c.target.url, options: .atomic)
            } catch {
                throw UsageError(message: "cannot write `\(c.target.name)`: \(error.localizedDescription)")
            }
            console.out(c.target.name)
        }
        return .success
    }

    /// The files to format: the PATHs given, or the policy files of the mesh's work tree.
    func targets() throws -> [Target] {
        guard !paths.isEmpty else {
            let source = try MeshSource.open(path: global.repo, revision: nil)
            let root: URL
            if let tree = source.tree as? WorkTreeFiles {
                root = URL(fileURLWithPath: tree.root)
            } else if let tree = source.tree as? FolderTree {
                root = tree.root
            } else {
                throw UsageError(message: "`\(global.repo)` has no work tree to format", help: "run fmt in a checkout of the mesh")
            }
            return try PolicySet.policyFiles(in: source.tree).map { Target(name: $0.path, url: root.appendingPathComponent($0.path)) }
        }
        var out: [Target] = []
        var seen = Set<String>()
        for path in paths {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: global.repo).appendingPathComponent(path)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
                throw UsageError(message: "`\(path)` does not exist")
            }
            let found: [Target]
            if isDir.boolValue {
                var base = path
                while base.count > 1, base.hasSuffix("/") { base.removeLast() }
                let prefix = base == "." ? "" : base.hasSuffix("/") ? base : base + "/"
                found = try FolderTree(root: url).files(under: "").filter { $0.hasSuffix(".policy") }
                    .map { Target(name: prefix + $0, url: url.appendingPathComponent($0)) }
            } else {
                found = [Target(name: path, url: url)]  // named explicitly: formatted whatever its extension
            }
            for t in found where seen.insert(t.url.standardizedFileURL.path).inserted { out.append(t) }
        }
        return out
    }
}

/// A unified diff of two texts, line by line (LCS: policy files are small).
enum LineDiff {
    static func unified(_ old: String, _ new: String, name: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        // lcs[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        enum Op { case same, delete, insert }
        var ops: [(Op, Int, Int)] = []  // with the old and new line index before the op
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                ops.append((.same, i, j)); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                ops.append((.delete, i, j)); i += 1
            } else {
                ops.append((.insert, i, j)); j += 1
            }
        }
        var out = ["--- a/\(name)", "+++ b/\(name)"]
        var k = 0
        while let first = ops[k...].firstIndex(where: { $0.0 != .same }) {
            // A hunk: the changes, joined while fewer than 2 × context unchanged lines separate them.
            var last = first
            var scan = first
            while scan < ops.count {
                if ops[scan].0 != .same { last = scan; scan += 1; continue }
                let run = ops[scan...].prefix { $0.0 == .same }.count
                if scan + run >= ops.count || run > 2 * context { break }
                scan += run
            }
            let from = max(first - context, k), to = min(last + context, ops.count - 1)
            let slice = ops[from...to]
            let oldCount = slice.count { $0.0 != .insert }, newCount = slice.count { $0.0 != .delete }
            let oldStart = ops[from].1 + (oldCount > 0 ? 1 : 0), newStart = ops[from].2 + (newCount > 0 ? 1 : 0)
            out.append("@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@")
            for (op, x, y) in slice {
                switch op {
                case .same: out.append(" " + text(a[x]))
                case .delete: out.append("-" + text(a[x]))
                case .insert: out.append("+" + text(b[y]))
                }
            }
            k = to + 1
            if k >= ops.count { break }
        }
        return out.joined(separator: "\n")
    }

    /// The lines of `s`; a last line without a newline is marked, so adding one shows.
    private static func lines(_ s: String) -> [String] {
        var parts = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() } else if !parts.isEmpty { parts[parts.count - 1] += noNewline }
        return parts
    }

    private static let noNewline = "\u{0}"

    private static func text(_ line: String) -> String {
        line.hasSuffix(noNewline) ? String(line.dropLast()) + "\n\\ No newline at end of file" : line
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }
}
