import Crypto
import StewardCore

/// The fingerprint of a published dataset: equal for equal contents, whatever the row order
/// and whatever engine wrote them (docs/engine.md, "Fingerprints").
///
/// Each row is encoded cell by cell by its column's logical type and hashed with SHA-256; the
/// row digests are added as 256-bit integers (mod 2^256), so order does not matter and a
/// repeated row counts twice. The fingerprint is SHA-256 over a header (the column names and
/// types), the row count and that sum.
public struct Fingerprinter: Sendable {
    public let columns: [(name: String, type: LogicalType)]
    private var sum: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // most significant first
    public private(set) var rows = 0
    /// The current row's encoding, reused across rows.
    private var row: [UInt8] = []

    public init(columns: [(name: String, type: LogicalType)]) {
        self.columns = columns
        row.reserveCapacity(256)
    }

    // Cell encoding: a tag byte, then the value.
    public mutating func beginRow() { row.removeAll(keepingCapacity: true) }
    public mutating func addNull() { row.append(0) }
    /// An `integer` or `boolean` cell.
    public mutating func addInteger(_ v: Int64) {
        row.append(1)
        appendBigEndian(UInt64(bitPattern: v))
    }
    /// A `number` cell: the IEEE 754 bits, with -0 read as 0.
    public mutating func addNumber(_ v: Double) {
        row.append(2)
        appendBigEndian((v == 0 ? 0.0 : v).bitPattern)
    }
    /// A text cell (`string`, `date`, `timestamp`): its length, then its UTF-8 bytes.
    public mutating func addText(_ bytes: UnsafeRawBufferPointer) {
        row.append(3)
        let n = UInt32(truncatingIfNeeded: bytes.count)
        row.append(UInt8(n >> 24)); row.append(UInt8((n >> 16) & 0xFF)); row.append(UInt8((n >> 8) & 0xFF)); row.append(UInt8(n & 0xFF))
        row.append(contentsOf: bytes)
    }

    public mutating func endRow() {
        let digest = row.withUnsafeBytes { SHA256.hash(data: $0) }
        digest.withUnsafeBytes { d in
            func limb(_ i: Int) -> UInt64 {
                var v: UInt64 = 0
                for k in 0..<8 { v = v << 8 | UInt64(d[i * 8 + k]) }
                return v
            }
            var carry: UInt64 = 0
            func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
                let (s1, o1) = a.addingReportingOverflow(b)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
                return s2
            }
            sum.3 = add(sum.3, limb(3))
            sum.2 = add(sum.2, limb(2))
            sum.1 = add(sum.1, limb(1))
            sum.0 = add(sum.0, limb(0))
        }
        rows += 1
    }

    /// `sha256:` and 64 hex digits.
    public func finish() -> String {
        var h = SHA256()
        var header = "steward-fingerprint-v1\n"
        for c in columns { header += "\(c.name):\(c.type.rawValue)\n" }
        h.update(data: Array(header.utf8))
        var tail: [UInt8] = []
        for v in [UInt64(rows), sum.0, sum.1, sum.2, sum.3] {
            for k in (0..<8).reversed() { tail.append(UInt8((v >> (UInt64(k) * 8)) & 0xFF)) }
        }
        h.update(data: tail)
        return Hex.lowercase(h.finalize(), prefix: "sha256:")
    }

    private mutating func appendBigEndian(_ v: UInt64) {
        for k in (0..<8).reversed() { row.append(UInt8((v >> (UInt64(k) * 8)) & 0xFF)) }
    }
}
