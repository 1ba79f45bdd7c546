import Foundation
import StewardCore
import StewardEngine
import StewardEngineSQLite
import StewardModel
import Testing

/// Loading sources: CSV and JSONL typed by the contract; a malformed record is an error at
/// `file:line` and publishes nothing.
@Suite struct SourceLoaderTests {
    static let label = "domains/test/sources/src.csv"

    func loadFails(_ text: String, format: SourceData.Format = .csv, contract: Contract? = nil) throws -> Diagnostic {
        let w = try TempWarehouse()
        let r = try w.load(contract ?? TempWarehouse.sourceContract(), text, format: format,
                           label: format == .csv ? Self.label : "domains/test/sources/src.jsonl")
        #expect(r.outcome == .failed)
        #expect(try w.dataTables().isEmpty)
        return try #require(r.failures.first)
    }

    @Test(arguments: [
        ("id,name,email,ts\n1,Ada,a@x.io,2026-06-01T00:00:00Z\n2,Linus,l@x.io\n", "ENG0203", 3, 0,
         "record has 3 fields; the header has 4"),
        ("id,name,email,ts\n1,Ada,a@x.io,2026-06-01T00:00:00Z\nx2,Linus,l@x.io,\n", "ENG0204", 3, 1,
         "`x2` in column `id` is not an integer"),
        ("id,name,email,ts\n1,\"Ada\nLovelace\",a@x.io,2026-06-01T00:00:00Z\n2,Linus,l@x.io,2026-13-01T00:00:00Z\n", "ENG0204", 4, 16,
         "`2026-13-01T00:00:00Z` in column `ts` is not a timestamp"),
        ("id,name,email,ts\n1,\"Ada,a@x.io,2026-06-01T00:00:00Z\n", "ENG0203", 2, 3,
         "a quoted field is not closed before the end of the file"),
        ("id,name,email,ts\n1,\"Ada\"x,a@x.io,\n", "ENG0203", 2, 8, "unexpected `x` after a closing quote"),
        ("id,name,mail,ts\n", "ENG0202", 1, 0,
         "the header does not match the contract's columns: missing `email`; unknown `mail`"),
        ("", "ENG0202", 1, 0, "the file is empty; a CSV source starts with a header of the column names"),
    ])
    func malformedCSV(_ text: String, _ id: String, _ line: Int, _ column: Int, _ message: String) throws {
        let d = try loadFails(text)
        #expect(d.id == id)
        #expect(d.message == message)
        #expect(d.location == SourceLocation(path: Self.label, line: line, column: column))
    }

    @Test func aBadValueOfAPersonalColumnIsNeverQuoted() throws {
        let contract = try SpecTests.contract(id: "test.src", table: "src", properties: """
              - {name: id, logicalType: integer, required: true}
              - {name: birth_year, logicalType: integer, tags: [pii]}
        """)
        let d = try loadFails("id,birth_year\n1,1815\n2,nineteen-sixty\n", contract: contract)
        #expect(d.id == "ENG0204")
        #expect(!d.message.contains("nineteen"), "\(d.message)")
        #expect(d.message == "a value (personal data, not shown) in column `birth_year` is not an integer")
        #expect(d.location == SourceLocation(path: Self.label, line: 3, column: 3))
    }

