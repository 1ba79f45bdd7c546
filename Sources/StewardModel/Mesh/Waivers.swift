import StewardCore

/// A waiver (docs/policy-language.md §10): for a while, one policy need not hold for some
/// targets. Kept in git, in `waivers/*.yaml` (global) or `domains/<d>/waivers/*.yaml`.
public struct Waiver: Sendable, Equatable {
    public var policy: String
    /// A target id, or a pattern where `*` matches any run of characters.
    public var target: String
    public var reason: String
    /// Who answers for it (lowercased e-mail).
    public var owner: String
    /// Who approved it (lowercased e-mail).
    public var approvedBy: String
    /// The first second it no longer counts, in seconds since 1970 (UTC).
    public var expires: Int64
    /// `expires` as written.
    public var expiresText: String
    /// nil for a global waiver file; the domain of `domains/<d>/waivers/`.
    public var domain: String?
    /// The list entry in its file.
    public var location: SourceLocation
    /// Position in the file's `waivers` list, from 0.
    public var index: Int

    /// The waiver file.
    public var path: String { location.path }

    public init(policy: String, target: String, reason: String, owner: String, approvedBy: String, expires: Int64,
                expiresText: String, domain: String?, location: SourceLocation, index: Int) {
        self.policy = policy
        self.target = target
        self.reason = reason
        self.owner = owner
        self.approvedBy = approvedBy
        self.expires = expires
        self.expiresText = expiresText
        self.domain = domain
        self.location = location
        self.index = index
    }

    /// Whether `id` matches the target pattern.
    public func matches(_ id: String) -> Bool { Glob.matches(target, id) }
}

/// `*` matches any run of characters; everything else matches itself.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var i = 0, j = 0, star = -1, mark = 0
        while j < t.count {
            if i < p.count && p[i] != "*" && p[i] == t[j] {
                i += 1
                j += 1
            } else if i < p.count && p[i] == "*" {
                star = i
                mark = j
                i += 1
            } else if star >= 0 {
                i = star + 1
                mark += 1
                j = mark
            } else {
                return false
            }
        }
        while i < p.count && p[i] == "*" { i += 1 }
        return i == p.count
    }
}

/// Reads waiver files; problems that need no policies are found here (§10).
enum WaiverFileDecoder {
    static func decode(_ root: YNode, _ r: Reader, domain: String?) -> [Waiver] {
        guard let f = r.fields(root, "waiver file", allowed: ["apiVersion", "kind", "waivers"]) else { return [] }
        if let v = f.string("apiVersion", required: true, in: "waiver file"), v != "steward/v1" {
            r.error(ModelMessages.unsupportedVersion, "unsupported apiVersion `\(v)`", at: f.location(of: "apiVersion"),
                    help: "write `apiVersion: steward/v1`")
        }
        if let k = f.string("kind", required: true, in: "waiver file"), k != "Waivers" {
            r.error(ModelMessages.wrongKind, "a waiver file has `kind: Waivers`, found `\(k)`", at: f.location(of: "kind"))
        }
        var index = 0
        return f.list("waivers") { node -> Waiver? in
            defer { index += 1 }
            return waiver(node, r, domain: domain, index: index)
        }
    }

    static let order = ["policy", "target", "reason", "owner", "approvedBy", "expires"]
    static let keys = Set(order)

