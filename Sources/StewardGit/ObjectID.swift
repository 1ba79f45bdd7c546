import StewardCore

/// A git object id (SHA-1), kept as 40 lowercase hex digits.
///
/// A plain Swift value so callers never see libgit2's `git_oid`; ids compare and sort by
/// their hex text, which gives a stable order for output.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 40-character lowercase hex form.
    public let hex: String

    /// The 7-character abbreviation used in messages (`commit 1a2b3c4`).
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    /// Parses a full 40-digit hex id (either case). Abbreviated ids need a repository to be
    /// expanded: use `Repository.resolve(_:)` for those.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40, utf8.allSatisfy({ ObjectID.nibble($0) != nil }) else { return nil }
        self.hex = hex.lowercased()
    }

    /// For values already known to be well formed (produced by libgit2).
    init(validatedHex: String) { self.hex = validatedHex }

    public static func < (a: ObjectID, b: ObjectID) -> Bool { a.hex < b.hex }

    /// Encoded as the bare hex string, so ids read naturally in JSON state and audit files.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ObjectID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "`\(text)` is not a 40-digit object id"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }

    /// The 20 raw bytes of the id.
    var rawBytes: [UInt8] {
        let digits = Array(hex.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i + 1 < digits.count {
            out.append((ObjectID.nibble(digits[i]) ?? 0) << 4 | (ObjectID.nibble(digits[i + 1]) ?? 0))
            i += 2
        }
        return out
    }

    static func hexString(_ bytes: UnsafeRawBufferPointer) -> String {
        Hex.lowercase(bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? { Hex.value(c) }
}
