internal import CLibGit2

extension Repository {
    /// The commit (or other object) a reference points at, following symbolic references;
    /// nil when the reference does not exist. `name` is a full name such as
    /// `refs/steward/state` or `refs/heads/main`.
    public func reference(_ name: String) throws -> ObjectID? {
        try withHandle { repo in try referenceTarget(repo, name) }
    }

    func referenceTarget(_ repo: OpaquePointer, _ name: String) throws -> ObjectID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, repo, name)
        if rc == Code.notFound {
            _ = LibGit2.failure(rc)
            return nil
        }
        try LibGit2.check(rc, "read reference `\(name)`")
        return ObjectID(oid)
    }

    /// Points `name` at `new` only if it still points at `old` (nil: only if it does not exist
    /// yet), atomically. This is how concurrent steward runs avoid overwriting each other's
    /// state: the loser gets `GitError.refMoved` with the value it lost to and can retry.
    /// Intended for direct references (`refs/steward/*`, branches), not symbolic ones.
    public func updateReference(_ name: String, to new: ObjectID, expecting old: ObjectID?, message: String) throws {
        try withHandle { repo in
            var target = new.oid
            var ref: OpaquePointer?
            let rc: Int32
            // The expected value is compared under the ref's lock. For "must not exist yet" that
            // is the zero id: `git_reference_create` without force checks existence outside the
            // lock in libgit2 1.5, and two creators could both succeed, the second overwriting.
            var current = old?.oid ?? git_oid()
            rc = git_reference_create_matching(&ref, repo, name, &target, 1, &current, message)
            if rc == 0 {
                git_reference_free(ref)
                return
            }
            let f = LibGit2.failure(rc)
            // Whatever the code, a reference that no longer holds the expected value is a lost race.
            let actual = try? referenceTarget(repo, name)
            if let actual, actual != old {
                throw GitError.refMoved(ref: name, expected: old, actual: actual)
            }
            // Locked: another writer holds the ref's lock file this instant, so it is moving.
            if rc == Code.exists || rc == Code.modified || rc == Code.locked || (rc == Code.notFound && old != nil && actual == nil) {
                throw GitError.refMoved(ref: name, expected: old, actual: actual)
            }
            throw LibGit2.error(f, "update reference `\(name)` to `\(new.short)`")
        }
    }

    /// Deletes `name` only if it still points at `old`; otherwise `GitError.refMoved`
    /// (with `actual` nil when it is already gone).
    public func deleteReference(_ name: String, expecting old: ObjectID) throws {
        try withHandle { repo in
            var ref: OpaquePointer?
            let rc = git_reference_lookup(&ref, repo, name)
            if rc == Code.notFound {
                _ = LibGit2.failure(rc)
                throw GitError.refMoved(ref: name, expected: old, actual: nil)
            }
            guard rc == 0, let ref else { throw LibGit2.error(LibGit2.failure(rc), "read reference `\(name)`") }
            defer { git_reference_free(ref) }
            let current = git_reference_target(ref).map(ObjectID.init)
            guard current == old else { throw GitError.refMoved(ref: name, expected: old, actual: current) }
            // libgit2 re-checks the value under the ref lock, so a change since the lookup fails here.
            let deleteRC = git_reference_delete(ref)
            if deleteRC == 0 { return }
            let f = LibGit2.failure(deleteRC)
            if deleteRC == Code.modified {
                let actual = try? referenceTarget(repo, name)
                throw GitError.refMoved(ref: name, expected: old, actual: actual)
            }
            throw LibGit2.error(f, "delete reference `\(name)`")
        }
    }
}
