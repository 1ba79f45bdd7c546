import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel

/// A warehouse in a fresh temporary folder, removed when the value goes away.
final class TempWarehouse {
    let folder: URL
    let engine: EmbeddedEngine

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("steward-warehouse-\(UUID().uuidString)")
        engine = try EmbeddedEngine(warehouse: folder)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A second, independent connection: what a reader of the warehouse sees.
    func read(_ sql: String) throws -> [[SQLValue]] {
        try Database(path: engine.path).rows(sql)
    }

    func columns(of dataset: String) throws -> [String] {
        try read("SELECT name FROM pragma_table_info(\(literal(dataset)))").map { "\($0[0])" }
    }
}

enum Fixtures {
    /// The repository's own example mesh (read only).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The sample data's reference date (scripts/gen_sample_data.py).
    static let asOf = Date(timeIntervalSince1970: 1_782_777_600)  // 2026-06-30T00:00:00Z

    static let salt = try! MaskingSalt("a test salt, not a secret")

    static func exampleMesh() throws -> Mesh {
        let loaded = try MeshLoader().load(from: FolderTree(root: repoRoot))
        guard let mesh = loaded.value, !loaded.hasErrors else {
            throw FixtureError("the example mesh does not load: \(loaded.diagnostics.filter { $0.severity == .error })")
        }
        return mesh
    }

    static func exampleJobs(salt: MaskingSalt? = Fixtures.salt) throws -> [DatasetJob] {
        let mesh = try exampleMesh()
        let (jobs, diags) = MeshJobs(mesh: mesh, tree: FolderTree(root: repoRoot), root: repoRoot, asOf: asOf, salt: salt).all()
        guard diags.isEmpty else { throw FixtureError("jobs: \(diags)") }
        return jobs
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
