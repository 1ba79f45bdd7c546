/// A read-only view of the files of a mesh: a git tree at a commit, the work tree,
/// or a folder. The model loads through this protocol and so never imports git.
///
/// Paths are repository-relative, `/`-separated, without a leading `./`.
public protocol FileTree: Sendable {
    /// A short human description of where the files come from (`commit 1a2b3c4`, `work tree`).
    var label: String { get }
    /// Every regular file under `prefix` (recursively), sorted by path.
    func files(under prefix: String) throws -> [String]
    /// The bytes of the file at `path`, or nil if there is no such file.
    func read(_ path: String) throws -> [UInt8]?
    /// The bytes of each file of `paths` (nil for one that is not there), at once: a git
    /// tree reads them in one pass over its object database.
    func read(all paths: [String]) throws -> [[UInt8]?]
    /// An id of the file's content that changes whenever the content does (a git blob id),
    /// when the tree knows one without reading the file; nil otherwise.
    func contentID(_ path: String) -> String?
}

extension FileTree {
    public func contentID(_ path: String) -> String? { nil }

    public func read(all paths: [String]) throws -> [[UInt8]?] { try paths.map { try read($0) } }

    public func exists(_ path: String) throws -> Bool { try read(path) != nil }
}
