import Foundation

/// Named points where a test may kill the process, to prove that a run killed there leaves
/// nothing half-done (the reconciler's crash test). Off unless `STEWARD_TEST_KILL_AT` is set to
/// `point` or `point:N` (die at the N-th time the point is reached, default the first): the
/// process then sends itself SIGKILL there, exactly as `kill -9` from outside would.
public enum CrashPoint {
    public static let environmentVariable = "STEWARD_TEST_KILL_AT"

    private static let target: (name: String, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment[environmentVariable], !spec.isEmpty else { return nil }
        let parts = spec.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()
    nonisolated(unsafe) private static var hits = 0
    private static let lock = NSLock()

    /// Kills the process if this is the point and the time asked for.
    public static func reach(_ name: String) {
        guard let target, target.name == name else { return }
        let n = lock.withLock { hits += 1; return hits }
        if n == target.count { kill(getpid(), SIGKILL) }
    }
}
