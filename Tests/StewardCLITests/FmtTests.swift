import Foundation
@testable import StewardCLI
import StewardTestSupport
import Testing

/// `steward fmt`: rewriting, --check and its diff, and broken files left alone.
@Suite struct FmtTests {
    static let canonical = """
    const maxRetention = 365d

    policy privacy.retention {
      title "Retention is bounded"
      level mandatory
      target contract
      require contract.retention default 0d <= maxRetention
      message "`{contract.id}` keeps data too long"
    }

    """

    static let messy = """
    const maxRetention = 365days
    policy privacy.retention {
        title "Retention is bounded"
        level mandatory
        target contract
        require ((contract.retention default 0d <= maxRetention))
        message "`{contract.id}` keeps data too long"
    }
    """

    static let broken = "policy privacy.broken {\n  title \"x\"\n  require (a\n}\n"

    @Test func checkOfACanonicalMeshIsQuiet() throws {
        let mesh = try ScratchMesh()
        try mesh.write("policies/privacy.policy", Self.canonical)
        try mesh.write("domains/sales/policies/sales.policy", Self.canonical.replacingOccurrences(of: "privacy.", with: "sales."))
        let r = StewardRunner.run(["fmt", "--check", "-C", mesh.path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.isEmpty && r.err.isEmpty)
    }

    @Test func checkPrintsADiffAndWritesNothing() throws {
        let mesh = try ScratchMesh()
        try mesh.write("policies/privacy.policy", Self.messy)
        try mesh.write("policies/other.policy", Self.canonical.replacingOccurrences(of: "privacy.", with: "other."))
        let r = StewardRunner.run(["fmt", "--check", "-C", mesh.path])
        #expect(r.status == 1)
        #expect(r.out == """
        --- a/policies/privacy.policy
        +++ b/policies/privacy.policy
        @@ -1,8 +1,9 @@
        -const maxRetention = 365days
        +const maxRetention = 365d
        +
         policy privacy.retention {
        -    title "Retention is bounded"
        -    level mandatory
        -    target contract
        -    require ((contract.retention default 0d <= maxRetention))
        -    message "`{contract.id}` keeps data too long"
        -}
        \\ No newline at end of file
        +  title "Retention is bounded"
        +  level mandatory
        +  target contract
        +  require contract.retention default 0d <= maxRetention
        +  message "`{contract.id}` keeps data too long"
        +}

        """)
        #expect(r.err.contains("1 file not formatted"))
        #expect(try mesh.read("policies/privacy.policy") == Self.messy)
    }

    @Test func fmtRewritesWhatChangesAndListsIt() throws {
        let mesh = try ScratchMesh()
        try mesh.write("policies/privacy.policy", Self.messy)
        try mesh.write("domains/sales/policies/sales.policy", Self.canonical.replacingOccurrences(of: "privacy.", with: "sales."))
        try mesh.write("domains/sales/notes.policy", Self.messy)  // not in a policies folder
        let r = StewardRunner.run(["fmt", "-C", mesh.path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out == "policies/privacy.policy\n")
        #expect(try mesh.read("policies/privacy.policy") == Self.canonical)
        #expect(try mesh.read("domains/sales/notes.policy") == Self.messy)

        let again = StewardRunner.run(["fmt", "-C", mesh.path])
        #expect(again.status == 0 && again.out.isEmpty)
    }

    @Test func pathsMayBeFilesOrFolders() throws {
        let mesh = try ScratchMesh()
        try mesh.write("policies/a.policy", Self.messy)
        try mesh.write("policies/deep/b.policy", Self.messy)
        try mesh.write("elsewhere/c.txt", Self.messy)
        let r = StewardRunner.run(["fmt", "-C", mesh.path, "policies/deep/", "elsewhere/c.txt"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out == "policies/deep/b.policy\nelsewhere/c.txt\n")
        #expect(try mesh.read("policies/a.policy") == Self.messy)
        #expect(try mesh.read("elsewhere/c.txt") == Self.canonical)

        let absolute = StewardRunner.run(["fmt", "--check", mesh.root.appendingPathComponent("policies").path])
        #expect(absolute.status == 1)
        #expect(absolute.out.contains("+++ b/\(mesh.root.appendingPathComponent("policies").path)/a.policy"))

        let dot = StewardRunner.run(["fmt", "--check", "-C", mesh.path + "/policies", "."])
        #expect(dot.status == 1)
        #expect(dot.out.hasPrefix("--- a/a.policy\n"))

        let missing = StewardRunner.run(["fmt", "-C", mesh.path, "policies/none.policy"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("`policies/none.policy` does not exist"))
    }

    @Test func aBrokenFileStopsEverythingWithExitTwo() throws {
        let mesh = try ScratchMesh()
        try mesh.write("policies/broken.policy", Self.broken)
        try mesh.write("policies/messy.policy", Self.messy)
        for args in [["fmt", "-C", mesh.path], ["fmt", "--check", "-C", mesh.path]] {
            let r = StewardRunner.run(args)
            #expect(r.status == 2)
            #expect(r.out.contains("error[POL0010]"))
            #expect(r.out.contains("--> policies/broken.policy:4:1"))
            #expect(r.err.contains("nothing formatted"))
            #expect(!r.out.contains("+++"))
            #expect(try mesh.read("policies/broken.policy") == Self.broken)
            #expect(try mesh.read("policies/messy.policy") == Self.messy)
        }
    }

    @Test func inAGitRepositoryFmtFormatsTheWorkTree() throws {
        let mesh = try ScratchMesh()
        try mesh.write("policies/privacy.policy", Self.messy)
        try mesh.git("init", "-q")
        let r = StewardRunner.run(["fmt", "-C", mesh.path + "/domains"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out == "policies/privacy.policy\n")
        #expect(try mesh.read("policies/privacy.policy") == Self.canonical)
    }

    @Test func theExampleMeshIsFormatted() {
        let r = StewardRunner.run(["fmt", "--check", "-C", CLITests.exampleMesh])
        #expect(r.status == 0, "\(r.out)\(r.err)")
    }

    /// Changes far apart make separate hunks with three lines of context; the diff applies.
    @Test func theDiffHasHunks() throws {
        let old = (1...30).map { "line \($0)" }
        var new = old
        new[1] = "changed 2"
        new.insert("added", at: 25)
        new.removeLast()
        let diff = LineDiff.unified(old.joined(separator: "\n") + "\n", new.joined(separator: "\n") + "\n", name: "f")
        #expect(diff == """
        --- a/f
        +++ b/f
        @@ -1,5 +1,5 @@
         line 1
        -line 2
        +changed 2
         line 3
         line 4
         line 5
        @@ -23,8 +23,8 @@
         line 23
         line 24
         line 25
        +added
         line 26
         line 27
         line 28
         line 29
        -line 30
        """)
        #expect(LineDiff.unified("a\n", "", name: "f") == "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a")
        #expect(LineDiff.unified("", "a\n", name: "f") == "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a")
    }

    @Test func helpHasExamples() {
        #expect(StewardRunner.run(["fmt", "--help"]).status == 0)
        let help = Fmt.helpMessage()
        #expect(help.contains("Examples:"))
        #expect(help.contains("steward fmt --check"))
        #expect(help.contains("--check"))
    }
}
