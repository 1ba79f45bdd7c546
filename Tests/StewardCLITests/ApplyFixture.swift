import Foundation
import StewardAudit
import StewardCLI
import StewardEngine
import StewardEngineSQLite
import StewardGit
import StewardReconcile
import StewardTestSupport
import Testing

/// A git repository holding a copy of the example mesh (steward.yaml, domains/, policies/, waivers/),
/// for `steward apply` end to end: real git, real files, the real engine.
struct ExampleRepo {
    let mesh: ScratchMesh
    var path: String { mesh.path }
    var warehouse: URL { mesh.root.appendingPathComponent(".steward/warehouse") }

    static let salt = "apply-test-salt-0123456789abcdef"
    static let asOf = "2026-06-30T00:00:00Z"

    init() throws {
        mesh = try ScratchMesh()
        try Self.empty(mesh.root)
        let source = URL(fileURLWithPath: CLITests.exampleMesh)
        for item in ["steward.yaml", "domains", "policies", "waivers"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: mesh.root.appendingPathComponent(item))
        }
        try mesh.write(".gitignore", ".steward/\n")
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "the example mesh")
        setenv("STEWARD_MASKING_SALT", Self.salt, 1)
    }

    /// A copy of `other`, its git history, state refs and warehouse included.
    init(copying other: ExampleRepo) throws {
        mesh = try ScratchMesh()
        try Self.empty(mesh.root)
        for item in try FileManager.default.contentsOfDirectory(atPath: other.path) {
            try FileManager.default.copyItem(at: other.mesh.root.appendingPathComponent(item), to: mesh.root.appendingPathComponent(item))
        }
    }

    private static func empty(_ root: URL) throws {
        for item in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(item))
        }
    }

    func commit(_ message: String) throws {
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", message)
    }

    /// `steward apply` in process, as JSON.
    func apply(_ args: [String] = []) -> (status: Int32, json: [String: Any], out: String, err: String) {
        let r = StewardRunner.run(["apply", "-C", path, "--as-of", Self.asOf, "--format", "json"] + args)
        let json = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]) ?? [:]
        return (r.status, json, r.out, r.err)
    }

    /// product → outcome of each step of an apply's JSON.
    static func outcomes(_ json: [String: Any]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (json["steps"] as? [[String: Any]] ?? []).map { ($0["product"] as! String, $0["outcome"] as! String) })
    }

    func engine() throws -> EmbeddedEngine { try EmbeddedEngine(warehouse: warehouse) }

    /// The rows readers see for a dataset, each as column → value text.
    func published(_ dataset: String) throws -> [[String: String]] {
        let db = try Database(path: warehouse.appendingPathComponent(EmbeddedEngine.fileName).path)
        let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(dataset)]).map { "\($0[0])" }
        return try db.rows("SELECT * FROM \(quoted(dataset))").map { row in
            Dictionary(uniqueKeysWithValues: zip(columns, row.map { v -> String in if case .null = v { "NULL" } else { "\(v)" } }))
        }
    }

    /// Everything a reader or the next apply could tell apart, run ids and clock times left out:
    /// per dataset its published version, fingerprint, rows and how many runs published it;
    /// per product its state; the applied commit and the last run's phase and target.
    func snapshot() throws -> [String] {
        var out: [String] = []
        let db = try Database(path: warehouse.appendingPathComponent(EmbeddedEngine.fileName).path)
        for row in try db.rows("""
            SELECT d.dataset, d.version, d.fingerprint, d.rows, d.data_table,
                   (SELECT count(*) FROM steward_runs r WHERE r.dataset = d.dataset AND r.outcome = 'published')
            FROM steward_datasets d ORDER BY d.dataset
            """) {
            out.append("dataset " + row.map { "\($0)" }.joined(separator: " "))
        }
        let tables = try db.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%@%' ORDER BY name").map { "\($0[0])" }
        out.append("tables " + tables.joined(separator: " "))
        let (state, _) = try StateStore(repository: try Repository.discover(from: path)).read()
        out.append("applied \(state.applied ?? "-") phase \(state.run?.phase.rawValue ?? "-") target \(state.run?.target ?? "-")")
        for (id, p) in state.products.sorted(by: { $0.key < $1.key }) {
            out.append("product \(id) \(p.status) \(p.fingerprint) \(p.outputVersion ?? "-") \(p.commit) rows \(p.lastRun?.rows ?? -1) "
                       + "v \(p.lastRun?.version ?? -1) good \(p.lastGood?.version ?? -1) \(p.lastRun?.reasons ?? []) \(p.engine ?? "-") \(p.dataset ?? "-")")
        }
        #expect(try Lease.current(in: Repository.discover(from: path)) == nil, "the lease is given back")
        // The audit log: each run's plan, product results and end once (apply-start is written
        // again by a resumed run, by design), in order.
        for e in try AuditLog(repository: try Repository.discover(from: path)).entries() where e.type != .applyStart {
            func text(_ k: String) -> String {
                switch e.details[k] {
                case let .string(s)?: s
                case let .number(n)?: "\(n)"
                case let .bool(b)?: "\(b)"
                case let .object(o)?: "\(o["out"].map { "\($0)" } ?? "")"
                default: "-"
                }
            }
            out.append("audit \(e.type.rawValue) \(text("product")) \(text("outcome")) v\(text("version")) rows \(text("rows")) "
                       + "\(text("outputFingerprint")) applied \(text("applied")) \(e.meshCommits)")
        }
        return out
    }
}
