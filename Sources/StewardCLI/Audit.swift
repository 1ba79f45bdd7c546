import ArgumentParser
import Foundation
import StewardAudit
import StewardCore
import StewardEngine
import StewardGit
import StewardModel
import StewardPolicy
import Crypto

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The tamper-evident audit log kept in the mesh repository (refs/steward/audit).",
        subcommands: [AuditLogCommand.self, AuditShow.self, AuditVerify.self, AuditExport.self, AuditAnnotate.self, AuditKeygen.self]
    )

    static func open(_ path: String) throws -> Repository { try GlobalOptions.repository(at: path, for: "audit") }

    static func line(_ e: AuditEntry) -> String {
        let commits = e.meshCommits.map { String($0.prefix(10)) }.joined(separator: "..")
        func text(_ key: String) -> String? {
            switch e.details[key] {
            case let .string(s)?: s
            case let .number(n)?: String(Int(n))
            case let .bool(b)?: b ? "yes" : "no"
            default: nil
            }
        }
        // The few words that say what the entry is about, by type.
        let what: [String?] = switch e.type {
        case .check: [text("verdict")]
        case .productResult: [text("product"), text("outcome"), text("version").map { "v" + $0 }]
        case .retentionPurge: [text("product"), text("rowsPurged").map { "\($0) rows purged" }]
        case .waiverUsed: [text("policy"), text("target"), text("expires").map { "until \($0)" }]
        case .applyDone: [text("applied").map { "applied: \($0)" }]
        default: []
        }
        let about = what.compactMap { $0 }.joined(separator: " ")
        return "\(String(format: "%6d", e.seq))  \(e.time)  \(e.type.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(commits)"
            + (about.isEmpty ? "" : " \(about)") + "  \(e.actor)"
    }
}

struct AuditLogCommand: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The entries of the audit log, oldest first, filtered by type and time.",
        discussion: """
        Examples:
          steward audit log --type check --since 2026-11-01
          steward audit log --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only entries of this type (check, plan, apply-start, product-result, apply-done, retention-purge, waiver-used, annotation).", valueName: "type"))
    var type: AuditEntry.Kind?

    @Option(help: ArgumentHelp("Only entries about this product: its product-result and retention-purge entries.", valueName: "product"))
    var product: String?

    @Option(help: ArgumentHelp("Only entries at or after this date (YYYY-MM-DD or RFC 3339).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Only entries before the end of this date, or this instant.", valueName: "date"))
    var until: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try AuditCommand.open(global.repo)
        let window = try DateWindow(since: since, until: until)
        let entries = try AuditLog(repository: repository).entries().filter { e in
            if let type, e.type != type { return false }
            if let product, e.details["product"]?.string != product { return false }
            guard window.from != nil || window.to != nil else { return true }
            guard let when = Value.parseTimestamp(e.time) else { return false }
            return window.contains(Date(timeIntervalSince1970: TimeInterval(when)))
        }
        switch format {
        case .json: console.out(DiagnosticOutput.encode(entries))
        case .text:
            if entries.isEmpty { console.out("no entries") }
            for e in entries { console.out(AuditCommand.line(e)) }
        }
        return .success
    }
}

extension AuditEntry.Kind: ExpressibleByArgument {}

struct AuditShow: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Everything the audit log recorded about one mesh commit (found through its index, not a scan)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A mesh commit (any revision).", valueName: "commit"))
    var commit: String

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try AuditCommand.open(global.repo)
        let id = try repository.resolve(commit)
        let entries = try AuditLog(repository: repository).entries(about: id.description)
        console.out(DiagnosticOutput.encode(["commit": AnyEncodable(id.description), "entries": AnyEncodable(entries)]))
        return .success
    }
}

struct AuditAnnotate: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Appends a note to the audit log: the only way to correct it, since nothing in it is ever rewritten.",
        discussion: """
        The note names the mesh commits it is about (indexed, so `audit show` finds it) and, for \
        a correction, the entry it corrects. Signed like every append when the mesh lists keys.

        Examples:
          steward audit annotate --commit main --message "apply of 2026-11-23 ran with the wrong as-of date"
          steward audit annotate --corrects 41 --message "the waiver was approved by Ada, not Sam"
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("commit"), help: ArgumentHelp("A mesh commit the note is about (repeatable; any revision).", valueName: "rev"))
    var commits: [String] = []

    @Option(help: ArgumentHelp("The seq of the entry the note corrects.", valueName: "seq"))
    var corrects: Int?

    @Option(help: "The note.")
    var message: String

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try AuditCommand.open(global.repo)
        guard !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw UsageError(message: "the note is empty", help: "say what it records with --message")
        }
        let log = AuditLog(repository: repository)
        var about = try commits.map { try repository.resolve($0).description }
        if let corrects {
            let entries = try log.entries()
            guard entries.indices.contains(corrects) else {
                throw UsageError(message: "there is no entry \(corrects) in the audit log (it has \(entries.count))", help: "`steward audit log` lists them")
            }
            // About the same commits as the entry it corrects, so `audit show` finds both.
            about += entries[corrects].meshCommits.filter { !about.contains($0) }
        }
        guard !about.isEmpty || corrects != nil else {
            throw UsageError(message: "a note is about a mesh commit or corrects an entry", help: "give --commit REV or --corrects SEQ")
        }
        let me = repository.defaultSignature()
        let actor = ProcessInfo.processInfo.environment["STEWARD_ACTOR"] ?? me.email
        var details: [String: JSONValue] = ["message": .string(message)]
        if let corrects { details["corrects"] = .number(Double(corrects)) }
        let entry = AuditEntry(seq: -1, type: .annotation, meshCommits: about, actor: actor, time: TimeText.format(Date()), details: details)
        let (written, _) = try log.append(entry, by: Signature(name: me.name, email: actor, date: Date()),
                                          signer: try AuditSigning.signer(keys: try AuditSigning.meshKeys(repository)))
        console.out("recorded as audit entry \(written.seq)")
        return .success
    }
}

struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

struct AuditVerify: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks that the audit log is one unbroken, unedited chain that extends what was verified before.",
        discussion: """
        Verifies the chain (linear, gap-free, every entry parsing and hashing its predecessor, \
        every checkpoint matching the entries) and, against the size and Merkle root verified \
        last time in this clone (kept in the git folder) or given with --trusted-root, that the \
        log was not truncated, rewritten or forked. Names the first bad entry. Exit 0 sound, \
        1 tampered, 2 usage error.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("A checkpoint trusted from elsewhere, as SIZE:ROOT (hex).", valueName: "size:root"))
    var trustedRoot: String?

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try AuditCommand.open(global.repo)
        let remembered = URL(fileURLWithPath: repository.gitDir).appendingPathComponent("steward/audit-verified.json")
        var trusted = (try? Data(contentsOf: remembered)).flatMap { try? JSONDecoder().decode(AuditVerifier.Trusted.self, from: $0) }
        if let trustedRoot {
            let parts = trustedRoot.split(separator: ":")
            guard parts.count == 2, let size = Int(parts[0]), Merkle.unhex(String(parts[1]))?.count == 32 else {
                throw UsageError(message: "`\(trustedRoot)` is not SIZE:ROOT", help: "for example 120:3f1c… (64 hex digits), as `steward audit verify` prints")
            }
            trusted = .init(size: size, root: String(parts[1]), tip: nil)
        }
        let keys = try AuditSigning.meshKeys(repository)
        let report = try AuditVerifier(repository: repository).verify(trusted: trusted, keys: Dictionary(keys.map { ($0.name, $0.publicKey) }, uniquingKeysWith: { a, _ in a }))
        if let problem = report.problem {
            console.err("error: the audit log is not sound: \(problem)")
            return .findings
        }
        guard report.tip != nil else {
            console.out("no audit log yet (\(AuditLog.ref) does not exist): `steward check --record` appends the first entry")
            return .success
        }
        console.out("audit log sound: \(plural(report.size, "entry", "entries"))\(keys.isEmpty ? "" : ", every one signed by an allowed key"), root \(report.size):\(report.root)"
                    + (trusted.map { " (extends the \($0.size) verified before, " + (trustedRoot != nil ? "given with --trusted-root)" : "remembered in \(remembered.path))") } ?? ""))
        // Remember what was verified, so a later truncation or rewrite is caught here.
        do {
            try FileManager.default.createDirectory(at: remembered.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONEncoder().encode(AuditVerifier.Trusted(size: report.size, root: report.root, tip: report.tip)).write(to: remembered, options: .atomic)
        } catch {
            console.err("warning: cannot remember the verified root in \(remembered.path) (\(error.localizedDescription)); a later truncation would go unnoticed by the next verify")
        }
        return .success
    }
}

struct AuditKeygen: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Prints a new Ed25519 key pair for signing audit entries.",
        discussion: """
        Put the public key in steward.yaml (audit: keys: [{name, publicKey}]) and give the \
        private seed to the signer as STEWARD_AUDIT_KEY (a CI secret). From then on every \
        entry must be signed by a listed key.
        """
    )

    @OptionGroup var global: GlobalOptions

    func execute(_ console: Console) throws -> ExitStatus {
        let key = Curve25519.Signing.PrivateKey()
        console.out("publicKey: \(key.publicKey.rawRepresentation.base64EncodedString())")
        console.out("STEWARD_AUDIT_KEY=\(key.rawRepresentation.base64EncodedString())")
        return .success
    }
}

/// The signing side of the audit log for commands that append.
enum AuditSigning {
    /// The signer from `STEWARD_AUDIT_KEY`, named by the mesh key it matches; nil when the
    /// mesh lists no keys and none is given. Refuses to append unsigned to a mesh that
    /// requires signatures, or with a key it does not list.
    static func signer(keys: [AuditKey]) throws -> AuditLog.Signer? {
        guard let seed = ProcessInfo.processInfo.environment["STEWARD_AUDIT_KEY"] else {
            if keys.isEmpty { return nil }
            throw UsageError(message: "the mesh requires signed audit entries and STEWARD_AUDIT_KEY is not set",
                             help: "set STEWARD_AUDIT_KEY to the private seed of a key listed under audit: keys: in steward.yaml")
        }
        guard let probe = AuditLog.Signer(name: "", seed: seed) else {
            throw UsageError(message: "STEWARD_AUDIT_KEY is not a base64 Ed25519 seed (32 bytes)", help: "`steward audit keygen` prints one")
        }
        let pub = Array(probe.key.publicKey.rawRepresentation)
        guard let listed = keys.first(where: { $0.publicKey == pub }) else {
            throw UsageError(message: "the key in STEWARD_AUDIT_KEY is not listed in steward.yaml (audit: keys:)",
                             help: "add its public key \(Data(pub).base64EncodedString()) there, through a reviewed change")
        }
        return AuditLog.Signer(name: listed.name, key: probe.key)
    }

    /// The keys listed by the mesh at HEAD.
    static func meshKeys(_ repository: Repository) throws -> [AuditKey] {
        guard let head = try repository.head() else { return [] }
        return try MeshLoader.loadSettings(from: repository.tree(at: head)).value?.settings.auditKeys ?? []
    }
}

struct AuditExport: StewardCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Writes the audit log out for other tools: its entries, or OpenLineage events of the product runs.",
        discussion: """
        jsonl: each line is an entry exactly as stored (the bytes its hash and signature cover), \
        oldest first, so a copy can be verified line by line elsewhere. openlineage: for each \
        product the engine ran (a product-result entry), an OpenLineage 2-0-2 RunEvent START and \
        a COMPLETE (published) or FAIL, with the inputs read and their versions, and on the \
        output its schema, version, row count (outputStatistics) and the quality rules measured \
        (dataQualityAssertions); one event per line, for a lineage server to ingest.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, openlineage }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: jsonl (the entries as stored) or openlineage (RunEvents of the product runs, one a line).")
    var format: Format = .jsonl

    @Option(help: ArgumentHelp("The OpenLineage namespace of jobs and datasets; default the mesh name in steward.yaml at HEAD.",
                               valueName: "namespace"))
    var namespace: String?

    func execute(_ console: Console) throws -> ExitStatus {
        let repository = try AuditCommand.open(global.repo)
        let entries = try AuditLog(repository: repository).entries()
        switch format {
        case .jsonl:
            for e in entries { console.out(String(decoding: e.canonicalBytes, as: UTF8.self)) }
        case .openlineage:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let space = try namespace ?? Self.meshName(repository) ?? "steward"
            for event in OpenLineage.events(from: entries, namespace: space) {
                console.out(String(decoding: try encoder.encode(event), as: UTF8.self))
            }
        }
        return .success
    }

    static func meshName(_ repository: Repository) throws -> String? {
        guard let head = try repository.head() else { return nil }
        return try MeshLoader.loadSettings(from: repository.tree(at: head)).value?.settings.name
    }
}
