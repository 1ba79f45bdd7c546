import Foundation

/// What `stat(2)` says of a file that changes when its content is rewritten: its size, its
/// modification time and its inode (a file replaced by rename is a new inode).
public struct FileStamp: Hashable, Sendable {
    public var size: Int64
    /// Nanoseconds since 1970.
    public var modified: Int64
    public var inode: UInt64

    /// Nil when there is no file at `path` (or it cannot be stat'ed); follows symbolic links.
    public init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        size = Int64(st.st_size)
        #if canImport(Darwin)
        modified = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        inode = UInt64(st.st_ino)
    }
}
