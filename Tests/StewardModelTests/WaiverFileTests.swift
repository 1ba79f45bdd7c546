import StewardCore
import StewardTestSupport
import Testing
@testable import StewardModel

@Suite struct WaiverFileTests {
    static func file(_ entries: String) -> String {
        "apiVersion: steward/v1\nkind: Waivers\nwaivers:\n" + entries
    }

    // One entry: its mapping is at 4:5, target's value at 5:13, approvedBy's at 8:17, expires' at 9:14.
    static let good = """
      - policy: privacy.piiRetention
        target: sales.orders_raw
        reason: legal hold
        owner: Sam@acme.example
        approvedBy: ada@acme.example
        expires: 2027-01-31

    """

    func load(_ files: [(String, String)]) throws -> Loaded<Mesh> {
        let mesh = try ScratchMesh()
        for (path, text) in files { try mesh.write(path, text) }
        return try mesh.load()
    }

    static func place(_ d: Diagnostic) -> String { "\(d.id)@\(d.location!.line):\(d.location!.column)" }

    @Test func globalAndDomainFilesAreLoadedInPathOrder() throws {
        let loaded = try load([
            ("waivers/privacy.yaml", Self.file(Self.good)),
            ("waivers/quality.yml", Self.file(Self.good.replacingOccurrences(of: "privacy.piiRetention", with: "quality.purpose"))),
            ("domains/sales/waivers/sales.yaml", Self.file(Self.good.replacingOccurrences(of: "privacy.piiRetention", with: "sales.rule"))),
            ("waivers/README.md", "Waivers of global policies.\n"),
        ])
        #expect(loaded.diagnostics.filter { $0.id.hasPrefix("POL") }.isEmpty, "\(loaded.diagnostics)")
        let w = try #require(loaded.value?.waivers)
        #expect(w.map(\.policy) == ["sales.rule", "privacy.piiRetention", "quality.purpose"])
        #expect(w.map(\.domain) == ["sales", nil, nil])
        #expect(w.map(\.path) == ["domains/sales/waivers/sales.yaml", "waivers/privacy.yaml", "waivers/quality.yml"])
        #expect(w[1].owner == "sam@acme.example")
        #expect(w[1].reason == "legal hold")
        // A date alone is the end of that day: 2027-02-01T00:00:00Z.
        #expect(w[1].expires == 1_801_440_000)
        #expect(w[1].expiresText == "2027-01-31")
        #expect(w[1].location == SourceLocation(path: "waivers/privacy.yaml", line: 4, column: 5))
    }

    @Test func entriesKeepTheirIndexAndInvalidOnesAreLeftOut() throws {
        let bad = Self.good.replacingOccurrences(of: "target: sales.orders_raw", with: "target: sales.daily_sales")
            .replacingOccurrences(of: "    reason: legal hold\n", with: "")
        let third = Self.good.replacingOccurrences(of: "target: sales.orders_raw", with: "target: sales.other")
        let loaded = try load([("waivers/w.yaml", Self.file(Self.good + bad + third))])
        #expect(loaded.errors.map(\.id) == ["POL0505"])
        let w = try #require(loaded.value?.waivers)
        #expect(w.map(\.target) == ["sales.orders_raw", "sales.other"])
        #expect(w.map(\.index) == [0, 2])
    }

