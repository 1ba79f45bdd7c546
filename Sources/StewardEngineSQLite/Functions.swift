internal import CSQLite
import StewardEngine
import StewardPolicy

/// The engine's own SQL functions, registered on its connection. User SQL cannot call them
/// (the authorizer refuses `steward_*`): they carry the masking secret.
///
/// - `steward_mask_hash(x)`, `steward_mask_token(x)`: docs/engine.md's masking, null for null
/// - `steward_matches(k, x)`: 1 when pattern `k` of the run matches somewhere in `x`
/// - `steward_fingerprint(c1, …, cn)`: aggregate, the dataset fingerprint of its rows
/// - `steward_is_date(x)`, `steward_is_timestamp(x)`: 1 when `x` is in canonical form
/// - `steward_has_mask_form(k, x)`: 1 when `x` looks as `hash` (k = 0) or `tokenize` (k = 1) makes it
final class EngineFunctions {
    private let db: Database
    private var masker: MaskerBox?
    private let patterns = PatternBox()
    private var fingerprint: FingerprintBox?

    init(_ db: Database) {
        self.db = db
        // The canonical date and timestamp forms, as TimeText defines them for every engine.
        sqlite3_create_function_v2(db.handle, "steward_is_date", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, { c, _, args in
            let p = sqlite3_value_text(args![0])
            let ok = p.map { TimeText.isDate(UnsafeBufferPointer(start: $0, count: Int(sqlite3_value_bytes(args![0])))) } ?? false
            sqlite3_result_int(c, ok ? 1 : 0)
        }, nil, nil, nil)
        sqlite3_create_function_v2(db.handle, "steward_has_mask_form", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, { c, _, args in
            let strategy: MaskingStrategy = sqlite3_value_int(args![0]) == 1 ? .tokenize : .hash
            let p = sqlite3_value_text(args![1])
            let ok = p.map { Masker.hasForm(strategy, UnsafeBufferPointer(start: $0, count: Int(sqlite3_value_bytes(args![1])))) } ?? false
            sqlite3_result_int(c, ok ? 1 : 0)
        }, nil, nil, nil)
        sqlite3_create_function_v2(db.handle, "steward_is_timestamp", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, { c, _, args in
            let p = sqlite3_value_text(args![0])
            let ok = p.map { TimeText.timestamp(UnsafeBufferPointer(start: $0, count: Int(sqlite3_value_bytes(args![0])))) == .canonical } ?? false
            sqlite3_result_int(c, ok ? 1 : 0)
        }, nil, nil, nil)
        let ctx = Unmanaged.passUnretained(patterns).toOpaque()
        sqlite3_create_function_v2(db.handle, "steward_matches", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, ctx, { c, _, args in
            let box = Unmanaged<PatternBox>.fromOpaque(sqlite3_user_data(c)!).takeUnretainedValue()
            let k = Int(sqlite3_value_int64(args![0]))
            guard sqlite3_value_type(args![1]) != SQLITE_NULL, box.patterns.indices.contains(k),
                  let p = sqlite3_value_text(args![1]) else { sqlite3_result_null(c); return }
            let text = String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_value_bytes(args![1]))), as: UTF8.self)
            sqlite3_result_int(c, box.patterns[k].contains(in: text) ? 1 : 0)
        }, nil, nil, nil)
    }

    /// The patterns `steward_matches` refers to by index, for the run that is starting.
    func setPatterns(_ list: [PolicyRegex]) { patterns.patterns = list }

    /// Registers the masking functions with this run's secret (or removes them without one).
    func setMasker(_ m: Masker?) {
        masker = m.map(MaskerBox.init)
        let ctx = masker.map { Unmanaged.passUnretained($0).toOpaque() }
        for (name, token) in [("steward_mask_hash", false), ("steward_mask_token", true)] {
            guard let ctx else {
                sqlite3_create_function_v2(db.handle, name, 1, SQLITE_UTF8, nil, nil, nil, nil, nil)
                continue
            }
            let fn: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = token
                ? { c, _, args in EngineFunctions.mask(c, args, token: true) }
                : { c, _, args in EngineFunctions.mask(c, args, token: false) }
            sqlite3_create_function_v2(db.handle, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, ctx, fn, nil, nil, nil)
        }
    }

    private static func mask(_ c: OpaquePointer?, _ args: UnsafeMutablePointer<OpaquePointer?>?, token: Bool) {
        let box = Unmanaged<MaskerBox>.fromOpaque(sqlite3_user_data(c)!).takeUnretainedValue()
        guard sqlite3_value_type(args![0]) != SQLITE_NULL else { sqlite3_result_null(c); return }
        let p = sqlite3_value_text(args![0])
        let value = UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(args![0])))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { out in
            let n = token ? box.masker.token(value, into: out.baseAddress!) : box.masker.hash(value, into: out.baseAddress!)
            out.withMemoryRebound(to: CChar.self) { steward_sqlite3_result_text_transient(c, $0.baseAddress, Int32(n)) }
        }
    }

    /// Registers `steward_fingerprint` for the columns of one table, in order.
    func prepareFingerprint(_ columns: [(name: String, type: LogicalType)]) {
        let box = FingerprintBox(Fingerprinter(columns: columns))
        fingerprint = box
        sqlite3_create_function_v2(db.handle, "steward_fingerprint", Int32(columns.count), SQLITE_UTF8,
                                   Unmanaged.passUnretained(box).toOpaque(), nil, { c, n, args in
            let box = Unmanaged<FingerprintBox>.fromOpaque(sqlite3_user_data(c)!).takeUnretainedValue()
            box.value.beginRow()
            for i in 0..<Int(n) {
                let v = args![i]
                if sqlite3_value_type(v) == SQLITE_NULL { box.value.addNull(); continue }
                switch box.types[i] {
                case .integer, .boolean: box.value.addInteger(sqlite3_value_int64(v))
                case .number: box.value.addNumber(sqlite3_value_double(v))
                case .string, .date, .timestamp:
                    let p = sqlite3_value_text(v)
                    box.value.addText(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(v))))
                }
            }
            box.value.endRow()
        }, { c in
            let box = Unmanaged<FingerprintBox>.fromOpaque(sqlite3_user_data(c)!).takeUnretainedValue()
            var text = box.value.finish()
            text.withUTF8 { u in u.withMemoryRebound(to: CChar.self) { steward_sqlite3_result_text_transient(c, $0.baseAddress, Int32($0.count)) } }
        }, nil)
    }

    private final class MaskerBox {
        let masker: Masker
        init(_ m: Masker) { masker = m }
    }

    private final class PatternBox {
        var patterns: [PolicyRegex] = []
    }

    private final class FingerprintBox {
        var value: Fingerprinter
        let types: [LogicalType]
        init(_ f: Fingerprinter) {
            value = f
            types = f.columns.map(\.type)
        }
    }
}
