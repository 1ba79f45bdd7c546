import Foundation
import StewardCore
import Testing

@Suite struct FolderTreeTests {
    @Test func skipsLinksAndRefusesEscapes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("steward-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("a/file.txt"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a/link.txt").path,
                                                   withDestinationPath: "/etc/hostname")
        let tree = FolderTree(root: root)
        #expect(try tree.files(under: "") == ["a/file.txt"])
        #expect(try tree.read("a/file.txt") == Array("x".utf8))
        #expect(try tree.read("a/link.txt") == nil)
        #expect(try tree.read("../../etc/hostname") == nil)
        #expect(try tree.read("a") == nil)
    }
}