    @Test func subfoldersOfWaiversAreNotRead() throws {
        let loaded = try load([
            ("waivers/old/w.yaml", Self.file(Self.good)),
            ("domains/sales/waivers/old/w.yaml", Self.file(Self.good)),
        ])
        #expect(loaded.value?.waivers.isEmpty == true)
        #expect(loaded.diagnostics.filter { $0.id == "MESH0204" }.compactMap(\.location?.path)
            == ["domains/sales/waivers/old/w.yaml", "waivers/old/w.yaml"])
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
    }

    static func with(_ old: String, _ new: String) -> String { good.replacingOccurrences(of: old, with: new) }

    /// (entries, `id@line:column` expected, part of the message)
    static let problemCases: [(String, String, String)] = [
        (with("    reason: legal hold\n", ""), "POL0505@4:5", "missing required key `reason`"),
        (with("reason: legal hold", "reason: [a, b]"), "POL0505@6:13", "must be a non-empty string, found a list"),
        (with("reason: legal hold", "reason: \"\""), "POL0505@6:13", "found an empty string"),
        (with("reason: legal hold", "reason:"), "POL0505@6:12", "found null"),
        (with("owner: Sam@acme.example", "owner: true"), "POL0505@7:12", "found a boolean"),
        (with("2027-01-31", "2027-01-31T10:00:00+02:00"), "POL0505@9:14", "must be in UTC"),
        (with("2027-01-31", "2027-01-31T10:00:00"), "POL0505@9:14", "must be in UTC"),
        (with("2027-01-31", "2027-02-30"), "POL0505@9:14", "must be a UTC time (2026-12-31T23:59:59Z) or a date (2026-12-31), found `2027-02-30`"),
        (with("2027-01-31", "end of january"), "POL0505@9:14", "must be a UTC time (2026-12-31T23:59:59Z) or a date"),
        (with("target: sales.orders_raw", "target: \"*\""), "POL0506@5:13", "matches everything"),
        (with("target: sales.orders_raw", "target: \"***\""), "POL0506@5:13", "matches everything"),
        (with("approvedBy: ada@acme.example", "approvedBy: sam@ACME.example"), "POL0510@8:17",
         "approved by its own owner `sam@acme.example`"),
        (with("    reason:", "    reasn: x\n    reason:"), "MESH0101@6:5", "unknown key `reasn` in waiver"),
        (Self.good + Self.good, "POL0509@10:5", "waived twice"),
    ]

    @Test(arguments: problemCases)
    func problems(_ entries: String, _ expected: String, _ message: String) throws {
        let loaded = try load([("waivers/w.yaml", Self.file(entries))])
        let ds = loaded.diagnostics.filter { $0.location?.path == "waivers/w.yaml" }
        #expect(ds.map { "\(Self.place($0)) \($0.message)" }.contains { $0.hasPrefix(expected + " ") && $0.contains(message) },
                "\(ds.map { "\(Self.place($0)) \($0.message)" })")
        #expect(ds.allSatisfy { $0.severity == .error })
        // The waiver that has the problem is not loaded; in the duplicate case the first one is.
        #expect(loaded.value?.waivers.count == (expected.hasPrefix("POL0509") ? 1 : 0))
    }

    @Test func anUnknownKeyGetsADidYouMean() throws {
        let loaded = try load([("waivers/w.yaml", Self.file(Self.good.replacingOccurrences(of: "approvedBy:", with: "aprovedBy:")))])
        let d = try #require(loaded.diagnostics.first { $0.id == "MESH0101" })
        #expect(d.help == "did you mean `approvedBy`?")
        // And `approvedBy` is then missing.
        #expect(loaded.diagnostics.contains { Self.place($0) == "POL0505@4:5" })
    }

    @Test func aDomainWaiverWaivesOnlyItsDomain() throws {
        let loaded = try load([
            ("domains/sales/waivers/w.yaml", Self.file(Self.good.replacingOccurrences(of: "sales.orders_raw", with: "orders.x"))),
            ("domains/sales/waivers/v.yaml", Self.file(Self.good.replacingOccurrences(of: "sales.orders_raw", with: "sales*"))),
            ("domains/sales/waivers/u.yaml", Self.file(Self.good.replacingOccurrences(of: "sales.orders_raw", with: "sales.*"))),
        ])
        let ds = loaded.diagnostics.filter { $0.id == "POL0507" }
        #expect(ds.map { "\($0.location!)" } == ["domains/sales/waivers/v.yaml:5:13", "domains/sales/waivers/w.yaml:5:13"])
        #expect(ds[1].message == "a waiver of domain sales can only waive its own targets, not `orders.x`")
        #expect(loaded.value?.waivers.map(\.target) == ["sales.*"])
        // The same target is fine in a global file.
        let global = try load([("waivers/w.yaml", Self.file(Self.good.replacingOccurrences(of: "sales.orders_raw", with: "orders.x")))])
        #expect(global.errors.isEmpty, "\(global.errors)")
    }

    @Test func aDuplicateAnywhereInTheMeshNamesTheFirst() throws {
        let loaded = try load([
            ("waivers/w.yaml", Self.file(Self.good)),
            ("domains/sales/waivers/w.yaml", Self.file(Self.good)),
        ])
        let d = try #require(loaded.diagnostics.first { $0.id == "POL0509" })
        // domains/ sorts before waivers/, so the global file holds the second one.
        #expect("\(d.location!)" == "waivers/w.yaml:4:5")
        #expect(d.notes == ["first waived at domains/sales/waivers/w.yaml:4:5"])
        #expect(loaded.value?.waivers.map(\.path) == ["domains/sales/waivers/w.yaml"])
        // Same policy, other target: no duplicate.
        let other = try load([("waivers/w.yaml", Self.file(Self.good + Self.good.replacingOccurrences(of: "sales.orders_raw", with: "sales.x")))])
        #expect(other.errors.isEmpty)
    }

    @Test(arguments: [
        // A date alone is 00:00:00Z of the next day.
        ("1969-12-31", Int64(0)),
        ("2027-12-31", 1_830_297_600),
        ("2028-02-29", 1_835_481_600),
        ("2000-02-29", 951_868_800),
        ("2027-01-31T10:00:00Z", 1_801_389_600),
        ("2027-01-31t10:00:00z", 1_801_389_600),
        ("2027-01-31T10:00:00.000Z", 1_801_389_600),
        // A fraction rounds up to the next whole second.
        ("2027-01-31T10:00:00.25Z", 1_801_389_601),
        ("2027-12-31T23:59:60Z", 1_830_297_600),
    ])
    func expiryTimes(_ text: String, _ seconds: Int64) {
        #expect(WaiverFileDecoder.parseExpiry(text) == seconds)
    }

    @Test(arguments: [
        "2027-02-29", "1900-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "2027-1-31", "27-01-31", "2027/01/31", "+027-01-31",
        "2027-01-31 ", "2027-01-31T10:00:00+00:00", "2027-01-31T10:00:00-01:00", "2027-01-31T10:00:00", "2027-01-31T10:00Z",
        "2027-01-31T24:00:00Z", "2027-01-31T10:60:00Z", "2027-01-31T10:00:60Z", "2027-01-31T10:00:00.Z", "2027-01-31T10:00:00ZZ",
        "2027-01-31 10:00:00Z", "2027-02-30T00:00:00Z", "", "tomorrow",
    ])
    func expiryRefused(_ text: String) {
        #expect(WaiverFileDecoder.parseExpiry(text) == nil)
    }

    @Test(arguments: [
        ("customer.customer_360.*", "customer.customer_360.customer_360.email", true),
        ("customer.*.email", "customer.customer_360.customer_360.email", true),
        ("customer.customer_360", "customer.customer_360.x", false),
        ("customer.customer_360", "customer.customer_360", true),
        ("customer.*", "customer", false),
        ("customer.*", "customer.", true),
        ("*.email", "a.email", true),
        ("*.email", "a.emails", false),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY", false),
        ("a**b", "ab", true),
        ("*a*", "bab", true),
        ("*a*", "bbb", false),
        ("a*a*a", "aaa", true),
        ("a*a*a", "aa", false),
        ("ab", "a", false),
        ("", "", true),
        ("", "a", false),
        ("ö.*", "ö.x", true),
        // Only `*` is special.
        ("a?c", "abc", false),
        ("a.c", "abc", false),
    ])
    func globs(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(Glob.matches(pattern, text) == expected)
    }

    /// The backtracking matcher stays fast where a naive recursive one would explode.
    @Test func globsAreNotExponential() {
        let text = String(repeating: "a", count: 10_000)
        #expect(!Glob.matches(String(repeating: "*a", count: 50) + "b", text))
        #expect(Glob.matches(String(repeating: "*a", count: 50), text))
    }
}
