import Crypto
import Foundation

/// One record of the audit log (docs/audit-log.md §1). Stored as canonical JSON: keys sorted,
/// no white space, so its bytes (and hashes) are a function of its content.
public struct AuditEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case check, plan, applyStart = "apply-start", productResult = "product-result", applyDone = "apply-done"
        case retentionPurge = "retention-purge", waiverUsed = "waiver-used", annotation
    }

    /// Position in the log, from 0, without gaps.
    public var seq: Int
    public var type: Kind
    public var run: String?
    /// The mesh commits the entry is about (a check: base and head; an apply: the target).
    public var meshCommits: [String]
    /// The commit whose policies and waivers decided, for checks.
    public var policyRevision: String?
    public var actor: String
    /// RFC 3339, UTC.
    public var time: String
    /// SHA-256 (hex) of the previous entry's bytes; empty for the first.
    public var prev: String
    /// What the entry records, by type: findings and waivers of a check, a product's result
    /// (fingerprints, rows, quality metrics, rows purged, masking applied, engine, duration)...
    /// Values of PII columns never go here (docs/audit-log.md §1).
    public var details: [String: JSONValue]

    public init(seq: Int, type: Kind, run: String? = nil, meshCommits: [String], policyRevision: String? = nil,
                actor: String, time: String, prev: String = "", details: [String: JSONValue] = [:]) {
        (self.seq, self.type, self.run, self.meshCommits, self.policyRevision) = (seq, type, run, meshCommits, policyRevision)
        (self.actor, self.time, self.prev, self.details) = (actor, time, prev, details)
    }

    public var canonicalBytes: [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try! e.encode(self))
    }
}

/// Any JSON value, for the type-specific part of an entry.
public indirect enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? try c.encode(Int64(n)) : try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// Reading an entry's details without a `switch` per value.
extension JSONValue {
    public var string: String? { if case let .string(s) = self { s } else { nil } }
    public var number: Double? { if case let .number(n) = self { n } else { nil } }
    public var array: [JSONValue]? { if case let .array(a) = self { a } else { nil } }
    public func field(_ key: String) -> JSONValue? { if case let .object(o) = self { o[key] } else { nil } }
}
