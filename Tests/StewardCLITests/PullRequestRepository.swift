import Foundation
import StewardTestSupport

extension ScratchMesh {
    /// A scratch mesh with the example mesh's global policies, committed on main by the
    /// platform team (ada), and a branch `change` checked out to edit: the shape of a pull
    /// request, for the `check` tests.
    static func pullRequest(extraBase: [(String, String)] = []) throws -> ScratchMesh {
        let mesh = try ScratchMesh()
        let policies = URL(fileURLWithPath: CLITests.exampleMesh).appendingPathComponent("policies")
        for name in try FileManager.default.contentsOfDirectory(atPath: policies.path) where name.hasSuffix(".policy") {
            try mesh.write("policies/\(name)", try String(contentsOf: policies.appendingPathComponent(name), encoding: .utf8))
        }
        for (path, text) in extraBase { try mesh.write(path, text) }
        try mesh.git("init", "-q")
        try mesh.git("add", "-A")
        try mesh.git("-c", "user.email=ada@acme.example", "commit", "-q", "-m", "the mesh")
        try mesh.git("checkout", "-q", "-b", "change")
        return mesh
    }
}