    static func waiver(_ node: YNode, _ r: Reader, domain: String?, index: Int) -> Waiver? {
        let before = r.diagnostics.count
        guard let f = r.fields(node, "waiver", allowed: keys) else { return nil }
        var values: [String: String] = [:]
        for key in order {
            guard let v = f[key] else {
                r.error(ModelMessages.invalidWaiver, "waiver is missing required key `\(key)`", at: f.location,
                        help: "a waiver names policy, target, reason, owner, approvedBy and expires")
                continue
            }
            // Strings only, as elsewhere in the model: `owner: true` or `policy: 5` is a slip, not a value.
            guard case let .string(text) = v.value, !text.isEmpty else {
                let found = v.value == .string("") ? "an empty string" : v.typeName
                r.error(ModelMessages.invalidWaiver, "`\(key)` must be a non-empty string, found \(found)", at: v.location)
                continue
            }
            values[key] = text
        }
        guard r.diagnostics.count == before, let target = values["target"], let expiresText = values["expires"] else { return nil }
        if target.allSatisfy({ $0 == "*" }) {
            r.error(ModelMessages.waiverMatchesAll, "waiver target `\(target)` matches everything", at: f.location(of: "target"),
                    help: "name the targets: `customer.customer_360`, or a pattern such as `customer.customer_360.*`")
            return nil
        }
        if let domain, !target.hasPrefix("\(domain).") {
            r.error(ModelMessages.waiverOutsideDomain, "a waiver of domain \(domain) can only waive its own targets, not `\(target)`",
                    at: f.location(of: "target"), help: "start the target with `\(domain).`, or move the waiver to waivers/ at the top")
            return nil
        }
        guard let expires = parseExpiry(expiresText) else {
            // A time with an offset or without a zone is the likely slip; say so rather than "malformed".
            let chars = Array(expiresText)
            let zoned = chars.count > 10 && "Tt".contains(chars[10]) && !"Zz".contains(chars[chars.count - 1])
            r.error(ModelMessages.invalidWaiver,
                    zoned ? "`expires` must be in UTC, ending in `Z`, found `\(expiresText)`"
                          : "`expires` must be a UTC time (2026-12-31T23:59:59Z) or a date (2026-12-31), found `\(expiresText)`",
                    at: f.location(of: "expires"), help: "write the time in UTC with a `Z`; a date alone means the end of that day")
            return nil
        }
        let owner = values["owner"]!.lowercased(), approver = values["approvedBy"]!.lowercased()
        if owner == approver {
            r.error(ModelMessages.waiverSelfApproved, "waiver approved by its own owner `\(owner)`", at: f.location(of: "approvedBy"),
                    help: "a waiver needs a second person to approve it")
            return nil
        }
        return Waiver(policy: values["policy"]!, target: target, reason: values["reason"]!, owner: owner, approvedBy: approver,
                      expires: expires, expiresText: expiresText, domain: domain, location: f.location, index: index)
    }

    /// RFC 3339 in UTC (`Z` only), or a date alone meaning 00:00:00Z of the next day, in seconds
    /// since 1970. Parsed by hand: Foundation's ISO 8601 parser reads `2027-02-30` as March 2nd
    /// and accepts `2027-1-31` and a trailing `ZZ`.
    static func parseExpiry(_ s: String) -> Int64? {
        let c = Array(s.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= c.count else { return nil }
            var n = 0
            for i in r {
                guard c[i] >= 0x30, c[i] <= 0x39 else { return nil }
                n = n * 10 + Int(c[i] - 0x30)
            }
            return n
        }
        func at(_ i: Int, _ chars: String) -> Bool { i < c.count && chars.utf8.contains(c[i]) }
        guard let y = digits(0..<4), at(4, "-"), let m = digits(5..<7), at(7, "-"), let d = digits(8..<10),
              (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        let midnight = daysFromCivil(y, m, d) * 86_400
        if c.count == 10 { return midnight + 86_400 }
        // 23:59:60 is a leap second (RFC 3339 §5.7); it ends where the next day begins.
        guard at(10, "Tt"), let hh = digits(11..<13), at(13, ":"), let mm = digits(14..<16), at(16, ":"), let ss = digits(17..<19),
              hh <= 23, mm <= 59, ss <= 59 || (hh == 23 && mm == 59 && ss == 60) else { return nil }
        var i = 19, fraction = false
        if at(i, ".") {
            i += 1
            let start = i
            while at(i, "0123456789") {
                if c[i] != 0x30 { fraction = true }
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i == c.count - 1, at(i, "Zz") else { return nil }
        // A fraction rounds up: the waiver holds until that instant has passed.
        return midnight + Int64(hh * 3600 + mm * 60 + ss) + (fraction ? 1 : 0)
    }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }
}
