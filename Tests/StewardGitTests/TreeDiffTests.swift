import Foundation
import StewardCore
import Testing
@testable import StewardGit

/// `changes(detectRenames: false)` compares tree entry ids and skips unchanged folders; it must
/// report exactly what libgit2's own tree diff reports.
@Suite struct TreeDiffTests {
    @Test func agreesWithLibgit2OnEveryKindOfChange() throws {
        let t = try TestRepo()
        try t.write("keep/a.txt", "a\n")
        try t.write("keep/deep/b.txt", "b\n")
        try t.write("edit/c.txt", "c\n")
        try t.write("gone/d.txt", "d\n")
        try t.write("gone/inner/e.txt", "e\n")
        try t.write("file-to-folder", "f\n")
        try t.write("folder-to-file/g.txt", "g\n")
        try t.write("mode.sh", "echo\n")
        try t.write("link-target.txt", "t\n")
        try t.write("becomes-link", "plain\n")
        try t.write("x/y/z/deep.txt", "1\n")
        let c1 = try t.commit("one")

        try t.write("edit/c.txt", "c2\n")
        try t.write("edit/new.txt", "n\n")
        _ = try t.git("rm", "-rq", "gone")
        try t.remove("file-to-folder")
        try t.write("file-to-folder/inside.txt", "i\n")
        _ = try t.git("rm", "-rq", "folder-to-file")
        try t.write("folder-to-file", "now a file\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: t.path + "/mode.sh")
        try t.remove("becomes-link")
        try FileManager.default.createSymbolicLink(atPath: t.path + "/becomes-link", withDestinationPath: "link-target.txt")
        try t.write("x/y/z/deep.txt", "2\n")
        try t.write("x/y/new/more.txt", "m\n")
        try t.write("added/one/two.txt", "2\n")
        let c2 = try t.commit("two")

        let repo = try t.open()
        for (old, new) in [(c1, c2), (c2, c1), (nil, c1), (c1, c1)] as [(ObjectID?, ObjectID)] {
            let fast = try repo.changes(from: old, to: new, detectRenames: false)
            let reference = try repo.libgit2Changes(from: old, to: new, detectRenames: false)
            #expect(fast == reference, "\(old?.short ?? "empty")..\(new.short)")
        }
        let statuses = Set(try repo.changes(from: c1, to: c2, detectRenames: false).map(\.status))
        #expect(statuses == [.added, .deleted, .modified, .typeChanged])
        // A mode change alone (same bytes) is a modification, as libgit2 reports it.
        #expect(try repo.changes(from: c1, to: c2, detectRenames: false).contains { $0.path == "mode.sh" && $0.status == .modified })
    }

    /// Submodules (gitlinks, mode 160000): a new commit id is a modification, a gitlink that
    /// becomes a file a type change, as libgit2 reports them.
    @Test func agreesWithLibgit2OnSubmodules() throws {
        let t = try TestRepo()
        try t.write("x.txt", "x\n")
        let first = try t.commit("one")
        let second = try t.commit("two")
        try t.git("update-index", "--add", "--cacheinfo", "160000,\(first.hex),sub")
        try t.git("update-index", "--add", "--cacheinfo", "160000,\(first.hex),sub2")
        try t.git("commit", "-q", "-m", "gitlinks")
        let c1 = try t.id("HEAD")
        try t.git("update-index", "--cacheinfo", "160000,\(second.hex),sub")
        try t.git("rm", "-q", "--cached", "sub2")
        try t.write("sub2", "now a file\n")
        try t.git("add", "sub2")
        try t.git("commit", "-q", "-m", "move and replace")
        let c2 = try t.id("HEAD")
        let repo = try t.open()
        for (old, new) in [(c1, c2), (c2, c1), (nil, c2)] as [(ObjectID?, ObjectID)] {
            #expect(try repo.changes(from: old, to: new, detectRenames: false) == repo.libgit2Changes(from: old, to: new, detectRenames: false))
        }
        let changes = try repo.changes(from: c1, to: c2, detectRenames: false)
        #expect(changes.map { "\($0.status) \($0.path)" } == ["modified sub", "typeChanged sub2"])
    }
}
