import Foundation
import StewardEngine
import StewardGit

/// One apply at a time: a lease kept as a commit on `refs/steward/lock`, taken and given back
/// by compare-and-swap, with an expiry so a crashed run does not lock the mesh forever, and
/// taken over at once when its holder's process is gone from this machine (docs/reconciler.md §2).
public struct Lease: Sendable, Equatable {
    public static let ref = "refs/steward/lock"

    public struct Holder: Sendable, Equatable, Codable {
        public var holder: String
        public var run: String
        public var host: String
        public var pid: Int32
        public var acquired: Date
        public var expires: Date
        /// The holder's PID namespace (`/proc/self/ns/pid`): containers that share a host name
        /// do not see each other's processes, so a pid is only judged within its namespace.
        public var namespace: String?

        /// Whether the holder ran on this machine, in this PID namespace, and its process is gone
        /// (killed, crashed): its lease is then taken over at once instead of after it expires.
        public var isDeadHere: Bool {
            host == ProcessInfo.processInfo.hostName && namespace == Holder.currentNamespace
                && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
        }

        static let currentNamespace: String? = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")
    }

    /// The commit this lease is, and what it says.
    public let commit: ObjectID
    public let holder: Holder

    public enum Failure: Error, CustomStringConvertible {
        case held(Holder)
        case lost(run: String)
        case unreadable(String)

        public var description: String {
            switch self {
            case let .held(h):
                "another apply holds the mesh: run \(h.run) by \(h.holder) on \(h.host) (pid \(h.pid)) since \(TimeText.format(h.acquired)), until \(TimeText.format(h.expires))"
            case let .lost(run): "the lease of run \(run) was taken over after it expired; this run stops"
            case let .unreadable(reason):
                "the lease at \(Lease.ref) is unreadable: \(reason); if no apply is running, remove it with `git update-ref -d \(Lease.ref)`"
            }
        }
    }

    /// Who holds the lease now, if anyone (expired or not).
    public static func current(in repository: Repository) throws -> Lease? {
        guard let tip = try repository.reference(ref) else { return nil }
        guard let bytes = try repository.tree(at: tip).read("lock.json") else { throw Failure.unreadable("no lock.json in \(tip.short)") }
        do {
            return Lease(commit: tip, holder: try decoder.decode(Holder.self, from: Data(bytes)))
        } catch {
            throw Failure.unreadable("\(error)")
        }
    }

    /// Takes the lease for `run`, or throws `Failure.held` with who holds it. An expired lease
    /// is taken over (expecting that exact commit, so two takers cannot both win).
    public static func acquire(in repository: Repository, holder: String, run: String, for duration: TimeInterval,
                               now: Date = Date()) throws -> Lease {
        // Whole seconds: what lock.json keeps, so the lease returned equals the one read back.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        for attempt in 0..<20 {
            if attempt > 0 { Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.05)) }
            let existing = try current(in: repository)
            if let existing, existing.holder.expires > now, !existing.holder.isDeadHere { throw Failure.held(existing.holder) }
            let h = Holder(holder: holder, run: run, host: ProcessInfo.processInfo.hostName, pid: getpid(),
                           acquired: now, expires: now.addingTimeInterval(duration.rounded(.up)), namespace: Holder.currentNamespace)
            let commit = try write(h, parent: nil, in: repository, message: "lease \(run)")
            do {
                try repository.updateReference(ref, to: commit, expecting: existing?.commit, message: "steward: lease \(run)")
                return Lease(commit: commit, holder: h)
            } catch GitError.refMoved {
                // Someone else took it between our read and our swap; or the holder gave it
                // back meanwhile, and it is free: try again.
                if let now = try current(in: repository) { throw Failure.held(now.holder) }
            }
        }
        throw Failure.unreadable("the lease kept moving while being taken")
    }

    /// Takes the lease, waiting (polling) while another run holds it, up to `timeout`.
    public static func acquire(in repository: Repository, holder: String, run: String, for duration: TimeInterval,
                               waitingUpTo timeout: TimeInterval, poll: TimeInterval = 1) throws -> Lease {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                return try acquire(in: repository, holder: holder, run: run, for: duration)
            } catch Failure.held(let h) {
                if Date() >= deadline { throw Failure.held(h) }
                Thread.sleep(forTimeInterval: min(poll, max(0.05, deadline.timeIntervalSinceNow)))
            }
        }
    }

    /// Removes a lease whose holder's process is gone from this machine (a killed apply), so it
    /// does not linger when the next apply finds nothing to do and never takes it. True if removed.
    @discardableResult
    public static func clearAbandoned(in repository: Repository) throws -> Bool {
        guard let lease = try current(in: repository), lease.holder.isDeadHere else { return false }
        do {
            try repository.deleteReference(ref, expecting: lease.commit)
            return true
        } catch GitError.refMoved {
            return false  // someone took it meanwhile: theirs now
        }
    }

    /// Extends the lease; `Failure.lost` when it is no longer ours.
    public func renew(in repository: Repository, for duration: TimeInterval, now: Date = Date()) throws -> Lease {
        var h = holder
        h.expires = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)).addingTimeInterval(duration.rounded(.up))
        let commit = try Self.write(h, parent: nil, in: repository, message: "lease \(h.run) renewed")
        do {
            try repository.updateReference(Self.ref, to: commit, expecting: self.commit, message: "steward: renew \(h.run)")
        } catch GitError.refMoved {
            throw Failure.lost(run: h.run)
        }
        return Lease(commit: commit, holder: h)
    }

    /// Gives the lease back; a lease already taken over is left to its new holder.
    public func release(in repository: Repository) throws {
        do {
            try repository.deleteReference(Self.ref, expecting: commit)
        } catch GitError.refMoved {
            throw Failure.lost(run: holder.run)
        }
    }

    private static func write(_ h: Holder, parent: ObjectID?, in repository: Repository, message: String) throws -> ObjectID {
        let blob = try repository.writeBlob(Array(try encoder.encode(h)) + [0x0A])
        let tree = try repository.writeTree(["lock.json": blob])
        let who = Signature(name: h.holder, email: h.holder, date: h.acquired)
        return try repository.writeCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message + "\n", author: who)
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
