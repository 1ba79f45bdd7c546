import Foundation
import StewardCore

/// Prints diagnostics as text (compiler style, with the source line) or JSON.
enum DiagnosticOutput {
    static func text(_ ds: [Diagnostic], sources: [String: String], console: Console) {
        let snapshot = sources
        let renderer = DiagnosticRenderer(color: console.color, source: { snapshot[$0] })
        for d in ds { console.out(renderer.render(d)) }
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
