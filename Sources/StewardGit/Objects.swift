import Foundation

/// Who made a commit and when, as recorded in the commit (not as configured now).
public struct Signature: Sendable, Hashable {
    public let name: String
    public let email: String
    /// The instant, independent of time zone.
    public let date: Date
    /// The author's UTC offset at the time, in minutes (`+0100` is 60), kept so a commit
    /// written back out is byte-identical.
    public let timeZoneOffsetMinutes: Int

    public init(name: String, email: String, date: Date, timeZoneOffsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.date = date
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }
}

/// One `Key: value` line of a commit message's trailer block (`Co-authored-by`, `Signed-off-by`).
public struct Trailer: Sendable, Hashable {
    public let key: String
    public let value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A commit, copied out of libgit2 into plain values.
public struct Commit: Sendable, Hashable {
    public let id: ObjectID
    public let treeID: ObjectID
    /// First parent first, as git records them.
    public let parents: [ObjectID]
    public let author: Signature
    public let committer: Signature
    /// The full message as stored (libgit2 drops leading blank lines only).
    public let message: String
    /// The trailer block at the end of the message, in order, parsed by libgit2.
    public let trailers: [Trailer]

    public init(
        id: ObjectID, treeID: ObjectID, parents: [ObjectID], author: Signature,
        committer: Signature, message: String, trailers: [Trailer]
    ) {
        self.id = id
        self.treeID = treeID
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
        self.trailers = trailers
    }

    /// The first line of the message, without its newline.
    public var summary: String {
        let line = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return line.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var isMerge: Bool { parents.count > 1 }

    /// The values of every trailer named `key`, compared case-insensitively as git does
    /// (`co-authored-by` matches `Co-authored-by`).
    public func trailerValues(_ key: String) -> [String] {
        trailers.filter { $0.key.caseInsensitiveCompare(key) == .orderedSame }.map(\.value)
    }
}
