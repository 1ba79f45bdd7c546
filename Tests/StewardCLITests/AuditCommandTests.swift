import Foundation
import StewardCLI
import StewardGit
import StewardTestSupport
import Testing

/// `steward check --record` and `steward audit log | show | verify` on a real repository.
@Suite struct AuditCommandTests {
    @Test func recordedChecksAreListedShownAndVerified() throws {
        let mesh = try ScratchMesh.pullRequest()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n    unit: h", with: "value: 2\n    unit: h")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=sam@acme.example", "commit", "-q", "-m", "fresher")
        let head = try mesh.git("rev-parse", "HEAD")
        let first = StewardRunner.run(["check", "-C", mesh.path, "--record", "--time", "2026-07-01T00:00:00Z"])
        #expect(first.status == 0 && first.err.contains("recorded as audit entry 0"), "\(first.out)\(first.err)")
        #expect(StewardRunner.run(["check", "-C", mesh.path, "--record", "--format", "json"]).status == 0)

        let log = StewardRunner.run(["audit", "log", "-C", mesh.path, "--type", "check"])
        #expect(log.out.split(separator: "\n").count == 2 && log.out.contains(" pass "), "\(log.out)")
        let shown = StewardRunner.run(["audit", "show", "-C", mesh.path, "HEAD"])
        let json = try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any] ?? [:]
        #expect(json["commit"] as? String == head)
        let entries = json["entries"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["seq"] as? Int } == [0, 1])
        #expect((entries.first?["meshCommits"] as? [String])?.last == head)
        #expect((entries.first?["details"] as? [String: Any])?["verdict"] as? String == "pass")

        let export = StewardRunner.run(["audit", "export", "-C", mesh.path])
        let lines = export.out.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("{\"actor\":") }, "\(export.out)")

        let verified = StewardRunner.run(["audit", "verify", "-C", mesh.path])
        #expect(verified.status == 0 && verified.out.contains("2 entries"), "\(verified.out)\(verified.err)")

        // Moving the ref back one entry is caught: this clone verified two before.
        let tip = try mesh.git("rev-parse", "refs/steward/audit")
        try mesh.git("update-ref", "refs/steward/audit", "\(tip)~1")
        let truncated = StewardRunner.run(["audit", "verify", "-C", mesh.path])
        #expect(truncated.status == 1 && truncated.err.contains("truncated"), "\(truncated.err)")
        #expect(StewardRunner.run(["audit", "verify", "-C", mesh.path, "--trusted-root", "nope"]).status == 2)
        #expect(StewardRunner.run(["check", "-C", mesh.path, "--record", "--worktree"]).status == 2)
    }
}

@Suite struct AuditSigningCommandTests {
    @Test func aMeshThatListsKeysRefusesUnsignedRecordsAndBadKeysAreLoadErrors() throws {
        let keygen = StewardRunner.run(["audit", "keygen"])
        let publicKey = try #require(keygen.out.split(separator: "\n").first { $0.hasPrefix("publicKey: ") }).dropFirst("publicKey: ".count)
        let mesh = try ScratchMesh.pullRequest()
        try mesh.edit("steward.yaml", replacing: "name: scratch\n", with: "name: scratch\naudit:\n  keys:\n    - name: ci\n      publicKey: \(publicKey)\n")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=ada@acme.example", "commit", "-q", "-m", "require signed audit entries")
        if ProcessInfo.processInfo.environment["STEWARD_AUDIT_KEY"] == nil {
            let r = StewardRunner.run(["check", "-C", mesh.path, "--base", "HEAD~1", "--record"])
            #expect(r.status == 2 && r.err.contains("STEWARD_AUDIT_KEY"), "\(r.err)")
            #expect((try? mesh.git("rev-parse", "--verify", "-q", "refs/steward/audit")) == nil, "nothing was appended")
        }
        try mesh.edit("steward.yaml", replacing: "publicKey: \(publicKey)", with: "publicKey: not-a-key")
        let lint = StewardRunner.run(["lint", "-C", mesh.path, "--no-policies"])
        #expect(lint.status != 0 && lint.out.contains("not a base64 Ed25519 public key"), "\(lint.out)")
    }
}

/// `steward audit annotate`: a correction is a new entry, found with what it corrects.
@Suite struct AuditAnnotateTests {
    @Test func aCorrectionIsANewEntryAboutTheSameCommits() throws {
        let repo = try ExampleRepo()
        #expect(StewardRunner.run(["check", "-C", repo.path, "--base", "HEAD", "--head", "HEAD", "--record",
                                   "--time", "2026-07-01T00:00:00Z"]).status == 0)
        let note = StewardRunner.run(["audit", "annotate", "-C", repo.path, "--corrects", "0", "--message", "ran with the wrong clock"])
        #expect(note.status == 0 && note.out.contains("recorded as audit entry 1"), "\(note.err)")
        let head = try repo.mesh.git("rev-parse", "HEAD")
        let shown = StewardRunner.run(["audit", "show", "-C", repo.path, head])
        #expect(shown.out.contains("\"annotation\"") && shown.out.contains("ran with the wrong clock") && shown.out.contains("\"corrects\" : 0"),
                "\(shown.out)")
        #expect(StewardRunner.run(["audit", "verify", "-C", repo.path]).status == 0)
        // Bad input writes nothing.
        for args in [["--message", "about nothing"], ["--corrects", "7", "--message", "no such entry"],
                     ["--commit", "no-such-rev", "--message", "x"], ["--commit", "HEAD", "--message", "  "]] {
            #expect(StewardRunner.run(["audit", "annotate", "-C", repo.path] + args).status == 2, "\(args)")
        }
        #expect(StewardRunner.run(["audit", "log", "-C", repo.path, "--format", "json"]).out.components(separatedBy: "\"seq\"").count - 1 == 2)
    }
}
