import Testing
@testable import StewardCore

@Suite struct SubsetTreeTests {
    /// Many paths at once read as each alone: included ones from the base, the rest absent.
    @Test func readingManyPathsAtOnceReadsEachAsAlone() throws {
        let base = MemoryTree(label: "base", files: [
            "domains/a/x.sql": Array("x".utf8), "domains/b/y.sql": Array("y".utf8), "steward.yaml": Array("s".utf8),
        ])
        let subset = SubsetTree(base, folders: ["domains/a/"], files: ["steward.yaml"])
        let paths = ["domains/b/y.sql", "domains/a/x.sql", "steward.yaml", "domains/a/none.sql", ""]
        let many = try subset.read(all: paths)
        #expect(many == (try paths.map { try subset.read($0) }))
        #expect(many == [nil, Array("x".utf8), Array("s".utf8), nil, nil])
    }
}
