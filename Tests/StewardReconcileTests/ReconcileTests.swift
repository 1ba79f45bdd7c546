import Foundation
import StewardCore
import StewardGit
import StewardModel
@testable import StewardReconcile
import StewardTestSupport
import Testing

/// A scratch mesh with a chain: the orders source → sales.daily_sales → sales.weekly.
func chainMesh() throws -> ScratchMesh {
    let mesh = try ScratchMesh()
    try mesh.write("domains/sales/contracts/weekly.odcs.yaml", """
    apiVersion: v3.1.0
    kind: DataContract
    id: sales.weekly_report
    version: 1.0.0
    status: active
    description:
      purpose: Weekly sales for the board
    schema:
      - name: weekly
        properties:
          - name: week
            logicalType: date

    """)
    try mesh.write("domains/sales/products/weekly.odps.yaml", """
    apiVersion: v1.0.0
    kind: DataProduct
    id: 7d1f3c9e-0000-4000-8000-000000000003
    name: weekly
    domain: sales
    status: active
    inputPorts:
      - name: daily_sales
        version: 1.0.0
        contractId: sales.daily_sales
    outputPorts:
      - name: weekly
        version: 1.0.0
        contractId: sales.weekly_report

    """)
    try mesh.write("domains/sales/transforms/weekly.sql", "SELECT day AS week FROM daily_sales;\n")
    return mesh
}

func fingerprints(_ mesh: ScratchMesh) throws -> [String: String] {
    let loaded = try MeshLoader().load(from: mesh.tree)
    #expect(!loaded.hasErrors, "\(loaded.diagnostics)")
    let tree = mesh.tree
    var f = Fingerprinter(mesh: try #require(loaded.value)) { try tree.read($0) }
    return try f.all().mapValues(\.fingerprint)
}

@Suite struct FingerprintTests {
    static let contract = "domains/sales/contracts/daily_sales.odcs.yaml"

    @Test func formattingDescriptionsOwnersAndVersionsChangeNothing() throws {
        let mesh = try chainMesh()
        let before = try fingerprints(mesh)
        #expect(before.keys.sorted() == ["sales.daily_sales", "sales.weekly"])
        let text = try mesh.read(Self.contract)
        try mesh.write(Self.contract, "# a comment\n\n" + text.replacingOccurrences(of: "\n", with: "   \n"))
        try mesh.edit(Self.contract, replacing: "version: 1.0.0", with: "version: 1.0.1")
        try mesh.edit("domains/sales/contracts/weekly.odcs.yaml", replacing: "Weekly sales for the board", with: "Weekly sales, for the board and finance")
        try mesh.edit("domains/sales/domain.yaml", replacing: "members: [", with: "members: [zoe@acme.example, ")
        try mesh.write("domains/sales/transforms/weekly.sql", "-- the week of each day\nSELECT   day AS week\n  FROM daily_sales ;\n")
        #expect(try fingerprints(mesh) == before)
    }

    @Test func aPythonTransformIsHashedAsWritten() throws {
        let mesh = try chainMesh()
        try mesh.remove("domains/sales/transforms/weekly.sql")
        try mesh.write("domains/sales/transforms/weekly.py", "def run(t):\n    return t.x - -1\n")
        let product = try mesh.read("domains/sales/products/weekly.odps.yaml")
        try mesh.write("domains/sales/products/weekly.odps.yaml",
                       product + "customProperties:\n  - property: engine\n    value: ray\n  - property: transform\n    value: transforms/weekly.py\n")
        let loaded = try mesh.load()
        guard loaded.value?.transforms["sales.weekly"] == "domains/sales/transforms/weekly.py" else {
            Issue.record("the mesh does not take the .py transform: \(loaded.diagnostics)")
            return
        }
        let before = try fingerprints(mesh)["sales.weekly"]
        // In SQL `--` starts a comment and indentation is noise; in Python both are code.
        try mesh.write("domains/sales/transforms/weekly.py", "def run(t):\n    return t.x --1\n")
        #expect(try fingerprints(mesh)["sales.weekly"] != before)
        try mesh.write("domains/sales/transforms/weekly.py", "def run(t):\n  return t.x - -1\n")
        #expect(try fingerprints(mesh)["sales.weekly"] != before)
    }

    @Test func aTransformEditChangesItsProductAndEverythingDownstream() throws {
        let mesh = try chainMesh()
        let before = try fingerprints(mesh)
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: "count(*)", with: "count(order_id)")
        let after = try fingerprints(mesh)
        #expect(after["sales.daily_sales"] != before["sales.daily_sales"])
        #expect(after["sales.weekly"] != before["sales.weekly"])
    }

    @Test func aLiteralInsideQuotesIsNotWhiteSpace() {
        #expect(Fingerprinter.normalizeSQL("SELECT 'a  b' AS x") != Fingerprinter.normalizeSQL("SELECT 'a b' AS x"))
        #expect(Fingerprinter.normalizeSQL("SELECT 'it''s -- not a comment'") == "SELECT 'it''s -- not a comment'")
        #expect(Fingerprinter.normalizeSQL("SELECT /* why */ a\n\n\tFROM t; ") == "SELECT a FROM t")
    }

    @Test func sourceDataAndDataRelevantContractEditsChangeFingerprints() throws {
        let mesh = try chainMesh()
        let before = try fingerprints(mesh)
        try mesh.write("domains/sales/sources/orders.csv", "order_id,email,order_ts\n1,a@b.example,2026-01-02T00:00:00Z\n")
        let source = try fingerprints(mesh)
        #expect(source["sales.daily_sales"] != before["sales.daily_sales"] && source["sales.weekly"] != before["sales.weekly"])
        // A property's type changes what is written: the product and its consumer change.
        try mesh.edit("domains/sales/contracts/weekly.odcs.yaml", replacing: "logicalType: date", with: "logicalType: string")
        let typed = try fingerprints(mesh)
        #expect(typed["sales.weekly"] != source["sales.weekly"] && typed["sales.daily_sales"] == source["sales.daily_sales"])
    }
}

