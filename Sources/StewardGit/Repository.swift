internal import CLibGit2
import Foundation

/// An open git repository: the one owner of a `git_repository *`.
///
/// libgit2 objects must not be used from two threads at once, so every call into libgit2 for
/// this repository runs under `lock`; that is what makes the `@unchecked Sendable` honest.
/// The lock is recursive because public operations build on each other (a log builds commits).
///
/// libgit2's global state is reference counted: each instance takes one reference in `init`
/// and drops it in `deinit`, so `git_libgit2_init` and `git_libgit2_shutdown` stay balanced
/// (beside the one reference the process keeps: `LibGit2.acquire`).
public final class Repository: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = NSRecursiveLock()

    /// Opens the repository at exactly `path`: a work tree's root, its `.git` folder, or a bare
    /// repository. Does not search parent folders (use `discover(from:)` for that).
    public init(path: String) throws {
        LibGit2.acquire()
        var raw: OpaquePointer?
        let rc = git_repository_open_ext(&raw, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        guard rc == 0, let raw else {
            let f = LibGit2.failure(rc)
            LibGit2.release()
            throw Repository.openError(path: path, f)
        }
        handle = raw
    }

    deinit {
        git_repository_free(handle)
        LibGit2.release()
    }

    /// Finds the repository containing `path` (a work-tree subfolder, a work tree, a `.git`
    /// folder or a bare repository), walking up like `git` does, without crossing file systems.
    public static func discover(from path: String) throws -> Repository {
        let found: String = try LibGit2.withLibrary {
            var buf = git_buf()
            defer { git_buf_dispose(&buf) }
            let rc = git_repository_discover(&buf, path, 0, nil)
            if rc < 0 { throw openError(path: path, LibGit2.failure(rc)) }
            return String(cString: buf.ptr)
        }
        return try Repository(path: found)
    }

    private static func openError(path: String, _ f: LibGit2.Failure) -> GitError {
        f.code == Code.notFound
            ? .notARepository(path: path, message: f.message)
            : .library(operation: "open repository `\(path)`", code: f.code, message: f.message)
    }

    /// Runs `body` with the raw handle, serialized with every other use of this repository.
    func withHandle<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(handle)
    }

    /// True for a repository without a work tree (a server-side or `--bare` clone).
    public var isBare: Bool {
        withHandle { git_repository_is_bare($0) == 1 }
    }

    /// The work tree's absolute path without a trailing slash; nil for a bare repository.
    public var workdir: String? {
        withHandle { LibGit2.string(git_repository_workdir($0)) }.map(Repository.trimSlash)
    }

    /// The absolute path of the git directory (`.git`, or the bare repository itself),
    /// without a trailing slash.
    public var gitDir: String {
        Repository.trimSlash(withHandle { LibGit2.string(git_repository_path($0)) } ?? "")
    }

    static func trimSlash(_ path: String) -> String {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        return p
    }

    /// The signature steward writes with: `user.name`/`user.email` from git config, or
    /// `steward <steward@localhost>` when they are not set; the time is now.
    public func defaultSignature() -> Signature {
        let configured: Signature? = withHandle { repo in
            var sig: UnsafeMutablePointer<git_signature>?
            let rc = git_signature_default(&sig, repo)
            guard rc == 0, let sig else {
                _ = LibGit2.failure(rc)  // not an error for us: clear it so it cannot leak
                return nil
            }
            defer { git_signature_free(sig) }
            return Signature(sig)
        }
        if let configured { return configured }
        let now = Date()
        let offset = TimeZone.current.secondsFromGMT(for: now) / 60
        return Signature(name: "steward", email: "steward@localhost", date: now, timeZoneOffsetMinutes: offset)
    }
}
