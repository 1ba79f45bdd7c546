internal import CLibGit2
import Foundation
import StewardCore

/// The files of one commit, read straight from the object database (nothing is checked out).
public struct GitTree: FileTree {
    public let repository: Repository
    public let commit: ObjectID
    public let treeID: ObjectID
    /// Blob ids of the files listed so far, so reading a listed file costs one object lookup
    /// instead of a walk down its folders (a mesh load reads every file it lists).
    private let listed = BlobIndex()
    /// Extra handles on the same repository so that reads from several threads run in
    /// parallel (each libgit2 handle is used under its own lock).
    private let readers: ReaderPool

    init(repository: Repository, commit: ObjectID, treeID: ObjectID) {
        self.repository = repository
        self.commit = commit
        self.treeID = treeID
        self.readers = ReaderPool(repository)
    }

    public var label: String { "commit \(commit.short)" }

    /// Every regular file (including executables) under `prefix`, sorted; symlinks and
    /// submodules are skipped because they have no content of their own to load.
    public func files(under prefix: String) throws -> [String] {
        let base = GitTree.normalize(prefix)
        return try repository.withHandle { repo in
            let root = try repository.lookupTree(repo, treeID)
            defer { git_tree_free(root) }
            var out: [(String, ObjectID)] = []
            if base.isEmpty {
                try repository.collectBlobs(repo, root, prefix: "", into: &out)
            } else {
                guard let entry = try repository.entry(root, base) else { return [] }
                defer { git_tree_entry_free(entry) }
                guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
                let sub = try repository.lookupTree(repo, ObjectID(git_tree_entry_id(entry)))
                defer { git_tree_free(sub) }
                try repository.collectBlobs(repo, sub, prefix: base + "/", into: &out)
            }
            listed.add(out)
            // A depth-first walk of git's trees is in path order except where a folder's name
            // sorts differently with its `/` (`a-b` before `a/`); sorting 30,000 paths that are
            // already in order cost 20 ms, so only out-of-order listings are sorted.
            let paths = out.map(\.0)
            return zip(paths, paths.dropFirst()).allSatisfy { $0 < $1 } ? paths : paths.sorted()
        }
    }

    /// The names of the folders directly inside `prefix` (one tree read, nothing listed below).
    public func folders(in prefix: String) throws -> [String] {
        let base = GitTree.normalize(prefix)
        return try repository.withHandle { repo in
            let root = try repository.lookupTree(repo, treeID)
            defer { git_tree_free(root) }
            guard let entry = try repository.entry(root, base) else { return [] }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
            let sub = try repository.lookupTree(repo, ObjectID(git_tree_entry_id(entry)))
            defer { git_tree_free(sub) }
            var out: [String] = []
            for i in 0..<git_tree_entrycount(sub) {
                guard let e = git_tree_entry_byindex(sub, i), git_tree_entry_type(e) == GIT_OBJECT_TREE else { continue }
                out.append(String(cString: git_tree_entry_name(e)))
            }
            return out.sorted()
        }
    }

    /// The bytes of the regular file at `path`, or nil if there is none (or it is a folder,
    /// a symlink or a submodule).
    public func read(_ path: String) throws -> [UInt8]? {
        let p = GitTree.normalize(path)
        if p.isEmpty { return nil }
        if let id = listed[p] {
            let reader = readers.next()
            return try reader.withHandle { try reader.readBlob($0, id, path: p) }
        }
        return try repository.withHandle { repo in
            let root = try repository.lookupTree(repo, treeID)
            defer { git_tree_free(root) }
            guard let entry = try repository.entry(root, p) else { return nil }
            defer { git_tree_entry_free(entry) }
            guard Repository.isRegularFile(git_tree_entry_filemode(entry)) else { return nil }
            return try repository.readBlob(repo, ObjectID(git_tree_entry_id(entry)), path: p)
        }
    }

    /// The blob id of a listed file: equal ids mean equal bytes, so parses can be reused.
    public func contentID(_ path: String) -> String? {
        listed[GitTree.normalize(path)]?.description
    }

    /// Strips `./`, leading and trailing slashes and empty parts, so `domains/`, `/domains`
    /// and `./domains` mean the same folder.
    static func normalize(_ path: String) -> String {
        if RepoPath.isCanonical(path) { return path }
        return path.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
            .joined(separator: "/")
    }
}

extension Repository {
    /// The files of `commit`, as a `FileTree`.
    public func tree(at commit: ObjectID) throws -> GitTree {
        let treeID: ObjectID = try withHandle { repo in
            let c = try lookupCommit(repo, commit)
            defer { git_commit_free(c) }
            return ObjectID(git_commit_tree_id(c))
        }
        return GitTree(repository: self, commit: commit, treeID: treeID)
    }

