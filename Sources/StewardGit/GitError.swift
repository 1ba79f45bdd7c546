/// Everything that can go wrong in the git layer.
///
/// `message` is libgit2's own text (`git_error_last()`), read right after the failing call.
/// `description` follows the project's message style: lowercase, user input in backticks,
/// and a hint at what to do next in parentheses.
public enum GitError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path is not inside (or, for `Repository(path:)`, not exactly) a git repository.
    case notARepository(path: String, message: String)
    /// A revision that does not name a commit: unknown, malformed, ambiguous or not a commit.
    case badRevision(String, message: String)
    /// An object or path that was asked for by id and does not exist.
    case notFound(String)
    /// A compare-and-swap on a reference failed because someone else moved it first.
    case refMoved(ref: String, expected: ObjectID?, actual: ObjectID?)
    /// A path handed to a writing call that git cannot store (empty part, `.`, `..`, a file
    /// that is also a folder).
    case invalidPath(String, reason: String)
    /// A work-tree operation on a bare repository, which has no work tree.
    case noWorkTree(gitDir: String)
    /// Any other libgit2 failure (corrupt objects, I/O, permissions, invalid reference names).
    case library(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .notARepository(path, message):
            return "`\(path)` is not a git repository: \(message) "
                + "(run steward inside a git work tree, or pass the repository's path; `git init` creates one)"
        case let .badRevision(revision, message):
            let shown = revision.isEmpty ? "unknown revision ``" : "unknown revision `\(revision)`"
            return "\(shown): \(message) "
                + "(try a branch, tag, or commit id; `git log --oneline` lists commits)"
        case let .notFound(what):
            return "\(what) not found (check the id or path; `git log --oneline` lists commits)"
        case let .refMoved(ref, expected, actual):
            let was = expected.map { "`\($0.short)`" } ?? "no reference"
            let now = actual.map { "`\($0.short)`" } ?? "no reference"
            return "reference `\(ref)` moved: expected \(was), found \(now) "
                + "(another steward run updated it concurrently; re-read the state and retry)"
        case let .invalidPath(path, reason):
            return "invalid path `\(path)`: \(reason) (use `/`-separated relative paths without `.` or `..`)"
        case let .noWorkTree(gitDir):
            return "`\(gitDir)` is a bare repository and has no work tree "
                + "(run steward in a clone with a work tree, or read a commit instead)"
        case let .library(operation, code, message):
            return "git \(operation) failed: \(message) (libgit2 error \(code); "
                + "if the repository may be damaged, `git fsck` checks it)"
        }
    }
}
