internal import CLibGit2
import Foundation
import StewardCore

/// The files of the work tree as git sees them: tracked files still on disk plus untracked
/// files that `.gitignore` does not exclude. Listing asks libgit2's status each time and
/// reading returns the bytes on disk now, so uncommitted edits are always visible.
public struct WorkTreeFiles: FileTree {
    public let repository: Repository
    /// The work tree's absolute path, without a trailing slash.
    public let root: String
    /// Files the last listing returned: known not to be ignored, so reading them needs no
    /// per-file status query (which costs about a millisecond each in libgit2).
    private let listed = ListedPaths()

    init(repository: Repository, root: String) {
        self.repository = repository
        self.root = root
    }

    public var label: String { "work tree" }

    /// Every regular file under `prefix`, sorted. Deleted tracked files, ignored files,
    /// symlinks, submodules and anything inside `.git` are left out.
    public func files(under prefix: String) throws -> [String] {
        let base = GitTree.normalize(prefix)
        let candidates: [String] = try repository.withHandle { repo in
            var opts = git_status_options()
            try LibGit2.check(git_status_options_init(&opts, UInt32(GIT_STATUS_OPTIONS_VERSION)), "list work tree")
            opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
            opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue
                | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
                | GIT_STATUS_OPT_INCLUDE_UNMODIFIED.rawValue
                | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
            var list: OpaquePointer?
            let rc = git_status_list_new(&list, repo, &opts)
            guard rc == 0, let list else { throw LibGit2.error(LibGit2.failure(rc), "list work tree") }
            defer { git_status_list_free(list) }
            var paths: [String] = []
            for i in 0..<git_status_list_entrycount(list) {
                guard let entry = git_status_byindex(list, i)?.pointee else { continue }
                if entry.status.rawValue & GIT_STATUS_WT_DELETED.rawValue != 0 { continue }
                let delta = entry.index_to_workdir ?? entry.head_to_index
                guard let path = delta.flatMap({ LibGit2.string($0.pointee.new_file.path) }) else { continue }
                paths.append(path)
            }
            return paths
        }
        // The status says what git tracks; the disk says what is there now (a file staged for
        // deletion or replaced by a folder shows up in the status but is not a file any more).
        let inside = base.isEmpty ? "" : base + "/"
        let files = Set(candidates)
            .filter { inside.isEmpty || $0.hasPrefix(inside) }
            .filter { isRegularFileOnDisk($0) }
            .sorted()
        listed.add(files)
        return files
    }

    /// The current bytes of `path`, or nil if it is not a regular file on disk, is ignored and
    /// untracked, or lies outside the work tree (`..`, `.git`).
    public func read(_ path: String) throws -> [UInt8]? {
        guard let p = WorkTreeFiles.safeRelative(path), isRegularFileOnDisk(p) else { return nil }
        let ignored: Bool = listed.contains(p) ? false : try repository.withHandle { repo in
            var flags: UInt32 = 0
            let rc = git_status_file(&flags, repo, p)
            if rc == Code.notFound {
                _ = LibGit2.failure(rc)
                return true
            }
            guard rc == 0 else { throw LibGit2.error(LibGit2.failure(rc), "status of `\(p)`") }
            return flags & GIT_STATUS_IGNORED.rawValue != 0
        }
        if ignored { return nil }
        guard let data = FileManager.default.contents(atPath: root + "/" + p) else { return nil }
        return Array(data)
    }

    private func isRegularFileOnDisk(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + path)
        return attributes?[.type] as? FileAttributeType == .typeRegular
    }

    /// A normalized repository-relative path, or nil when it could reach outside the work tree
    /// or into the git directory.
    static func safeRelative(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains(".."), parts[0] != ".git" else { return nil }
        return parts.joined(separator: "/")
    }
}

extension Repository {
    /// The work tree as a `FileTree`. Throws for a bare repository, which has none.
    public func workTree() throws -> WorkTreeFiles {
        guard let root = workdir else {
            throw GitError.noWorkTree(gitDir: gitDir)
        }
        return WorkTreeFiles(repository: self, root: root)
    }

    /// Everything not yet committed: staged and unstaged edits and untracked (non-ignored)
    /// files, compared with HEAD (with the empty tree on an unborn branch), sorted by path.
    /// With `detectRenames`, a moved file counts as a rename even before it is staged.
    public func workTreeChanges(detectRenames: Bool = true) throws -> [PathChange] {
        guard !isBare else {
            throw GitError.noWorkTree(gitDir: gitDir)
        }
        let headCommit = try head()
        return try withHandle { repo in
            let tree = try headCommit.map { try commitTree(repo, $0) }
            defer { if let tree { git_tree_free(tree) } }
            var opts = Repository.diffOptions(flags:
                GIT_DIFF_INCLUDE_UNTRACKED.rawValue
                | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
                | GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
                | GIT_DIFF_SHOW_UNTRACKED_CONTENT.rawValue)
            var diff: OpaquePointer?
            let rc = git_diff_tree_to_workdir_with_index(&diff, repo, tree, &opts)
            guard rc == 0, let diff else { throw LibGit2.error(LibGit2.failure(rc), "diff HEAD against the work tree") }
            defer { git_diff_free(diff) }
            return try Repository.pathChanges(
                diff, detectRenames: detectRenames, forUntracked: true, operation: "diff HEAD against the work tree")
        }
    }
}

/// The paths of a work-tree listing, shared by the copies of one `WorkTreeFiles`.
private final class ListedPaths: @unchecked Sendable {
    private let lock = NSLock()
    private var paths = Set<String>()
    func add(_ more: [String]) { lock.withLock { paths.formUnion(more) } }
    func contains(_ path: String) -> Bool { lock.withLock { paths.contains(path) } }
}
