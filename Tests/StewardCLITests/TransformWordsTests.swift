import Foundation
import StewardCLI
import StewardTestSupport
import Testing
@testable import StewardModel
@testable import StewardPolicy

/// `input.reads` from the words of a transform kept by its blob id (`.git/steward/transform-words`),
/// and what each product reads kept by its transform and its inputs' columns
/// (`.git/steward/transform-reads`).
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
        // Without what products read, which would answer before the words are looked at.
        try FileManager.default.removeItem(at: mesh.root.appendingPathComponent(".git/steward/transform-reads"))
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
        // What the planted words gave was kept as what the products read: drop it too.
        try FileManager.default.removeItem(at: mesh.root.appendingPathComponent(".git/steward/transform-reads"))
        #expect(lint(mesh) == first)
    }

    @Test func whatAProductReadsIsKeptUntilItsTransformOrItsInputsColumnsChange() throws {
        let mesh = try self.mesh()
        let file = mesh.root.appendingPathComponent(".git/steward/transform-reads")
        let first = lint(mesh)
        #expect(message(first, "sales.p0000/inputs/orders") == "`orders` reads order_id")
        #expect(FileManager.default.fileExists(atPath: file.path))
        #expect(lint(mesh) == first)

        // The second run took what products read from the store: plant `email` under every key
        // (one port each, as the test's products have).
        let store = WordsStore(file: file, version: WordsStore.transformReadsFormatVersion)
        #expect(!store.keys.isEmpty)  // the test's 1,000 products share one key: one transform, one input
        for key in store.keys { store.record(key, TransformReads.encode([[(name: "email", pii: true)]])) }
        store.flush()
        let planted = lint(mesh)
        #expect(message(planted, "sales.p0000/inputs/orders") == "`orders` reads email")
        #expect(!planted.contains("order_id"))

        // A changed transform has another blob, so its product is read again; the others keep theirs.
        try mesh.write("domains/sales/transforms/p0001.sql", "SELECT order_ts FROM orders;\n")
        try mesh.git("commit", "-qam", "p0001 reads the time")
        let transformChanged = lint(mesh)
        #expect(message(transformChanged, "sales.p0001/inputs/orders") == "`orders` reads order_ts")
        #expect(message(transformChanged, "sales.p0000/inputs/orders") == "`orders` reads email")

        // A new column in the input's contract changes every consumer's key: all are read again,
        // and the report is the one the files give (the work tree has no blob ids, so it never
        // uses the store).
        try mesh.edit("domains/sales/contracts/orders_raw.odcs.yaml", replacing: """
                      - name: order_ts
                        logicalType: timestamp

                """, with: """
                      - name: order_ts
                        logicalType: timestamp
                      - name: note
                        logicalType: string

                """)
        try mesh.git("commit", "-qam", "a note on orders")
        let columnsChanged = lint(mesh)
        #expect(message(columnsChanged, "sales.p0000/inputs/orders") == "`orders` reads order_id")
        #expect(columnsChanged == lint(mesh, workTree: true))

        // Bytes that are not reads of that many ports are never taken for them.
        #expect(TransformReads.decode(TransformReads.encode([[(name: "email", pii: true)]]), ports: 2) == nil)
        #expect(TransformReads.decode([0x05, 0x01], ports: 1) == nil)
    }

    @Test func aTransformThatCouldNotBeReadIsNotKeptAsReadingNothing() throws {
        let mesh = try self.mesh()
        let blob = try mesh.git("rev-parse", "HEAD:domains/sales/transforms/p0000.sql").trimmingCharacters(in: .whitespacesAndNewlines)
        let object = mesh.root.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        let saved = try Data(contentsOf: object)
        try FileManager.default.removeItem(at: object)
        // The 1,000 products' one transform cannot be read: they read nothing, this run.
        let unreadable = lint(mesh)
        #expect(message(unreadable, "sales.p0000/inputs/orders") == nil)
        try saved.write(to: object)
        #expect(message(lint(mesh), "sales.p0000/inputs/orders") == "`orders` reads order_id")
    }

    /// The message of the finding about `target` in a JSON report.
    func message(_ report: String, _ target: String) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any],
              let diagnostics = json["diagnostics"] as? [[String: Any]] else { return nil }
        return diagnostics.first { ($0["notes"] as? [String])?.contains("target: \(target)") ?? false }?["message"] as? String
    }
}
