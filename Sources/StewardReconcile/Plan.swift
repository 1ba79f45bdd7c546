import Foundation
import StewardModel

/// What an apply would do to make the materialized products match a mesh commit
/// (docs/reconciler.md §4): per product, in dependency order, an action and why.
public struct Plan: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case create, rebuild, retry, update, retire, orphan
        /// Whether the engine runs the product.
        public var runs: Bool { self == .create || self == .rebuild || self == .retry }
    }

    public struct Step: Sendable, Equatable, Codable {
        public var product: String
        public var action: Action
        public var reasons: [String]
        /// The fingerprint the product will have (nil for retire and orphan).
        public var fingerprint: String?
        public var outputVersion: String?
    }

    /// The mesh commit planned for.
    public var target: String
    /// The state commit the plan was computed against (nil: no state yet).
    public var stateTip: String?
    public var steps: [Step]
    /// Products already up to date.
    public var unchanged: Int

    public var digest: String { Fingerprinter.hash(canonical.text) }

    var canonical: Canonical {
        .object([
            "target": .string(target), "stateTip": Canonical(stateTip),
            "steps": .list(steps.map { s in
                .object(["product": .string(s.product), "action": .string(s.action.rawValue),
                         "fingerprint": Canonical(s.fingerprint), "outputVersion": Canonical(s.outputVersion)])
            }),
        ])
    }

    /// Compares `state` with `mesh` (read at `target`). `prune` retires products the mesh no
    /// longer has; without it they are listed as orphans and kept.
    /// `missing`: products the state says are published whose data the engine no longer has
    /// (a deleted warehouse, a dropped table): rebuilt although their fingerprint matches.
    public static func make(mesh: Mesh, parts: [String: Fingerprinter.Parts], state: ReconcileState, stateTip: String?,
                            target: String, prune: Bool, missing: Set<String> = []) throws -> Plan {
        var steps: [Step] = []
        var unchanged = 0
        var runs = Set<String>()
        let producers = mesh.producerOf
        for id in try order(mesh) {
            let p = mesh.products[id]!
            let now = parts[id]!
            let version = p.outputPorts.compactMap(\.contractId).compactMap { mesh.contracts[$0]?.version }.first
            let upstream = p.inputPorts.compactMap { port in producers[port.contractId].map { (port.name, $0) } }
                .filter { runs.contains($0.1) }
            var step = Step(product: id, action: .rebuild, reasons: [], fingerprint: now.fingerprint, outputVersion: version)
            if let before = state.products[id], before.status != .retired {
                if before.fingerprint != now.fingerprint {
                    step.reasons = upstream.map { "input `\($0.0)` (\($0.1)) is rebuilt" }
                    if step.reasons.isEmpty { step.reasons = ["its definition changed (transform, contract, engine or source data)"] }
                } else if missing.contains(id) {
                    step.reasons = ["its published data is gone from the warehouse"]
                } else if before.status.isUnpublished {
                    step.action = .retry
                    step.reasons = ["its last run failed" + (before.lastRun?.reasons.first.map { ": \($0)" } ?? "")]
                } else if before.outputVersion != version {
                    step.action = .update
                    step.reasons = ["output version \(before.outputVersion ?? "none") → \(version ?? "none"), data unchanged"]
                } else {
                    unchanged += 1
                    continue
                }
            } else {
                step.action = .create
                step.reasons = [state.products[id]?.status == .retired ? "it was retired and is back" : "not built yet"]
            }
            if step.action.runs { runs.insert(id) }
            steps.append(step)
        }
        for (id, before) in state.products.sorted(by: { $0.key < $1.key }) where mesh.products[id] == nil && before.status != .retired {
            steps.append(Step(product: id, action: prune ? .retire : .orphan,
                              reasons: [prune ? "no longer in the mesh" : "no longer in the mesh; kept (--prune retires it)"],
                              fingerprint: nil, outputVersion: nil))
        }
        return Plan(target: target, stateTip: stateTip, steps: steps, unchanged: unchanged)
    }

    /// Products with their inputs first; ties by id, so a plan reads the same every time.
    static func order(_ mesh: Mesh) throws -> [String] {
        let producers = mesh.producerOf
        var out: [String] = []
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ id: String) throws {
            switch state[id] {
            case 2: return
            case 1: throw Fingerprinter.Failure.cycle(id)
            default: break
            }
            state[id] = 1
            for up in Set(mesh.products[id]!.inputPorts.compactMap { producers[$0.contractId] }).sorted() where up != id {
                try visit(up)
            }
            state[id] = 2
            out.append(id)
        }
        for id in mesh.products.keys.sorted() { try visit(id) }
        return out
    }
}
