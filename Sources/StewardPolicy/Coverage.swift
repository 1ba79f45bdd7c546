import Foundation
import StewardCore

/// Branch coverage of policies by their tests (§11). A branch is a boolean sub-condition of
/// `where`, `require` or a `let` seen true, or seen false; and, per policy, one test target
/// that passed and one that failed. Recorded by the reference interpreter's observer.
public final class CoverageRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [ObjectIdentifier: (true: Int, false: Int)] = [:]
    private var outcomes: [String: (pass: Int, fail: Int)] = [:]

    public init() {}

    func saw(_ node: TNode, _ result: Swift.Result<Value, EvaluationError>) {
        guard case .success(.bool(let b)) = result else { return }
        lock.withLock {
            var c = counts[ObjectIdentifier(node), default: (0, 0)]
            if b { c.true += 1 } else { c.false += 1 }
            counts[ObjectIdentifier(node)] = c
        }
    }

    func outcome(_ r: PolicyEvaluator.Result, of p: CheckedPolicy) {
        lock.withLock {
            var o = outcomes[p.id, default: (0, 0)]
            switch r {
            case .pass: o.pass += 1
            case .fail: o.fail += 1
            default: break
            }
            outcomes[p.id] = o
        }
    }

    /// The coverage of `policies`, file by file.
    public func report(_ policies: [CheckedPolicy]) -> CoverageReport {
        lock.withLock {
            var files: [String: [CoverageReport.Branch]] = [:]
            for p in policies {
                let o = outcomes[p.id] ?? (0, 0)
                let at = p.decl.location
                var branches = [
                    CoverageReport.Branch(policy: p.id, location: at, label: "policy \(p.id) passes a test target", taken: o.pass),
                    CoverageReport.Branch(policy: p.id, location: at, label: "policy \(p.id) fails a test target", taken: o.fail),
                ]
                for n in Self.branchPoints(p) {
                    let c = counts[ObjectIdentifier(n)] ?? (0, 0)
                    let text = Printer.expression(n.source)
                    branches.append(.init(policy: p.id, location: n.location, label: "`\(text)` true", taken: c.true))
                    branches.append(.init(policy: p.id, location: n.location, label: "`\(text)` false", taken: c.false))
                }
                files[p.path, default: []] += branches
            }
            return CoverageReport(files: files.keys.sorted().map { (path: $0, branches: files[$0]!) })
        }
    }

    /// Boolean sub-conditions that can go either way (constants and variable reads excluded).
    static func branchPoints(_ p: CheckedPolicy) -> [TNode] {
        var out: [TNode] = []
        func walk(_ n: TNode) {
            if n.type == .bool {
                switch n.op {
                case .constant, .slot, .letValue: break
                default: out.append(n)
                }
            }
            for c in n.children { walk(c) }
        }
        for l in p.lets { walk(l) }
        if let c = p.condition { walk(c) }
        walk(p.requirement)
        return out
    }
}

public struct CoverageReport: Sendable {
    public struct Branch: Sendable {
        public var policy: String
        public var location: SourceLocation
        public var label: String
        public var taken: Int
    }

    public var files: [(path: String, branches: [Branch])]

    public var total: Int { files.reduce(0) { $0 + $1.branches.count } }
    public var covered: Int { files.reduce(0) { $0 + $1.branches.filter { $0.taken > 0 }.count } }
    public var percent: Double { total == 0 ? 100 : Double(covered) * 100 / Double(total) }

    static func percent(_ covered: Int, _ total: Int) -> String {
        String(format: "%.1f%%", total == 0 ? 100 : Double(covered) * 100 / Double(total))
    }

    /// `policies/privacy.policy  branches 23/24  95.8%`, then each missed branch.
    public func text() -> [String] {
        var out: [String] = []
        let width = files.map(\.path.count).max() ?? 0
        for (path, branches) in files {
            let hit = branches.filter { $0.taken > 0 }.count
            out.append("\(path.padding(toLength: width, withPad: " ", startingAt: 0))  branches \(hit)/\(branches.count)  \(Self.percent(hit, branches.count))")
            for b in branches where b.taken == 0 { out.append("    missed \(b.location)  \(b.label)") }
        }
        out.append("total  branches \(covered)/\(total)  \(Self.percent(covered, total))")
        return out
    }

    /// lcov tracefile: one `BRDA` per branch, keyed on the policy file's lines.
    public func lcov() -> String {
        var s = ""
        for (path, branches) in files {
            s += "TN:\nSF:\(path)\n"
            var block = 0
            var index = 0
            for (i, b) in branches.enumerated() {
                if i % 2 == 0 { block += 1; index = 0 } else { index = 1 }
                s += "BRDA:\(b.location.line),\(block),\(index),\(b.taken > 0 ? String(b.taken) : "-")\n"
            }
            let lines = Set(branches.map(\.location.line)).sorted()
            for l in lines { s += "DA:\(l),\(branches.filter { $0.location.line == l }.map(\.taken).max() ?? 0)\n" }
            s += "BRF:\(branches.count)\nBRH:\(branches.filter { $0.taken > 0 }.count)\n"
            s += "LF:\(lines.count)\nLH:\(lines.count)\nend_of_record\n"
        }
        return s
    }

    /// Cobertura XML with `condition-coverage` per line.
    public func cobertura() -> String {
        func rate(_ c: Int, _ t: Int) -> String { String(format: "%.4f", t == 0 ? 1 : Double(c) / Double(t)) }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var s = "<?xml version=\"1.0\" ?>\n"
        s += "<coverage line-rate=\"1\" branch-rate=\"\(rate(covered, total))\" lines-covered=\"0\" lines-valid=\"0\" "
        s += "branches-covered=\"\(covered)\" branches-valid=\"\(total)\" complexity=\"0\" version=\"steward\" timestamp=\"0\">\n"
        s += "  <sources><source>.</source></sources>\n  <packages>\n    <package name=\"policies\" line-rate=\"1\" branch-rate=\"\(rate(covered, total))\" complexity=\"0\">\n      <classes>\n"
        for (path, branches) in files {
            let hit = branches.filter { $0.taken > 0 }.count
            let name = escape(path.split(separator: "/").last.map(String.init) ?? path)
            s += "        <class name=\"\(name)\" filename=\"\(escape(path))\" line-rate=\"1\" branch-rate=\"\(rate(hit, branches.count))\" complexity=\"0\">\n"
            s += "          <methods/>\n          <lines>\n"
            for l in Set(branches.map(\.location.line)).sorted() {
                let on = branches.filter { $0.location.line == l }
                let c = on.filter { $0.taken > 0 }.count
                let pct = Int((Double(c) * 100 / Double(on.count)).rounded())
                s += "            <line number=\"\(l)\" hits=\"\(on.map(\.taken).max() ?? 0)\" branch=\"true\" condition-coverage=\"\(pct)% (\(c)/\(on.count))\"/>\n"
            }
            s += "          </lines>\n        </class>\n"
        }
        s += "      </classes>\n    </package>\n  </packages>\n</coverage>\n"
        return s
    }
}
