/// A view of another tree limited to some folders and files: what a command reads when it
/// needs a few domains of the mesh, not all of them (`history` loads a product's neighbourhood).
/// Paths outside the subset are absent: not listed and not readable.
public struct SubsetTree: FileTree {
    public let base: any FileTree
    /// Folders (without a trailing slash) whose files are all included.
    public let folders: [String]
    /// Single files included.
    public let files: Set<String>

    public init(_ base: any FileTree, folders: [String], files: Set<String> = []) {
        self.base = base
        self.folders = folders.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.sorted()
        self.files = files
    }

    public var label: String { base.label }

    public func includes(_ path: String) -> Bool {
        files.contains(path) || folders.contains { path.hasPrefix($0 + "/") }
    }

    public func files(under prefix: String) throws -> [String] {
        let p = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        var out = Set<String>()
        for folder in folders {
            if p.isEmpty || folder == p || folder.hasPrefix(p + "/") {
                out.formUnion(try base.files(under: folder))  // the folder lies inside the prefix
            } else if p.hasPrefix(folder + "/") {
                out.formUnion(try base.files(under: p))  // the prefix lies inside the folder
            }
        }
        for f in files where p.isEmpty || f.hasPrefix(p + "/") {
            if try base.exists(f) { out.insert(f) }
        }
        return out.sorted()
    }

    public func read(_ path: String) throws -> [UInt8]? {
        includes(path) ? try base.read(path) : nil
    }

    /// The included paths read through the base's `read(all:)` (a git tree reads them in bulk).
    public func read(all paths: [String]) throws -> [[UInt8]?] {
        let inside = paths.indices.filter { includes(paths[$0]) }
        var out = [[UInt8]?](repeating: nil, count: paths.count)
        for (k, bytes) in try base.read(all: inside.map { paths[$0] }).enumerated() { out[inside[k]] = bytes }
        return out
    }

    public func contentID(_ path: String) -> String? {
        includes(path) ? base.contentID(path) : nil
    }
}
