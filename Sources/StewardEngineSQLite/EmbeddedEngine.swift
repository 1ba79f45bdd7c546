import Foundation
import StewardCore
import StewardEngine
import StewardModel

/// The default engine: SQLite, in process, over one warehouse file.
///
/// A run is one write transaction. It stages the rows (a source's file loaded into a new data
/// table; a transform's output in a temporary table, outside the warehouse file), checks them
/// against the contract, purges expired rows, measures the quality rules, writes the masked
/// rows into the new data table, verifies the masking, and switches the dataset's view to the
/// new table, all before COMMIT. Anything that fails rolls the whole transaction back: readers
/// never see a half-made dataset, and the last good version stays published. A crash does the
/// same, through SQLite's journal. docs/engine.md describes the layout and every rule.
public final class EmbeddedEngine: Engine {
    public let name = "embedded"
    /// The warehouse file.
    public let path: String
    let db: Database
    let functions: EngineFunctions

    public static let fileName = "warehouse.sqlite"
    static let stage = "steward_stage"

    /// Opens (creating if needed) `warehouse.sqlite` in `directory`.
    public init(warehouse directory: URL) throws(EngineError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EngineError("cannot create the warehouse folder `\(directory.path)`: \(error.localizedDescription)",
                              help: "check `warehouse` in steward.yaml and the folder's permissions")
        }
        path = directory.appendingPathComponent(Self.fileName).path
        do {
            db = try Database(path: path)
            try db.execute("PRAGMA busy_timeout = 10000;")
            // WAL: readers keep reading the published versions while a run writes the next ones.
            // Two applies started together open the warehouse together (before either holds
            // the lease), and switching a new file to WAL can fail at once with "database is
            // locked", the busy timeout notwithstanding: every statement here may run again, so
            // they are retried for as long as the timeout.
            let setup = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA cache_size = -65536;
                PRAGMA temp.cache_size = -262144;
                CREATE TABLE IF NOT EXISTS steward_datasets (
                    dataset TEXT PRIMARY KEY,
                    product TEXT,
                    version INTEGER,
                    data_table TEXT,
                    fingerprint TEXT,
                    rows INTEGER,
                    published_at TEXT,
                    last_outcome TEXT NOT NULL,
                    last_report TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS steward_runs (
                    run INTEGER PRIMARY KEY,
                    dataset TEXT NOT NULL,
                    version INTEGER,
                    outcome TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    report TEXT NOT NULL
                );
                """
            let deadline = Date().addingTimeInterval(10)
            while true {
                do {
                    try db.execute(setup)
                    break
                } catch where error.isBusy && Date() < deadline {
                    usleep(50_000)
                }
            }
        } catch {
            throw EngineError("cannot open the warehouse `\(path)`: \(error.message)",
                              help: "check the file's permissions; a file that is not a Steward warehouse cannot be used")
        }
        functions = EngineFunctions(db)
    }

    // MARK: - State

    struct Published {
        var version: Int
        var table: String
        var fingerprint: String
    }

    func published(_ dataset: String) throws(SQLiteError) -> Published? {
        let rows = try db.rows("SELECT version, data_table, fingerprint FROM steward_datasets WHERE dataset = ? AND version IS NOT NULL",
                               [.text(dataset)])
        guard let r = rows.first, case let .integer(v) = r[0], case let .text(t) = r[1] else { return nil }
        if case let .text(f) = r[2] { return Published(version: Int(v), table: t, fingerprint: f) }
        return Published(version: Int(v), table: t, fingerprint: "")
    }

    public func state(of dataset: String) throws(EngineError) -> DatasetState? {
        do {
            let rows = try db.rows("SELECT product, version, fingerprint, rows, last_outcome, last_report FROM steward_datasets WHERE dataset = ?",
                                   [.text(dataset)])
            guard let r = rows.first else { return nil }
            func text(_ v: SQLValue) -> String? { if case let .text(s) = v { s } else { nil } }
            func int(_ v: SQLValue) -> Int? { if case let .integer(i) = v { Int(i) } else { nil } }
            let report = text(r[5]).flatMap { try? JSONDecoder().decode(RunReport.self, from: Data($0.utf8)) }
            return DatasetState(dataset: dataset, product: text(r[0]), version: int(r[1]), fingerprint: text(r[2]), rows: int(r[3]),
                                lastRunFailed: text(r[4]) == RunReport.Outcome.failed.rawValue, lastReport: report)
        } catch {
            throw EngineError("cannot read the warehouse `\(path)`: \(error.message)")
        }
    }

    // MARK: - Run

    /// Stops a run whose reasons are already in the report.
    struct Failed: Error {}

    public func run(_ job: DatasetJob) throws(EngineError) -> RunReport {
        let started = ContinuousClock.now
        var report = RunReport(dataset: job.dataset, product: job.product, engine: name, asOf: TimeText.format(job.asOf))
        report.run = job.run
        report.definition = job.definition
        do {
            try db.execute("BEGIN IMMEDIATE")
        } catch {
            throw EngineError("cannot start a write transaction on the warehouse: \(error.message)",
                              help: "another apply may be writing it; try again when it ends")
        }
        // Under the write lock: if this very run already published this definition (another
        // process resumed it while this one was still working), that publish stands.
        if let id = job.run, let definition = job.definition, let done = try? state(of: job.dataset), let last = done.lastReport,
           last.run == id, last.definition == definition, last.outcome == .published, done.version == last.version {
            _ = try? db.execute("ROLLBACK")
            return last
        }
        var run = Run(engine: self, job: job)
        do {
            try run.materialize(&report)
            report.outcome = .published
            report.seconds = (ContinuousClock.now - started) / .seconds(1)
            job.progress?("publishing")
            try run.publish(&report)
            run.trace.mark("\(job.dataset): published")
            CrashPoint.reach("engine-before-commit")
            try db.execute("COMMIT")
            run.trace.mark("\(job.dataset): committed")
            functions.setMasker(nil)
            return report
        } catch is Failed {
            rollback()
            report.outcome = .failed
            report.version = nil
            report.fingerprint = nil
            report.seconds = (ContinuousClock.now - started) / .seconds(1)
            do { try recordFailure(&report) } catch {
                throw EngineError("cannot record the failure of `\(job.dataset)` in the warehouse: \(error.message)")
            }
            return report
        } catch {
            rollback()
            let message = (error as? SQLiteError)?.message ?? "\(error)"
            throw EngineError("the warehouse failed while materializing `\(job.dataset)`: \(message)",
                              help: "nothing was published; check free disk space and the file's permissions")
        }
    }

    public func publishedVersions() throws(EngineError) -> [String: Int] {
        do {
            var out: [String: Int] = [:]
            // Only datasets whose view and table are still there: a dropped table is not published.
            let tables = Set(try db.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { r -> String? in
                if case let .text(t) = r[0] { t } else { nil }
            })
            for r in try db.rows("SELECT dataset, version, data_table FROM steward_datasets WHERE version IS NOT NULL AND product IS NOT NULL") {
                guard case let .text(d) = r[0], case let .integer(v) = r[1], case let .text(t) = r[2], tables.contains(t) else { continue }
                out[d] = Int(v)
            }
            return out
        } catch {
            throw EngineError("cannot read the warehouse `\(path)`: \(error.message)")
        }
    }

    public func retire(_ dataset: String) throws(EngineError) -> Bool {
        do {
            try db.execute("BEGIN IMMEDIATE")
            do {
                let old = try published(dataset)
                if let old {
                    try db.execute("DROP VIEW IF EXISTS main.\(quoted(dataset)); DROP TABLE IF EXISTS main.\(quoted(old.table))")
                    _ = try db.rows("""
                        UPDATE steward_datasets SET version = NULL, data_table = NULL, fingerprint = NULL, rows = NULL,
                            last_outcome = 'retired' WHERE dataset = ?
                        """, [.text(dataset)])
                }
                try db.execute("COMMIT")
                return old != nil
            } catch {
                _ = try? db.execute("ROLLBACK")
                throw error
            }
        } catch {
            throw EngineError("cannot retire `\(dataset)` in the warehouse `\(path)`: \((error as? SQLiteError)?.message ?? "\(error)")")
        }
    }

    private func rollback() {
        _ = try? db.execute("ROLLBACK")
        db.onProgress(nil)
        functions.setMasker(nil)
        _ = try? db.execute("DROP TABLE IF EXISTS temp.\(Self.stage)")
    }

    private func recordFailure(_ report: inout RunReport) throws(SQLiteError) {
        report.publishedVersion = try published(report.dataset)?.version
        let json = Self.json(report)
        try db.execute("BEGIN IMMEDIATE")
        do {
            try db.rows("""
                INSERT INTO steward_datasets (dataset, product, last_outcome, last_report) VALUES (?, ?, 'failed', ?)
                ON CONFLICT (dataset) DO UPDATE SET last_outcome = 'failed', last_report = excluded.last_report
                """, [.text(report.dataset), report.product.map(SQLValue.text) ?? .null, .text(json)]).forEach { _ in }
            try db.rows("INSERT INTO steward_runs (dataset, version, outcome, finished_at, report) VALUES (?, NULL, 'failed', ?, ?)",
                        [.text(report.dataset), .text(TimeText.format(Date())), .text(json)]).forEach { _ in }
            try db.execute("COMMIT")
        } catch {
            _ = try? db.execute("ROLLBACK")
            throw error
        }
    }

    static func json(_ report: RunReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

}
