internal import CLibGit2

/// One commit of a path history: the commit and what it did to the followed paths, against
/// its first parent (the empty tree for a root commit).
public struct PathCommit: Sendable {
    public let commit: Commit
    /// The followed paths this commit changed, renames included (old path → new path).
    public let changes: [PathChange]
}

extension Repository {
    /// The commits reachable from `start` that changed any of `paths`, newest first, following
    /// renames the way `git log --follow` does: when a followed path first appears in a commit
    /// as the target of a rename, older commits are searched for the old path instead.
    ///
    /// A commit is listed when a followed path's tree entry id differs from its entry in every
    /// parent, so a merge that took one side's version unchanged is skipped and one that made
    /// new content is kept. Only the trees along the paths are read, never whole trees, except
    /// for rename detection in the commits that add a followed path; and the folder holding all
    /// followed paths is compared first, so a commit that left it alone costs one lookup.
    public func pathHistory(from start: ObjectID, paths: [String]) throws -> [PathCommit] {
        var followed = paths.map(GitTree.normalize)
        return try withHandle { repo in
            var walk: OpaquePointer?
            try LibGit2.check(git_revwalk_new(&walk, repo), "start history walk")
            guard let walk else { return [] }
            defer { git_revwalk_free(walk) }
            try LibGit2.check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort history walk")
            var startOID = start.oid
            let pushRC = git_revwalk_push(walk, &startOID)
            if pushRC < 0 {
                if pushRC == Code.notFound { throw GitError.notFound("commit `\(start.short)`") }
                throw LibGit2.error(LibGit2.failure(pushRC), "walk history from `\(start.short)`")
            }

            // Entry ids by path then commit: each commit's are needed again as a parent's.
            var entries: [String: [ObjectID: ObjectID?]] = [:]
            func entryOf(_ id: ObjectID, _ path: String) throws -> ObjectID? {
                if let known = entries[path]?[id] { return known }
                let c = try lookupCommit(repo, id)
                defer { git_commit_free(c) }
                let e = try entryID(repo, commit: c, path: path)
                entries[path, default: [:]][id] = e
                return e
            }

            var scope = Self.commonFolder(followed)
            var out: [PathCommit] = []
            var oid = git_oid()
            while true {
                let rc = git_revwalk_next(&oid, walk)
                if rc == Code.iterOver { break }
                try LibGit2.check(rc, "walk history from `\(start.short)`")
                let id = ObjectID(oid)
                let commit = try lookupCommit(repo, id)
                defer { git_commit_free(commit) }
                var parents: [ObjectID] = []
                for i in 0..<git_commit_parentcount(commit) {
                    if let p = git_commit_parent_id(commit, i) { parents.append(ObjectID(p)) }
                }
                if !scope.isEmpty, !parents.isEmpty {
                    let mine = try entryOf(id, scope)
                    if try parents.contains(where: { try entryOf($0, scope) == mine }) { continue }
                }
                var touched: [String] = []
                for path in followed {
                    let mine = try entryOf(id, path)
                    let changed = parents.isEmpty ? mine != nil : try parents.allSatisfy { try entryOf($0, path) != mine }
                    if changed { touched.append(path) }
                }
                if touched.isEmpty { continue }

                // What the commit did to the followed paths, with renames, against its first parent.
                let first = parents.first
                let added = try touched.filter { p in try entryOf(id, p) != nil && (try first.map { try entryOf($0, p) } ?? nil) == nil }
                var changes: [PathChange] = []
                var renamedFrom: [String: String] = [:]
                if !added.isEmpty, first != nil {
                    for c in try self.changes(from: first, to: id, detectRenames: true)
                    where c.status == .renamed && added.contains(c.newPath ?? "") {
                        renamedFrom[c.newPath!] = c.oldPath!
                    }
                }
                for path in touched {
                    let now = try entryOf(id, path)
                    let before = try first.map { try entryOf($0, path) } ?? nil
                    if let old = renamedFrom[path] {
                        changes.append(PathChange(status: .renamed, oldPath: old, newPath: path))
                        followed[followed.firstIndex(of: path)!] = old
                        scope = Self.commonFolder(followed)
                    } else if before == nil && now != nil {
                        changes.append(PathChange(status: .added, oldPath: nil, newPath: path))
                    } else if now == nil {
                        changes.append(PathChange(status: .deleted, oldPath: path, newPath: nil))
                    } else {
                        changes.append(PathChange(status: .modified, oldPath: path, newPath: path))
                    }
                }
                out.append(PathCommit(commit: try Repository.makeCommit(commit), changes: changes))
            }
            return out
        }
    }

    /// The deepest folder that holds all `paths` ("" for the root).
    static func commonFolder(_ paths: [String]) -> String {
        let folders = paths.map { $0.split(separator: "/").dropLast() }
        guard var common = folders.first else { return "" }
        for f in folders.dropFirst() {
            common = common.prefix(zip(common, f).prefix { $0 == $1 }.count)
        }
        return common.joined(separator: "/")
    }
}
