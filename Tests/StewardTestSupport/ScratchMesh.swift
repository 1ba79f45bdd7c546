import Foundation
import StewardCore
import StewardModel

/// A small, valid mesh written to a temporary folder, which tests then break one way at a time.
public final class ScratchMesh {
    public let root: URL

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("steward-mesh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, text) in Self.valid { try write(path, text) }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    public var path: String { root.path }
    public var tree: FolderTree { FolderTree(root: root) }

    public func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    public func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Replaces `old` with `new` in a file; fails loudly if `old` is absent so tests stay honest.
    public func edit(_ path: String, replacing old: String, with new: String) throws {
        let text = try read(path)
        guard text.contains(old) else { throw ScratchError("`\(old)` not in \(path)") }
        try write(path, text.replacingOccurrences(of: old, with: new))
    }

    public func remove(_ path: String) throws { try FileManager.default.removeItem(at: root.appendingPathComponent(path)) }

    public func load() throws -> Loaded<Mesh> { try MeshLoader().load(from: tree) }

    /// Runs git in the mesh folder (tests may use the git CLI to build repositories).
    @discardableResult
    public func git(_ args: String...) throws -> String { try git(args) }

    /// Runs git with extra environment, such as `GIT_COMMITTER_DATE`.
    @discardableResult
    public func git(_ args: [String], env: [String: String] = [:]) throws -> String {
        let p = Process()
        if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new } }
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `-C` rather than `currentDirectoryURL`: Foundation changes the working directory of
        // the whole process to launch, which races when tests run in parallel.
        p.arguments = ["git", "-C", root.path, "-c", "init.defaultBranch=main", "-c", "user.name=Test",
                       "-c", "user.email=test@acme.example"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ScratchError("git \(args.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static let valid: [(String, String)] = [
        ("steward.yaml", """
        apiVersion: steward/v1
        kind: Mesh
        name: scratch
        platformTeam:
          team: platform
          members: [ada@acme.example]

        """),
        ("domains/sales/domain.yaml", """
        apiVersion: steward/v1
        kind: Domain
        name: sales
        owners:
          team: sales-data
          members: [sam@acme.example]

        """),
        ("domains/sales/contracts/orders_raw.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.orders_raw
        version: 1.0.0
        status: active
        servers:
          - server: local
            type: local
            path: sources/orders.csv
            format: csv
        schema:
          - name: orders
            properties:
              - name: order_id
                logicalType: integer
                required: true
              - name: email
                logicalType: string
                classification: restricted
                tags: [pii]
                customProperties:
                  - property: anonymizationStrategy
                    value: hash
              - name: order_ts
                logicalType: timestamp

        """),
        ("domains/sales/sources/orders.csv", "order_id,email,order_ts\n1,a@b.example,2026-01-01T00:00:00Z\n"),
        ("domains/sales/contracts/daily_sales.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.daily_sales
        version: 1.0.0
        status: active
        schema:
          - name: daily_sales
            properties:
              - name: day
                logicalType: date
                required: true
              - name: orders
                logicalType: integer
                quality:
                  - metric: nullValues
                    mustBe: 0
        slaProperties:
          - property: latency
            value: 6
            unit: h
            element: daily_sales.day
          - property: retention
            value: 2
            unit: y
            element: daily_sales.day
        roles:
          - role: finance_reader
            access: read
            customProperties:
              - property: domains
                value: [sales]

        """),
        ("domains/sales/products/daily_sales.odps.yaml", """
        apiVersion: v1.0.0
        kind: DataProduct
        id: 7d1f3c9e-0000-4000-8000-000000000001
        name: daily_sales
        domain: sales
        status: active
        inputPorts:
          - name: orders
            version: 1.0.0
            contractId: sales.orders_raw
        outputPorts:
          - name: daily_sales
            version: 1.0.0
            contractId: sales.daily_sales

        """),
        ("domains/sales/transforms/daily_sales.sql", "SELECT date(order_ts) AS day, count(*) AS orders FROM orders GROUP BY 1;\n"),
    ]
}

public struct ScratchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

extension Loaded {
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}
