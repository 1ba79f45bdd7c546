@testable import StewardCLI
import StewardTestSupport
import Testing

/// The domain of a path, found without splitting it, is the one splitting finds.
@Suite struct DomainOfPathTests {
    @Test func theScanAgreesWithSplitting() {
        func reference(_ path: String) -> String? {
            let parts = path.split(separator: "/")
            return parts.count >= 3 && parts[0] == "domains" ? String(parts[1]) : nil
        }
        let pieces = ["domains", "d", "sales", "", "/", "//", "x.yaml", "é", "domainsx"]
        for path in seededTexts(pieces, seed: 11, count: 3000, maxPieces: 5, separator: "/") {
            #expect(HistoryTarget.domain(ofPath: path) == reference(path), "\(path.debugDescription)")
        }
        #expect(HistoryTarget.domain(ofPath: "domains/sales/products/a.odps.yaml") == "sales")
        #expect(HistoryTarget.domain(ofPath: "domains/sales") == nil && HistoryTarget.domain(ofPath: "//domains//s//x") == "s")
    }
}
