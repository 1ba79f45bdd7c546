import StewardTestSupport
import Testing
@testable import StewardModel

/// The loader sorts the files under `domains/` by their parts, scanned as bytes; `split`
/// (which leaves out empty parts) is the reference.
@Suite struct PathPartsTests {
    @Test func theScanAgreesWithSplitting() {
        let pieces = ["domains", "sales", "products", "", "/", "//", "a.odps.yaml", "é", "e\u{301}"]
        for path in seededTexts(pieces, seed: 7, count: 3000, maxPieces: 6, separator: "/") {
            let split = path.utf8.split(separator: UInt8(ascii: "/")).map { String(Substring($0)) }
            let parts = MeshLoader.PathParts(path)
            #expect(parts.count == split.count, "\(path.debugDescription)")
            if split.count >= 3 {
                #expect(String(path[parts.second]) == split[1] && String(path[parts.third]) == split[2], "\(path.debugDescription)")
            }
        }
        let parts = MeshLoader.PathParts("domains/sales/products/a.odps.yaml")
        #expect(parts.count == 4)
    }
}
