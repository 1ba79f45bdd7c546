import Foundation
import StewardCore
import Testing
import StewardGit

@Suite("work tree")
struct WorkTreeTests {
    /// A committed repository with `.gitignore`, then edits left uncommitted.
    private func dirtyRepo() throws -> TestRepo {
        let t = try TestRepo()
        try t.write(".gitignore", "*.log\nbuild/\n")
        try t.write("a.txt", "committed a")
        try t.write("b.txt", "committed b")
        try t.write("dir/keep.txt", "keep")
        try t.write("forced.log", "tracked although ignored")
        try t.git("add", "-A")
        try t.git("add", "-f", "forced.log")
        try t.commit("init")
        try t.write("a.txt", "edited a")
        try t.remove("b.txt")
        try t.write("new.txt", "new")
        try t.write("dir/untracked/x.txt", "x")
        try t.write("debug.log", "ignored")
        try t.write("build/out.txt", "ignored")
        return t
    }

    @Test func workTreeReflectsUncommittedState() throws {
        let t = try dirtyRepo()
        let tree = try t.open().workTree()
        #expect(tree.label == "work tree")
        #expect(tree.root == t.path)
        #expect(try tree.files(under: "") == [
            ".gitignore", "a.txt", "dir/keep.txt", "dir/untracked/x.txt", "forced.log", "new.txt",
        ])
        #expect(try tree.files(under: "dir") == ["dir/keep.txt", "dir/untracked/x.txt"])
        #expect(try tree.files(under: "build") == [])
        #expect(try tree.read("a.txt")?.text == "edited a")
        #expect(try tree.read("new.txt")?.text == "new")
        #expect(try tree.read("forced.log")?.text == "tracked although ignored")
        #expect(try tree.read("b.txt") == nil)
        #expect(try tree.read("debug.log") == nil)
        #expect(try tree.read("build/out.txt") == nil)
        #expect(try tree.read("dir") == nil)
        #expect(try tree.read("../repo/a.txt") == nil)
        #expect(try tree.read(".git/HEAD") == nil)

        // Reads are live: a later edit is seen without reopening.
        try t.write("a.txt", "edited again")
        #expect(try tree.read("a.txt")?.text == "edited again")
        // A staged deletion whose file is gone disappears; a new file staged appears.
        try t.git("rm", "-q", "dir/keep.txt")
        try t.write("staged.txt", "s")
        try t.git("add", "staged.txt")
        #expect(try tree.files(under: "dir") == ["dir/untracked/x.txt"])
        #expect(try tree.files(under: "").contains("staged.txt"))
    }

    @Test func workTreeChangesAgainstHead() throws {
        let t = try dirtyRepo()
        try t.write("staged.txt", "staged")
        try t.git("add", "staged.txt")
        let repo = try t.open()
        let changes = try repo.workTreeChanges()
        #expect(changes == [
            PathChange(status: .modified, oldPath: "a.txt", newPath: "a.txt"),
            PathChange(status: .deleted, oldPath: "b.txt", newPath: nil),
            PathChange(status: .added, oldPath: nil, newPath: "dir/untracked/x.txt"),
            PathChange(status: .added, oldPath: nil, newPath: "new.txt"),
            PathChange(status: .added, oldPath: nil, newPath: "staged.txt"),
        ])
    }

    @Test func workTreeChangesDetectMoves() throws {
        let t = try TestRepo()
        let long = (1...30).map { "row \($0)" }.joined(separator: "\n")
        try t.write("one.txt", long)
        try t.write("two.txt", long + "\nsecond file")
        try t.commit("init")
        try t.git("mv", "one.txt", "staged-move.txt")
        try FileManager.default.moveItem(atPath: t.path + "/two.txt", toPath: t.path + "/plain-move.txt")
        let changes = try t.open().workTreeChanges()
        #expect(changes.contains(PathChange(status: .renamed, oldPath: "one.txt", newPath: "staged-move.txt", similarity: 100)))
        #expect(changes.contains { $0.status == .renamed && $0.oldPath == "two.txt" && $0.newPath == "plain-move.txt" })
        #expect(changes.count == 2)
        let raw = try t.open().workTreeChanges(detectRenames: false)
        #expect(raw.count == 4)
    }

    @Test func cleanWorkTreeHasNoChanges() throws {
        let t = try TestRepo()
        try t.write("a.txt", "a")
        try t.commit("init")
        #expect(try t.open().workTreeChanges().isEmpty)
    }
}

