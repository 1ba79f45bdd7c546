import Foundation

/// Renders diagnostics like a compiler: a header, the source line, a caret, notes and help.
///
/// ```
/// error[MESH0101]: unknown key `clasification`
///   --> domains/customer/contracts/customers.odcs.yaml:14:9
///    |
/// 14 |         clasification: restricted
///    |         ^
///    = help: did you mean `classification`?
/// ```
public struct DiagnosticRenderer: Sendable {
    public var color: Bool
    /// Returns the text of a file, to quote the offending line; nil skips the quote.
    public var source: @Sendable (String) -> String?

    public init(color: Bool = false, source: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.color = color
        self.source = source
    }

    public func render(_ d: Diagnostic) -> String {
        var out = paint(d.severity.rawValue, severityColor(d.severity)) + paint("[\(d.id)]", severityColor(d.severity))
        out += ": " + paint(d.message, "1") + "\n"
        var gutter = "  "
        if let loc = d.location {
            let quoted = loc.line > 0 ? lineText(path: loc.path, line: loc.line) : nil
            let number = String(loc.line)
            gutter = String(repeating: " ", count: quoted == nil ? 2 : number.count + 1)
            out += "\(gutter)\(paint("-->", "34")) \(loc)\n"
            if let quoted {
                let bar = paint("|", "34")
                out += "\(gutter)\(bar)\n"
                out += "\(paint(number, "34")) \(bar) \(quoted)\n"
                let pad = caretPadding(line: quoted, column: loc.column)
                out += "\(gutter)\(bar) \(pad)\(paint("^", severityColor(d.severity)))\n"
            }
        }
        for note in d.notes { out += "\(gutter)= note: \(note)\n" }
        if !d.detail.isEmpty {
            out += "\(gutter)= why:\n"
            for line in d.detail { out += "\(gutter)    \(line)\n" }
        }
        if let help = d.help { out += "\(gutter)= \(paint("help", "36")): \(help)\n" }
        return out
    }

    /// The one-line form `path:line:col: severity[ID]: message`, for grep-friendly output.
    public static func short(_ d: Diagnostic) -> String {
        let prefix = d.location.map { "\($0): " } ?? ""
        var s = "\(prefix)\(d.severity.rawValue)[\(d.id)]: \(d.message)"
        if let help = d.help { s += " (help: \(help))" }
        return s
    }

    /// A closing summary such as `2 errors, 1 warning`.
    public static func summary(_ ds: [Diagnostic]) -> String {
        let e = ds.count { $0.severity == .error }
        let w = ds.count { $0.severity == .warning }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(plural(e, "error")), \(plural(w, "warning"))"
    }

    private func lineText(path: String, line: Int) -> String? {
        guard let text = source(path) else { return nil }
        var current = 1
        var start = text.startIndex
        while current < line {
            guard let nl = text[start...].firstIndex(of: "\n") else { return nil }
            start = text.index(after: nl)
            current += 1
        }
        let end = text[start...].firstIndex(of: "\n") ?? text.endIndex
        var s = String(text[start..<end])
        if s.hasSuffix("\r") { s.removeLast() }
        return s.replacingOccurrences(of: "\t", with: " ")
    }

    private func caretPadding(line: String, column: Int) -> String {
        // Columns count Unicode scalars; pad with the same count, keeping tabs aligned.
        String(repeating: " ", count: max(0, min(column - 1, line.unicodeScalars.count)))
    }

    private func severityColor(_ s: Severity) -> String {
        switch s {
        case .error: "31;1"
        case .warning: "33;1"
        case .note: "36"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
