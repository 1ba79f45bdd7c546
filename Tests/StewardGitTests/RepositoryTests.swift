import Foundation
import StewardCore
import Testing
import StewardGit

@Suite("opening and resolving")
struct RepositoryTests {
    @Test func discoversFromASubfolder() throws {
        let t = try TestRepo()
        try t.write("domains/customer/domain.yaml", "name: customer\n")
        try t.commit("init")
        let repo = try Repository.discover(from: t.path + "/domains/customer")
        #expect(repo.workdir == t.path)
        #expect(repo.gitDir == t.path + "/.git")
        #expect(!repo.isBare)
        #expect(try repo.currentBranch() == "main")
    }

    @Test func opensExactlyAndRefusesSubfolders() throws {
        let t = try TestRepo()
        try t.write("a/b.txt", "x")
        try t.commit("init")
        #expect(try Repository(path: t.path).workdir == t.path)
        #expect(try Repository(path: t.path + "/.git").workdir == t.path)
        #expect(throws: GitError.self) { try Repository(path: t.path + "/a") }
    }

    @Test func nonRepositoryIsNotARepository() throws {
        let t = try TestRepo()
        let empty = t.base + "/plain-folder"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        for attempt in [{ _ = try Repository(path: empty) }, { _ = try Repository(path: t.base + "/missing") }] {
            do {
                try attempt()
                Issue.record("expected notARepository")
            } catch let GitError.notARepository(path, message) {
                #expect(path.hasPrefix(t.base))
                #expect(!message.isEmpty)
                let text = GitError.notARepository(path: path, message: message).description
                #expect(text.contains("`\(path)` is not a git repository"))
            }
        }
        // discover walks up from the folder; /tmp is not inside a repository.
        #expect(throws: GitError.self) { try Repository.discover(from: empty) }
    }

    @Test func bareCloneOpensAndReadsTrees() throws {
        let t = try TestRepo()
        try t.write("steward.yaml", "name: acme\n")
        try t.write("domains/sales/domain.yaml", "name: sales\n")
        let c = try t.commit("init")
        let barePath = t.base + "/bare.git"
        try t.git(["clone", "-q", "--bare", t.path, barePath], in: t.base)

        let repo = try Repository(path: barePath)
        #expect(repo.isBare)
        #expect(repo.workdir == nil)
        #expect(repo.gitDir == barePath)
        #expect(try repo.resolve("main") == c)
        let tree = try repo.tree(at: repo.resolve("HEAD"))
        #expect(try tree.files(under: "") == ["domains/sales/domain.yaml", "steward.yaml"])
        #expect(try tree.read("steward.yaml")?.text == "name: acme\n")
        #expect(throws: GitError.noWorkTree(gitDir: barePath)) { try repo.workTree() }
        #expect(throws: GitError.noWorkTree(gitDir: barePath)) { try repo.workTreeChanges() }
        #expect(try Repository.discover(from: barePath + "/refs").gitDir == barePath)
    }

    @Test func resolvesRevisions() throws {
        let t = try TestRepo()
        try t.write("a.txt", "1")
        let c1 = try t.commit("one")
        try t.git("tag", "v1")
        try t.write("a.txt", "2")
        let c2 = try t.commit("two")
        try t.git("tag", "-a", "v2", "-m", "release two")
        try t.write("a.txt", "3")
        let c3 = try t.commit("three")

        let repo = try t.open()
        #expect(try repo.resolve("main") == c3)
        #expect(try repo.resolve("HEAD") == c3)
        #expect(try repo.resolve("HEAD~2") == c1)
        #expect(try repo.resolve("HEAD^{commit}") == c3)
        #expect(try repo.resolve(c2.short) == c2)
        #expect(try repo.resolve(c2.hex) == c2)
        #expect(try repo.resolve(c2.hex.uppercased()) == c2)
        #expect(try repo.resolve("v1") == c1)
        #expect(try repo.resolve("v2") == c2, "annotated tags peel to their commit")
        #expect(try repo.resolve("refs/tags/v2") == c2)

        let clonePath = t.base + "/clone"
        try t.git(["clone", "-q", t.path, clonePath], in: t.base)
        let clone = try Repository(path: clonePath)
        #expect(try clone.resolve("origin/main") == c3)
        #expect(try clone.resolve("origin/HEAD~1") == c2)
    }