@Suite("references and writing")
struct ReferenceAndWritingTests {
    @Test func referenceCompareAndSwap() throws {
        let t = try TestRepo()
        try t.write("a.txt", "1")
        let c1 = try t.commit("one")
        try t.write("a.txt", "2")
        let c2 = try t.commit("two")
        let repo = try t.open()
        let ref = "refs/steward/state"

        #expect(try repo.reference(ref) == nil)
        #expect(try repo.reference("refs/heads/main") == c2)
        #expect(try repo.reference("HEAD") == c2)

        // Moving a reference that does not exist fails: it was expected at c1.
        #expect(throws: GitError.refMoved(ref: ref, expected: c1, actual: nil)) {
            try repo.updateReference(ref, to: c2, expecting: c1, message: "steward: test")
        }
        try repo.updateReference(ref, to: c1, expecting: nil, message: "steward: create")
        #expect(try repo.reference(ref) == c1)
        #expect(try t.git("rev-parse", ref) == c1.hex)

        // "Must not exist" fails once it exists.
        #expect(throws: GitError.refMoved(ref: ref, expected: nil, actual: c1)) {
            try repo.updateReference(ref, to: c2, expecting: nil, message: "steward: create again")
        }
        try repo.updateReference(ref, to: c2, expecting: c1, message: "steward: advance")
        #expect(try repo.reference(ref) == c2)

        // Someone else moves it behind our back.
        try t.git("update-ref", ref, c1.hex)
        #expect(throws: GitError.refMoved(ref: ref, expected: c2, actual: c1)) {
            try repo.updateReference(ref, to: c2, expecting: c2, message: "steward: stale")
        }
        #expect(throws: GitError.refMoved(ref: ref, expected: c2, actual: c1)) {
            try repo.deleteReference(ref, expecting: c2)
        }
        try repo.deleteReference(ref, expecting: c1)
        #expect(try repo.reference(ref) == nil)
        #expect(throws: GitError.refMoved(ref: ref, expected: c1, actual: nil)) {
            try repo.deleteReference(ref, expecting: c1)
        }
        // HEAD, index and branches were never touched.
        #expect(try repo.head() == c2)
        #expect(try t.git("status", "--porcelain") == "")

        // A target that does not exist is a library error, not a race.
        let missing = ObjectID(hex: String(repeating: "ef", count: 20))!
        #expect(throws: GitError.self) {
            try repo.updateReference(ref, to: missing, expecting: nil, message: "bad")
        }
        #expect(try repo.reference(ref) == nil)
        #expect(throws: GitError.self) { try repo.reference("refs/bad..name") }
    }

    @Test func writeObjectsRoundTrip() throws {
        let t = try TestRepo()
        try t.write("a.txt", "1")
        let head = try t.commit("one")
        let repo = try t.open()

        let b1 = try repo.writeBlob(Array("hello\n".utf8))
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: t.base + "/hello.txt"))
        #expect(try t.git("hash-object", t.base + "/hello.txt") == b1.hex, "same id as git computes")
        #expect(try t.git("cat-file", "-p", b1.hex) == "hello")
        let b2 = try repo.writeBlob([0, 1, 2, 255])
        let empty = try repo.writeBlob([])
        let tree = try repo.writeTree([
            "state.json": b1, "audit/2026/entry.bin": b2, "audit/2026/empty": empty, "audit/readme": b1,
        ])
        let author = Signature(
            name: "steward", email: "steward@localhost",
            date: Date(timeIntervalSince1970: 1_750_000_000), timeZoneOffsetMinutes: -300)
        let committer = Signature(name: "Bot", email: "bot@acme.example", date: Date(timeIntervalSince1970: 1_750_000_100))
        let message = "steward: reconcile\n\nApplied 3 changes.\n\nSteward-Run: 42\n"
        let commitID = try repo.writeCommit(tree: tree, parents: [head], message: message, author: author, committer: committer)

        let commit = try repo.commit(commitID)
        #expect(commit.treeID == tree)
        #expect(commit.parents == [head])
        #expect(commit.message == message)
        #expect(commit.author == author)
        #expect(commit.committer == committer)
        #expect(commit.trailers == [Trailer(key: "Steward-Run", value: "42")])
        let files = try repo.tree(at: commitID)
        #expect(try files.files(under: "") == ["audit/2026/empty", "audit/2026/entry.bin", "audit/readme", "state.json"])
        #expect(try files.read("audit/2026/entry.bin") == [0, 1, 2, 255])
        #expect(try files.read("audit/2026/empty") == [])
        #expect(try files.read("state.json")?.text == "hello\n")
        #expect(try t.git("fsck", "--no-dangling") == "")

        // Nothing moved: HEAD, branch, index, work tree.
        #expect(try repo.head() == head)
        #expect(try t.git("status", "--porcelain") == "")

        let root = try repo.writeCommit(tree: repo.writeTree([:]), parents: [], message: "empty", author: author)
        #expect(try repo.commit(root).committer == author)
        #expect(try repo.tree(at: root).files(under: "").isEmpty)
    }

    @Test func updateTreeChangesOnlyWhatItNames() throws {
        let t = try TestRepo()
        let repo = try t.open()
        let (a, b, c) = (try repo.writeBlob(Array("a".utf8)), try repo.writeBlob(Array("b".utf8)), try repo.writeBlob(Array("c".utf8)))
        let base = try repo.writeTree(["state.json": a, "products/x/x.one.json": a, "products/y/y.two.json": b])
        let updated = try repo.updateTree(base, setting: ["state.json": c, "products/x/x.three.json": b, "products/z/z.four.json": c],
                                          removing: ["products/y/y.two.json"])
        // Same id as building the whole map from scratch: the update is exact, not approximate.
        #expect(updated == (try repo.writeTree(["state.json": c, "products/x/x.one.json": a, "products/x/x.three.json": b,
                                                "products/z/z.four.json": c])))
        #expect(try repo.updateTree(nil, setting: ["one": a]) == (try repo.writeTree(["one": a])))
        #expect(try repo.updateTree(base, setting: [:]) == base)
        #expect(throws: GitError.self) { try repo.updateTree(base, setting: ["a/../b": a]) }
        #expect(throws: GitError.self) { try repo.updateTree(base, setting: ["state.json": a], removing: ["state.json"]) }
    }

    @Test func writeTreeRefusesBadPaths() throws {
        let t = try TestRepo()
        let repo = try t.open()
        let blob = try repo.writeBlob(Array("x".utf8))
        for bad in [["a/../b": blob], ["": blob], ["a//b": blob], ["./a": blob], ["a": blob, "a/b": blob]] {
            #expect(throws: GitError.self) { try repo.writeTree(bad) }
        }
        do {
            _ = try repo.writeTree(["a/../b": blob])
        } catch let GitError.invalidPath(path, _) {
            #expect(path == "a/../b")
        }
        let missing = ObjectID(hex: String(repeating: "12", count: 20))!
        #expect(throws: GitError.self) { try repo.writeTree(["a": missing]) }
        #expect(throws: GitError.self) {
            try repo.writeCommit(tree: missing, parents: [], message: "m", author: repo.defaultSignature())
        }
    }
}
