import Foundation

/// A length of time as governance writes it: `6h`, `365d`, `2y`.
///
/// Kept as the written value and unit (for messages and round-trips) plus a canonical
/// length in seconds (for comparison). A month counts 30 days and a year 365 days: SLA and
/// retention rules compare spans, they do not do calendar arithmetic.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case seconds = "s", minutes = "min", hours = "h", days = "d", weeks = "w", months = "mo", years = "y"

        public var seconds: Double {
            switch self {
            case .seconds: 1
            case .minutes: 60
            case .hours: 3600
            case .days: 86_400
            case .weeks: 604_800
            case .months: 2_592_000
            case .years: 31_536_000
            }
        }
    }

    public enum ParseError: Error, Equatable, Sendable {
        /// `m` and `M` could mean minutes or months.
        case ambiguous(String)
        case unknown(String)

        public var message: String {
            switch self {
            case let .ambiguous(u): "time unit `\(u)` is ambiguous (minutes or months?)"
            case let .unknown(u): "unknown time unit `\(u)`"
            }
        }

        public var help: String {
            switch self {
            case .ambiguous: "write `min` for minutes or `mo` for months"
            case let .unknown(u):
                Suggestions.didYouMean(u, in: TimeSpan.spellings.keys)
                    ?? "use one of: s, min, h, d, w, mo, y (or their long forms: seconds, minutes, hours, days, weeks, months, years)"
            }
        }
    }

    public let value: Double
    public let unit: Unit

    public init(_ value: Double, _ unit: Unit) {
        self.value = value
        self.unit = unit
    }

    public var seconds: Double { value * unit.seconds }

    /// Every accepted spelling of a unit. `m` is deliberately absent.
    static let spellings: [String: Unit] = {
        var out: [String: Unit] = [:]
        let table: [(Unit, [String])] = [
            (.seconds, ["s", "sec", "secs", "second", "seconds"]),
            (.minutes, ["min", "mins", "minute", "minutes"]),
            (.hours, ["h", "hr", "hrs", "hour", "hours"]),
            (.days, ["d", "day", "days"]),
            (.weeks, ["w", "wk", "wks", "week", "weeks"]),
            (.months, ["mo", "mon", "mos", "month", "months"]),
            (.years, ["y", "yr", "yrs", "year", "years"]),
        ]
        for (unit, names) in table { for n in names { out[n] = unit } }
        return out
    }()

    /// Parses a unit name, case-insensitively except that `M` and `m` are refused.
    public static func unit(_ text: String) throws(ParseError) -> Unit {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "m" || t == "M" { throw .ambiguous(t) }
        guard let u = spellings[t.lowercased()] else { throw .unknown(t) }
        return u
    }

    /// Parses a literal such as `6h`, `365d`, `30min`, `1.5y`.
    public static func parse(_ text: String) throws(ParseError) -> TimeSpan {
        let t = text.trimmingCharacters(in: .whitespaces)
        let digits = t.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let v = Double(digits) else { throw .unknown(t) }
        return TimeSpan(v, try unit(String(t.dropFirst(digits.count))))
    }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.seconds < b.seconds }
    public static func == (a: TimeSpan, b: TimeSpan) -> Bool { a.seconds == b.seconds }
    public func hash(into h: inout Hasher) { h.combine(seconds) }

    /// `6h`, `2y`, `1.5d`.
    public var description: String {
        let v = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        return v + unit.rawValue
    }
}