    @Test func badRevisionsThrowWithLibgit2Messages() throws {
        let t = try TestRepo()
        try t.write("a.txt", "1")
        try t.commit("one")
        let blob = try t.id("HEAD:a.txt")
        let tree = try t.id("HEAD^{tree}")
        let repo = try t.open()
        for revision in ["nope", "HEAD~99", "", "   ", blob.hex, tree.hex, "main..", "0000000000000000000000000000000000000000", "@{-5}"] {
            do {
                let id = try repo.resolve(revision)
                Issue.record("`\(revision)` resolved to \(id)")
            } catch let GitError.badRevision(rev, message) {
                #expect(rev == revision)
                #expect(!message.isEmpty, "revision `\(revision)`")
                let text = GitError.badRevision(rev, message: message).description
                #expect(text.hasPrefix("unknown revision `\(revision)`: "))
                #expect(text.contains("`git log --oneline` lists commits"))
            } catch {
                Issue.record("`\(revision)` threw \(error)")
            }
        }
    }

    @Test func headAndBranchOnUnbornAndDetached() throws {
        let t = try TestRepo()
        let repo = try t.open()
        #expect(try repo.head() == nil)
        #expect(try repo.currentBranch() == nil)
        #expect(try repo.workTreeChanges().isEmpty)
        try t.write("a.txt", "1")
        #expect(try repo.workTreeChanges() == [PathChange(status: .added, oldPath: nil, newPath: "a.txt")])
        let c1 = try t.commit("one")
        #expect(try repo.head() == c1)
        #expect(try repo.currentBranch() == "main")
        try t.git("checkout", "-q", "-b", "feature/x")
        #expect(try repo.currentBranch() == "feature/x")
        try t.git("checkout", "-q", "--detach")
        #expect(try repo.currentBranch() == nil)
        #expect(try repo.head() == c1)
    }

    @Test func mergeBaseOfTwoBranches() throws {
        let t = try TestRepo()
        try t.write("a.txt", "1")
        let base = try t.commit("base")
        try t.git("checkout", "-q", "-b", "feature")
        try t.write("f.txt", "f")
        let feature = try t.commit("feature work")
        try t.git("checkout", "-q", "main")
        try t.write("m.txt", "m")
        let main = try t.commit("main work")
        try t.git("checkout", "-q", "--orphan", "unrelated")
        try t.write("u.txt", "u")
        let unrelated = try t.commit("unrelated root")

        let repo = try t.open()
        #expect(try repo.mergeBase(main, feature) == base)
        #expect(try repo.mergeBase(feature, main) == base)
        #expect(try repo.mergeBase(main, base) == base)
        #expect(try repo.mergeBase(main, unrelated) == nil)
        let missing = ObjectID(hex: String(repeating: "ab", count: 20))!
        #expect(throws: GitError.self) { try repo.mergeBase(main, missing) }
    }

