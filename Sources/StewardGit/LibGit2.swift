internal import CLibGit2
import Foundation

/// The glue every file in this module shares: library lifetime, error capture, and
/// conversions between C values and Swift values. Nothing here is public.
enum LibGit2 {
    /// Takes one reference on libgit2's global state. libgit2 counts `init` calls and only tears
    /// down on the matching last `shutdown`, so each owner (a `Repository`, or a static helper for
    /// the span of one call) acquires and releases, keeping the two balanced.
    static func acquire() {
        _ = processReference
        _ = git_libgit2_init()
        // Mesh folders hold hundreds of files: keep their trees in the object cache.
        _ = steward_git_set_tree_cache_limit(1 << 20)
    }

    /// One reference held for the whole process, never dropped. libgit2's initialisation
    /// parses the system's CA bundle (Debian builds it with mbedTLS): about 6 ms, paid again
    /// whenever the last reference is dropped and a new one taken, as between `discover` and
    /// opening the repository it found.
    private static let processReference: Void = { _ = git_libgit2_init() }()

    /// Drops the reference taken by `acquire()`.
    static func release() { _ = git_libgit2_shutdown() }

    /// Runs `body` with libgit2 initialized, for calls made before a repository is open.
    static func withLibrary<T>(_ body: () throws -> T) rethrows -> T {
        acquire()
        defer { release() }
        return try body()
    }

    /// A failed call: its return code and libgit2's message for it.
    struct Failure: Error {
        var code: Int32
        var message: String
    }

    /// Captures `git_error_last()` for the call that just returned `code`. Must run right after
    /// that call, on the same thread: the error slot is thread-local and the next call may
    /// overwrite it. Clears the slot so a later failure without its own message does not
    /// inherit this one.
    static func failure(_ code: Int32) -> Failure {
        var message = "libgit2 gave no detail"
        if let last = git_error_last(), let text = last.pointee.message {
            var s = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            while s.hasSuffix(".") { s.removeLast() }  // the project's messages end without a period
            if !s.isEmpty { message = s }
        }
        git_error_clear()
        return Failure(code: code, message: message)
    }

    /// Throws `GitError.library` when `code` is negative (libgit2's convention for failure).
    static func check(_ code: Int32, _ operation: String) throws {
        if code < 0 {
            let f = failure(code)
            throw GitError.library(operation: operation, code: f.code, message: f.message)
        }
    }

    static func error(_ f: Failure, _ operation: String) -> GitError {
        .library(operation: operation, code: f.code, message: f.message)
    }

    /// The Swift string of a C string libgit2 owns (copied, so the C side may free it).
    static func string(_ p: UnsafePointer<CChar>?) -> String? {
        p.map { String(cString: $0) }
    }
}

/// Error codes compared throughout the module, as plain `Int32`.
enum Code {
    static let notFound = GIT_ENOTFOUND.rawValue
    static let exists = GIT_EEXISTS.rawValue
    static let ambiguous = GIT_EAMBIGUOUS.rawValue
    static let unbornBranch = GIT_EUNBORNBRANCH.rawValue
    static let invalidSpec = GIT_EINVALIDSPEC.rawValue
    static let modified = GIT_EMODIFIED.rawValue
    static let locked = GIT_ELOCKED.rawValue
    static let peel = GIT_EPEEL.rawValue
    static let iterOver = GIT_ITEROVER.rawValue
}

extension ObjectID {
    /// Copies a libgit2 object id into a Swift value.
    init(_ oid: git_oid) {
        var copy = oid
        let hex = withUnsafeBytes(of: &copy.id) { ObjectID.hexString($0) }
        self.init(validatedHex: hex)
    }

    init(_ oid: UnsafePointer<git_oid>) { self.init(oid.pointee) }

    /// The libgit2 form, for passing to C.
    var oid: git_oid {
        var out = git_oid()
        let bytes = rawBytes
        withUnsafeMutableBytes(of: &out.id) { buffer in
            for i in 0..<min(buffer.count, bytes.count) { buffer[i] = bytes[i] }
        }
        return out
    }
}

extension Signature {
    /// Copies a libgit2 signature (time in seconds since the epoch, offset in minutes).
    init(_ sig: UnsafePointer<git_signature>) {
        let s = sig.pointee
        self.init(
            name: LibGit2.string(s.name) ?? "",
            email: LibGit2.string(s.email) ?? "",
            date: Date(timeIntervalSince1970: TimeInterval(s.when.time)),
            timeZoneOffsetMinutes: Int(s.when.offset)
        )
    }

    /// Builds a libgit2 signature; the caller frees it with `git_signature_free`.
    func makeC() throws -> UnsafeMutablePointer<git_signature> {
        var out: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(date.timeIntervalSince1970.rounded(.down))
        let rc = git_signature_new(&out, name, email, seconds, Int32(timeZoneOffsetMinutes))
        try LibGit2.check(rc, "make signature for `\(name) <\(email)>`")
        return out!
    }
}
