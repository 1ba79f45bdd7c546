internal import CLibGit2
import Foundation
import StewardCore

/// Refuses truncated loose objects before libgit2 reads them.
///
/// libgit2 up to 1.9 (Debian ships 1.5.1) loops forever when it inflates a loose object whose
/// zlib stream was cut short: `inflate` reports `Z_BUF_ERROR`, which its drain loop treats as
/// "try again" (libgit2/libgit2#7342, fixed by #7346). A hang is worse than an error, so before
/// every object this module loads itself (commits, trees, blobs) it checks the loose file, if
/// there is one, with zlib's one-shot `uncompress`, which fails instead of looping.
///
/// zlib comes with libgit2's own -dev package and is linked through the CLibGit2 module.
/// Objects libgit2 reads on its own (while parsing a revision, walking history or diffing
/// subtrees) are not covered.
enum LooseObjectGuard {
    /// Throws `GitError.library` when `id` is stored as a loose object whose compressed data
    /// does not inflate to exactly the size its header announces. Packed, missing and
    /// unreadable objects are left for libgit2 to report.
    static func check(_ repo: OpaquePointer, _ id: ObjectID) throws {
        guard let common = LibGit2.string(git_repository_commondir(repo)) else { return }
        let hex = id.hex
        let file = Repository.trimSlash(common) + "/objects/" + hex.prefix(2) + "/" + hex.dropFirst(2)
        // Most objects are packed: one failing stat(2), without Foundation's file reading (a
        // cold load of a large mesh asks 20,000 times).
        guard let stamp = FileStamp(file) else { return }
        // A loose file that inflated whole is not read again while its size, time and inode
        // stay: a commit's root tree is loose until the next repack and is looked up for every
        // file read outside a listing (500 times in a scoped check of a large mesh).
        let seen = VerifiedFiles.Key(file: file, stamp: stamp)
        if verified.contains(seen) { return }
        guard let bytes = readWhole(file), bytes.count >= 2 else { return }
        // Only zlib streams (the standard loose format) can trigger the loop.
        guard bytes[0] & 0x8f == 0x08, (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0 else { return }

        // The header (`blob 123\0`) inflates from the first chunk alone, which libgit2 does safely.
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, repo) == 0, let odb else {
            _ = LibGit2.failure(-1)
            return
        }
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        var oid = id.oid
        let rc = git_odb_read_header(&size, &type, odb, &oid)
        guard rc == 0 else {
            _ = LibGit2.failure(rc)  // libgit2 reports this itself on the real read
            return
        }
        let typeName = LibGit2.string(git_object_type2string(type)) ?? ""
        let expected = typeName.utf8.count + 1 + String(size).utf8.count + 1 + size

        var output = [UInt8](repeating: 0, count: expected + 1)
        var outputLength = uLongf(output.count)
        let z = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &outputLength, input.baseAddress, uLong(input.count))
            }
        }
        if z != Z_OK || outputLength != uLongf(expected) {
            throw GitError.library(
                operation: "read object `\(id.short)`", code: -1,
                message: "loose object file `\(file)` is truncated or corrupt "
                    + "(zlib status \(z), \(outputLength) of \(expected) bytes)")
        }
        verified.insert(seen)
    }
}

extension LooseObjectGuard {
    /// The loose object files (by path: the same id in two repositories is two files) that
    /// inflated whole in this process, as they were then.
    private static let verified = VerifiedFiles()

    /// Which of the 256 fan-out folders of `objects/` exist, read once: an object whose folder
    /// is absent has no loose copy, so a packed repository's reads skip the per-object probe.
    /// Taken when a batch of reads starts; a loose object written later by another process
    /// is then read by libgit2 unchecked, as objects it reads on its own are.
    struct Fanout {
        private var present = [Bool](repeating: true, count: 256)

        init(_ repo: OpaquePointer) {
            guard let common = LibGit2.string(git_repository_commondir(repo)),
                  let names = try? FileManager.default.contentsOfDirectory(atPath: Repository.trimSlash(common) + "/objects")
            else { return }  // unknown: probe every object
            present = [Bool](repeating: false, count: 256)
            for name in names {
                let u = Array(name.utf8)
                guard u.count == 2, let hi = Hex.value(u[0]), let lo = Hex.value(u[1]) else { continue }
                present[Int(hi << 4 | lo)] = true
            }
        }

        func mayHold(_ id: ObjectID) -> Bool {
            let u = id.hex.utf8
            guard u.count >= 2, let hi = Hex.value(u[u.startIndex]), let lo = Hex.value(u[u.index(after: u.startIndex)]) else { return true }
            return present[Int(hi << 4 | lo)]
        }
    }
}

/// Files as they were when checked, shared by every thread.
private final class VerifiedFiles: @unchecked Sendable {
    struct Key: Hashable {
        var file: String
        var stamp: FileStamp
    }

    private let lock = NSLock()
    private var files = Set<Key>()  // guarded by `lock`

    func contains(_ key: Key) -> Bool { lock.withLock { files.contains(key) } }
    func insert(_ key: Key) { lock.withLock { _ = files.insert(key) } }
}

/// The bytes of a file, or nil when it cannot be opened or read.
private func readWhole(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size >= 0 else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return nil }
        done += n
    }
    return bytes
}