    @Test func commitMetadataAndTrailers() throws {
        let t = try TestRepo()
        try t.write("a.txt", "1")
        let message = """
            Add the customer contract

            Longer explanation of the change.

            Co-authored-by: Grace Hopper <grace@acme.example>
            Co-authored-by: Linus <linus@acme.example>
            Signed-off-by: Ada Lovelace <ada@acme.example>
            """
        let id = try t.commit(message, author: ("Maria", "maria@acme.example"))
        let commit = try t.open().commit(id)
        #expect(commit.id == id)
        #expect(commit.parents.isEmpty)
        #expect(commit.treeID == (try t.id("HEAD^{tree}")))
        #expect(commit.summary == "Add the customer contract")
        #expect(commit.message.hasPrefix("Add the customer contract\n\nLonger"))
        #expect(commit.author.name == "Maria")
        #expect(commit.author.email == "maria@acme.example")
        #expect(commit.author.date == Date(timeIntervalSince1970: 1_700_000_060))
        #expect(commit.author.timeZoneOffsetMinutes == 60)
        #expect(commit.committer.name == "Ada Lovelace")
        #expect(commit.trailers == [
            Trailer(key: "Co-authored-by", value: "Grace Hopper <grace@acme.example>"),
            Trailer(key: "Co-authored-by", value: "Linus <linus@acme.example>"),
            Trailer(key: "Signed-off-by", value: "Ada Lovelace <ada@acme.example>"),
        ])
        #expect(commit.trailerValues("co-authored-by").count == 2)

        let plain = try t.commit("no trailers here")
        #expect(try t.open().commit(plain).trailers.isEmpty)
        #expect(try t.open().commit(plain).parents == [id])
    }

    @Test func objectIDParsing() throws {
        let hex = "0123456789abcdef0123456789abcdef01234567"
        let id = try #require(ObjectID(hex: hex.uppercased()))
        #expect(id.hex == hex)
        #expect(id.short == "0123456")
        #expect(id.description == hex)
        #expect(ObjectID(hex: "0123456") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
        #expect(ObjectID(hex: hex + "0") == nil)
        #expect(ObjectID(hex: String(repeating: "0", count: 40))! < id)
        let json = try JSONEncoder().encode([id])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(hex)\"]")
        #expect(try JSONDecoder().decode([ObjectID].self, from: json) == [id])
    }

    @Test func corruptObjectsGiveErrorsNotCrashes() throws {
        let t = try TestRepo()
        try t.git("config", "core.compression", "0")
        try t.git("config", "core.looseCompression", "0")
        try t.write("garbage.txt", String(repeating: "garbage content ", count: 200))
        try t.write("truncated.txt", String(repeating: "truncated content ", count: 200))
        try t.write("empty-file.txt", String(repeating: "emptied ", count: 200))
        try t.write("dir/inner.txt", "inner")
        try t.write("fine.txt", "fine")
        let c = try t.commit("init")
        let garbage = try t.looseObjectPath(t.id("HEAD:garbage.txt"))
        try Data("this is not zlib data at all".utf8).write(to: URL(fileURLWithPath: garbage))
        // libgit2 1.5.1 would loop forever on this one (libgit2#7342); the guard refuses it.
        let truncated = try t.looseObjectPath(t.id("HEAD:truncated.txt"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let emptied = try t.looseObjectPath(t.id("HEAD:empty-file.txt"))
        try Data().write(to: URL(fileURLWithPath: emptied))

        let repo = try t.open()
        let tree = try repo.tree(at: c)
        #expect(try tree.read("fine.txt")?.text == "fine")
        #expect(try tree.files(under: "").count == 5, "listing reads only trees")
        for path in ["garbage.txt", "truncated.txt", "empty-file.txt"] {
            do {
                _ = try tree.read(path)
                Issue.record("reading damaged `\(path)` succeeded")
            } catch let error as GitError {
                guard case let .library(_, code, message) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(code < 0)
                #expect(!message.isEmpty)
                #expect(error.description.contains("git fsck"))
            }
            // The bulk read refuses it too, and neither hangs nor returns partial bytes.
            #expect(throws: GitError.self) { try tree.readBlobs([try t.id("HEAD:fine.txt"), try t.id("HEAD:\(path)")]) }
        }
        #expect(try tree.readBlobs([try t.id("HEAD:fine.txt")]).map(\.text) == ["fine"])

        // A truncated subtree: listing fails cleanly.
        let inner = try t.looseObjectPath(t.id("HEAD:dir"))
        let treeBytes = try Data(contentsOf: URL(fileURLWithPath: inner))
        try treeBytes.prefix(treeBytes.count - 6).write(to: URL(fileURLWithPath: inner))
        #expect(throws: GitError.self) { try tree.files(under: "") }

        // A damaged commit object: looking it up fails cleanly too.
        let commitFile = try t.looseObjectPath(c)
        try Data([0x78, 0x01, 0xff, 0x00]).write(to: URL(fileURLWithPath: commitFile))
        let fresh = try t.open()
        #expect(throws: GitError.self) { try fresh.commit(c) }
        #expect(throws: GitError.self) { try fresh.tree(at: c) }
        #expect(throws: GitError.self) { try fresh.log(from: c) }
        #expect(throws: GitError.self) { try fresh.resolve("HEAD") }
    }

    /// The bulk reads `check` finds readers with: folder entries and many blobs at once, in
    /// a packed repository (no loose copies to probe) and after a loose object is added.
    @Test func readsFolderEntriesAndManyBlobs() throws {
        let t = try TestRepo()
        for i in 0..<300 { try t.write("d/products/p\(i).odps.yaml", "id: p\(i)\n") }
        try t.write("d/products/sub/x.txt", "x")
        try t.write("d/readme.md", "d")
        let c = try t.commit("init")
        try t.git("gc", "-q")
        try t.write("d/products/late.odps.yaml", "late\n")
        let late = try t.commit("late")

        let repo = try t.open()
        let tree = try repo.tree(at: c)
        let folder = try #require(try tree.folderID("d/products/"))
        #expect(folder == (try t.id("HEAD~1:d/products")))
        #expect(try tree.folderID("d/readme.md") == nil && tree.folderID("nowhere") == nil)
        let entries = try repo.treeEntries(folder)
        #expect(entries.filter(\.isFolder).map(\.name) == ["sub"])
        let files = entries.filter { !$0.isFolder }
        #expect(files.count == 300)
        // Read serially on one handle and in batches over the cores: the same bytes, in order.
        let bytes = try tree.readBlobs(files.map(\.id))
        #expect(bytes.map(\.text) == files.map { "id: \($0.name.replacingOccurrences(of: ".odps.yaml", with: ""))\n" })
        #expect(try repo.readBlobs(files.map(\.id)) == bytes)
        // A loose object written after the pack is read too.
        #expect(try repo.tree(at: late).readBlobs([try t.id("HEAD:d/products/late.odps.yaml")]).map(\.text) == ["late\n"])
        // A tree is not a blob.
        #expect(throws: GitError.self) { try repo.readBlobs([folder]) }
    }

    /// Reading many paths at once gives what reading each gives: listed files in bulk, and
    /// files not listed yet, folders, missing and empty paths one by one.
    @Test func readingManyPathsAtOnceReadsEachAsAlone() throws {
        let t = try TestRepo()
        for i in 0..<40 { try t.write("d/transforms/t\(i).sql", "SELECT \(i)\n") }
        try t.write("e/other.sql", "SELECT 'other'\n")
        let c = try t.commit("init")
        try t.git("gc", "-q")
        let tree = try t.open().tree(at: c)
        let listed = try tree.files(under: "d/transforms")
        #expect(listed.count == 40)
        let paths = listed.reversed() + ["e/other.sql", "d/transforms", "d/nowhere.sql", "", "./d/transforms/t3.sql"]
        let many = try tree.read(all: paths)
        #expect(many.count == paths.count)
        #expect(many == (try paths.map { try tree.read($0) }))
        #expect(many[0].map(\.text) == "SELECT 9\n" && many[40].map(\.text) == "SELECT 'other'\n")
        #expect(many[41] == nil && many[42] == nil && many[43] == nil && many[44].map(\.text) == "SELECT 3\n")
    }

    @Test func defaultSignatureComesFromConfig() throws {
        let t = try TestRepo()
        try t.git("config", "user.name", "Config Person")
        try t.git("config", "user.email", "config@acme.example")
        let sig = try t.open().defaultSignature()
        #expect(sig.name == "Config Person")
        #expect(sig.email == "config@acme.example")
        #expect(abs(sig.date.timeIntervalSinceNow) < 60)
    }

    @Test func errorDescriptionsFollowTheStyle() {
        let a = ObjectID(hex: String(repeating: "a", count: 40))!
        let b = ObjectID(hex: String(repeating: "b", count: 40))!
        let moved = GitError.refMoved(ref: "refs/steward/state", expected: a, actual: b).description
        #expect(moved.hasPrefix("reference `refs/steward/state` moved: expected `aaaaaaa`, found `bbbbbbb`"))
        let gone = GitError.refMoved(ref: "refs/steward/state", expected: nil, actual: b).description
        #expect(gone.contains("expected no reference"))
        for e in [GitError.notFound("commit `aaaaaaa`"), .library(operation: "read", code: -1, message: "x"),
                  .invalidPath("a/../b", reason: "r"), .notARepository(path: "/x", message: "m"),
                  .noWorkTree(gitDir: "/srv/mesh.git"), .badRevision("x", message: "m")] {
            let first = e.description.first!
            #expect(first.isLowercase || first == "`", "\(e.description)")
            #expect(e.description.contains("("))
            #expect(!e.description.hasSuffix("."))
        }
    }

    @Test func oneRepositoryIsSafeToShareAcrossTasks() async throws {
        let t = try TestRepo()
        for i in 0..<20 { try t.write("f\(i).txt", "content \(i)") }
        let c = try t.commit("many files")
        let repo = try t.open()
        let tree = try repo.tree(at: c)
        let texts = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<20 {
                group.addTask { try tree.read("f\(i).txt")!.text + "|" + repo.log(from: c).first!.summary }
            }
            var all: [String] = []
            for try await s in group { all.append(s) }
            return all.sorted()
        }
        #expect(texts.count == 20)
        #expect(texts.contains("content 7|many files"))
    }
}
