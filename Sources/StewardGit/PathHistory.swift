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
            var entries = EntryCache(repository: self, repo: repo)
            var scope = Self.commonFolder(followed)
            var out: [PathCommit] = []
            try walkCommits(repo, from: start) { id, commit in
                let parents = Repository.parents(of: commit)
                if !scope.isEmpty, !parents.isEmpty {
                    let mine = try entries.entry(id, scope)
                    if try parents.contains(where: { try entries.entry($0, scope) == mine }) { return true }
                }
                var touched: [String] = []
                for path in followed {
                    let mine = try entries.entry(id, path)
                    let changed = parents.isEmpty ? mine != nil : try parents.allSatisfy { try entries.entry($0, path) != mine }
                    if changed { touched.append(path) }
                }
                if touched.isEmpty { return true }

                // What the commit did to the followed paths, with renames, against its first parent.
                let first = parents.first
                func before(_ path: String) throws -> ObjectID? { try first.flatMap { try entries.entry($0, path) } }
                var renamedFrom: [String: String] = [:]
                if let first, try touched.contains(where: { try entries.entry(id, $0) != nil && before($0) == nil }) {
                    for c in try self.changes(from: first, to: id, detectRenames: true) where c.status == .renamed {
                        if let new = c.newPath, touched.contains(new) { renamedFrom[new] = c.oldPath }
                    }
                }
                var changes: [PathChange] = []
                for path in touched {
                    let now = try entries.entry(id, path)
                    if let old = renamedFrom[path] {
                        changes.append(PathChange(status: .renamed, oldPath: old, newPath: path))
                        followed[followed.firstIndex(of: path)!] = old
                        scope = Self.commonFolder(followed)
                    } else if now == nil {
                        changes.append(PathChange(status: .deleted, oldPath: path, newPath: nil))
                    } else if try before(path) == nil {
                        changes.append(PathChange(status: .added, oldPath: nil, newPath: path))
                    } else {
                        changes.append(PathChange(status: .modified, oldPath: path, newPath: path))
                    }
                }
                out.append(PathCommit(commit: try Repository.makeCommit(commit), changes: changes))
                return true
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
