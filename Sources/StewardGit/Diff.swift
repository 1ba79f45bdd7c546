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
        if detectRenames { return try libgit2Changes(from: old, to: new, detectRenames: true) }
        // libgit2's tree diff visits every file of both trees; comparing entry ids skips the
        // unchanged folders, which in a large mesh are nearly all of them.
        return try withHandle { repo in
            let newTree = try commitTree(repo, new)
            defer { git_tree_free(newTree) }
            let oldTree = try old.map { try commitTree(repo, $0) }
            defer { if let oldTree { git_tree_free(oldTree) } }
            var out: [PathChange] = []
            try treeChanges(repo, oldTree, newTree, prefix: "", into: &out)
            return out.sorted { ($0.path, $0.oldPath ?? "") < ($1.path, $1.oldPath ?? "") }
        }
    }

    /// `changes` through `git_diff_tree_to_tree` (rename detection needs it).
    func libgit2Changes(from old: ObjectID?, to new: ObjectID, detectRenames: Bool) throws -> [PathChange] {
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

    /// The files that differ between two trees, as `git_diff_tree_to_tree` with
    /// `GIT_DIFF_INCLUDE_TYPECHANGE` reports them, descending only into folders whose ids differ.
    func treeChanges(_ repo: OpaquePointer, _ old: OpaquePointer?, _ new: OpaquePointer?, prefix: String,
                     into out: inout [PathChange]) throws {
        struct Entry {
            var id: ObjectID
            var mode: UInt32
            var isTree: Bool { mode == 0o040000 }
            /// Blob, symlink or submodule: a change between them is a type change.
            var kind: UInt32 { mode == 0o100755 ? 0o100644 : mode }
        }
        func entries(_ tree: OpaquePointer?) -> [(name: String, entry: Entry)] {
            guard let tree else { return [] }
            return (0..<git_tree_entrycount(tree)).compactMap { i in
                guard let e = git_tree_entry_byindex(tree, i) else { return nil }
                return (String(cString: git_tree_entry_name(e)),
                        Entry(id: ObjectID(git_tree_entry_id(e)), mode: git_tree_entry_filemode(e).rawValue))
            }
        }
        func subtree(_ id: ObjectID, _ body: (OpaquePointer) throws -> Void) throws {
            let tree = try lookupTree(repo, id)
            defer { git_tree_free(tree) }
            try body(tree)
        }
        func all(_ id: ObjectID, path: String, added: Bool) throws {
            try subtree(id) { tree in
                try treeChanges(repo, added ? nil : tree, added ? tree : nil, prefix: path + "/", into: &out)
            }
        }
        let oldEntries = entries(old)
        let before = Dictionary(oldEntries.map { ($0.name, $0.entry) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        for (name, now) in entries(new) {
            seen.insert(name)
            let path = prefix + name
            guard let was = before[name] else {
                if now.isTree { try all(now.id, path: path, added: true) } else { out.append(PathChange(status: .added, oldPath: nil, newPath: path)) }
                continue
            }
            switch (was.isTree, now.isTree) {
            case (true, true):
                if was.id != now.id {
                    try subtree(was.id) { o in try subtree(now.id) { n in try treeChanges(repo, o, n, prefix: path + "/", into: &out) } }
                }
            case (false, false):
                if was.kind != now.kind {
                    out.append(PathChange(status: .typeChanged, oldPath: path, newPath: path))
                } else if was.id != now.id || was.mode != now.mode {
                    out.append(PathChange(status: .modified, oldPath: path, newPath: path))
                }
            case (true, false):
                try all(was.id, path: path, added: false)
                out.append(PathChange(status: .added, oldPath: nil, newPath: path))
            case (false, true):
                out.append(PathChange(status: .deleted, oldPath: path, newPath: nil))
                try all(now.id, path: path, added: true)
            }
        }
        for (name, was) in oldEntries where !seen.contains(name) {
            let path = prefix + name
            if was.isTree { try all(was.id, path: path, added: false) } else { out.append(PathChange(status: .deleted, oldPath: path, newPath: nil)) }
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
