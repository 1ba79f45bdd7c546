import Foundation
import StewardCore
import StewardEngine
import StewardModel
import Testing

/// The contract semantics every engine shares (docs/engine.md), on their own.
@Suite struct MaskingTests {
    let masker = Masker(salt: Fixtures.salt)

    // Expected values computed independently with Python's hmac module: a second engine
    // must produce exactly these bytes.
    @Test func hashIsHMACSHA256OfThePrefixedValue() {
        #expect(masker.mask("ada@acme.example", .hash) == "4d0b73fb0416a8be32a81a55326e97010cf4b5de452f05192573dca914092aa8")
        #expect(masker.mask("Zoë", .hash) == "72d0671b9587eeb544fefa4ff6dea2b514ecec2d8c599a3b8b38cecacfc2ebd8")
    }

    @Test func tokenIsPrefixedAndShorter() {
        #expect(masker.mask("+4915112345678", .tokenize) == "tok_2692813cfdb04501819095e7d2c64a07")
    }

    @Test func redactDropAndNull() {
        #expect(masker.mask("Ada Lovelace", .redact) == "[redacted]")
        #expect(masker.mask("1990-01-01", .drop) == nil)
        for s in MaskingStrategy.allCases { #expect(masker.mask(nil, s) == nil) }
        #expect(masker.mask("kept", .none) == "kept")
    }

    @Test func anotherSaltGivesAnotherHash() throws {
        let other = Masker(salt: try MaskingSalt("another salt of enough bytes"))
        #expect(other.mask("ada@acme.example", .hash) != masker.mask("ada@acme.example", .hash))
    }

    @Test func aShortSaltIsRefused() {
        #expect(throws: EngineError.self) { try MaskingSalt("short") }
        #expect(throws: EngineError.self) { try MaskingSalt.fromEnvironment(["STEWARD_MASKING_SALT": "short"]) }
        #expect((try? MaskingSalt.fromEnvironment([:])) == nil)
    }

    @Test func formsAreRecognized() {
        func form(_ s: MaskingStrategy, _ text: String) -> Bool {
            var t = text
            return t.withUTF8 { Masker.hasForm(s, $0) }
        }
        #expect(form(.hash, masker.mask("x", .hash)!))
        #expect(form(.tokenize, masker.mask("x", .tokenize)!))
        #expect(!form(.hash, "ada@acme.example"))
        #expect(!form(.hash, String(repeating: "A", count: 64)))
        #expect(!form(.tokenize, masker.mask("x", .hash)!))
    }
}

@Suite struct TimeTextTests {
    @Test(arguments: [
        ("2026-06-30T10:00:00Z", TimeText.Parsed.canonical),
        ("2026-06-30T10:00:00.250Z", .canonical),
        ("2026-06-30 10:00:00", .rewritten("2026-06-30T10:00:00Z")),
        ("2026-06-30T10:00:00", .rewritten("2026-06-30T10:00:00Z")),
        ("2026-06-30T01:30:00+02:00", .rewritten("2026-06-29T23:30:00Z")),
        ("2026-12-31T23:30:00.5-0100", .rewritten("2027-01-01T00:30:00.5Z")),
        ("2024-02-29T00:00:00Z", .canonical),
        ("2023-02-29T00:00:00Z", .invalid),
        ("2026-06-30T24:00:00Z", .invalid),
        ("2026-06-30", .invalid),
        ("2026-06-30T10:00:00Q", .invalid),
        ("30/06/2026 10:00", .invalid),
    ])
    func timestamps(_ text: String, _ expected: TimeText.Parsed) {
        #expect(TimeText.timestamp(text) == expected)
    }

    @Test func dates() {
        #expect(TimeText.isDate("2024-02-29"))
        #expect(!TimeText.isDate("2023-02-29"))
        #expect(!TimeText.isDate("2026-13-01"))
        #expect(!TimeText.isDate("2026-06-30T00:00:00Z"))
    }

    @Test func retentionCutoffCountsYearsAs365Days() throws {
        let contract = try SpecTests.contract("""
            slaProperties:
              - {property: retention, value: 5, unit: y, element: t.ts}
            """)
        let spec = try #require(DatasetSpec.compile(contract).0)
        // 2026-06-30 minus 1825 days (2024 is a leap year)
        #expect(spec.retention?.cutoff(asOf: Fixtures.asOf) == "2021-07-01T00:00:00")
    }
}

@Suite struct FingerprintTests {
    func fingerprint(_ rows: [[String?]]) -> String {
        var f = Fingerprinter(columns: [("a", .string), ("b", .string)])
        for r in rows {
            f.beginRow()
            for cell in r {
                if var s = cell { s.withUTF8 { f.addText(UnsafeRawBufferPointer($0)) } } else { f.addNull() }
            }
            f.endRow()
        }
        return f.finish()
    }

