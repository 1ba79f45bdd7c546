import StewardCore
import StewardGit
import StewardModel
import StewardTestSupport
import Testing

/// Two loads sharing a parse cache: files with the same path and blob id are parsed once, and
/// the result is the same as without the cache.
@Suite struct ParseCacheTests {
    @Test func theSecondRevisionReusesUnchangedFiles() throws {
        let mesh = try ScratchMesh()
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("commit", "-q", "-m", "one")
        try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "value: 6\n", with: "value: 3\n")
        try mesh.git("commit", "-q", "-am", "two")
        let repo = try Repository.discover(from: mesh.path)
        let cache = ParseCache()
        let head = try MeshLoader(cache: cache).load(from: repo.tree(at: repo.resolve("HEAD")))
        let parsed = cache.count
        #expect(parsed == 4)  // domain.yaml, two contracts, one product
        let base = try MeshLoader(cache: cache).load(from: repo.tree(at: repo.resolve("HEAD~1")))
        #expect(cache.count == parsed + 1)  // only the edited contract is parsed again
        let uncached = try MeshLoader().load(from: repo.tree(at: repo.resolve("HEAD~1")))
        #expect(base.value?.contracts == uncached.value?.contracts)
        #expect(base.value?.products == uncached.value?.products)
        #expect(base.diagnostics == uncached.diagnostics)
        #expect(head.value?.contracts["sales.daily_sales"]?.freshness != base.value?.contracts["sales.daily_sales"]?.freshness)
    }
}
