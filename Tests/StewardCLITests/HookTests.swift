import Foundation
import StewardCLI
import StewardTestSupport
import Testing

@Suite struct HookTests {
    @Test func installWritesAnExecutablePrePushHook() throws {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        let r = StewardRunner.run(["hook", "install", "-C", mesh.path])
        #expect(r.status == 0, "\(r.err)")
        let hook = mesh.root.appendingPathComponent(".git/hooks/pre-push").path
        let text = try String(contentsOfFile: hook, encoding: .utf8)
        #expect(text.hasPrefix("#!/bin/sh\n"))
        #expect(text.contains("check -C \"$(git rev-parse --show-toplevel)\""))
        #expect(FileManager.default.isExecutableFile(atPath: hook))
        // Installing again replaces Steward's own hook.
        #expect(StewardRunner.run(["hook", "install", "-C", mesh.path]).status == 0)
    }

    @Test func aForeignHookIsKeptUnlessForced() throws {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.write(".git/hooks/pre-push", "#!/bin/sh\necho mine\n")
        let r = StewardRunner.run(["hook", "install", "-C", mesh.path])
        #expect(r.status == 2)
        #expect(r.err.contains("was not written by Steward"))
        #expect(try mesh.read(".git/hooks/pre-push") == "#!/bin/sh\necho mine\n")
        #expect(StewardRunner.run(["hook", "install", "-C", mesh.path, "--force"]).status == 0)
        #expect(try mesh.read(".git/hooks/pre-push").contains("steward hook install"))
    }

    @Test func outsideARepositoryIsAUsageError() throws {
        let mesh = try ScratchMesh()
        #expect(StewardRunner.run(["hook", "install", "-C", mesh.path]).status == 2)
    }
}
