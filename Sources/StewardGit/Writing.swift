internal import CLibGit2
import Foundation

extension Repository {
    /// Stores `bytes` as a blob and returns its id. Writing objects never touches HEAD, the
    /// index or the work tree: the reconciler and audit log keep their data under `refs/steward/*`.
    public func writeBlob(_ bytes: [UInt8]) throws -> ObjectID {
        try withHandle { repo in
            var oid = git_oid()
            let rc = bytes.withUnsafeBytes { buffer in
                git_blob_create_from_buffer(&oid, repo, buffer.baseAddress, buffer.count)
            }
            try LibGit2.check(rc, "write blob")
            return ObjectID(oid)
        }
    }

    /// Stores a tree built from a flat map of `/`-separated paths to blob ids, creating the
    /// nested trees, and returns the root tree's id. All files get mode 100644. An empty map
    /// gives the empty tree. Throws `GitError.invalidPath` for a path with empty, `.` or `..`
    /// parts, or one that is both a file and a folder.
    public func writeTree(_ entries: [String: ObjectID]) throws -> ObjectID {
        var root = TreeNode.folder([:])
        for (path, blob) in entries.sorted(by: { $0.key < $1.key }) {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                throw GitError.invalidPath(path, reason: "empty, `.` or `..` path component")
            }
            try root.insert(parts[...], blob, fullPath: path)
        }
        return try withHandle { repo in try write(root, repo, path: "") }
    }

    /// Stores the tree `base` with the files in `setting` written (added or replaced) and the
    /// paths in `removing` taken out, and returns its id. Only the folders on the changed paths
    /// are rewritten, so one file changed in a large tree costs its depth, not its size (the
    /// reconciler's state and the audit log change a few files per commit). `base` nil is the
    /// empty tree. A path in both maps, or with empty, `.` or `..` parts, is refused.
    public func updateTree(_ base: ObjectID?, setting: [String: ObjectID], removing: [String] = []) throws -> ObjectID {
        let root = try base ?? writeTree([:])
        for path in Array(setting.keys) + removing {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                throw GitError.invalidPath(path, reason: "empty, `.` or `..` path component")
            }
        }
        if let both = removing.first(where: { setting[$0] != nil }) {
            throw GitError.invalidPath(both, reason: "both written and removed in one update")
        }
        if setting.isEmpty && removing.isEmpty { return root }
        return try withHandle { repo in
            let baseline = try lookupTree(repo, root)
            defer { git_tree_free(baseline) }
            // The C strings must outlive the call: strdup them, free them after.
            let ordered = setting.sorted { $0.key < $1.key }
            var paths: [UnsafeMutablePointer<CChar>?] = []
            defer { for p in paths { free(p) } }
            var updates: [git_tree_update] = []
            for (path, id) in ordered {
                let c = strdup(path)
                paths.append(c)
                updates.append(git_tree_update(action: GIT_TREE_UPDATE_UPSERT, id: id.oid, filemode: GIT_FILEMODE_BLOB, path: c))
            }
            for path in removing.sorted() {
                let c = strdup(path)
                paths.append(c)
                updates.append(git_tree_update(action: GIT_TREE_UPDATE_REMOVE, id: git_oid(), filemode: GIT_FILEMODE_UNREADABLE, path: c))
            }
            var out = git_oid()
            let rc = updates.withUnsafeBufferPointer { git_tree_create_updated(&out, repo, baseline, $0.count, $0.baseAddress) }
            try LibGit2.check(rc, "update tree `\(root.short)`")
            return ObjectID(out)
        }
    }

    /// Writes one folder level, children first, and returns its tree id.
    private func write(_ node: TreeNode, _ repo: OpaquePointer, path: String) throws -> ObjectID {
        guard case let .folder(children) = node else { preconditionFailure("write called on a file") }
        var builder: OpaquePointer?
        try LibGit2.check(git_treebuilder_new(&builder, repo, nil), "write tree `\(path)/`")
        guard let builder else { throw GitError.library(operation: "write tree", code: -1, message: "no tree builder") }
        defer { git_treebuilder_free(builder) }
        for (name, child) in children {
            let childPath = path.isEmpty ? name : path + "/" + name
            let (id, mode): (ObjectID, git_filemode_t) = switch child {
            case let .file(blob): (blob, GIT_FILEMODE_BLOB)
            case .folder: (try write(child, repo, path: childPath), GIT_FILEMODE_TREE)
            }
            var oid = id.oid
            let rc = git_treebuilder_insert(nil, builder, name, &oid, mode)
            try LibGit2.check(rc, "add `\(childPath)` (`\(id.short)`) to a tree")
        }
        var out = git_oid()
        try LibGit2.check(git_treebuilder_write(&out, builder), "write tree `\(path)/`")
        return ObjectID(out)
    }

    /// Stores a commit and returns its id without moving any reference (use
    /// `updateReference` for that, with compare-and-swap). `committer` defaults to `author`.
    /// The message is stored verbatim.
    public func writeCommit(
        tree: ObjectID, parents: [ObjectID], message: String, author: Signature, committer: Signature? = nil
    ) throws -> ObjectID {
        try withHandle { repo in
            let treePtr = try lookupTree(repo, tree)
            defer { git_tree_free(treePtr) }
            var parentPtrs: [OpaquePointer?] = []
            defer { for p in parentPtrs { git_commit_free(p) } }
            for p in parents { parentPtrs.append(try lookupCommit(repo, p)) }

            let authorC = try author.makeC()
            defer { git_signature_free(authorC) }
            let committerC = try (committer ?? author).makeC()
            defer { git_signature_free(committerC) }

            var oid = git_oid()
            let rc = parentPtrs.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(
                    &oid, repo, nil, authorC, committerC, nil, message, treePtr,
                    buffer.count, buffer.baseAddress)
            }
            try LibGit2.check(rc, "write commit")
            return ObjectID(oid)
        }
    }
}

/// A folder being assembled for `writeTree`.
private enum TreeNode {
    case file(ObjectID)
    case folder([String: TreeNode])

    mutating func insert(_ parts: ArraySlice<String>, _ blob: ObjectID, fullPath: String) throws {
        guard case var .folder(children) = self, let name = parts.first else {
            throw GitError.invalidPath(fullPath, reason: "a file is in the way of a folder")
        }
        if parts.count == 1 {
            if children[name] != nil {
                throw GitError.invalidPath(fullPath, reason: "the path is both a file and a folder")
            }
            children[name] = .file(blob)
        } else {
            var child = children[name] ?? .folder([:])
            try child.insert(parts.dropFirst(), blob, fullPath: fullPath)
            children[name] = child
        }
        self = .folder(children)
    }
}
