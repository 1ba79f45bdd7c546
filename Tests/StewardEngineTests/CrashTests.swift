import Foundation
import StewardEngine
import StewardEngineSQLite
import Testing

/// A run killed at any moment leaves the warehouse as the last COMMIT left it: every dataset's
/// view over its one published table, no half-made table, and a next run that just works.
@Suite struct CrashTests {
    /// The benchmark tool, built beside the test bundle by `swift build --build-tests`.
    static var tool: URL? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("steward-engine-bench")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    @Test func aKilledRunLeavesTheLastCommittedState() throws {
        let tool = try #require(Self.tool, "build the package first: swift build --build-tests")
        let mesh = FileManager.default.temporaryDirectory.appendingPathComponent("steward-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: mesh) }
        try Self.writeMesh(at: mesh, rows: 30_000)
        let warehouse = mesh.appendingPathComponent(".steward/warehouse")

        for delay in [0.05, 0.2, 0.4, 0.8] {
            let p = Process()
            p.executableURL = tool
            p.arguments = [mesh.path, warehouse.path, "2026-06-30T00:00:00Z"]
            p.environment = ["STEWARD_MASKING_SALT": "crash-test-salt-0123456789"]
            p.standardOutput = Pipe()
            p.standardError = Pipe()
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            try Self.expectConsistent(warehouse)
        }
        // A full run after the crashes publishes everything.
        let p = Process()
        p.executableURL = tool
        p.arguments = [mesh.path, warehouse.path, "2026-06-30T00:00:00Z"]
        p.environment = ["STEWARD_MASKING_SALT": "crash-test-salt-0123456789"]
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        try Self.expectConsistent(warehouse)
        let engine = try EmbeddedEngine(warehouse: warehouse)
        #expect(try engine.state(of: "crash.out")?.rows == 30_000)
    }

    static func expectConsistent(_ warehouse: URL) throws {
        guard FileManager.default.fileExists(atPath: warehouse.appendingPathComponent(EmbeddedEngine.fileName).path) else { return }
        let db = try Database(path: warehouse.appendingPathComponent(EmbeddedEngine.fileName).path)
        // Killed before the engine's own tables were created: nothing was ever published.
        guard try !db.rows("SELECT 1 FROM sqlite_master WHERE name = 'steward_datasets'").isEmpty else {
            #expect(try db.rows("SELECT name FROM sqlite_master").isEmpty, "a warehouse without bookkeeping has no tables")
            return
        }
        let tables = try db.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%@%'").map { "\($0[0])" }
        let published = try db.rows("SELECT dataset, version, data_table, rows FROM steward_datasets WHERE version IS NOT NULL")
        #expect(Set(tables) == Set(published.map { "\($0[2])" }), "only published tables remain")
        for row in published {
            #expect("\(row[2])" == "\(row[0])@\(row[1])")
            #expect(try db.rows("SELECT count(*) FROM \(quoted("\(row[0])"))")[0][0] == row[3])
        }
    }

    static func writeMesh(at root: URL, rows: Int) throws {
        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("steward.yaml", "apiVersion: steward/v1\nkind: Mesh\nname: crash\n")
        try write("domains/crash/domain.yaml", "apiVersion: steward/v1\nkind: Domain\nname: crash\nowners: {team: t, members: [a@acme.example]}\n")
        try write("domains/crash/contracts/src.odcs.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: crash.src
            name: src
            version: 1.0.0
            status: active
            domain: crash
            servers: [{server: s, type: local, path: sources/src.csv, format: csv}]
            schema:
              - name: src
                properties:
                  - {name: id, logicalType: integer}
                  - {name: email, logicalType: string}

            """)
        try write("domains/crash/contracts/out.odcs.yaml", """
            apiVersion: v3.1.0
            kind: DataContract
            id: crash.out
            name: out
            version: 1.0.0
            status: active
            domain: crash
            schema:
              - name: out
                properties:
                  - {name: id, logicalType: integer, unique: true}
                  - {name: email, logicalType: string, customProperties: [{property: anonymizationStrategy, value: hash}]}

            """)
        try write("domains/crash/products/out.odps.yaml", """
            apiVersion: v1.0.0
            kind: DataProduct
            id: crash.out
            name: out
            domain: crash
            status: active
            inputPorts: [{name: src, version: 1.0.0, contractId: crash.src}]
            outputPorts: [{name: out, version: 1.0.0, contractId: crash.out}]

            """)
        try write("domains/crash/transforms/out.sql", "SELECT id, email FROM src\n")
        var csv = "id,email\n"
        for i in 1...rows { csv += "\(i),user\(i)@acme.example\n" }
        try write("domains/crash/sources/src.csv", csv)
    }
}
