import StewardCore
import StewardModel
import StewardTestSupport
import Testing
@testable import StewardDiff

/// `ChangeSet.build` over two revisions of the scratch mesh held in memory: the change targets
/// `check` evaluates.
@Suite struct ChangeSetBuildTests {
    static let daily = "domains/sales/contracts/daily_sales.odcs.yaml"

    func tree(_ files: [(String, String)]) -> MemoryTree {
        MemoryTree(label: "mesh", files: Dictionary(files.map { ($0.0, Array($0.1.utf8)) }, uniquingKeysWith: { _, b in b }))
    }

    /// The changes from the scratch mesh to the scratch mesh edited by `edit`.
    func changes(_ edit: (inout MemoryTree) throws -> Void) throws -> [MeshChange] {
        let base = tree(ScratchMesh.valid)
        var head = base
        try edit(&head)
        let old = try #require(try MeshLoader().load(from: base).value)
        let loaded = try MeshLoader().load(from: head)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics.map(DiagnosticRenderer.short))")
        let new = try #require(loaded.value)
        let files = try ChangeSet.files(from: base, to: head)
        let semantic = MeshDiff.compare(old, new, changedPaths: Set(files.map(\.path))) { side, path in
            (try? (side == .old ? base : head).read(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
        }
        return ChangeSet.build(changes: semantic, files: files, old: old, new: new, commits: [])
    }

    /// `kind element path breaking|safe`, summaries marked `*`.
    func rows(_ changes: [MeshChange]) -> [String] {
        changes.map { "\($0.summary ? "*" : "")\($0.change.kind) \($0.change.element) \($0.path) \($0.change.breaking ? "breaking" : "safe")" }
    }

    func move(_ head: inout MemoryTree, to path: String) {
        head.contents[path] = head.contents.removeValue(forKey: Self.daily)
    }

    @Test func aMovedContractIsAMoveNotARemovalAndAnAddition() throws {
        let moved = "domains/sales/contracts/daily_totals.odcs.yaml"
        let changes = try self.changes { move(&$0, to: moved) }
        #expect(rows(changes) == [
            "*contract.moved sales.daily_sales \(Self.daily) safe",
            "*contract.modified sales.daily_sales \(moved) safe",
        ])
        #expect(changes[0].change.description == "\(Self.daily) moved to \(moved): 1 change")
        #expect(changes[0].details.map(\.kind) == ["contract.moved"])
    }

    @Test func aMovedContractIsComparedAsUsual() throws {
        let moved = "domains/sales/contracts/daily_totals.odcs.yaml"
        let changes = try self.changes { head in
            move(&head, to: moved)
            let text = String(decoding: head.contents[moved]!, as: UTF8.self)
            head.write(moved, text.replacingOccurrences(of: "  - property: retention\n    value: 2", with: "  - property: retention\n    value: 1"))
        }
        #expect(rows(changes) == [
            "*contract.moved sales.daily_sales \(Self.daily) safe",
            "*contract.modified sales.daily_sales \(moved) breaking",
            "retention.shortened sales.daily_sales \(moved) breaking",
        ])
    }

    @Test func aTransformEditIsFiledUnderTheTransform() throws {
        let sql = "domains/sales/transforms/daily_sales.sql"
        let changes = try self.changes { $0.write(sql, "SELECT date(order_ts) AS day, count(order_id) AS orders FROM orders GROUP BY 1;\n") }
        #expect(rows(changes) == [
            "*transform.modified \(sql) \(sql) safe",
            "product.transformChanged sales.daily_sales \(sql) safe",
        ])
        #expect(changes[0].details.map(\.kind) == ["product.transformChanged"])
    }
}
