import Foundation

/// Dates and timestamps as the engines store them: text that sorts as time does.
///
/// - date: `YYYY-MM-DD`
/// - timestamp: `YYYY-MM-DDTHH:MM:SS` with an optional fraction `.d+`, then `Z` (UTC)
///
/// Sources may write a timestamp with a space for `T`, without a zone (read as UTC) or with an
/// offset (`+02:00`, `+0200`, `+02`); loading rewrites it in the form above. Transforms must
/// produce that form themselves (`strftime('%Y-%m-%dT%H:%M:%SZ', …)` in SQLite).
public enum TimeText {
    public enum Parsed: Equatable, Sendable {
        /// The text is already in canonical form.
        case canonical
        /// The canonical form of a valid value written another way.
        case rewritten(String)
        case invalid
    }

    /// Whether `text` is a valid `YYYY-MM-DD`.
    public static func isDate(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count == 10 && date(text, 0) != nil
    }

    public static func isDate(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { isDate($0) }
    }

    /// Checks and canonicalizes a timestamp.
    public static func timestamp(_ t: UnsafeBufferPointer<UInt8>) -> Parsed {
        guard t.count >= 19, let (y, mo, d) = date(t, 0), t[10] == UInt8(ascii: "T") || t[10] == UInt8(ascii: " "),
              let h = number(t, 11, 2), t[13] == colon, let mi = number(t, 14, 2), t[16] == colon,
              let s = number(t, 17, 2), h < 24, mi < 60, s < 60 else { return .invalid }
        var i = 19
        var fractionEnd = 19
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < t.count, isDigit(t[i]) { i += 1 }
            guard i > start else { return .invalid }
            fractionEnd = i
        }
        var offsetMinutes = 0
        var hadZ = false
        if i < t.count {
            switch t[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                hadZ = t[i] == UInt8(ascii: "Z")
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = t[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = number(t, i + 1, 2), oh < 24 else { return .invalid }
                var om = 0
                i += 3
                if i < t.count, t[i] == colon { i += 1 }
                if i < t.count {
                    guard let m = number(t, i, 2), m < 60 else { return .invalid }
                    om = m
                    i += 2
                }
                offsetMinutes = sign * (oh * 60 + om)
            default: return .invalid
            }
        }
        guard i == t.count else { return .invalid }
        if hadZ && t[10] == UInt8(ascii: "T") { return .canonical }
        let fraction = String(decoding: UnsafeBufferPointer(rebasing: t[19..<fractionEnd]), as: UTF8.self)
        let seconds = Int64(daysFromCivil(y, mo, d)) * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offsetMinutes * 60)
        let whole = format(epochSeconds: seconds)
        return .rewritten(String(whole.dropLast()) + fraction + "Z")
    }

    public static func timestamp(_ text: String) -> Parsed {
        var t = text
        return t.withUTF8 { timestamp($0) }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970-01-01T00:00:00Z.
    public static func format(epochSeconds: Int64) -> String {
        let days = Int(epochSeconds.floorDiv(86_400))
        let rest = Int(epochSeconds - Int64(days) * 86_400)
        let (y, m, d) = civilFromDays(days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = y < 0 ? "-" + String(repeating: "0", count: max(0, 4 - String(-y).count)) + String(-y)
            : String(repeating: "0", count: max(0, 4 - String(y).count)) + String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    public static func format(_ date: Date) -> String {
        format(epochSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    // MARK: - Pieces

    private static let colon = UInt8(ascii: ":")

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private static func number(_ t: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        guard at + count <= t.count else { return nil }
        var n = 0
        for i in at..<(at + count) {
            guard isDigit(t[i]) else { return nil }
            n = n * 10 + Int(t[i] - 48)
        }
        return n
    }

    private static func date(_ t: UnsafeBufferPointer<UInt8>, _ at: Int) -> (Int, Int, Int)? {
        guard let y = number(t, at, 4), t.count > at + 9, t[at + 4] == UInt8(ascii: "-"),
              let m = number(t, at + 5, 2), t[at + 7] == UInt8(ascii: "-"), let d = number(t, at + 8, 2),
              m >= 1, m <= 12, d >= 1, d <= daysIn(y, m) else { return nil }
        return (y, m, d)
    }

    static func daysIn(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Int64 {
    fileprivate func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
