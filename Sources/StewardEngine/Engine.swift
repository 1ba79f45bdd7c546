import Foundation
import StewardCore
import StewardModel

/// A processing engine: materializes one dataset at a time (a source loaded from its file, or a
/// product's output computed by its transform), measures it against its contract and publishes
/// it only if it passes. docs/engine.md is the contract every engine keeps.
///
/// A run never throws for a problem of the product or its data (a bad transform, a malformed
/// source, a failed check): those are a `RunReport` with outcome `.failed` and diagnostics, and
/// the dataset keeps its last good version. It throws `EngineError` when the engine itself cannot
/// work (the warehouse cannot be opened or written).
public protocol Engine: AnyObject {
    /// The name products choose the engine by (`embedded`, `ray`).
    var name: String { get }
    func run(_ job: DatasetJob) throws(EngineError) -> RunReport
    /// What is published for a dataset (a contract id), if anything, and how its last run ended.
    func state(of dataset: String) throws(EngineError) -> DatasetState?
    /// Takes a dataset out of the warehouse (its product was retired): readers no longer see
    /// it. Returns whether there was a published version. Doing it twice is harmless.
    func retire(_ dataset: String) throws(EngineError) -> Bool
    /// The version readers see of every published product dataset (sources left out), in one
    /// read: the reconciler checks that what its state says is published still is.
    func publishedVersions() throws(EngineError) -> [String: Int]
}

/// One unit of work: the dataset a contract describes, and how to make it.
public struct DatasetJob: Sendable {
    public enum Work: Sendable {
        /// A source contract's data file.
        case load(SourceData)
        /// A product's transform over its declared inputs.
        case transform(Transform)
    }

    /// The contract of the dataset: its id names the dataset in the warehouse.
    public var contract: Contract
    /// The product id (`<domain>.<name>`), nil for a source.
    public var product: String?
    public var work: Work
    /// The instant retention is measured from (the sample data's date in demos and tests, the
    /// time of the apply otherwise). Whole seconds count; a fraction is dropped.
    public var asOf: Date
    /// The secret for `hash` and `tokenize` masking; needed only when a column uses them.
    public var salt: MaskingSalt?
    /// Stops a transform or sql rule that runs longer than this; nil means no limit.
    public var timeLimit: Duration?
    /// The reconciler's run that asked for this job, kept in the report: after a crash, the
    /// next apply finds what that run already published instead of running it again.
    public var run: String?
    /// The reconciler's fingerprint of what the dataset is made from (docs/reconciler.md §3),
    /// kept in the report beside the engine's fingerprint of the rows.
    public var definition: String?
    /// Told each phase of the run as it starts (`loading`, `transforming`, …), for a live display.
    public var progress: (@Sendable (String) -> Void)?

    public init(contract: Contract, product: String?, work: Work, asOf: Date, salt: MaskingSalt? = nil,
                timeLimit: Duration? = nil, run: String? = nil, definition: String? = nil) {
        self.contract = contract
        self.product = product
        self.work = work
        self.asOf = asOf
        self.salt = salt
        self.timeLimit = timeLimit
        self.run = run
        self.definition = definition
    }

    public var dataset: String { contract.id }
}

/// Where a source's rows come from.
public struct SourceData: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }
    public enum Origin: Sendable {
        /// A file on disk, read in chunks.
        case file(path: String)
        /// Bytes already in memory (a blob read from a commit).
        case bytes([UInt8])
    }

    public var origin: Origin
    public var format: Format
    /// The repository-relative path that messages cite (`domains/customer/sources/customers.csv`).
    public var label: String

    public init(origin: Origin, format: Format, label: String) {
        self.origin = origin
        self.format = format
        self.label = label
    }
}

/// A product's transform and the inputs it declared.
public struct Transform: Sendable {
    public enum Language: String, Sendable { case sql, python }

    public var text: String
    public var language: Language
    /// The repository-relative path of the transform file, for messages.
    public var label: String
    public var inputs: [Input]

    public init(text: String, language: Language = .sql, label: String, inputs: [Input]) {
        self.text = text
        self.language = language
        self.label = label
        self.inputs = inputs
    }
}

/// A declared input: the table name the transform reads (`InputPort.name`) and the dataset behind it.
public struct Input: Sendable {
    public var port: String
    public var contract: Contract
    /// Where the port is declared, for messages.
    public var location: SourceLocation?

    public init(port: String, contract: Contract, location: SourceLocation? = nil) {
        self.port = port
        self.contract = contract
        self.location = location
    }

    public var dataset: String { contract.id }
}

