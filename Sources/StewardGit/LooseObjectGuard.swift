internal import CLibGit2
import Foundation

/// Refuses damaged loose objects before libgit2 reads them.
///
/// libgit2 1.5 (Debian 12's) never returns from reading a loose object whose zlib stream is
/// truncated: inflate makes no progress and it retries forever. A corrupt repository must
/// give an error, not a hang, so every object we look up by id is first checked here when it
/// is stored loose: we inflate it ourselves and require the stream to end cleanly. Packed
/// objects are not affected (libgit2 checks their sizes) and cost one failed `stat`.
enum LooseObjectGuard {
    /// Throws `GitError.library` when `id` is a loose object in `objectsDir` that does not inflate.
    static func check(objectsDir: String, id: ObjectID) throws {
        let hex = id.hex
        let path = objectsDir + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
        guard let data = FileManager.default.contents(atPath: path) else { return }  // not loose
        if let problem = inflateProblem(data) {
            throw GitError.library(operation: "read object `\(id.short)`", code: -1,
                                   message: "loose object \(hex) is damaged (\(problem))")
        }
    }

    /// Nil when `data` is one complete zlib stream; otherwise what is wrong with it.
    static func inflateProblem(_ data: Data) -> String? {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return "cannot start zlib"
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: 64 * 1024)
        return data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> String? in
            guard let base = input.bindMemory(to: UInt8.self).baseAddress else { return "empty file" }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = uInt(input.count)
            while true {
                let rc = out.withUnsafeMutableBufferPointer { buf -> Int32 in
                    stream.next_out = buf.baseAddress
                    stream.avail_out = uInt(buf.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                switch rc {
                case Z_STREAM_END: return nil
                case Z_OK: continue
                case Z_BUF_ERROR: return "truncated zlib stream"
                default: return "invalid zlib data"
                }
            }
        }
    }
}
