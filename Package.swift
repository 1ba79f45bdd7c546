// swift-tools-version: 6.0
import PackageDescription

// Layers point down: steward -> StewardCLI -> StewardPolicy / StewardDiff / StewardReconcile -> StewardModel / StewardGit -> StewardCore;
// the engines: StewardEngineSQLite -> StewardEngine -> StewardModel.
// The model never imports git; only StewardGit imports CLibGit2; only the YAML reader imports CYAML;
// only StewardEngineSQLite imports CSQLite.
let package = Package(
    name: "steward",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "steward", targets: ["steward"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "StewardCore"),
        .target(
            name: "StewardGit",
            dependencies: ["StewardCore", "CLibGit2"]
        ),
        .target(
            name: "StewardModel",
            dependencies: ["StewardCore", "CYAML"]
        ),
        .target(name: "StewardDiff", dependencies: ["StewardCore", "StewardModel"]),
        .target(name: "StewardPolicy", dependencies: ["StewardCore", "StewardModel", "StewardDiff"]),
        // The engine interface and the contract semantics every engine shares (docs/engine.md);
        // StewardPolicy only for its linear-time regex, the dialect of quality rule patterns.
        .target(
            name: "StewardEngine",
            dependencies: ["StewardCore", "StewardModel", "StewardPolicy", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The embedded engine: the only importer of CSQLite.
        .target(
            name: "StewardEngineSQLite",
            dependencies: ["StewardCore", "StewardModel", "StewardPolicy", "StewardEngine", "CSQLite", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Materializes a mesh's products with the embedded engine, for scripts/bench_engine.sh.
        .executableTarget(
            name: "steward-engine-bench",
            dependencies: ["StewardCore", "StewardModel", "StewardEngine", "StewardEngineSQLite"]
        ),
        // The reconciler: applied state and lease in git, fingerprints, plans (docs/reconciler.md).
        .target(
            name: "StewardReconcile",
            dependencies: ["StewardCore", "StewardModel", "StewardGit", "StewardEngine", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The audit log: hash-chained entries on refs/steward/audit, Merkle checkpoints (docs/audit-log.md).
        .target(
            name: "StewardAudit",
            dependencies: ["StewardCore", "StewardGit", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "StewardCLI",
            dependencies: [
                "StewardCore", "StewardGit", "StewardModel", "StewardPolicy", "StewardDiff", "StewardReconcile", "StewardAudit",
                "StewardEngine", "StewardEngineSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "steward", dependencies: ["StewardCLI"]),
        .target(
            name: "StewardTestSupport",
            dependencies: ["StewardCore", "StewardModel"],
            path: "Tests/StewardTestSupport"
        ),
        .testTarget(name: "StewardCoreTests", dependencies: ["StewardCore"]),
        .testTarget(
            name: "StewardPolicyTests",
            dependencies: ["StewardPolicy", "StewardDiff", "StewardModel", "StewardCore", "StewardTestSupport"]
        ),
        .testTarget(name: "StewardDiffTests", dependencies: ["StewardDiff", "StewardPolicy", "StewardModel", "StewardCore", "StewardTestSupport"]),
        .testTarget(name: "StewardGitTests", dependencies: ["StewardGit", "StewardCore"]),
        .testTarget(name: "StewardAuditTests", dependencies: ["StewardAudit", "StewardGit", "StewardCore", "StewardTestSupport"]),
        .testTarget(
            name: "StewardReconcileTests",
            dependencies: ["StewardReconcile", "StewardGit", "StewardModel", "StewardCore", "StewardTestSupport"]
        ),
        .testTarget(
            name: "StewardEngineTests",
            dependencies: ["StewardEngine", "StewardEngineSQLite", "StewardModel", "StewardCore", "StewardTestSupport"]
        ),
        .testTarget(
            name: "StewardModelTests",
            dependencies: ["StewardModel", "StewardGit", "StewardCore", "StewardTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "StewardCLITests",
            dependencies: ["StewardCLI", "StewardModel", "StewardGit", "StewardCore", "StewardReconcile", "StewardEngine", "StewardAudit",
                           "StewardEngineSQLite", "StewardPolicy", "StewardTestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
