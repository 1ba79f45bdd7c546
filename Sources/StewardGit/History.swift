internal import CLibGit2

extension Repository {
    /// The commits reachable from `start`, newest first (topological order, ties by time).
    ///
    /// With `path`, only the commits that changed it: those whose tree entry at `path`
    /// (a file's blob id or a folder's tree id) differs from the entry in every parent they
    /// are compared with. A merge that took one side's version unchanged is therefore skipped,
    /// and one that produced new content is kept. Entry ids are compared instead of diffing
    /// whole trees, so the cost grows with path depth, not repository size.
    ///
    /// With `firstParentOnly`, the walk follows first parents (the main line of a branch) and
    /// each commit is compared with its first parent only, like `git log --first-parent`.
    /// `limit` caps the number of commits returned (after path filtering). Commits reachable
    /// from `hiding` are left out, as in `git log base..head`, without walking past them.
    public func log(
        from start: ObjectID, hiding: [ObjectID] = [], path: String? = nil, firstParentOnly: Bool = false, limit: Int? = nil
    ) throws -> [Commit] {
        if let limit, limit <= 0 { return [] }
        let filter = path.map(GitTree.normalize)
        return try withHandle { repo in
            var entries = EntryCache(repository: self, repo: repo)
            var out: [Commit] = []
            try walkCommits(repo, from: start, hiding: hiding, firstParentOnly: firstParentOnly) { id, commit in
                if let filter {
                    let mine = try entries.entry(id, filter)
                    let parents = Repository.parents(of: commit).prefix(firstParentOnly ? 1 : Int.max)
                    let changed = parents.isEmpty
                        ? mine != nil
                        : try parents.allSatisfy { try entries.entry($0, filter) != mine }
                    if !changed { return true }
                }
                out.append(try Repository.makeCommit(commit))
                return limit.map { out.count < $0 } ?? true
            }
            return out
        }
    }

    /// Walks the commits reachable from `start` and not from `hiding`, newest first
    /// (topological, ties by time), until `visit` returns false. The commit handle is
    /// borrowed for the call.
    func walkCommits(_ repo: OpaquePointer, from start: ObjectID, hiding: [ObjectID] = [], firstParentOnly: Bool = false,
                     _ visit: (ObjectID, OpaquePointer) throws -> Bool) throws {
        var walk: OpaquePointer?
        try LibGit2.check(git_revwalk_new(&walk, repo), "start history walk")
        guard let walk else { return }
        defer { git_revwalk_free(walk) }
        try LibGit2.check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort history walk")
        if firstParentOnly {
            try LibGit2.check(git_revwalk_simplify_first_parent(walk), "simplify history walk")
        }
        var startOID = start.oid
        let pushRC = git_revwalk_push(walk, &startOID)
        if pushRC < 0 {
            let f = LibGit2.failure(pushRC)
            if pushRC == Code.notFound { throw GitError.notFound("commit `\(start.short)` (\(f.message))") }
            throw LibGit2.error(f, "walk history from `\(start.short)`")
        }
        for hidden in hiding {
            var oid = hidden.oid
            try LibGit2.check(git_revwalk_hide(walk, &oid), "hide `\(hidden.short)` from the history walk")
        }
        var oid = git_oid()
        while true {
            let rc = git_revwalk_next(&oid, walk)
            if rc == Code.iterOver { return }
            try LibGit2.check(rc, "walk history from `\(start.short)`")
            let id = ObjectID(oid)
            let commit = try lookupCommit(repo, id)
            defer { git_commit_free(commit) }
            if try !visit(id, commit) { return }
        }
    }

    /// The parent ids of a commit, first parent first.
    static func parents(of commit: OpaquePointer) -> [ObjectID] {
        (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0.pointee) } }
    }
}

/// Tree entry ids by path and commit, for a walk that asks each commit again as a parent.
struct EntryCache {
    let repository: Repository
    let repo: OpaquePointer
    private var entries: [String: [ObjectID: ObjectID?]] = [:]

    init(repository: Repository, repo: OpaquePointer) {
        self.repository = repository
        self.repo = repo
    }

    mutating func entry(_ commit: ObjectID, _ path: String) throws -> ObjectID? {
        if let known = entries[path]?[commit] { return known }
        let c = try repository.lookupCommit(repo, commit)
        defer { git_commit_free(c) }
        let e = try repository.entryID(repo, commit: c, path: path)
        entries[path, default: [:]][commit] = e
        return e
    }
}