/// A git repository holding the chain mesh, for the state and lease.
func chainRepository() throws -> (ScratchMesh, Repository) {
    let mesh = try chainMesh()
    try mesh.git("init", "-q")
    try mesh.git("add", "-A")
    try mesh.git("commit", "-q", "-m", "the mesh")
    return (mesh, try Repository.discover(from: mesh.path))
}

let robot = Signature(name: "steward", email: "steward@acme.example", date: Date(timeIntervalSince1970: 1_780_000_000))

@Suite struct StateStoreTests {
    @Test func writesReadsAndRefusesAStaleTip() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }  // its deinit deletes the repository
        let store = StateStore(repository: repo)
        let empty = try store.read()
        #expect(empty.state == ReconcileState() && empty.tip == nil)
        var state = ReconcileState(applied: "abc", products: [
            "sales.daily_sales": .init(fingerprint: "f1", outputVersion: "1.0.0", status: .ok, commit: "abc",
                                       lastRun: .init(run: "r1", finished: "2026-11-23T00:00:00Z", rows: 3)),
        ])
        state.run = .init(id: "r1", target: "abc", phase: .done, planDigest: "d", startedBy: "ada@acme.example", started: "2026-11-23T00:00:00Z")
        let tip = try store.write(state, expecting: nil, message: "apply abc", by: robot)
        let read = try store.read()
        #expect(read.state == state && read.tip == tip)
        // A writer that read before `tip` loses, and the state is what the winner wrote.
        #expect(throws: GitError.self) { try store.write(ReconcileState(), expecting: nil, message: "stale", by: robot) }
        #expect(try store.read().state == state)
        let second = try store.write(ReconcileState(applied: "def"), expecting: tip, message: "apply def", by: robot)
        #expect(try repo.commit(second).parents == [tip])
    }

    @Test func aCheckpointWritesOneProductAndEqualsAFullWrite() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }  // its deinit deletes the repository
        let store = StateStore(repository: repo)
        func product(_ f: String, _ status: ReconcileState.ProductState.Status = .ok) -> ReconcileState.ProductState {
            .init(fingerprint: f, outputVersion: "1.0.0", status: status, commit: "abc", engine: "embedded", dataset: "x")
        }
        var state = ReconcileState(applied: "abc", products: ["sales.a": product("1"), "sales.b": product("2"), "crm.c": product("3")])
        var tip = try store.write(state, expecting: nil, message: "all", by: robot)
        #expect(try repo.tree(at: tip).files(under: "products") == ["products/crm/crm.c.json", "products/sales/sales.a.json", "products/sales/sales.b.json"])
        state.products["sales.b"] = product("2b", .failed)
        state.products["sales.a"] = nil
        tip = try store.write(state, expecting: tip, changed: ["sales.b", "sales.a"], message: "checkpoint", by: robot)
        #expect(try store.read().state == state)
        #expect(try store.readHeader().header?.failed == ["sales.b"])
        // The same tree as writing everything.
        let full = try store.write(state, expecting: tip, message: "full", by: robot)
        #expect(try repo.commit(full).treeID == (try repo.commit(tip).treeID))
        // A product file in the wrong folder is refused, not silently read.
        let moved = try repo.updateTree(try repo.commit(full).treeID, setting: ["products/crm/sales.x.json": try repo.writeBlob(Array("{}".utf8))])
        let bad = try repo.writeCommit(tree: moved, parents: [full], message: "x", author: robot)
        try repo.updateReference(StateStore.ref, to: bad, expecting: full, message: "x")
        #expect(throws: StateStore.Failure.self) { try store.read() }
    }

    @Test func aNewerOrCorruptStateIsRefusedNotRewritten() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }  // its deinit deletes the repository
        func put(_ json: String) throws {
            let tree = try repo.writeTree(["state.json": try repo.writeBlob(Array(json.utf8))])
            let old = try repo.reference(StateStore.ref)
            let c = try repo.writeCommit(tree: tree, parents: old.map { [$0] } ?? [], message: "x", author: robot)
            try repo.updateReference(StateStore.ref, to: c, expecting: old, message: "x")
        }
        try put(#"{"format": 2, "whatever": true}"#)
        #expect(throws: StateStore.Failure.self) { try StateStore(repository: repo).read() }
        try put("{not json")
        do {
            _ = try StateStore(repository: repo).read()
            Issue.record("a corrupt state was read")
        } catch let f as StateStore.Failure {
            #expect("\(f)".contains("unreadable state.json"), "\(f)")
        }
    }
}

