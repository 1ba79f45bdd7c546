import StewardCore
import StewardModel
import StewardTestSupport
import Testing

@Suite struct WaiverFileTests {
    static func file(_ entries: String) -> String {
        "apiVersion: steward/v1\nkind: Waivers\nwaivers:\n" + entries
    }

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

    @Test func globalAndDomainFilesAreLoadedInPathOrder() throws {
        let loaded = try load([
            ("waivers/privacy.yaml", Self.file(Self.good)),
            ("domains/sales/waivers/sales.yaml", Self.file(Self.good.replacingOccurrences(of: "privacy.piiRetention", with: "sales.rule"))),
        ])
        #expect(loaded.diagnostics.filter { $0.id.hasPrefix("POL") }.isEmpty, "\(loaded.diagnostics)")
        let w = try #require(loaded.value?.waivers)
        #expect(w.map(\.policy) == ["sales.rule", "privacy.piiRetention"])
        #expect(w.map(\.domain) == ["sales", nil])
        #expect(w[1].owner == "sam@acme.example")
        // A date alone is the end of that day: 2027-02-01T00:00:00Z.
        #expect(w[1].expires == 1_801_440_000)
        #expect(w[1].location == SourceLocation(path: "waivers/privacy.yaml", line: 4, column: 5))
    }

    @Test(arguments: [
        (Self.good.replacingOccurrences(of: "    reason: legal hold\n", with: ""), "POL0505@4:5"),
        (Self.good.replacingOccurrences(of: "2027-01-31", with: "2027-01-31T10:00:00+02:00"), "POL0505@9:14"),
        (Self.good.replacingOccurrences(of: "2027-01-31", with: "2027-02-30"), "POL0505@9:14"),
        (Self.good.replacingOccurrences(of: "target: sales.orders_raw", with: "target: \"*\""), "POL0506@5:13"),
        (Self.good.replacingOccurrences(of: "approvedBy: ada@acme.example", with: "approvedBy: sam@ACME.example"), "POL0510@8:17"),
        (Self.good.replacingOccurrences(of: "    reason:", with: "    reasn: x\n    reason:"), "MESH0101@6:5"),
        (Self.good + Self.good, "POL0509@10:5"),
    ])
    func problems(_ entries: String, _ expected: String) throws {
        let loaded = try load([("waivers/w.yaml", Self.file(entries))])
        let ds = loaded.diagnostics.filter { $0.location?.path == "waivers/w.yaml" }
        #expect(ds.map { "\($0.id)@\($0.location!.line):\($0.location!.column)" }.contains(expected), "\(ds.map { "\($0.id)@\($0.location!.line):\($0.location!.column) \($0.message)" })")
    }

    @Test func aDomainWaiverWaivesOnlyItsDomain() throws {
        let loaded = try load([("domains/sales/waivers/w.yaml", Self.file(Self.good.replacingOccurrences(of: "sales.orders_raw", with: "orders.x")))])
        #expect(loaded.diagnostics.contains { $0.id == "POL0507" })
        #expect(loaded.value?.waivers.isEmpty == true)
    }

    @Test(arguments: [
        ("customer.customer_360.*", "customer.customer_360.customer_360.email", true),
        ("customer.*.email", "customer.customer_360.customer_360.email", true),
        ("customer.customer_360", "customer.customer_360.x", false),
        ("*.email", "a.email", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY", false),
        ("", "", true),
    ])
    func globs(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(Glob.matches(pattern, text) == expected)
    }
}
