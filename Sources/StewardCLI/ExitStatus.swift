/// Documented exit codes, shared by every command.
public enum ExitStatus: Int32, Sendable {
    /// Nothing wrong.
    case success = 0
    /// Findings of severity error (or mandatory policy violations).
    case findings = 1
    /// Bad usage or unreadable input: nothing was evaluated.
    case usage = 2
}
