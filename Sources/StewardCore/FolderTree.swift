import Foundation

/// A `FileTree` over a plain folder on disk (no git), for standalone files and tests.
public struct FolderTree: FileTree {
    public let root: URL
    public var label: String { root.path }

    public init(root: URL) { self.root = root.standardizedFileURL }

    public func files(under prefix: String) throws -> [String] {
        let base = prefix.isEmpty ? root : root.appendingPathComponent(prefix)
        guard let walker = FileManager.default.enumerator(
            at: base, includingPropertiesForKeys: [.isRegularFileKey], options: []
        ) else { return [] }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var out: [String] = []
        for case let url as URL in walker {
            if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            if full.hasPrefix(rootPath) { out.append(String(full.dropFirst(rootPath.count))) }
        }
        return out.sorted()
    }

    public func read(_ path: String) throws -> [UInt8]? {
        let url = root.appendingPathComponent(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else {
            return nil
        }
        return Array(try Data(contentsOf: url))
    }
}
