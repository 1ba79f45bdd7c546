import Foundation

/// A `FileTree` over a plain folder on disk (no git), for standalone files and tests.
public struct FolderTree: FileTree {
    public let root: URL
    public var label: String { root.path }

    public init(root: URL) { self.root = root.standardizedFileURL }

    public func files(under prefix: String) throws -> [String] {
        let base = prefix.isEmpty ? root : root.appendingPathComponent(prefix)
        guard let walker = FileManager.default.enumerator(
            at: base, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey], options: []
        ) else { return [] }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var out: [String] = []
        for case let url as URL in walker {
            if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
            // Symbolic links are skipped, as git trees skip them: one could point outside the mesh.
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values?.isSymbolicLink != true, values?.isRegularFile == true else { continue }
            let full = url.standardizedFileURL.path
            if full.hasPrefix(rootPath) { out.append(String(full.dropFirst(rootPath.count))) }
        }
        return out.sorted()
    }

    /// The bytes of a regular file inside the folder; nil for anything else, including paths
    /// with `..` and symbolic links, which could lead outside it.
    public func read(_ path: String) throws -> [UInt8]? {
        guard let relative = try? RepoPath.resolve(path) else { return nil }
        let url = root.appendingPathComponent(relative)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular else { return nil }
        return Array(try Data(contentsOf: url))
    }
}