    /// The bytes of the file at `path` in `commit`, or nil if there is no such file.
    public func blob(path: String, at commit: ObjectID) throws -> [UInt8]? {
        try tree(at: commit).read(path)
    }

    /// The id of the tree entry at `path` in `commit` (a blob for a file, a tree for a folder),
    /// or nil when nothing is there. Reads only the trees along the path, so comparing these ids
    /// between commits is a cheap "did this path change" test. The empty path is the root tree.
    public func entryID(path: String, at commit: ObjectID) throws -> ObjectID? {
        try withHandle { repo in
            let c = try lookupCommit(repo, commit)
            defer { git_commit_free(c) }
            return try entryID(repo, commit: c, path: GitTree.normalize(path))
        }
    }

    /// `entryID` for an already loaded commit; `path` must be normalized.
    func entryID(_ repo: OpaquePointer, commit: OpaquePointer, path: String) throws -> ObjectID? {
        if path.isEmpty { return ObjectID(git_commit_tree_id(commit)) }
        var tree: OpaquePointer?
        let rc = git_commit_tree(&tree, commit)
        guard rc == 0, let tree else {
            throw LibGit2.error(LibGit2.failure(rc), "read tree of commit `\(ObjectID(git_commit_id(commit)).short)`")
        }
        defer { git_tree_free(tree) }
        guard let entry = try entry(tree, path) else { return nil }
        defer { git_tree_entry_free(entry) }
        return ObjectID(git_tree_entry_id(entry))
    }

    /// Looks up a tree; the caller frees it.
    func lookupTree(_ repo: OpaquePointer, _ id: ObjectID) throws -> OpaquePointer {
        var oid = id.oid
        var tree: OpaquePointer?
        try LooseObjectGuard.check(repo, id)
        let rc = git_tree_lookup(&tree, repo, &oid)
        guard rc == 0, let tree else {
            let f = LibGit2.failure(rc)
            if rc == Code.notFound { throw GitError.notFound("tree `\(id.short)` (\(f.message))") }
            throw LibGit2.error(f, "read tree `\(id.short)`")
        }
        return tree
    }

    /// The entry at a normalized path, or nil when absent; the caller frees it.
    func entry(_ tree: OpaquePointer, _ path: String) throws -> OpaquePointer? {
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, path)
        if rc == Code.notFound {
            _ = LibGit2.failure(rc)
            return nil
        }
        guard rc == 0, let entry else { throw LibGit2.error(LibGit2.failure(rc), "look up `\(path)`") }
        return entry
    }

    /// The content of a blob.
    func readBlob(_ repo: OpaquePointer, _ id: ObjectID, path: String) throws -> [UInt8] {
        var oid = id.oid
        var blob: OpaquePointer?
        try LooseObjectGuard.check(repo, id)
        let rc = git_blob_lookup(&blob, repo, &oid)
        guard rc == 0, let blob else { throw LibGit2.error(LibGit2.failure(rc), "read `\(path)` (blob `\(id.short)`)") }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let start = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: size))
    }

    /// Appends the paths of all regular files below `tree`, depth first.
    func collectBlobs(_ repo: OpaquePointer, _ tree: OpaquePointer, prefix: String, into out: inout [(String, ObjectID)]) throws {
        let count = git_tree_entrycount(tree)
        for i in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, i) else { continue }  // borrowed, not freed
            let name = LibGit2.string(git_tree_entry_name(entry)) ?? ""
            let mode = git_tree_entry_filemode(entry)
            if mode == GIT_FILEMODE_TREE {
                let sub = try lookupTree(repo, ObjectID(git_tree_entry_id(entry)))
                defer { git_tree_free(sub) }
                try collectBlobs(repo, sub, prefix: prefix + name + "/", into: &out)
            } else if Repository.isRegularFile(mode) {
                out.append((prefix + name, ObjectID(git_tree_entry_id(entry))))
            }
        }
    }

    static func isRegularFile(_ mode: git_filemode_t) -> Bool {
        mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE
    }
}

/// Path to blob id of listed files, shared by the copies of one `GitTree`.
private final class BlobIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: ObjectID] = [:]

    func add(_ entries: [(String, ObjectID)]) {
        lock.withLock {
            ids.reserveCapacity(ids.count + entries.count)
            for (path, id) in entries { ids[path] = id }
        }
    }

    subscript(path: String) -> ObjectID? { lock.withLock { ids[path] } }
}

/// A few handles on one repository, handed out in turn.
private final class ReaderPool: @unchecked Sendable {
    private let lock = NSLock()
    private let primary: Repository
    private var handles: [Repository] = []
    private var turn = 0
    private let size = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    init(_ primary: Repository) { self.primary = primary }