@Suite struct LeaseTests {
    @Test func theLeaseTakenIsTheLeaseReadBack() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }  // its deinit deletes the repository
        let taken = try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r1", for: 600.5,
                                      now: Date(timeIntervalSince1970: 1_780_000_000.75))
        #expect(try Lease.current(in: repo) == taken)
        let renewed = try taken.renew(in: repo, for: 30, now: Date(timeIntervalSince1970: 1_780_000_100.2))
        #expect(try Lease.current(in: repo) == renewed)
        #expect(renewed.holder.expires == Date(timeIntervalSince1970: 1_780_000_130))
    }

    @Test func aLeaseWhoseProcessIsGoneFromThisMachineIsTakenOverAtOnce() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }  // its deinit deletes the repository
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let ours = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? ""
        func hold(pid: Int32, host: String, namespace: String = ours) throws {
            let json = """
                {"acquired": "2026-11-23T00:00:00Z", "expires": "2099-01-01T00:00:00Z", "holder": "eve@acme.example",
                 "host": "\(host)", "pid": \(pid), "run": "killed-run", "namespace": "\(namespace)"}
                """
            let tree = try repo.writeTree(["lock.json": try repo.writeBlob(Array(json.utf8))])
            let c = try repo.writeCommit(tree: tree, parents: [], message: "lease", author: robot)
            try repo.updateReference(Lease.ref, to: c, expecting: try repo.reference(Lease.ref), message: "x")
        }
        // Another machine's holder, or a live process here, is respected until it expires.
        try hold(pid: gone.processIdentifier, host: "another-host.example")
        #expect(throws: Lease.Failure.self) { try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r2", for: 600) }
        #expect(try Lease.clearAbandoned(in: repo) == false)
        // Same host name, another PID namespace (another container): its pid means nothing here.
        try hold(pid: gone.processIdentifier, host: ProcessInfo.processInfo.hostName, namespace: "pid:[1]")
        #expect(throws: Lease.Failure.self) { try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r2", for: 600) }
        // Gone from this machine: taken over, or cleared.
        try hold(pid: gone.processIdentifier, host: ProcessInfo.processInfo.hostName)
        #expect(try Lease.clearAbandoned(in: repo))
        #expect(try Lease.current(in: repo) == nil)
        try hold(pid: gone.processIdentifier, host: ProcessInfo.processInfo.hostName)
        let taken = try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r2", for: 600)
        #expect(taken.holder.run == "r2")
    }

    @Test func oneHolderAtATimeUntilReleasedOrExpired() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }  // its deinit deletes the repository
        let now = Date()
        let first = try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r1", for: 600, now: now)
        do {
            _ = try Lease.acquire(in: repo, holder: "linus@acme.example", run: "r2", for: 600, now: now)
            Issue.record("two holders")
        } catch Lease.Failure.held(let h) {
            #expect(h.holder == "ada@acme.example" && h.run == "r1")
        }
        #expect("\(Lease.Failure.held(first.holder))".contains("run r1 by ada@acme.example"))
        let renewed = try first.renew(in: repo, for: 600)
        try renewed.release(in: repo)
        #expect(try Lease.current(in: repo) == nil)
        // An expired lease is taken over; its old holder finds out when it renews.
        let crashed = try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r3", for: 1, now: now.addingTimeInterval(-10))
        let taker = try Lease.acquire(in: repo, holder: "linus@acme.example", run: "r4", for: 600)
        #expect(throws: Lease.Failure.self) { _ = try crashed.renew(in: repo, for: 600) }
        #expect(throws: Lease.Failure.self) { try crashed.release(in: repo) }
        #expect(try Lease.current(in: repo)?.holder.run == "r4")
        try taker.release(in: repo)
    }

    @Test func aWaiterGivesUpAtItsTimeoutAndConcurrentTakersNeverBothWin() throws {
        let (mesh, repo) = try chainRepository()
        defer { withExtendedLifetime(mesh) {} }
        let held = try Lease.acquire(in: repo, holder: "ada@acme.example", run: "r1", for: 600)
        let start = Date()
        #expect(throws: Lease.Failure.self) {
            _ = try Lease.acquire(in: repo, holder: "linus@acme.example", run: "r2", for: 600, waitingUpTo: 0.3, poll: 0.05)
        }
        #expect(Date().timeIntervalSince(start) >= 0.3)
        try held.release(in: repo)

        // Eight takers on their own repository handles, at once: exactly one wins.
        let winners = Counter()
        let path = mesh.path
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            guard let r = try? Repository.discover(from: path) else { return }
            if (try? Lease.acquire(in: r, holder: "taker\(i)@acme.example", run: "t\(i)", for: 600)) != nil { winners.add() }
        }
        #expect(winners.value == 1)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

