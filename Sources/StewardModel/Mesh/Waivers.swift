import Foundation
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
    public var location: SourceLocation
    public var index: Int

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

    static let keys: Set<String> = ["policy", "target", "reason", "owner", "approvedBy", "expires"]

    static func waiver(_ node: YNode, _ r: Reader, domain: String?, index: Int) -> Waiver? {
        let before = r.diagnostics.count
        guard let f = r.fields(node, "waiver", allowed: keys) else { return nil }
        var values: [String: String] = [:]
        for key in ["policy", "target", "reason", "owner", "approvedBy", "expires"] {
            guard let v = f[key] else {
                r.error(ModelMessages.invalidWaiver, "waiver is missing required key `\(key)`", at: f.location,
                        help: "a waiver names policy, target, reason, owner, approvedBy and expires")
                continue
            }
            guard let text = v.text, !text.isEmpty, v.kind == .scalar else {
                r.error(ModelMessages.invalidWaiver, "`\(key)` must be a non-empty string", at: v.location)
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
            r.error(ModelMessages.invalidWaiver, "`expires` must be a UTC time (2026-12-31T23:59:59Z) or a date (2026-12-31), found `\(expiresText)`",
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

    /// RFC 3339 in UTC (`Z` only), or a date alone meaning 00:00:00Z of the next day.
    static func parseExpiry(_ s: String) -> Int64? {
        let date = s.split(separator: "-")
        if s.count == 10, date.count == 3 {
            guard let y = Int(date[0]), let m = Int(date[1]), let d = Int(date[2]), (1...12).contains(m), (1...31).contains(d) else { return nil }
            var c = DateComponents()
            (c.year, c.month, c.day) = (y, m, d)
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = TimeZone(identifier: "UTC")!
            guard let day = cal.date(from: c), cal.component(.day, from: day) == d else { return nil }
            return Int64(day.timeIntervalSince1970) + 86_400
        }
        guard s.hasSuffix("Z") || s.hasSuffix("z") else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s).map { Int64($0.timeIntervalSince1970) }
    }
}
