import Foundation
import StewardCore
import Testing

@Suite struct RepoPathTests {
    @Test func resolvesInside() throws {
        #expect(try RepoPath.resolve("transforms/a.sql", against: "domains/x") == "domains/x/transforms/a.sql")
        #expect(try RepoPath.resolve("./a/../b.sql", against: "domains/x") == "domains/x/b.sql")
        #expect(try RepoPath.resolve("../y/a.sql", against: "domains/x") == "domains/y/a.sql")
    }

    @Test func refusesEscapes() {
        #expect(throws: RepoPath.Problem.escapes("../../../etc/passwd")) {
            try RepoPath.resolve("../../../etc/passwd", against: "domains/x")
        }
        #expect(throws: RepoPath.Problem.absolute("/etc/passwd")) { try RepoPath.resolve("/etc/passwd", against: "d") }
        #expect(throws: RepoPath.Problem.empty) { try RepoPath.resolve("a/..", against: "") }
    }

    @Test func stemAndDirectory() {
        #expect(RepoPath.stem(of: "domains/x/contracts/orders.odcs.yaml") == "orders")
        #expect(RepoPath.directory(of: "domains/x/a.sql") == "domains/x")
        #expect(RepoPath.directory(of: "a.sql") == "")
    }
}
