import ArgumentParser
import Foundation
import StewardCore
import StewardGit
import StewardModel
import StewardPolicy
import StewardReconcile

struct Status: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "What is applied, what drifted from the mesh, and which products are stale against their freshness SLA.",
        discussion: """
        Reads the applied state (refs/steward/state) and compares it with the mesh at the tip \
        of the main branch (or --rev): the applied commit, the drift (what `steward plan` would \
        do), and per product its status, last run, row count and age against its contract's \
        latency SLA. Exit codes: 0 in sync and fresh, 1 drift, a failed product or a breached \
        SLA, 2 usage error.

        Examples:
          steward status
          steward status --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The desired mesh revision; default the main branch of steward.yaml.", valueName: "rev"))
    var rev: String?

    @Option(help: ArgumentHelp("Judge freshness as of this UTC time; default now.", valueName: "timestamp"))
    var time: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    struct Report: Encodable {
        var mesh: String
        var desired: String
        var applied: String?
        var run: ReconcileState.Run?
        var inSync: Bool
        var drift: [String: Int]
        var products: [Row]
        var breaches: [String]
    }

    struct Row: Encodable {
        var product: String
        /// ok, failed or retired from the state; `not built` or `orphaned` from the comparison.
        var status: String
        /// What `plan` would do with it, if anything.
        var pending: String?
        var lastRun: String?
        /// Rows readers see (the last good run's).
        var rows: Int?
        /// Seconds since the last good run.
        var age: Int?
        /// The contract's latency SLA in seconds.
        var latency: Int?
        var stale: Bool
        var reasons: [String]
    }

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try global.repository(for: "status")
        let now = try PolicyLoading.time(time)
        guard let planned = try PlanCommand.planned(rev, prune: false, repository: repository, console: console) else { return .usage }
        let (mesh, state, plan) = (planned.mesh, planned.state, planned.plan)
        let pending = Dictionary(plan.steps.map { ($0.product, $0.action) }, uniquingKeysWith: { a, _ in a })

        var rows: [Row] = []
        for id in Set(mesh.products.keys).union(state.products.keys).sorted() {
            let s = state.products[id]
            let latency = mesh.products[id].flatMap { p in
                p.outputPorts.compactMap(\.contractId).compactMap { mesh.contracts[$0]?.freshness?.seconds }.min()
            }
            // What readers see is the last good run's, even when a later run failed.
            let good = s?.status == .retired ? nil : s?.lastGood ?? (s?.status == .ok ? s?.lastRun : nil)
            let age = good.flatMap { Value.parseTimestamp($0.finished) }.map { max(0, Int(now - $0)) }
            let stale = latency.map { l in age.map { Double($0) > l } ?? false } ?? false
            let status = s.map { $0.status.rawValue } ?? "not built"
            rows.append(Row(product: id, status: mesh.products[id] == nil && s?.status != .retired ? "orphaned" : status,
                            pending: pending[id]?.rawValue, lastRun: s?.lastRun?.finished, rows: good?.rows, age: age,
                            latency: latency.map { Int($0) }, stale: stale, reasons: s?.status.isUnpublished == true ? s?.lastRun?.reasons ?? [] : []))
        }
        let breaches = rows.filter(\.stale).map { r in
            "\(r.product): last good run \(Self.span(r.age ?? 0)) ago, its SLA allows \(Self.span(r.latency ?? 0))"
        }
        let drift = Dictionary(grouping: plan.steps, by: \.action.rawValue).mapValues(\.count)
        let inSync = plan.steps.allSatisfy { $0.action == .orphan } && state.applied == planned.commit.description
        let report = Report(mesh: mesh.settings.name, desired: planned.commit.description, applied: state.applied, run: state.run,
                            inSync: inSync, drift: drift, products: rows, breaches: breaches)
        switch format {
        case .json: console.out(DiagnosticOutput.encode(report))
        case .text: console.out(text(report))
        }
        let healthy = inSync && breaches.isEmpty && !rows.contains { $0.status == "failed" || $0.status == "blocked" }
        return healthy ? .success : .findings
    }

    static func span(_ seconds: Int) -> String {
        switch seconds {
        case ..<120: "\(seconds)s"
        case ..<7200: "\(seconds / 60)min"
        case ..<172_800: "\(seconds / 3600)h"
        default: "\(seconds / 86_400)d"
        }
    }

    func text(_ r: Report) -> String {
        var out = ["\(r.mesh): desired \(r.desired.prefix(10)), applied \(r.applied.map { String($0.prefix(10)) } ?? "nothing yet")"
                   + (r.inSync ? " (in sync)" : "")]
        if let run = r.run, run.phase != .done {
            out.append("run \(run.id) for \(run.target.prefix(10)) is \(run.phase.rawValue), started \(run.started) by \(run.startedBy)")
        }
        if !r.drift.isEmpty {
            out.append("drift: " + r.drift.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ")
                       + " (`steward plan` shows them)")
        }
        out.append("")
        let width = r.products.map(\.product.count).max() ?? 0
        for p in r.products {
            var cells = [p.product.padding(toLength: width, withPad: " ", startingAt: 0), p.status.padding(toLength: 9, withPad: " ", startingAt: 0)]
            cells.append(p.rows.map { "\($0) rows" } ?? "-")
            cells.append(p.age.map { "\(Self.span($0)) ago" + (p.latency.map { " (SLA \(Self.span($0)))" } ?? "") } ?? "")
            if p.stale { cells.append("STALE") }
            if let pending = p.pending { cells.append("pending: \(pending)") }
            if !p.reasons.isEmpty { cells.append(p.reasons.joined(separator: "; ")) }
            out.append("  " + cells.joined(separator: "  "))
        }
        if !r.breaches.isEmpty {
            out.append("")
            out.append("freshness SLA breached:")
            out += r.breaches.map { "  \($0)" }
        }
        return out.joined(separator: "\n")
    }
}
