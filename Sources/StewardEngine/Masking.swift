import Crypto
import Foundation
import StewardCore

/// How a property is masked on publish (`customProperties.anonymizationStrategy`).
public enum MaskingStrategy: String, Sendable, Codable, CaseIterable {
    case none, hash, redact, tokenize, drop

    /// Whether the strategy needs the secret salt.
    public var needsSalt: Bool { self == .hash || self == .tokenize }
}

/// The secret behind `hash` and `tokenize`. Read from the environment, never from the mesh:
/// whoever knows it can test guesses against masked values.
public struct MaskingSalt: Sendable {
    public static let environmentVariable = "STEWARD_MASKING_SALT"
    /// Shorter secrets can be searched exhaustively.
    public static let minimumBytes = 16

    let bytes: [UInt8]

    /// Fails when the secret is shorter than `minimumBytes` bytes of UTF-8.
    public init(_ secret: String) throws(EngineError) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumBytes else {
            throw EngineError("the masking salt is \(bytes.count) bytes long; at least \(Self.minimumBytes) are needed",
                              help: "set \(Self.environmentVariable) to a long random secret, for example `openssl rand -hex 32`")
        }
        self.bytes = bytes
    }

    /// The salt from `STEWARD_MASKING_SALT`, nil when the variable is unset or empty.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(EngineError) -> MaskingSalt? {
        guard let s = environment[environmentVariable], !s.isEmpty else { return nil }
        return try MaskingSalt(s)
    }
}

/// The masking functions, exactly as docs/engine.md defines them. Every engine must produce
/// the same bytes: a product masked by one engine joins with one masked by another.
///
/// - hash: the 64 lowercase hex digits of HMAC-SHA256(key: salt, message: "steward:hash:" + value)
/// - tokenize: "tok_" + the first 32 hex digits of HMAC-SHA256(key: salt, message: "steward:tokenize:" + value)
/// - redact: the text `[redacted]`
/// - drop: null
///
/// `value` is the UTF-8 text of the value. Null stays null under every strategy.
public struct Masker {
    public static let redactedMarker = "[redacted]"
    public static let tokenPrefix = "tok_"
    /// Hex digits kept in a token (128 bits: collisions are out of reach at any table size).
    public static let tokenHexDigits = 32

    // The HMAC states after the key and the strategy's prefix: each value costs two SHA-256
    // compressions, not four.
    private let hashState: HMAC<SHA256>
    private let tokenState: HMAC<SHA256>

    public init(salt: MaskingSalt) {
        let key = SymmetricKey(data: salt.bytes)
        var h = HMAC<SHA256>(key: key)
        h.update(data: Array("steward:hash:".utf8))
        hashState = h
        var t = HMAC<SHA256>(key: key)
        t.update(data: Array("steward:tokenize:".utf8))
        tokenState = t
    }

    /// Writes the masked form of `value` as ASCII into `out` (at least 64 bytes) and returns its length.
    public func hash(_ value: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var h = hashState
        h.update(data: value)
        return Self.hex(h.finalize(), digits: 64, into: out)
    }

    public func token(_ value: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var h = tokenState
        h.update(data: value)
        for (i, b) in Self.tokenPrefix.utf8.enumerated() { out[i] = b }
        return Self.tokenPrefix.utf8.count + Self.hex(h.finalize(), digits: Self.tokenHexDigits, into: out + Self.tokenPrefix.utf8.count)
    }

    /// The masked text of a value, for tests and for engines that work on strings.
    public func mask(_ value: String?, _ strategy: MaskingStrategy) -> String? {
        guard let value else { return nil }
        switch strategy {
        case .none: return value
        case .redact: return Self.redactedMarker
        case .drop: return nil
        case .hash, .tokenize:
            var bytes = Array(value.utf8)
            var out = [UInt8](repeating: 0, count: 64)
            let n = bytes.withUnsafeMutableBytes { v in
                out.withUnsafeMutableBufferPointer { o in
                    strategy == .hash ? hash(UnsafeRawBufferPointer(v), into: o.baseAddress!)
                        : token(UnsafeRawBufferPointer(v), into: o.baseAddress!)
                }
            }
            return String(decoding: out[..<n], as: UTF8.self)
        }
    }

    /// Whether `text` has the form `strategy` gives (`hash`: 64 lowercase hex digits; `tokenize`:
    /// the prefix and 32 of them). The verification after masking checks every published value.
    public static func hasForm(_ strategy: MaskingStrategy, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let prefix = strategy == .tokenize ? tokenPrefix.utf8.count : 0
        let hex = strategy == .tokenize ? tokenHexDigits : 64
        guard strategy == .hash || strategy == .tokenize, text.count == prefix + hex else { return false }
        if strategy == .tokenize, !zip(text, tokenPrefix.utf8).allSatisfy({ $0 == $1 }) { return false }
        for b in text[prefix...] where !((b >= 48 && b <= 57) || (b >= 97 && b <= 102)) { return false }
        return true
    }

    private static let digits = Hex.digits

    private static func hex(_ mac: HashedAuthenticationCode<SHA256>, digits count: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        mac.withUnsafeBytes { bytes in
            for i in 0..<(count / 2) {
                out[2 * i] = digits[Int(bytes[i] >> 4)]
                out[2 * i + 1] = digits[Int(bytes[i] & 0x0F)]
            }
        }
        return count
    }
}
