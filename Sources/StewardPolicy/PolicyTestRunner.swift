import Foundation
import StewardCore
import StewardDiff
import StewardModel

/// `steward policy test` (§11): runs the cases of `*.test.yaml` files. Each case builds a
/// mesh (a fixture folder, inline fragments with defaults filled in, or both) as files in
/// memory, loads it with the real loader, evaluates the policies under test with the real
/// evaluator and compares the findings with the expected ones, exhaustively.
public enum PolicyTestRunner {
    public struct CaseResult: Sendable {
        public var name: String
        public var location: SourceLocation
        /// Empty when the case passed; otherwise `- expected` / `+ actual` lines.
        public var diff: [String]
        public var passed: Bool { diff.isEmpty }
    }

    public struct SuiteResult: Sendable {
        public var path: String
        public var cases: [CaseResult]
    }

    public struct Report: Sendable {
        public var suites: [SuiteResult]
        /// Broken test files or fixtures (POL07xx): the run fails with exit 2.
        public var diagnostics: [Diagnostic]
        public var sources: [String: String]
        /// The policies some test file exercises, for coverage.
        public var tested: [CheckedPolicy]
        public var failed: Int { suites.flatMap(\.cases).filter { !$0.passed }.count }
        public var passed: Int { suites.flatMap(\.cases).filter(\.passed).count }
    }

    /// Test files of a mesh: `*.test.yaml` under `policies/` and `domains/*/policies/`.
    public static func testFiles(in tree: any FileTree) throws -> [String] {
        let all = try tree.files(under: "policies") + tree.files(under: "domains").filter {
            let parts = $0.split(separator: "/")
            return parts.count >= 4 && parts[2] == "policies"
        }
        return all.filter { $0.hasSuffix(".test.yaml") || $0.hasSuffix(".test.yml") }.sorted()
    }

    /// The default `evaluation.time` of a case: 2000-01-01T00:00:00Z.
    public static let defaultTime: Int64 = 946_684_800

    public static func run(files: [String], tree: any FileTree, policies: PolicySet,
                           coverage: CoverageRecorder? = nil) throws -> Report {
        var report = Report(suites: [], diagnostics: [], sources: [:], tested: [])
        let compiled = Dictionary(uniqueKeysWithValues: policies.policies.map { ($0.id, CompiledPolicy($0)) })
        for path in files {
            guard let bytes = try tree.read(path) else {
                report.diagnostics.append(.error("POL0702", "no test file `\(path)`", at: SourceLocation(path: path)))
                continue
            }
            let loaded = PolicyTestFile.load(bytes, path: path)
            report.diagnostics += loaded.diagnostics
            report.sources.merge(loaded.sources) { a, _ in a }
            guard let suite = loaded.value else { continue }
            // The policies under test: named, or those declared in the test file's folder.
            var selected: [CompiledPolicy] = []
            if suite.policies.isEmpty {
                let folder = RepoPath.directory(of: path)
                selected = policies.policies.filter { RepoPath.directory(of: $0.path) == folder }.compactMap { compiled[$0.id] }
            } else {
                for (id, at) in suite.policies {
                    if let c = compiled[id] { selected.append(c); continue }
                    report.diagnostics.append(.error("POL0701", "unknown policy `\(id)`", at: at,
                                                      help: Suggestions.didYouMean(id, in: compiled.keys)))
                }
            }
            for c in selected where !report.tested.contains(where: { $0.id == c.policy.id }) { report.tested.append(c.policy) }
            var results: [CaseResult] = []
            for c in suite.cases {
                guard let (mesh, headFiles) = try buildMesh(c, c.given, testPath: path, tree: tree, diagnostics: &report.diagnostics) else { continue }
                var time = defaultTime
                if let at = c.at {
                    guard let t = Value.parseTimestamp(at) else {
                        report.diagnostics.append(.error("POL0702", "`at` is not a timestamp: `\(at)`", at: c.location,
                                                         help: "write RFC 3339 with a zone: 2026-06-30T00:00:00Z"))
                        continue
                    }
                    time = t
                }
                let view: ModelView
                if let baseFragments = c.base {
                    guard let (baseMesh, baseFiles) = try buildMesh(c, baseFragments, testPath: path, tree: tree, diagnostics: &report.diagnostics) else { continue }
                    let files = try ChangeSet.files(from: baseFiles, to: headFiles)
                    let commits = Self.commits(c.commits, files: files, at: time)
                    let semantic = MeshDiff.compare(baseMesh, mesh) { side, path in Self.text(side == .old ? baseFiles : headFiles, path) }
                    let changes = ChangeSet.build(changes: semantic, files: files, old: baseMesh, new: mesh, commits: commits)
                    view = ModelView(base: baseMesh, head: mesh, changes: changes, evaluation: EvaluationInfo(time: time, command: "test"),
                                     demand: Demand(selected.map(\.policy)), files: headFiles)
                } else {
                    view = ModelView(mesh: mesh, evaluation: EvaluationInfo(time: time, command: "test"),
                                     demand: Demand(selected.map(\.policy)), files: headFiles)
                }
                var evaluation = PolicyEvaluator.evaluate(selected, view: view, includePasses: true, coverage: coverage)
                let checked = WaiverResolver.validate(mesh.waivers + c.waivers, policies: policies.policies,
                                                      platformTeam: mesh.settings.platformTeam.members,
                                                      domainOwners: mesh.domains.mapValues(\.owners.members))
                report.diagnostics += checked.diagnostics
                evaluation.findings = WaiverResolver.resolve(evaluation.findings, waivers: checked.valid, evaluated: evaluation.evaluatedTargets,
                                                             existing: view.allTargetIds, at: time).findings
                results.append(CaseResult(name: c.name, location: c.location,
                                          diff: compare(c.expect, evaluation, ids: Set(selected.map(\.policy.id)))))
            }
            report.suites.append(SuiteResult(path: path, cases: results))
        }
        return report
    }