/// What a run did, for the reconciler, `steward status` and the audit log.
public struct RunReport: Sendable, Codable, Hashable {
    public enum Outcome: String, Sendable, Codable { case published, failed }

    public var dataset: String
    public var product: String?
    public var engine: String
    /// The reconciler's run and definition fingerprint the job carried (nil outside `apply`).
    public var run: String?
    public var definition: String?
    public var outcome: Outcome
    /// The version this run published, or nil when it failed.
    public var version: Int?
    /// The version readers still see: the new one, or on failure the last good one (nil if none).
    public var publishedVersion: Int?
    /// `asOf` as `YYYY-MM-DDTHH:MM:SSZ`.
    public var asOf: String
    /// Rows loaded from the source or produced by the transform, before the retention purge.
    public var rowsIn: Int
    /// Rows removed because their time column is older than the retention.
    public var rowsPurged: Int
    /// Rows kept although their time column is null (their age cannot be told).
    public var rowsUndated: Int
    /// Rows published (or that would have been, had the run passed).
    public var rowsOut: Int
    public var quality: [QualityMeasurement]
    public var masking: [MaskingApplied]
    public var inputs: [InputRead]
    /// Fingerprint of what was published (docs/engine.md, "Fingerprints"); nil on failure.
    public var fingerprint: String?
    public var seconds: Double
    /// Why the run failed (errors), and what it noticed without failing (warnings).
    public var diagnostics: [Diagnostic]

    public init(dataset: String, product: String?, engine: String, asOf: String) {
        self.dataset = dataset
        self.product = product
        self.engine = engine
        self.outcome = .failed
        self.asOf = asOf
        self.rowsIn = 0
        self.rowsPurged = 0
        self.rowsUndated = 0
        self.rowsOut = 0
        self.quality = []
        self.masking = []
        self.inputs = []
        self.seconds = 0
        self.diagnostics = []
    }

    public var failures: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// One quality rule as measured.
public struct QualityMeasurement: Sendable, Codable, Hashable {
    /// `customer_360.email nullValues`, or the sql rule's name.
    public var rule: String
    public var metric: String
    public var dimension: String?
    /// The measured value in the rule's unit (a count of rows, or a percentage of all rows);
    /// nil when the rule could not be measured.
    public var value: Double?
    /// The count behind a percentage.
    public var count: Int?
    public var unit: String
    /// `< 5`, `between 100 and 1000000`; nil when the rule sets no bound.
    public var threshold: String?
    public var passed: Bool
    /// `error` (the default), `warning` or `info`: only a failed `error` rule blocks publication.
    public var severity: String
    public var location: SourceLocation?

    public init(rule: String, metric: String, dimension: String?, value: Double?, count: Int?, unit: String,
                threshold: String?, passed: Bool, severity: String, location: SourceLocation?) {
        self.rule = rule
        self.metric = metric
        self.dimension = dimension
        self.value = value
        self.count = count
        self.unit = unit
        self.threshold = threshold
        self.passed = passed
        self.severity = severity
        self.location = location
    }
}

/// How one column was masked on publish.
public struct MaskingApplied: Sendable, Codable, Hashable {
    public var column: String
    public var strategy: String
    /// Non-null values replaced (for `drop`, values removed).
    public var values: Int

    public init(column: String, strategy: String, values: Int) {
        self.column = column
        self.strategy = strategy
        self.values = values
    }
}

/// An input as the run read it.
public struct InputRead: Sendable, Codable, Hashable {
    public var port: String
    public var dataset: String
    public var version: Int
    public var fingerprint: String

    public init(port: String, dataset: String, version: Int, fingerprint: String) {
        self.port = port
        self.dataset = dataset
        self.version = version
        self.fingerprint = fingerprint
    }
}

/// The published state of a dataset.
public struct DatasetState: Sendable, Hashable {
    public var dataset: String
    public var product: String?
    /// The version readers see, or nil when nothing was ever published.
    public var version: Int?
    public var fingerprint: String?
    public var rows: Int?
    /// Whether the last run failed (the published version, if any, is then older than that run).
    public var lastRunFailed: Bool
    /// The last run's report.
    public var lastReport: RunReport?

    public init(dataset: String, product: String?, version: Int?, fingerprint: String?, rows: Int?,
                lastRunFailed: Bool, lastReport: RunReport?) {
        self.dataset = dataset
        self.product = product
        self.version = version
        self.fingerprint = fingerprint
        self.rows = rows
        self.lastRunFailed = lastRunFailed
        self.lastReport = lastReport
    }
}

/// The engine could not do its work at all (not a problem of one dataset).
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var help: String?

    public init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }

    public var description: String { help.map { "\(message) (\($0))" } ?? message }
}
