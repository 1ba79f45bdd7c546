import Foundation
import StewardCore
import StewardGit
import StewardTestSupport
import Testing
@testable import StewardModel

/// The on-disk parse cache: what it stores decodes to exactly what the YAML parsed to,
/// locations included; damage and other builds' entries are never used.
@Suite struct ParseStoreTests {
    static let conformance = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/conformance")

    /// Every official ODCS and ODPS example and every file of the scratch mesh survives the
    /// binary form: equal content, and re-encoding the decoded model gives the same bytes
    /// (the bytes hold every location, which model equality leaves out).
    @Test func everyDocumentRoundTrips() throws {
        var documents: [(path: String, parsed: MeshLoader.Parsed)] = []
        let files = FileManager.default.enumerator(at: Self.conformance, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
        for url in files {
            let path = url.path.replacingOccurrences(of: Self.conformance.path + "/", with: "")
            switch Documents.load([UInt8](try Data(contentsOf: url)), path: path).value {
            case .contract(let c)?: documents.append((path, .contract(c)))
            case .product(let p)?: documents.append((path, .product(p)))
            case nil: break  // the broken variants
            }
        }
        #expect(documents.count >= 10)
        let mesh = try #require(try ScratchMesh().load().value)
        documents += mesh.contracts.values.map { ($0.location.path, .contract($0)) }
        documents += mesh.products.values.map { ($0.location.path, .product($0)) }
        documents += mesh.domains.values.map { ($0.location.path, .domain($0)) }
        for (path, parsed) in documents {
            let bytes = ModelCodec.encode(parsed, path: path)
            let decoded = try bytes.withUnsafeBytes { try ModelCodec.decode($0, path: path) }
            #expect(ModelCodec.encode(decoded, path: path) == bytes, "\(path)")
            switch (parsed, decoded) {
            case let (.contract(a), .contract(b)):
                #expect(a == b, "\(path)")
                #expect(a.location == b.location && a.allProperties.map(\.property.location) == b.allProperties.map(\.property.location))
            case let (.product(a), .product(b)):
                #expect(a == b, "\(path)")
                #expect(a.inputPorts.map(\.contractLocation) == b.inputPorts.map(\.contractLocation))
            case let (.domain(a), .domain(b)): #expect(a == b && a.location == b.location, "\(path)")
            default: Issue.record("\(path) decoded as another kind")
            }
            // Cut short anywhere, it never decodes (nor crashes).
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 50)) {
                #expect(throws: CodecError.self) { try bytes[..<cut].withUnsafeBytes { try ModelCodec.decode($0, path: path) } }
            }
        }
    }

    static func committedMesh() throws -> (ScratchMesh, Repository) {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "one")
        return (mesh, try Repository.discover(from: mesh.path))
    }

    static func load(_ repo: Repository, _ store: ParseStore?, at rev: String = "HEAD") throws -> Loaded<Mesh> {
        try MeshLoader(cache: ParseCache(store: store)).load(from: repo.tree(at: repo.resolve(rev)))
    }

    static func same(_ a: Loaded<Mesh>, _ b: Loaded<Mesh>) {
        #expect(a.value?.contracts == b.value?.contracts)
        #expect(a.value?.products == b.value?.products)
        #expect(a.value?.domains == b.value?.domains)
        #expect(a.diagnostics == b.diagnostics)
        #expect(a.sources == b.sources)
        #expect(a.value?.contracts.values.map(\.location).sorted() == b.value?.contracts.values.map(\.location).sorted())
    }

    @Test func aSecondRunReadsTheStoreAndLoadsTheSameMesh() throws {
        let (mesh, repo) = try Self.committedMesh()
        let folder = URL(fileURLWithPath: mesh.path).appendingPathComponent(".git/steward/parse-cache/test")
        let uncached = try Self.load(repo, nil)
        let first = try Self.load(repo, ParseStore(directory: folder))
        Self.same(first, uncached)
        let store = ParseStore(directory: folder)
        let second = try Self.load(repo, store)
        #expect(store.hits == 4)  // domain.yaml, two contracts, one product
        Self.same(second, uncached)

        // An edited file has a new blob id: parsed again, never served stale.
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n", with: "value: 3\n")
        try mesh.git("commit", "-q", "-am", "two")
        let edited = ParseStore(directory: folder)
        let third = try Self.load(repo, edited)
        #expect(edited.hits == 3)
        Self.same(third, try Self.load(repo, nil))
        #expect(third.value?.contracts["sales.daily_sales"]?.freshness != second.value?.contracts["sales.daily_sales"]?.freshness)
    }

    @Test func aFileWithProblemsIsParsedEveryTime() throws {
        let (mesh, repo) = try Self.committedMesh()
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "unit: h", with: "unit: m")
        try mesh.git("commit", "-q", "-am", "ambiguous unit")
        let folder = URL(fileURLWithPath: mesh.path).appendingPathComponent(".git/steward/parse-cache/test")
        let first = try Self.load(repo, ParseStore(directory: folder))
        #expect(first.errors.contains { $0.id == "MESH0108" })
        let store = ParseStore(directory: folder)
        let second = try Self.load(repo, store)
        #expect(store.hits == 3)
        Self.same(second, first)  // the error again, with the text it quotes
    }

    @Test func damagedEntriesAreParsedAgain() throws {
        let (mesh, repo) = try Self.committedMesh()
        let folder = URL(fileURLWithPath: mesh.path).appendingPathComponent(".git/steward/parse-cache/test")
        let uncached = try Self.load(repo, nil)
        _ = try Self.load(repo, ParseStore(directory: folder))
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".seg") })
        var bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(segment)))
        for i in stride(from: bytes.count / 3, to: bytes.count, by: bytes.count / 5) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: folder.appendingPathComponent(segment))
        let store = ParseStore(directory: folder)
        let again = try Self.load(repo, store)
        #expect(store.hits < 4)
        Self.same(again, uncached)
        // That run stored again what it had to parse again: the next one finds it all.
        let repaired = ParseStore(directory: folder)
        Self.same(try Self.load(repo, repaired), uncached)
        #expect(repaired.hits == 4)

        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            try Data("not a segment".utf8).write(to: folder.appendingPathComponent(name))
        }
        let garbage = ParseStore(directory: folder)
        Self.same(try Self.load(repo, garbage), uncached)
        #expect(garbage.hits == 0)
    }

    @Test func segmentsAreMergedAndOtherBuildsRemoved() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("parse-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let other = root.appendingPathComponent("v0-old-build")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let folder = root.appendingPathComponent("this-build")
        let domain = MeshLoader.Parsed.domain(Domain(name: "d", owners: Owners(team: "t", members: ["a@x"]),
                                                     location: SourceLocation(path: "domains/d/domain.yaml", line: 1, column: 1)))
        for run in 0..<(ParseStore.maxSegments + 3) {
            let store = ParseStore(directory: folder)
            store.open()
            store.record("key-\(run)", domain, path: "domains/d/domain.yaml")
            store.flush()
        }
        #expect(!FileManager.default.fileExists(atPath: other.path))
        let segments = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".seg") }
        #expect(segments.count <= ParseStore.maxSegments)
        let reopened = ParseStore(directory: folder)
        reopened.open()
        #expect(reopened.entryCount == ParseStore.maxSegments + 3)
        for run in 0..<(ParseStore.maxSegments + 3) {
            guard case .domain(let d)? = reopened.lookup("key-\(run)", path: "domains/d/domain.yaml") else {
                Issue.record("key-\(run) lost in a merge")
                continue
            }
            #expect(d.location == SourceLocation(path: "domains/d/domain.yaml", line: 1, column: 1))
        }
    }
}
