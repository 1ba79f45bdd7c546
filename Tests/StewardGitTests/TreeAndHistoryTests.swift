import Foundation
import StewardCore
import Testing
import StewardGit

@Suite("trees, diffs and history")
struct TreeAndHistoryTests {
    @Test func listsAndReadsTreesAtOldCommits() throws {
        let t = try TestRepo()
        try t.write("a.txt", "old a")
        try t.write("dir/b.txt", "b")
        try t.write("dir/sub/c.txt", "c")
        try t.write("run.sh", "#!/bin/sh\n")
        try t.git("add", "-A")
        try t.git("update-index", "--chmod=+x", "run.sh")
        try FileManager.default.createSymbolicLink(atPath: t.path + "/link", withDestinationPath: "a.txt")
        let c1 = try t.commit("one")
        try t.write("a.txt", "new a")
        try t.remove("dir/b.txt")
        try t.write("dir/d.txt", "d")
        let c2 = try t.commit("two")

        let repo = try t.open()
        let old = try repo.tree(at: c1)
        #expect(old.label == "commit \(c1.short)")
        #expect(try old.files(under: "") == ["a.txt", "dir/b.txt", "dir/sub/c.txt", "run.sh"], "symlink skipped")
        #expect(try old.files(under: "dir") == ["dir/b.txt", "dir/sub/c.txt"])
        #expect(try old.files(under: "dir/") == ["dir/b.txt", "dir/sub/c.txt"])
        #expect(try old.files(under: "./dir/sub") == ["dir/sub/c.txt"])
        #expect(try old.files(under: "a.txt") == [])
        #expect(try old.files(under: "nope") == [])
        #expect(try old.read("a.txt")?.text == "old a")
        #expect(try old.read("dir/b.txt")?.text == "b")
        #expect(try old.read("dir") == nil)
        #expect(try old.read("link") == nil)
        #expect(try old.read("missing.txt") == nil)
        #expect(try old.exists("run.sh"))

        let new = try repo.tree(at: c2)
        #expect(try new.files(under: "dir") == ["dir/d.txt", "dir/sub/c.txt"])
        #expect(try new.read("a.txt")?.text == "new a")
        #expect(try repo.blob(path: "a.txt", at: c1)?.text == "old a")
        #expect(try repo.blob(path: "dir/b.txt", at: c2) == nil)

        #expect(try repo.entryID(path: "a.txt", at: c1) == t.id("\(c1.hex):a.txt"))
        #expect(try repo.entryID(path: "dir", at: c1) == t.id("\(c1.hex):dir"))
        #expect(try repo.entryID(path: "dir/sub", at: c1) == repo.entryID(path: "dir/sub", at: c2))
        #expect(try repo.entryID(path: "dir", at: c1) != repo.entryID(path: "dir", at: c2))
        #expect(try repo.entryID(path: "", at: c1) == t.id("\(c1.hex)^{tree}"))
        #expect(try repo.entryID(path: "nope/x", at: c1) == nil)

        let missing = ObjectID(hex: String(repeating: "cd", count: 20))!
        #expect(throws: GitError.self) { try repo.tree(at: missing) }
        #expect(throws: GitError.self) { try repo.commit(missing) }
    }

    @Test func changesBetweenCommits() throws {
        let t = try TestRepo()
        let long = (1...40).map { "line \($0) of a file that will be moved" }.joined(separator: "\n")
        try t.write("keep.txt", "keep")
        try t.write("edit.txt", "before")
        try t.write("gone.txt", "gone")
        try t.write("move-me.txt", long)
        let c1 = try t.commit("one")
        try t.write("edit.txt", "after")
        try t.remove("gone.txt")
        try FileManager.default.createDirectory(atPath: t.path + "/moved", withIntermediateDirectories: true)
        try t.git("mv", "move-me.txt", "moved/here.txt")
        try t.write("new.txt", "new")
        let c2 = try t.commit("two")

        let repo = try t.open()
        let changes = try repo.changes(from: c1, to: c2)
        #expect(changes.map(\.path) == ["edit.txt", "gone.txt", "moved/here.txt", "new.txt"])
        #expect(changes.contains(PathChange(status: .modified, oldPath: "edit.txt", newPath: "edit.txt")))
        #expect(changes.contains(PathChange(status: .deleted, oldPath: "gone.txt", newPath: nil)))
        #expect(changes.contains(PathChange(status: .added, oldPath: nil, newPath: "new.txt")))
        let rename = try #require(changes.first { $0.status == .renamed })
        #expect(rename.oldPath == "move-me.txt")
        #expect(rename.newPath == "moved/here.txt")
        #expect(rename.similarity == 100)

        let plain = try repo.changes(from: c1, to: c2, detectRenames: false)
        #expect(plain.contains(PathChange(status: .deleted, oldPath: "move-me.txt", newPath: nil)))
        #expect(plain.contains(PathChange(status: .added, oldPath: nil, newPath: "moved/here.txt")))
        #expect(!plain.contains { $0.status == .renamed })

        let initial = try repo.changes(from: nil, to: c1)
        #expect(initial.allSatisfy { $0.status == .added && $0.oldPath == nil })
        #expect(initial.map(\.path) == ["edit.txt", "gone.txt", "keep.txt", "move-me.txt"])
        #expect(try repo.changes(from: c2, to: c2).isEmpty)
    }