    @Test func rfc4180QuotingCRLFAndAByteOrderMark() throws {
        let w = try TempWarehouse()
        let text = "\u{FEFF}ts,email,name,id\r\n"  // any column order
            + "2026-06-01T02:00:00+02:00,\"a,b@x.io\",\"Ada \"\"the first\"\"\nLovelace\",1\r\n"
            + "\r\n"  // empty lines are skipped
            + "2026-06-01 10:00:00,\"\",,2\r\n"
            + "2026-06-01T10:00:00.5Z,c@x.io,Ünïcødé,3"  // no final newline
        let r = try w.load(try TempWarehouse.sourceContract(), text)
        #expect(r.outcome == .published, "\(r.diagnostics)")
        let rows = try w.read(#"SELECT id, name, email, ts, typeof(name), typeof(email) FROM "test.src" ORDER BY id"#)
        #expect(rows.map { $0.map(\.description) } == [
            ["1", "Ada \"the first\"\nLovelace", "a,b@x.io", "2026-06-01T00:00:00Z", "text", "text"],
            ["2", "null", "", "2026-06-01T10:00:00Z", "null", "text"],  // unquoted empty: null; quoted: ""
            ["3", "Ünïcødé", "c@x.io", "2026-06-01T10:00:00.5Z", "text", "text"],
        ])
    }

    @Test func lineNumbersCountNewlinesInsideQuotes() throws {
        let d = try loadFails("id,name,email,ts\n1,\"a\nb\nc\",x,\n2,y,z,\nbad,y,z,\n")
        #expect(d.location?.line == 6)
    }

    @Test func aLargeFileIsReadInChunks() throws {
        // Well past the 1 MiB window, with quoted fields and line ends across chunk borders.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("steward-src-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = "id,name,email,ts\n"
        let n = 40_000
        for i in 1...n {
            text += i % 7 == 0 ? "\(i),\"Name, \"\"\(i)\"\"\nsecond line\",e\(i)@x.io,2026-06-01T00:00:00Z\n" : "\(i),Name \(i),e\(i)@x.io,\n"
        }
        text += "oops,a,b,\n"
        let file = folder.appendingPathComponent("src.csv")
        try Data(text.utf8).write(to: file)
        #expect(text.utf8.count > 1 << 20)
        let w = try TempWarehouse()
        let data = SourceData(origin: .file(path: file.path), format: .csv, label: Self.label)
        let r = try w.engine.run(DatasetJob(contract: try TempWarehouse.sourceContract(), product: nil, work: .load(data), asOf: Fixtures.asOf))
        let d = try #require(r.failures.first)
        #expect(d.location == SourceLocation(path: Self.label, line: n + n / 7 + 2, column: 1))

        let ok = String(text.dropLast("oops,a,b,\n".count))
        try Data(ok.utf8).write(to: file)
        let good = try w.engine.run(DatasetJob(contract: try TempWarehouse.sourceContract(), product: nil, work: .load(data), asOf: Fixtures.asOf))
        #expect(good.outcome == .published && good.rowsIn == n)
        #expect(try w.read(#"SELECT name FROM "test.src" WHERE id = 39998"#)[0][0] == .text("Name, \"39998\"\nsecond line"))
        #expect(try w.read(#"SELECT count(*), sum(length(email)) FROM "test.src""#)[0][0] == .integer(Int64(n)))
    }

    @Test func aMissingFileIsAnError() throws {
        let w = try TempWarehouse()
        let data = SourceData(origin: .file(path: "/nonexistent/steward/src.csv"), format: .csv, label: Self.label)
        let r = try w.engine.run(DatasetJob(contract: try TempWarehouse.sourceContract(), product: nil, work: .load(data), asOf: Fixtures.asOf))
        #expect(r.failures.map(\.id) == ["ENG0201"])
        #expect(r.failures[0].message.hasPrefix("cannot open the source file: No such file"))
    }

    // MARK: - JSONL

    @Test func jsonLines() throws {
        let w = try TempWarehouse()
        let text = """
            {"id": 1, "name": "Ada \\"the first\\"", "email": "a@x.io", "ts": "2026-06-01T00:00:00Z"}

            {"id": 2, "name": "Z\\u00f6e \\ud83d\\ude00", "ts": null}
            {"email": "c@x.io", "id": 3}
            """
        let r = try w.load(try TempWarehouse.sourceContract(), text, format: .jsonl)
        #expect(r.outcome == .published, "\(r.diagnostics)")
        let rows = try w.read(#"SELECT id, name, email, ts FROM "test.src" ORDER BY id"#).map { $0.map(\.description) }
        #expect(rows == [["1", "Ada \"the first\"", "a@x.io", "2026-06-01T00:00:00Z"],
                         ["2", "Zöe 😀", "null", "null"],
                         ["3", "null", "c@x.io", "null"]])
    }

    @Test(arguments: [
        (#"{"id": 1}\#n{"id": "2"}"#, "ENG0204", 2, 8, "column `id` is an integer, but the value is a string"),
        (#"{"id": 1}\#n{"id": 2, "nme": "x"}"#, "ENG0203", 2, 18, "key `nme` is not a column of the contract"),
        (#"{"id": 1, "name": {"first": "Ada"}}"#, "ENG0203", 1, 19, "nested objects and arrays are not supported"),
        (#"{"id": 1,}"#, "ENG0203", 1, 10, "expected a key in double quotes"),
        (#"[1, 2]"#, "ENG0203", 1, 1, "expected a JSON object (`{`) on this line"),
        (#"{"id": 1.5}"#, "ENG0204", 1, 8, "`1.5` in column `id` is not an integer"),
        (#"{"id": 1, "id": 2}"#, "ENG0203", 1, 17, "key `id` appears twice"),
    ])
    func malformedJSONL(_ text: String, _ id: String, _ line: Int, _ column: Int, _ message: String) throws {
        let d = try loadFails(text, format: .jsonl)
        #expect(d.id == id)
        #expect(d.message == message)
        #expect(d.location == SourceLocation(path: "domains/test/sources/src.jsonl", line: line, column: column))
    }

    @Test func typedValuesOfEveryLogicalType() throws {
        let c = try SpecTests.contract(id: "test.types", table: "types", properties: """
              - {name: i, logicalType: integer}
              - {name: n, logicalType: number}
              - {name: b, logicalType: boolean}
              - {name: d, logicalType: date}
        """)
        let w = try TempWarehouse()
        let r = try w.load(c, "i,n,b,d\n-9223372036854775808,1e3,TRUE,2024-02-29\n7,-0.5,0,\n")
        #expect(r.outcome == .published, "\(r.diagnostics)")
        let rows = try w.read(#"SELECT i, n, b, d, typeof(n) FROM "test.types" ORDER BY i"#).map { $0.map(\.description) }
        #expect(rows == [["-9223372036854775808", "1000.0", "1", "2024-02-29", "real"], ["7", "-0.5", "0", "null", "real"]])
        for bad in ["9223372036854775808,,,", ",nan,,", ",0x10,,", ",,yes,", ",,,2023-02-29"] {
            let f = try w.load(c, "i,n,b,d\n\(bad)\n")
            #expect(f.failures.map(\.id) == ["ENG0204"], "\(bad)")
        }
    }
}