    /// The next handle; opens more (up to one per core) on first use. Falls back to the
    /// primary handle if another cannot be opened.
    func next() -> Repository {
        lock.withLock {
            if handles.isEmpty {
                handles = [primary]
                for _ in 1..<size {
                    guard let extra = try? Repository(path: primary.gitDir) else { break }
                    handles.append(extra)
                }
            }
            turn = (turn + 1) % handles.count
            return handles[turn]
        }
    }
}

extension GitTree {
    /// The bytes of many blobs, in the order of `ids`, read in a few batches over the cores,
    /// each on its own handle (`Repository.readBlobs`).
    public func readBlobs(_ ids: [ObjectID]) throws -> [[UInt8]] {
        let batches = min(ids.count / 256 + 1, max(1, ProcessInfo.processInfo.activeProcessorCount))
        if batches == 1 { return try repository.readBlobs(ids) }
        let (readers, size) = (self.readers, (ids.count + batches - 1) / batches)
        return try concurrentMap(batches) { b in
            try readers.next().readBlobs(Array(ids[min(ids.count, b * size)..<min(ids.count, (b + 1) * size)]))
        }.flatMap { $0 }
    }

    /// Listed files are read in bulk (`readBlobs`), each other path on its own: one object
    /// lookup and one check for a damaged loose object per file cost 25 µs, and a large
    /// mesh has 10,000 transforms.
    public func read(all paths: [String]) throws -> [[UInt8]?] {
        var out = [[UInt8]?](repeating: nil, count: paths.count)
        var ids: [ObjectID] = [], positions: [Int] = []
        for (i, path) in paths.enumerated() {
            if let id = listed[GitTree.normalize(path)] {
                ids.append(id)
                positions.append(i)
            } else {
                out[i] = try read(path)
            }
        }
        for (k, bytes) in try readBlobs(ids).enumerated() { out[positions[k]] = bytes }
        return out
    }

    /// The id of the folder at `path` (nil when there is none, or it is not a folder).
    public func folderID(_ path: String) throws -> ObjectID? {
        let p = GitTree.normalize(path)
        if p.isEmpty { return treeID }
        return try repository.withHandle { repo in
            let root = try repository.lookupTree(repo, treeID)
            defer { git_tree_free(root) }
            guard let entry = try repository.entry(root, p) else { return nil }
            defer { git_tree_entry_free(entry) }
            return git_tree_entry_type(entry) == GIT_OBJECT_TREE ? ObjectID(git_tree_entry_id(entry)) : nil
        }
    }
}

extension Repository {
    /// The folders and regular files directly inside the tree `id` (symlinks and submodules
    /// are skipped), in tree order: one tree read, nothing below it.
    public func treeEntries(_ id: ObjectID) throws -> [(name: String, id: ObjectID, isFolder: Bool)] {
        try withHandle { repo in
            let tree = try lookupTree(repo, id)
            defer { git_tree_free(tree) }
            var out: [(name: String, id: ObjectID, isFolder: Bool)] = []
            let count = git_tree_entrycount(tree)
            out.reserveCapacity(count)
            for i in 0..<count {
                guard let e = git_tree_entry_byindex(tree, i) else { continue }  // borrowed, not freed
                let mode = git_tree_entry_filemode(e)
                guard mode == GIT_FILEMODE_TREE || Repository.isRegularFile(mode) else { continue }
                out.append((String(cString: git_tree_entry_name(e)), ObjectID(git_tree_entry_id(e)), mode == GIT_FILEMODE_TREE))
            }
            return out
        }
    }

    /// The bytes of many blobs, in the order of `ids`: one object database handle, read in
    /// one pass. Many small blobs read this way cost about what `git cat-file --batch` pays;
    /// through `git_blob_lookup` each also paid an object-cache entry and a loose-file probe.
    public func readBlobs(_ ids: [ObjectID]) throws -> [[UInt8]] {
        try withHandle { repo in
            var odb: OpaquePointer?
            let rc = git_repository_odb(&odb, repo)
            guard rc == 0, let odb else { throw LibGit2.error(LibGit2.failure(rc), "open the object database") }
            defer { git_odb_free(odb) }
            let loose = LooseObjectGuard.Fanout(repo)
            return try ids.map { id in
                if loose.mayHold(id) { try LooseObjectGuard.check(repo, id) }
                var oid = id.oid
                var object: OpaquePointer?
                let rc = git_odb_read(&object, odb, &oid)
                guard rc == 0, let object else { throw LibGit2.error(LibGit2.failure(rc), "read blob `\(id.short)`") }
                defer { git_odb_object_free(object) }
                guard git_odb_object_type(object) == GIT_OBJECT_BLOB else {
                    throw GitError.library(operation: "read blob `\(id.short)`", code: -1, message: "the object is not a blob")
                }
                let size = git_odb_object_size(object)
                guard size > 0, let data = git_odb_object_data(object) else { return [] }
                return Array(UnsafeRawBufferPointer(start: data, count: size))
            }
        }
    }
}
