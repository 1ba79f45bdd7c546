import Foundation
import StewardCore
import StewardTestSupport
import Testing

/// `steward apply` killed with SIGKILL at points across every phase, then run again: the
/// published data and the state must equal those of a run that was never interrupted, with
/// nothing published twice (docs/reconciler.md §6, "Crash safety").
@Suite(.serialized) struct ApplyCrashTests {
    /// Runs the real executable; `killAt` names a crash point (`CrashPoint`).
    func apply(_ repo: ExampleRepo, killAt: String? = nil, _ extra: [String] = []) throws -> (Int32, Process.TerminationReason, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ExecutableTests.binary)
        p.arguments = ["apply", "-C", repo.path, "--as-of", ExampleRepo.asOf] + extra
        var env = ["STEWARD_MASKING_SALT": ExampleRepo.salt, "PATH": "/usr/bin:/bin"]
        if let killAt { env[CrashPoint.environmentVariable] = killAt }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason, text)
    }

    /// Each point is killed in a fresh copy of `start`; the rerun must reach `expected`.
    func crash(at points: [String], from start: ExampleRepo, expecting expected: [String]) throws {
        for point in points {
            let repo = try ExampleRepo(copying: start)
            let (code, reason, text) = try apply(repo, killAt: point)
            #expect(reason == .uncaughtSignal && code == SIGKILL, "\(point) was never reached: \(text)")
            let (rerun, _, out) = try apply(repo)
            #expect(rerun == 0, "\(point): \(out)")
            #expect(try repo.snapshot() == expected, "after a kill at \(point)")
            #expect(try apply(repo).2.contains("Nothing to do"), "\(point): a third apply has nothing to do")
        }
    }

    @Test func theFirstApplyKilledAnywhereEndsAsIfNeverKilled() throws {
        let start = try ExampleRepo()
        let reference = try ExampleRepo(copying: start)
        #expect(try apply(reference).0 == 0)
        let expected = try reference.snapshot()
        // 7 products and 4 sources: every phase, several occurrences of the repeated ones.
        try crash(at: ["apply-leased", "apply-plan-recorded",
                       "apply-step:1", "apply-step:4", "apply-step:7",
                       "apply-source-loaded:1", "apply-source-loaded:3",
                       "engine-before-commit:1", "engine-before-commit:2", "engine-before-commit:6", "engine-before-commit:11",
                       "apply-engine-ran:1", "apply-engine-ran:5", "apply-engine-ran:7",
                       "apply-journaled:3", "apply-checkpointed:2", "apply-checkpointed:7",
                       "apply-before-done", "apply-before-release"],
                  from: start, expecting: expected)
    }

    @Test func aRebuildKilledAnywhereEndsAsIfNeverKilled() throws {
        let start = try ExampleRepo()
        #expect(try apply(start).0 == 0)
        try start.mesh.edit("domains/product/transforms/catalog.sql", replacing: "WHEN MIN(price) < 20 ", with: "WHEN MIN(price) < 25 ")
        try start.commit("catalog: budget under 25")
        let reference = try ExampleRepo(copying: start)
        #expect(try apply(reference).0 == 0)
        let expected = try reference.snapshot()
        #expect(expected.contains { $0.hasPrefix("dataset product.catalog 2 ") }, "\(expected)")
        try crash(at: ["apply-plan-recorded", "apply-step:2", "engine-before-commit:1", "engine-before-commit:4",
                       "apply-engine-ran:3", "apply-journaled:1", "apply-checkpointed:1", "apply-before-done"],
                  from: start, expecting: expected)
    }

    @Test func aPublishOfAnInterruptedRunIsTakenByTheRunForANewerCommit() throws {
        let repo = try ExampleRepo()
        let (_, reason, _) = try apply(repo, killAt: "apply-engine-ran:1")
        #expect(reason == .uncaughtSignal)
        // Main moves on before the next apply: a new run, for a new target.
        try repo.mesh.edit("domains/product/transforms/catalog.sql", replacing: "WHEN MIN(price) < 20 ", with: "WHEN MIN(price) < 25 ")
        try repo.commit("catalog: budget under 25")
        #expect(try apply(repo).0 == 0)
        let snapshot = try repo.snapshot()
        // customer_360 was published by the killed run and is not published again.
        #expect(snapshot.contains { $0.hasPrefix("dataset customer.customer_360 1 ") && $0.hasSuffix(" 1") }, "\(snapshot)")
        #expect(snapshot.contains { $0.hasPrefix("dataset product.catalog 1 ") }, "built once, from the new commit")
    }

    @Test func aResumedPruneStillRetires() throws {
        let repo = try ExampleRepo()
        #expect(try apply(repo).0 == 0)
        try repo.mesh.git("rm", "-rq", "domains/journey")
        try repo.commit("retire the journey domain")
        // Killed after the retire and its audit entry, before the checkpoint; resumed without --prune.
        let (_, reason, _) = try apply(repo, killAt: "apply-journaled:1", ["--prune"])
        #expect(reason == .uncaughtSignal)
        #expect(try apply(repo).0 == 0)
        let snapshot = try repo.snapshot()
        #expect(snapshot.contains { $0.hasPrefix("product journey.customer_journey retired ") }, "\(snapshot)")
        #expect(try apply(repo).2.contains("Nothing to do"))
    }
}
