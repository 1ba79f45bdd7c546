// Materializes every source and product of a mesh folder with the embedded engine and prints
// one line per dataset: what scripts/bench_engine.sh measures. Not a user command: the
// reconciler (`steward apply`) is.
//
//   steward-engine-bench MESH_DIR WAREHOUSE_DIR [AS_OF]     AS_OF like 2026-06-30T00:00:00Z
//
// The masking salt comes from STEWARD_MASKING_SALT. Exit status 1 when a dataset fails.
import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("steward-engine-bench: \(message)\n".utf8))
    exit(2)
}

let args = CommandLine.arguments
guard args.count == 3 || args.count == 4 else { fail("usage: steward-engine-bench MESH_DIR WAREHOUSE_DIR [AS_OF]") }
let root = URL(fileURLWithPath: args[1])
var asOf = Date()
if args.count == 4 {
    guard case .canonical = TimeText.timestamp(args[3]) else { fail("AS_OF must look like 2026-06-30T00:00:00Z") }
    let f = ISO8601DateFormatter()
    guard let d = f.date(from: args[3]) else { fail("AS_OF must look like 2026-06-30T00:00:00Z") }
    asOf = d
}
do {
    let tree = FolderTree(root: root)
    let loaded = try MeshLoader().load(from: tree)
    guard let mesh = loaded.value, !loaded.hasErrors else {
        fail("the mesh has errors:\n" + loaded.diagnostics.filter { $0.severity == .error }.map { "  \($0.location?.description ?? ""): \($0.message)" }.joined(separator: "\n"))
    }
    let salt = try MaskingSalt.fromEnvironment()
    let (jobs, problems) = MeshJobs(mesh: mesh, tree: tree, root: root, asOf: asOf, salt: salt).all()
    if let p = problems.first { fail(p.message) }
    let engine = try EmbeddedEngine(warehouse: URL(fileURLWithPath: args[2]))
    var failed = false
    for job in jobs {
        let r = try engine.run(job)
        print("\(r.dataset)\t\(r.outcome.rawValue)\trows in \(r.rowsIn)\tpurged \(r.rowsPurged)\tout \(r.rowsOut)\t\(String(format: "%.3f", r.seconds)) s")
        for d in r.diagnostics { print("  \(d.severity): \(d.location?.description ?? ""): \(d.message)") }
        failed = failed || r.outcome == .failed
    }
    exit(failed ? 1 : 0)
} catch {
    fail("\(error)")
}
