internal import CLibGit2
import Foundation

extension Repository {
    /// Resolves a revision (`main`, `HEAD~2`, `origin/main`, a tag, a short or full id,
    /// `HEAD^{commit}`) to the commit it names; annotated tags are peeled to their commit.
    ///
    /// Throws `GitError.badRevision` with libgit2's explanation when the revision is empty,
    /// unknown, malformed, ambiguous or names something other than a commit (a blob, a tree).
    public func resolve(_ revision: String) throws -> ObjectID {
        if revision.trimmingCharacters(in: .whitespaces).isEmpty {
            throw GitError.badRevision(revision, message: "the revision is empty")
        }
        return try withHandle { repo in
            var object: OpaquePointer?
            let rc = git_revparse_single(&object, repo, revision)
            guard rc == 0, let object else { throw revisionError(revision, LibGit2.failure(rc), "resolve") }
            defer { git_object_free(object) }

            var commit: OpaquePointer?
            let peelRC = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
            guard peelRC == 0, let commit else {
                let f = LibGit2.failure(peelRC)
                let kind = LibGit2.string(git_object_type2string(git_object_type(object))) ?? "object"
                throw GitError.badRevision(revision, message: "it names a \(kind), not a commit; libgit2: \(f.message)")
            }
            defer { git_object_free(commit) }
            return ObjectID(git_object_id(commit))
        }
    }

    /// Maps a revparse failure: anything about the revision itself is `badRevision`; damage
    /// to the repository (zlib, odb, OS errors) stays a `library` error so it is not mistaken
    /// for a typo.
    private func revisionError(_ revision: String, _ f: LibGit2.Failure, _ operation: String) -> GitError {
        let userCodes: Set<Int32> = [Code.notFound, Code.invalidSpec, Code.ambiguous, Code.peel, Code.unbornBranch]
        if userCodes.contains(f.code) { return .badRevision(revision, message: f.message) }
        return .library(operation: "\(operation) `\(revision)`", code: f.code, message: f.message)
    }

    /// The commit HEAD points at, or nil when the current branch has no commits yet.
    public func head() throws -> ObjectID? {
        try withHead { ref in
            var peeled: OpaquePointer?
            let peelRC = git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT)
            guard peelRC == 0, let peeled else { throw LibGit2.error(LibGit2.failure(peelRC), "peel HEAD to a commit") }
            defer { git_object_free(peeled) }
            return ObjectID(git_object_id(peeled))
        }
    }

    /// The checked-out branch's short name (`main`, `feature/x`); nil when HEAD is detached
    /// or the branch has no commits yet.
    public func currentBranch() throws -> String? {
        try withHead { ref in
            guard git_reference_is_branch(ref) == 1 else { return nil }
            return LibGit2.string(git_reference_shorthand(ref))
        }
    }

    /// Runs `body` with HEAD's reference; nil without calling it when the branch is unborn.
    private func withHead<T>(_ body: (OpaquePointer) throws -> T?) throws -> T? {
        try withHandle { repo in
            var ref: OpaquePointer?
            let rc = git_repository_head(&ref, repo)
            if rc == Code.unbornBranch || rc == Code.notFound {
                _ = LibGit2.failure(rc)
                return nil
            }
            guard rc == 0, let ref else { throw LibGit2.error(LibGit2.failure(rc), "read HEAD") }
            defer { git_reference_free(ref) }
            return try body(ref)
        }
    }

    /// The best common ancestor of two commits, or nil when their histories are unrelated.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws -> ObjectID? {
        try withHandle { repo in
            var out = git_oid()
            var oa = a.oid, ob = b.oid
            let rc = git_merge_base(&out, repo, &oa, &ob)
            if rc == Code.notFound {
                let f = LibGit2.failure(rc)
                // "no merge base" and "no such commit" share a code; tell them apart by asking.
                if objectExists(repo, a) && objectExists(repo, b) { return nil }
                throw GitError.notFound("commit `\(a.short)` or `\(b.short)` (\(f.message))")
            }
            try LibGit2.check(rc, "find merge base of `\(a.short)` and `\(b.short)`")
            return ObjectID(out)
        }
    }

    /// The commit with this id, with trailers parsed.
    public func commit(_ id: ObjectID) throws -> Commit {
        try withHandle { repo in
            let commit = try lookupCommit(repo, id)
            defer { git_commit_free(commit) }
            return try Repository.makeCommit(commit)
        }
    }

    /// Looks up a commit; the caller frees it. A missing or non-commit id is `notFound`.
    func lookupCommit(_ repo: OpaquePointer, _ id: ObjectID) throws -> OpaquePointer {
        var oid = id.oid
        var commit: OpaquePointer?
        try LooseObjectGuard.check(repo, id)
        let rc = git_commit_lookup(&commit, repo, &oid)
        guard rc == 0, let commit else {
            let f = LibGit2.failure(rc)
            if rc == Code.notFound { throw GitError.notFound("commit `\(id.short)` (\(f.message))") }
            throw LibGit2.error(f, "read commit `\(id.short)`")
        }
        return commit
    }

    /// Copies a `git_commit` into a `Commit`.
    static func makeCommit(_ commit: OpaquePointer) throws -> Commit {
        let message = LibGit2.string(git_commit_message(commit)) ?? ""
        var parents: [ObjectID] = []
        let count = git_commit_parentcount(commit)
        for i in 0..<count {
            if let p = git_commit_parent_id(commit, i) { parents.append(ObjectID(p)) }
        }
        return Commit(
            id: ObjectID(git_commit_id(commit)),
            treeID: ObjectID(git_commit_tree_id(commit)),
            parents: parents,
            author: Signature(git_commit_author(commit)),
            committer: Signature(git_commit_committer(commit)),
            message: message,
            trailers: try trailers(of: message)
        )
    }

    /// The trailer block of a message, parsed by libgit2 with git's rules.
    static func trailers(of message: String) throws -> [Trailer] {
        var array = git_message_trailer_array()
        let rc = git_message_trailers(&array, message)
        try LibGit2.check(rc, "parse commit trailers")
        defer { git_message_trailer_array_free(&array) }
        var out: [Trailer] = []
        for i in 0..<array.count {
            let t = array.trailers[i]
            out.append(Trailer(key: LibGit2.string(t.key) ?? "", value: LibGit2.string(t.value) ?? ""))
        }
        return out
    }
}

/// Whether an object exists, without reading it.
private func objectExists(_ repo: OpaquePointer, _ id: ObjectID) -> Bool {
    var odb: OpaquePointer?
    guard git_repository_odb(&odb, repo) == 0, let odb else {
        _ = LibGit2.failure(-1)
        return false
    }
    defer { git_odb_free(odb) }
    var oid = id.oid
    return git_odb_exists(odb, &oid) == 1
}
