import Foundation

/// Where a command writes. Standard output/error for the real tool; a buffer in tests.
public final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private var captured: (out: String, err: String)?
    /// Whether to use ANSI colour: only on a terminal, never when captured or `NO_COLOR` is set.
    public let color: Bool

    private init(captured: (String, String)?, color: Bool) {
        self.captured = captured
        self.color = color
    }

    public static func standard(colorMode: ColorMode = .auto) -> Console {
        let tty = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        let color = switch colorMode {
        case .auto: tty
        case .always: true
        case .never: false
        }
        return Console(captured: nil, color: color)
    }

    /// A console that keeps what is written, for tests.
    public static func capture() -> Console { Console(captured: ("", ""), color: false) }

    public func out(_ text: String) { write(text, error: false) }
    public func err(_ text: String) { write(text, error: true) }

    public var standardOutput: String { lock.withLock { captured?.out ?? "" } }
    public var standardError: String { lock.withLock { captured?.err ?? "" } }

    private func write(_ text: String, error: Bool) {
        let line = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
        lock.withLock {
            if captured != nil {
                if error { captured!.err += line } else { captured!.out += line }
            } else {
                FileHandle(fileDescriptor: error ? STDERR_FILENO : STDOUT_FILENO).write(Data(line.utf8))
            }
        }
    }
}

public enum ColorMode: String, Sendable, CaseIterable {
    case auto, always, never
}
