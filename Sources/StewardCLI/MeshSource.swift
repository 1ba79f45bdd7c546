import Foundation
import StewardCore
import StewardGit
import StewardModel

/// A problem that stops a command before it evaluates anything (exit 2).
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var help: String?
    var description: String { message }
}

/// Finds the mesh a command works on: a git revision, the work tree, or a plain folder.
enum MeshSource {
    struct Opened {
        var tree: any FileTree
        var repository: Repository?
        /// The commit read, when a revision was asked for.
        var commit: ObjectID?
    }

    static func open(path: String, revision: String?) throws -> Opened {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw UsageError(message: "`\(path)` is not a folder", help: "pass the mesh repository with -C <path>")
        }
        let repository: Repository
        do {
            repository = try Repository.discover(from: path)
        } catch GitError.notARepository {
            if let revision {
                throw UsageError(message: "cannot read revision `\(revision)`: `\(path)` is not inside a git repository",
                                 help: "drop --rev to lint the folder as it is")
            }
            return Opened(tree: FolderTree(root: URL(fileURLWithPath: path)), repository: nil, commit: nil)
        }
        if let revision {
            let id = try repository.resolve(revision)
            return Opened(tree: try repository.tree(at: id), repository: repository, commit: id)
        }
        if repository.isBare {
            let head = try repository.resolve("HEAD")
            return Opened(tree: try repository.tree(at: head), repository: repository, commit: head)
        }
        return Opened(tree: try repository.workTree(), repository: repository, commit: nil)
    }
}

extension Repository {
    /// Parses shared by the loads of one command, backed by the repository's on-disk store
    /// (`<git dir>/steward/parse-cache`, docs/parse-cache.md).
    func parseCache(partialLoadsUseStore: Bool = false) -> ParseCache {
        ParseCache(store: ParseStore.at(URL(fileURLWithPath: gitDir).appendingPathComponent("steward/parse-cache")),
                   partialLoadsUseStore: partialLoadsUseStore)
    }

    /// The main branch steward.yaml names, or its remote-tracking `origin/<main>` in a clone
    /// that has no local branch of it (CI checkouts): its commit and the name that resolved.
    func resolveMainBranch(_ main: String) throws -> (commit: ObjectID, rev: String) {
        if let id = try? resolve(main) { return (id, main) }
        return (try resolve("origin/\(main)"), "origin/\(main)")
    }
}