    @Test func rowOrderDoesNotMatterButContentDoes() {
        let a = fingerprint([["x", "1"], ["y", nil], ["z", "3"]])
        #expect(a == fingerprint([["z", "3"], ["x", "1"], ["y", nil]]))
        #expect(a != fingerprint([["x", "1"], ["y", ""], ["z", "3"]]))
        #expect(a != fingerprint([["x", "1"], ["y", nil]]))
        #expect(a != fingerprint([["x", "1"], ["y", nil], ["z", "3"], ["z", "3"]]))
        #expect(a.hasPrefix("sha256:") && a.count == 71)
    }

    @Test func cellsDoNotRunIntoEachOther() {
        #expect(fingerprint([["ab", "c"]]) != fingerprint([["a", "bc"]]))
    }
}

@Suite struct SpecTests {
    /// A contract with one table `t` of columns id, email, ts, plus `extra` YAML at the top level.
    static func contract(_ extra: String = "", id: String = "test.t", table: String = "t", properties: String? = nil) throws -> Contract {
        let props = properties ?? """
              - {name: id, logicalType: integer, required: true, unique: true}
              - name: email
                logicalType: string
                tags: [pii]
                customProperties: [{property: anonymizationStrategy, value: hash}]
              - {name: ts, logicalType: timestamp}
        """
        let yaml = """
            apiVersion: v3.1.0
            kind: DataContract
            id: \(id)
            name: \(table)
            version: 1.0.0
            status: active
            domain: test
            schema:
              - name: \(table)
                physicalType: table
                properties:
            \(props)
            \(extra)
            """
        let loaded = Documents.load(Array(yaml.utf8), path: "domains/test/contracts/\(table).odcs.yaml")
        guard case let .contract(c)? = loaded.value, !loaded.hasErrors else { throw FixtureError("bad test contract: \(loaded.diagnostics)") }
        return c
    }

    @Test func readsColumnsMaskingAndRetention() throws {
        let c = try Self.contract("""
            slaProperties:
              - {property: retention, value: 30, unit: d, element: t.ts}
            """)
        let (spec, diags) = DatasetSpec.compile(c)
        #expect(diags.isEmpty)
        let s = try #require(spec)
        #expect(s.table == "t")
        #expect(s.columns.map(\.name) == ["id", "email", "ts"])
        #expect(s.columns.map(\.type) == [.integer, .string, .timestamp])
        #expect(s.column("email")?.masking == .hash)
        #expect(s.retention?.column == "ts")
    }

    @Test func anUnsupportedTypeIsDiagnosedAtItsLine() throws {
        let c = try Self.contract(properties: """
              - name: x
                logicalType: array
        """)
        let (spec, diags) = DatasetSpec.compile(c)
        #expect(spec == nil)
        let d = try #require(diags.first)
        #expect(d.id == "ENG0102")
        #expect(d.location == SourceLocation(path: "domains/test/contracts/t.odcs.yaml", line: 12, column: 9))
    }

    @Test func anUnknownStrategyIsRefused() throws {
        // The loader refuses it too (MESH0104); the engine does not rely on that.
        var c = try Self.contract()
        c.objects[0].properties[1].customProperties = [CustomProperty(property: "anonymizationStrategy", value: .string("scramble"))]
        let (spec, diags) = DatasetSpec.compile(c)
        #expect(spec == nil)
        #expect(diags.map(\.id) == ["ENG0103"])
    }

    @Test func hashOnANonStringAndDropOnARequiredColumnAreRefused() throws {
        let c = try Self.contract(properties: """
              - {name: born, logicalType: date, customProperties: [{property: anonymizationStrategy, value: hash}]}
              - {name: gone, logicalType: string, required: true, customProperties: [{property: anonymizationStrategy, value: drop}]}
        """)
        let (spec, diags) = DatasetSpec.compile(c)
        #expect(spec == nil)
        #expect(diags.map(\.id) == ["ENG0103", "ENG0103"])
    }

    @Test func retentionMustNameADateOrTimestampColumn() throws {
        let c = try Self.contract("""
            slaProperties:
              - {property: retention, value: 30, unit: d, element: t.email}
            """)
        #expect(DatasetSpec.compile(c).1.map(\.id) == ["ENG0104"])
    }

    @Test func qualityRulesNeedWhatTheyMeasure() throws {
        let c = try Self.contract(properties: """
              - name: x
                logicalType: string
                quality:
                  - {metric: invalidValues, mustBe: 0}
                  - {metric: nullValue, mustBe: 0}
                  - {metric: invalidValues, arguments: {pattern: '(?=x)'}, mustBe: 0}
        """)
        let diags = DatasetSpec.compile(c).1
        #expect(diags.map(\.id) == ["ENG0105", "ENG0105", "ENG0106"])
        #expect(diags[1].help?.contains("nullValues") == true)
    }
}
