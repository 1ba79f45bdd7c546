import Foundation
import StewardEngine
import StewardEngineSQLite
import Testing

@Suite struct ExampleMeshTests {
    @Test func everyExampleProductIsPublished() throws {
        let w = try TempWarehouse()
        for job in try Fixtures.exampleJobs() {
            let r = try w.engine.run(job)
            print(job.dataset, r.outcome, r.rowsIn, r.rowsPurged, r.rowsOut, r.seconds, r.diagnostics.map { "\($0.location?.description ?? ""): \($0.message)" })
            #expect(r.outcome == .published, "\(job.dataset): \(r.diagnostics)")
        }
    }
}