    static func text(_ tree: MemoryTree, _ path: String) -> String? {
        tree.contents[path].map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: comparing

    /// `- expected` / `+ actual` lines; empty when the findings are exactly the expected ones.
    static func compare(_ expect: [PolicyExpectation], _ e: Evaluation, ids: Set<String>) -> [String] {
        var diff: [String] = []
        var unmatched = e.findings.filter { $0.outcome == .fail || $0.outcome == .error }
        for x in expect {
            if !ids.contains(x.policy) {
                diff.append("- expected \(x.policy) \(x.target) \(x.outcome)   (policy not under test in this file)")
                continue
            }
            switch x.outcome {
            case "pass", "not-applicable":
                let evaluated = e.evaluatedTargets[x.policy]?.contains(x.target) ?? false
                let found = e.findings.first { $0.policy == x.policy && $0.target == x.target }
                let actual = !evaluated ? "no such target" : (found?.outcome.rawValue ?? "not-applicable")
                if actual != x.outcome { diff.append("- expected \(x.policy) \(x.target) \(x.outcome)\n+ actual   \(x.policy) \(x.target) \(actual)") }
            default:
                if let i = unmatched.firstIndex(where: { $0.policy == x.policy && $0.target == x.target }) {
                    let f = unmatched.remove(at: i)
                    let outcome = f.waived ? "waived" : f.outcome.rawValue
                    let messageOK = x.messageContains.map { f.message.contains($0) } ?? true
                    if outcome != x.outcome || !messageOK {
                        diff.append("- expected \(x.policy) \(x.target) \(x.outcome)" + (x.messageContains.map { ": …\($0)…" } ?? ""))
                        diff.append("+ actual   \(f.policy) \(f.target) \(outcome): \(f.message)")
                    }
                } else {
                    let other = e.findings.first { $0.policy == x.policy && $0.target == x.target }
                    let actual = other.map { $0.outcome.rawValue } ?? ((e.evaluatedTargets[x.policy]?.contains(x.target) ?? false) ? "not-applicable" : "no such target")
                    diff.append("- expected \(x.policy) \(x.target) \(x.outcome)")
                    diff.append("+ actual   \(x.policy) \(x.target) \(actual)")
                }
            }
        }
        for f in unmatched {
            diff.append("+ unexpected \(f.policy) \(f.target) \(f.waived ? "waived" : f.outcome.rawValue): \(f.message)")
        }
        return diff.flatMap { $0.split(separator: "\n").map(String.init) }
    }

    // MARK: building the case's mesh

    /// `commits:` of a case; a commit without `paths` touched every changed file.
    static func commits(_ value: YAMLValue?, files: [FileChange], at time: Int64) -> [CommitInfo] {
        func person(_ v: YAMLValue?) -> CommitInfo.Person? {
            switch v {
            case .string(let email)?: return CommitInfo.Person(name: String(email.split(separator: "@").first ?? ""), email: email)
            case .map(let m)?:
                let email = m.first { $0.0 == "email" }?.1.string ?? ""
                return CommitInfo.Person(name: m.first { $0.0 == "name" }?.1.string ?? email, email: email)
            default: return nil
            }
        }
        return (value?.list ?? []).enumerated().compactMap { i, entry in
            guard case .map(let m) = entry else { return nil }
            func field(_ k: String) -> YAMLValue? { m.first { $0.0 == k }?.1 }
            guard let author = person(field("author")) else { return nil }
            let paths = field("paths")?.list?.compactMap(\.string) ?? files.map(\.path)
            let time = field("time")?.string.flatMap(Value.parseTimestamp) ?? time
            return CommitInfo(id: field("id")?.string ?? String(repeating: String(i + 1), count: 40).prefix(40).description,
                              author: author, committer: person(field("committer")) ?? author,
                              coAuthors: (field("coAuthors")?.list ?? []).compactMap { person($0) },
                              message: field("message")?.string ?? "", time: time, paths: Set(paths))
        }
    }

    static func buildMesh(_ c: PolicyTestCase, _ fragments: YAMLValue?, testPath: String, tree: any FileTree,
                          diagnostics: inout [Diagnostic]) throws -> (Mesh, MemoryTree)? {
        var files = MemoryTree(label: "test case `\(c.name)`")
        if let fixture = c.mesh {
            let folder: String
            do {
                folder = try RepoPath.resolve(fixture, against: RepoPath.directory(of: testPath))
            } catch {
                diagnostics.append(.error("POL0702", "fixture `\(fixture)` is outside the repository", at: c.location))
                return nil
            }
            let paths = try tree.files(under: folder)
            if paths.isEmpty {
                diagnostics.append(.error("POL0702", "fixture folder `\(folder)` is empty or missing", at: c.location))
                return nil
            }
            for p in paths { files.contents[String(p.dropFirst(folder.count + 1))] = try tree.read(p) }
        }
        let given = Fragments(fragments)
        if files.contents["steward.yaml"] == nil || given.mesh != nil {
            files.write("steward.yaml", json(given.settings()))
        }
        let fixtureContracts = contractFiles(in: files)
        var written = Set<String>()
        for (domain, fragment) in given.domains() {
            given.write(domain: domain, fragment, into: &files, replacing: fixtureContracts, written: &written)
        }
        let loaded = try MeshLoader().load(from: files)
        if loaded.hasErrors || loaded.value == nil {
            let problems = loaded.diagnostics.filter { $0.severity == .error }.prefix(8).map { DiagnosticRenderer.short($0) }
            diagnostics.append(.error("POL0702", "the model of test case `\(c.name)` does not load", at: c.location,
                                      notes: Array(problems), help: "fragments are ODCS/ODPS documents; see §11 for the defaults"))
            return nil
        }
        return loaded.value.map { ($0, files) }
    }

    /// The contract files of a fixture, by contract id: a fragment of the same id replaces one.
    static func contractFiles(in files: MemoryTree) -> [String: String] {
        var out: [String: String] = [:]
        for (path, bytes) in files.contents where ChangeSet.entity(of: path) == "contract" {
            if case .contract(let c)? = Documents.load(bytes, path: path).value { out[c.id] = path }
        }
        return out
    }

    /// A file name made of a whole contract id, so that two ids never share one (their last
    /// segments may: `sales.eu.orders`, `sales.us.orders`); other characters than letters,
    /// digits, `.`, `_` and `-` are percent-encoded.
    static func fileName(of id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += (hex.count == 1 ? "%0" : "%") + hex
            }
        }
        return out
    }

    /// The `given` fragments, with the defaults of §11 filled in.
    struct Fragments {
        var mesh: [(String, YAMLValue)]?
        var domainMap: [(String, YAMLValue)]

        init(_ given: YAMLValue?) {
            var mesh: [(String, YAMLValue)]?
            var domains: [(String, YAMLValue)] = []
            if case .map(let pairs)? = given {
                for (k, v) in pairs {
                    if k == "mesh", case .map(let m) = v { mesh = m }
                    if k == "domains", case .map(let d) = v { domains = d }
                }
            }
            self.mesh = mesh
            self.domainMap = domains
        }

        func settings() -> YAMLValue {
            merge([("apiVersion", .string("steward/v1")), ("kind", .string("Mesh")), ("name", .string("test")),
                   ("platformTeam", .map([("team", .string("platform")), ("members", .list([.string("platform@acme.example")]))]))],
                  mesh ?? [])
        }

        func domains() -> [(String, [(String, YAMLValue)])] {
            domainMap.map { name, value in
                if case .map(let m) = value { (name, m) } else { (name, []) }
            }
        }

        /// Writes a domain's files. A contract replaces the fixture's contract of the same id
        /// in this domain, or else gets a file of its own, even when its id repeats another
        /// fragment's (the loader then reports the duplicate).
        func write(domain d: String, _ fragment: [(String, YAMLValue)], into files: inout MemoryTree,
                   replacing fixtureContracts: [String: String], written: inout Set<String>) {
            func field(_ k: String) -> YAMLValue? { fragment.first { $0.0 == k }?.1 }
            var domainFile: [(String, YAMLValue)] = [
                ("apiVersion", .string("steward/v1")), ("kind", .string("Domain")), ("name", .string(d)),
                ("owners", field("owners") ?? .map([("team", .string("\(d)-team")), ("members", .list([.string("owner@\(d).example")]))])),
            ]
            if let description = field("description") { domainFile.append(("description", description)) }
            files.write("domains/\(d)/domain.yaml", json(.map(domainFile)))
            for contract in field("contracts")?.list ?? [] {
                guard case .map(let c) = contract else { continue }
                let id = c.first { $0.0 == "id" }?.1.string ?? "\(d).unnamed"
                let doc = merge([("apiVersion", .string("v3.1.0")), ("kind", .string("DataContract")), ("id", .string(id)),
                                 ("version", .string("1.0.0")), ("status", .string("active"))], c)
                let folder = "domains/\(d)/contracts/"
                var path = fixtureContracts[id].flatMap { $0.hasPrefix(folder) ? $0 : nil } ?? folder + fileName(of: id) + ".odcs.yaml"
                var copy = 1
                while written.contains(path) {
                    copy += 1
                    path = folder + fileName(of: id) + "-\(copy).odcs.yaml"
                }
                written.insert(path)
                files.write(path, json(doc))
                // Local servers name source files; an empty one stands in for the data.
                for server in c.first(where: { $0.0 == "servers" })?.1.list ?? [] {
                    if case .map(let s) = server, let p = s.first(where: { $0.0 == "path" })?.1.string,
                       files.contents["domains/\(d)/\(p)"] == nil {
                        files.write("domains/\(d)/\(p)", "")
                    }
                }
            }
            for product in field("products")?.list ?? [] {
                guard case .map(let p) = product else { continue }
                let name = p.first { $0.0 == "name" }?.1.string ?? "unnamed"
                let ports: (String) -> [(String, YAMLValue)] = { key in
                    guard let list = p.first(where: { $0.0 == key })?.1.list else { return [] }
                    return [(key, .list(list.map { port in
                        guard case .map(let m) = port else { return port }
                        return merge([("version", .string("1.0.0"))], m)
                    }))]
                }
                var doc = merge([("apiVersion", .string("v1.0.0")), ("kind", .string("DataProduct")),
                                 ("id", .string("test-\(d)-\(name)")), ("name", .string(name)), ("domain", .string(d)),
                                 ("status", .string("active"))], p.filter { !["inputPorts", "outputPorts", "sql"].contains($0.0) })
                if case .map(var m) = doc {
                    m += ports("inputPorts") + ports("outputPorts")
                    doc = .map(m)
                }
                files.write("domains/\(d)/products/\(name).odps.yaml", json(doc))
                if let sql = p.first(where: { $0.0 == "sql" })?.1.string {
                    files.write("domains/\(d)/transforms/\(name).sql", sql)
                } else if files.contents["domains/\(d)/transforms/\(name).sql"] == nil {
                    files.write("domains/\(d)/transforms/\(name).sql", "SELECT 1;\n")
                }
            }
        }

        /// `over` keys replace `base` keys; the order is base's, then the new keys.
        func merge(_ base: [(String, YAMLValue)], _ over: [(String, YAMLValue)]) -> YAMLValue {
            var out = base
            for (k, v) in over {
                if let i = out.firstIndex(where: { $0.0 == k }) { out[i].1 = v } else { out.append((k, v)) }
            }
            return .map(out)
        }
    }

    /// JSON text, which is YAML, for a generated file.
    static func json(_ v: YAMLValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return quote(s)
        case .list(let items): return "[" + items.map(json).joined(separator: ", ") + "]"
        case .map(let pairs): return "{" + pairs.map { quote($0.0) + ": " + json($0.1) }.joined(separator: ", ") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
