/// Lowercase hexadecimal text of bytes: digests, object ids, run ids. One table, no
/// `String(format:)` per byte (which costs more than the SHA-256 it prints).
public enum Hex {
    public static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func lowercase(_ bytes: some Sequence<UInt8>, prefix: String = "") -> String {
        var out = Array(prefix.utf8)
        out.reserveCapacity(out.count + 64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
