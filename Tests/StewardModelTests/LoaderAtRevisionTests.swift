import Foundation
import StewardCore
import StewardGit
import StewardTestSupport
import Testing
@testable import StewardModel

/// The loader reading a real git repository: at past commits, after a rename, from a bare
/// clone, and on the work tree with uncommitted edits.
@Suite struct LoaderAtRevisionTests {
    /// A repository with three commits: the valid mesh; a contract renamed; a broken unit.
    static func history() throws -> (ScratchMesh, Repository) {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "valid mesh")
        try mesh.git("mv", "domains/sales/contracts/daily_sales.odcs.yaml", "domains/sales/contracts/sales_by_day.odcs.yaml")
        try mesh.git("commit", "-q", "-m", "rename the contract file")
        try mesh.edit("domains/sales/contracts/sales_by_day.odcs.yaml", replacing: "unit: h", with: "unit: m")
        try mesh.git("commit", "-q", "-am", "ambiguous unit")
        try mesh.git("tag", "v1", "HEAD~2")
        return (mesh, try Repository.discover(from: mesh.path))
    }

    @Test func eachCommitLoadsAsItWas() throws {
        let (mesh, repo) = try Self.history()  // keep `mesh`: its folder goes when it does
        defer { withExtendedLifetime(mesh) {} }
        let v1 = try MeshLoader().load(from: repo.tree(at: repo.resolve("v1")))
        #expect(v1.diagnostics.isEmpty, "\(v1.diagnostics.map(DiagnosticRenderer.short))")
        #expect(v1.value?.contracts["sales.daily_sales"]?.location.path == "domains/sales/contracts/daily_sales.odcs.yaml")

        let renamed = try MeshLoader().load(from: repo.tree(at: repo.resolve("HEAD~1")))
        #expect(renamed.errors.isEmpty)
        #expect(renamed.value?.contracts["sales.daily_sales"]?.location.path == "domains/sales/contracts/sales_by_day.odcs.yaml")

        let head = try MeshLoader().load(from: repo.tree(at: repo.resolve("main")))
        let d = try #require(head.errors.first)
        #expect(d.id == "MESH0108")
        #expect(d.location == SourceLocation(path: "domains/sales/contracts/sales_by_day.odcs.yaml", line: 20, column: 11))
        #expect(head.sources[d.location!.path]?.contains("unit: m") == true)
    }

    @Test func workTreeSeesUncommittedEditsAndNewFiles() throws {
        let (mesh, repo) = try Self.history()
        try mesh.edit("domains/sales/contracts/sales_by_day.odcs.yaml", replacing: "unit: m", with: "unit: min")
        try mesh.write("domains/sales/contracts/extra.odcs.yaml", "apiVersion: v3.1.0\nkind: DataContract\nid: sales.extra\nversion: 1.0.0\nstatus: draft\n")
        let loaded = try MeshLoader().load(from: repo.workTree())
        #expect(loaded.errors.isEmpty, "\(loaded.errors.map(DiagnosticRenderer.short))")
        #expect(loaded.value?.contracts["sales.extra"] != nil)
        #expect(loaded.value?.contracts["sales.daily_sales"]?.freshness == TimeSpan(6, .minutes))
    }

    @Test func bareCloneLoadsAtAnyRevision() throws {
        let (mesh, _) = try Self.history()
        let bare = mesh.path + "-bare.git"
        defer { try? FileManager.default.removeItem(atPath: bare) }
        try mesh.git("clone", "-q", "--bare", mesh.path, bare)
        let repo = try Repository(path: bare)
        #expect(repo.isBare)
        let loaded = try MeshLoader().load(from: repo.tree(at: repo.resolve("v1")))
        #expect(loaded.diagnostics.isEmpty)
        #expect(loaded.value?.products.count == 1)
    }

    @Test func badRevisionsAreClearErrors() throws {
        let (mesh, repo) = try Self.history()
        defer { withExtendedLifetime(mesh) {} }
        for rev in ["nope", "HEAD~9", "", "v2"] {
            #expect(throws: GitError.self) { try repo.resolve(rev) }
        }
    }

    @Test func corruptContentInACommitIsADiagnosticNotACrash() throws {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        let contract = mesh.root.appendingPathComponent("domains/sales/contracts/daily_sales.odcs.yaml")
        try Data([0x61, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: contract)  // not UTF-8
        try mesh.write("domains/sales/products/daily_sales.odps.yaml", "apiVersion: v1.0.0\nkind: [DataProduct\n")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "corrupt")
        let repo = try Repository.discover(from: mesh.path)
        let loaded = try MeshLoader().load(from: repo.tree(at: repo.resolve("HEAD")))
        let ids = Set(loaded.errors.map(\.id))
        #expect(ids.contains("MESH0003"))
        #expect(ids.contains("MESH0001"))
    }
}
