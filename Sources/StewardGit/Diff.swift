internal import CLibGit2

/// One path that differs between two snapshots.
public struct PathChange: Sendable, Hashable {
    public enum Status: String, Sendable {
        case added, deleted, modified, renamed, copied, typeChanged
    }

    public let status: Status
    /// The path before the change; nil when the file was added.
    public let oldPath: String?
    /// The path after the change; nil when the file was deleted.
    public let newPath: String?
    /// How alike the old and new content are (0–100), for renames and copies only.
    public let similarity: Int?

    public init(status: Status, oldPath: String?, newPath: String?, similarity: Int? = nil) {
        self.status = status
        self.oldPath = oldPath
        self.newPath = newPath
        self.similarity = similarity
    }

    /// The path that exists after the change, or the removed path for a deletion.
    public var path: String { newPath ?? oldPath! }
}

extension Repository {
    /// The files that differ between the trees of two commits (`old` nil means the empty tree,
    /// so everything in `new` is added). With `detectRenames`, a delete and an add with similar
    /// content become one rename, as `git diff -M` reports it. Sorted by path.
    public func changes(from old: ObjectID?, to new: ObjectID, detectRenames: Bool = true) throws -> [PathChange] {
        try withHandle { repo in
            let newTree = try commitTree(repo, new)
            defer { git_tree_free(newTree) }
            let oldTree = try old.map { try commitTree(repo, $0) }
            defer { if let oldTree { git_tree_free(oldTree) } }

            var opts = Repository.diffOptions(flags: GIT_DIFF_INCLUDE_TYPECHANGE.rawValue)
            var diff: OpaquePointer?
            let rc = git_diff_tree_to_tree(&diff, repo, oldTree, newTree, &opts)
            let range = "\(old?.short ?? "(empty)")..\(new.short)"
            guard rc == 0, let diff else { throw LibGit2.error(LibGit2.failure(rc), "diff \(range)") }
            defer { git_diff_free(diff) }
            return try Repository.pathChanges(diff, detectRenames: detectRenames, forUntracked: false, operation: "diff \(range)")
        }
    }

    /// The root tree of a commit; the caller frees it.
    func commitTree(_ repo: OpaquePointer, _ id: ObjectID) throws -> OpaquePointer {
        let commit = try lookupCommit(repo, id)
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        let rc = git_commit_tree(&tree, commit)
        guard rc == 0, let tree else { throw LibGit2.error(LibGit2.failure(rc), "read tree of commit `\(id.short)`") }
        return tree
    }

    static func diffOptions(flags: UInt32) -> git_diff_options {
        var opts = git_diff_options()
        git_diff_options_init(&opts, UInt32(GIT_DIFF_OPTIONS_VERSION))
        opts.flags = flags
        return opts
    }

    /// Runs rename detection if asked, then copies every delta out into `PathChange`s.
    static func pathChanges(
        _ diff: OpaquePointer, detectRenames: Bool, forUntracked: Bool, operation: String
    ) throws -> [PathChange] {
        if detectRenames {
            var find = git_diff_find_options()
            git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
            find.flags = GIT_DIFF_FIND_RENAMES.rawValue
            if forUntracked { find.flags |= GIT_DIFF_FIND_FOR_UNTRACKED.rawValue }
            let rc = git_diff_find_similar(diff, &find)
            try LibGit2.check(rc, "\(operation) (rename detection)")
        }
        var out: [PathChange] = []
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i)?.pointee else { continue }
            let oldPath = LibGit2.string(delta.old_file.path)
            let newPath = LibGit2.string(delta.new_file.path)
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED:
                out.append(PathChange(status: .added, oldPath: nil, newPath: newPath))
            case GIT_DELTA_DELETED:
                out.append(PathChange(status: .deleted, oldPath: oldPath, newPath: nil))
            case GIT_DELTA_MODIFIED:
                out.append(PathChange(status: .modified, oldPath: oldPath, newPath: newPath))
            case GIT_DELTA_RENAMED:
                out.append(PathChange(status: .renamed, oldPath: oldPath, newPath: newPath, similarity: Int(delta.similarity)))
            case GIT_DELTA_COPIED:
                out.append(PathChange(status: .copied, oldPath: oldPath, newPath: newPath, similarity: Int(delta.similarity)))
            case GIT_DELTA_TYPECHANGE:
                out.append(PathChange(status: .typeChanged, oldPath: oldPath, newPath: newPath))
            default:
                continue  // unmodified, ignored, unreadable, conflicted: not a change of content
            }
        }
        return out.sorted { ($0.path, $0.oldPath ?? "") < ($1.path, $1.oldPath ?? "") }
    }
}
