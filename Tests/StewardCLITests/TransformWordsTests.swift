import Foundation
import StewardCLI
import StewardTestSupport
import Testing
@testable import StewardModel

/// `input.reads` from the words of a transform kept by its blob id (`.git/steward/transform-words`).
@Suite struct TransformWordsTests {
    static let transform = "domains/sales/transforms/daily_sales.sql"

    func mesh() throws -> ScratchMesh {
        let mesh = try ScratchMesh()
        try mesh.write("policies/reads.policy", """
        policy t.reads {
          title "Inputs read no columns"
          level warning
          target input
          require len(input.reads) == 0
          message "`{input.name}` reads {join(input.reads, ", ")}"
        }

        """)
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "init")
        return mesh
    }

    /// The JSON report of `lint` at HEAD, or of the work tree (whose files have no blob ids,
    /// so it always reads them).
    func lint(_ mesh: ScratchMesh, workTree: Bool = false) -> String {
        let r = StewardRunner.run(["lint", "-C", mesh.path, "--time", "2026-07-01T00:00:00Z", "--format", "json"]
                                  + (workTree ? [] : ["--rev", "HEAD"]))
        #expect(r.status == 0, "\(r.err)")
        return r.out
    }

    @Test func theFirstRunKeepsTheWordsAndTheNextReadsThem() throws {
        let mesh = try self.mesh()
        let store = mesh.root.appendingPathComponent(".git/steward/transform-words")
        let first = lint(mesh)
        #expect(first.contains("`orders` reads order_ts"), "\(first)")
        #expect(FileManager.default.fileExists(atPath: store.path))
        #expect(lint(mesh) == first)
        #expect(lint(mesh, workTree: true) == first)

        // The second run took the words from the store, not the file: words kept under the
        // transform's blob id are what it reads (an id never changes content, so in use the
        // words are always the file's).
        let blob = try mesh.git("rev-parse", "HEAD:\(Self.transform)").trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(at: store)
        let planted = WordsStore(file: store, version: WordsStore.transformFormatVersion)
        planted.record(blob, Array("select\nemail\nfrom\n".utf8))
        planted.flush()
        #expect(lint(mesh).contains("`orders` reads email"))
        #expect(lint(mesh, workTree: true) == first)

        // A damaged store is read up to the damage, and the rest comes from the files.
        var bytes = try [UInt8](Data(contentsOf: store))
        bytes[bytes.count - 2] ^= 0xFF
        try Data(bytes).write(to: store)
        #expect(lint(mesh) == first)
    }
}
