import Foundation
import StewardCLI
import StewardTestSupport
import Testing
@testable import StewardModel

/// `input.reads` from the words of a transform kept by its blob id (`.git/steward/transform-words`).
@Suite struct TransformWordsTests {
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
        // Enough products for the view to use the store (`transformsWorthTheStore`); their
        // transforms are one blob, whose words the test plants below.
        for i in 0..<1_000 {
            let name = String(format: "p%04d", i)
            try mesh.write("domains/sales/products/\(name).odps.yaml", """
            apiVersion: v1.0.0
            kind: DataProduct
            id: 7d1f3c9e-0000-4000-8000-\(String(format: "%012d", 1_000 + i))
            name: \(name)
            domain: sales
            status: active
            inputPorts:
              - name: orders
                version: 1.0.0
                contractId: sales.orders_raw

            """)
            try mesh.write("domains/sales/transforms/\(name).sql", "SELECT order_id FROM orders;\n")
        }
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
        #expect(first.contains("`orders` reads order_ts") && first.contains("`orders` reads order_id"))
        #expect(FileManager.default.fileExists(atPath: store.path))
        #expect(lint(mesh) == first)
        #expect(lint(mesh, workTree: true) == first)

        // The second run took the words from the store, not the file: words kept under the
        // transform's blob id are what it reads (an id never changes content, so in use the
        // words are always the file's).
        let blob = try mesh.git("rev-parse", "HEAD:domains/sales/transforms/p0000.sql").trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(at: store)
        let plant = WordsStore(file: store, version: WordsStore.transformFormatVersion)
        plant.record(blob, Array("select\nemail\nfrom\n".utf8))
        plant.flush()
        let planted = lint(mesh)
        #expect(planted.contains("`orders` reads email") && planted.contains("`orders` reads order_ts") && !planted.contains("order_id"))
        #expect(lint(mesh, workTree: true) == first)

        // A store is read up to its first damaged entry: damage in the first entry's key (the
        // planted one, used first) leaves nothing, and every transform is read from its file.
        var bytes = try [UInt8](Data(contentsOf: store))
        bytes["steward-transform-words \(WordsStore.transformFormatVersion)\n".utf8.count + 4] ^= 0xFF
        try Data(bytes).write(to: store)
        #expect(lint(mesh) == first)
    }
}
