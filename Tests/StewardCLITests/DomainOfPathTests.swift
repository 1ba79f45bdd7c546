@testable import StewardCLI
import Testing

/// The domain of a path, found without splitting it, is the one splitting finds.
@Suite struct DomainOfPathTests {
    @Test func theScanAgreesWithSplitting() {
        func reference(_ path: String) -> String? {
            let parts = path.split(separator: "/")
            return parts.count >= 3 && parts[0] == "domains" ? String(parts[1]) : nil
        }
        let pieces = ["domains", "d", "sales", "", "/", "//", "x.yaml", "é", "domainsx"]
        var seed: UInt64 = 11
        for _ in 0..<3000 {
            var path = ""
            for _ in 0..<(seed % 6) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                path += pieces[Int(seed >> 33) % pieces.count] + ((seed >> 20) % 3 == 0 ? "" : "/")
            }
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            #expect(HistoryTarget.domain(ofPath: path) == reference(path), "\(path.debugDescription)")
        }
        #expect(HistoryTarget.domain(ofPath: "domains/sales/products/a.odps.yaml") == "sales")
        #expect(HistoryTarget.domain(ofPath: "domains/sales") == nil && HistoryTarget.domain(ofPath: "//domains//s//x") == "s")
    }
}
