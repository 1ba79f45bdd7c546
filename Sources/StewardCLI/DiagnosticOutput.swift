import Foundation
import StewardCore

/// Prints diagnostics as text (compiler style, with the source line) or JSON.
enum DiagnosticOutput {
    /// `tree`, when given, supplies the text of files the loader did not keep.
    /// `toError`: the diagnostics explain why a command stopped, and stdout is for its report.
    static func text(_ ds: [Diagnostic], sources: [String: String], tree: (any FileTree)? = nil, console: Console, toError: Bool = false) {
        let snapshot = sources
        let renderer = DiagnosticRenderer(color: console.color, source: { path in
            if let text = snapshot[path] { return text }
            return (try? tree?.read(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
        })
        for d in ds { toError ? console.err(renderer.render(d)) : console.out(renderer.render(d)) }
    }

    struct JSONReport: Encodable {
        var ok: Bool
        var errors: Int
        var warnings: Int
        var diagnostics: [Diagnostic]
    }

    static func json(_ ds: [Diagnostic]) -> JSONReport {
        JSONReport(ok: !ds.contains { $0.severity == .error },
                   errors: ds.count { $0.severity == .error },
                   warnings: ds.count { $0.severity == .warning }, diagnostics: ds)
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
