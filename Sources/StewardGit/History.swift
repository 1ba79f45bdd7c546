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
            var walk: OpaquePointer?
            try LibGit2.check(git_revwalk_new(&walk, repo), "start history walk")
            guard let walk else { return [] }
            defer { git_revwalk_free(walk) }
            try LibGit2.check(
                git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue),
                "sort history walk")
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

            // Entry ids at `filter`, by commit: each commit's is needed again as a parent.
            var entries: [ObjectID: ObjectID?] = [:]
            func entryOf(_ commit: OpaquePointer, _ id: ObjectID, _ path: String) throws -> ObjectID? {
                if let known = entries[id] { return known }
                let e = try entryID(repo, commit: commit, path: path)
                entries[id] = e
                return e
            }
            func entryOf(_ id: ObjectID, _ path: String) throws -> ObjectID? {
                if let known = entries[id] { return known }
                let c = try lookupCommit(repo, id)
                defer { git_commit_free(c) }
                return try entryOf(c, id, path)
            }

            var out: [Commit] = []
            var oid = git_oid()
            while true {
                let rc = git_revwalk_next(&oid, walk)
                if rc == Code.iterOver { break }
                try LibGit2.check(rc, "walk history from `\(start.short)`")
                let id = ObjectID(oid)
                let commit = try lookupCommit(repo, id)
                defer { git_commit_free(commit) }

                if let filter {
                    let mine = try entryOf(commit, id, filter)
                    var parents: [ObjectID] = []
                    let count = firstParentOnly ? min(1, git_commit_parentcount(commit)) : git_commit_parentcount(commit)
                    for i in 0..<count {
                        if let p = git_commit_parent_id(commit, i) { parents.append(ObjectID(p)) }
                    }
                    let changed = parents.isEmpty
                        ? mine != nil
                        : try parents.allSatisfy { try entryOf($0, filter) != mine }
                    if !changed { continue }
                }
                out.append(try Repository.makeCommit(commit))
                if let limit, out.count >= limit { break }
            }
            return out
        }
    }
}