@Suite struct PlanTests {
    func plan(_ mesh: ScratchMesh, state: ReconcileState, prune: Bool = false) throws -> Plan {
        let loaded = try MeshLoader().load(from: mesh.tree)
        let m = try #require(loaded.value)
        let tree = mesh.tree
        var f = Fingerprinter(mesh: m) { try tree.read($0) }
        return try Plan.make(mesh: m, parts: try f.all(), state: state, stateTip: nil, target: "T", prune: prune)
    }

    /// The state an apply of `mesh` as it stands would leave.
    func applied(_ mesh: ScratchMesh) throws -> ReconcileState {
        let p = try plan(mesh, state: ReconcileState())
        return ReconcileState(applied: "T", products: Dictionary(uniqueKeysWithValues: p.steps.map { s in
            (s.product, ReconcileState.ProductState(fingerprint: s.fingerprint!, outputVersion: s.outputVersion, status: .ok, commit: "T"))
        }))
    }

    func actions(_ p: Plan) -> [String] { p.steps.map { "\($0.action.rawValue) \($0.product)" } }

    @Test func everythingIsCreatedInDependencyOrderThenNothingIsLeft() throws {
        let mesh = try chainMesh()
        let first = try plan(mesh, state: ReconcileState())
        #expect(actions(first) == ["create sales.daily_sales", "create sales.weekly"])
        let second = try plan(mesh, state: try applied(mesh))
        #expect(second.steps.isEmpty && second.unchanged == 2)
    }

    @Test func aTransformEditRebuildsItAndItsConsumersWithReasons() throws {
        let mesh = try chainMesh()
        let state = try applied(mesh)
        try mesh.edit("domains/sales/transforms/daily_sales.sql", replacing: "count(*)", with: "count(order_id)")
        let p = try plan(mesh, state: state)
        #expect(actions(p) == ["rebuild sales.daily_sales", "rebuild sales.weekly"])
        #expect(p.steps[1].reasons == ["input `daily_sales` (sales.daily_sales) is rebuilt"])
    }

    @Test func failedProductsAreRetriedVersionBumpsOnlyUpdateAndRemovedOnesAreKeptUnlessPruned() throws {
        let mesh = try chainMesh()
        var state = try applied(mesh)
        state.products["sales.weekly"]?.status = .failed
        state.products["sales.weekly"]?.lastRun = .init(run: "r1", finished: "x", reasons: ["nullValues 12% ≥ 5%"])
        state.products["sales.gone"] = .init(fingerprint: "f", outputVersion: "1.0.0", status: .ok, commit: "S")
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "version: 1.0.0", with: "version: 1.1.0")
        let p = try plan(mesh, state: state)
        #expect(actions(p) == ["update sales.daily_sales", "retry sales.weekly", "orphan sales.gone"])
        #expect(p.steps[1].reasons == ["its last run failed: nullValues 12% ≥ 5%"])
        #expect(actions(try plan(mesh, state: state, prune: true)).last == "retire sales.gone")
        // The digest covers the actions: a different plan, a different digest.
        #expect(p.digest != (try plan(mesh, state: state, prune: true)).digest)
    }
}