    @Test func logWalksNewestFirstAndFiltersByPath() throws {
        let t = try TestRepo()
        try t.write("a.txt", "a1")
        try t.write("dir/b.txt", "b1")
        let c1 = try t.commit("one: add a and b")
        try t.write("dir/b.txt", "b2")
        let c2 = try t.commit("two: touch b")
        try t.write("a.txt", "a2")
        let c3 = try t.commit("three: touch a")
        try t.write("dir/b.txt", "b3")
        let c4 = try t.commit("four: touch b")

        let repo = try t.open()
        #expect(try repo.log(from: c4).map(\.id) == [c4, c3, c2, c1])
        #expect(try repo.log(from: c4, limit: 2).map(\.id) == [c4, c3])
        #expect(try repo.log(from: c4, limit: 0).isEmpty)
        #expect(try repo.log(from: c4, path: "a.txt").map(\.id) == [c3, c1])
        #expect(try repo.log(from: c4, path: "dir").map(\.id) == [c4, c2, c1])
        #expect(try repo.log(from: c4, path: "dir/b.txt", limit: 1).map(\.id) == [c4])
        #expect(try repo.log(from: c2, path: "a.txt").map(\.id) == [c1])
        #expect(try repo.log(from: c4, path: "never.txt").isEmpty)

        // A file deleted and re-added shows both events.
        try t.remove("a.txt")
        let c5 = try t.commit("five: delete a")
        try t.write("a.txt", "a2")
        let c6 = try t.commit("six: restore a")
        #expect(try repo.log(from: c6, path: "a.txt").map(\.id) == [c6, c5, c3, c1])
    }

    @Test func logHandlesMerges() throws {
        let t = try TestRepo()
        try t.write("a.txt", "a1")
        try t.write("b.txt", "b1")
        let base = try t.commit("base")
        try t.git("checkout", "-q", "-b", "feature")
        try t.write("a.txt", "a from feature")
        let feature = try t.commit("feature: change a")
        try t.git("checkout", "-q", "main")
        try t.write("b.txt", "b from main")
        let mainWork = try t.commit("main: change b")
        t.advanceClock()
        try t.git("merge", "-q", "--no-ff", "--no-edit", "feature")
        let merge = try t.id("HEAD")

        let repo = try t.open()
        #expect(try repo.commit(merge).parents == [mainWork, feature])
        #expect(try repo.log(from: merge).first?.id == merge)
        #expect(Set(try repo.log(from: merge).map(\.id)) == [merge, mainWork, feature, base])
        // The merge took the feature's a.txt unchanged: it did not change a.txt itself.
        #expect(try repo.log(from: merge, path: "a.txt").map(\.id) == [feature, base])
        #expect(try repo.log(from: merge, path: "b.txt").map(\.id) == [mainWork, base])
        // Along the first-parent line the merge is where a.txt changed.
        #expect(try repo.log(from: merge, firstParentOnly: true).map(\.id) == [merge, mainWork, base])
        #expect(try repo.log(from: merge, path: "a.txt", firstParentOnly: true).map(\.id) == [merge, base])

        // A merge that resolves to new content differs from both parents and is included.
        try t.git("checkout", "-q", "-b", "side", base.hex)
        try t.write("b.txt", "b from side")
        let side = try t.commit("side: change b")
        try t.git("checkout", "-q", "main")
        t.advanceClock()
        _ = try? t.git("merge", "-q", "--no-ff", "--no-edit", "side")  // conflicts on b.txt
        try t.write("b.txt", "b resolved")
        let resolved = try t.commit("merge side, resolving b")
        #expect(try repo.commit(resolved).parents == [merge, side])
        #expect(try repo.log(from: resolved, path: "b.txt").first?.id == resolved)
        #expect(try repo.log(from: resolved, path: "a.txt").map(\.id) == [feature, base])
    }
}
