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

    /// The byte-level fast paths of `stem` and `resolve` agree with the plain splitting
    /// definitions on every combination of awkward pieces.
    @Test func fastPathsAgreeWithTheDefinitions() {
        func stem(_ path: String) -> String {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        }
        func resolve(_ relative: String, _ base: String) -> String? {
            if relative.isEmpty || relative.hasPrefix("/") || relative.hasPrefix("\\") || relative.contains(":\\") { return nil }
            var parts: [Substring] = base.split(separator: "/")
            for piece in relative.split(separator: "/") {
                switch piece {
                case ".": continue
                case "..":
                    if parts.isEmpty { return nil }
                    parts.removeLast()
                default: parts.append(piece)
                }
            }
            return parts.isEmpty ? nil : parts.joined(separator: "/")
        }
        let pieces = ["", "a", ".", "..", "b.sql", ".hidden.yaml", "c.odcs.yaml", "é.x"]
        var paths: [String] = []
        for x in pieces { for y in pieces { for z in pieces { paths.append([x, y, z].joined(separator: "/")) } } }
        paths += pieces + ["/a", "a/", "//a", "a//b", "./a", "a/."]
        for p in paths {
            #expect(RepoPath.stem(of: p) == stem(p), "stem of \(p)")
            #expect(RepoPath.isCanonical(p) == (!p.isEmpty && p.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." }), "\(p)")
            for base in ["", "domains/x", "domains/x/", "./d"] {
                #expect((try? RepoPath.resolve(p, against: base)) == resolve(p, base), "\(p) against \(base)")
            }
        }
    }
}
