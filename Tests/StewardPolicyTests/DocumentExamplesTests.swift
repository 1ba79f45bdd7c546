import Foundation
import StewardCore
import Testing
@testable import StewardPolicy

/// docs/policy-language.md is a test input: every `steward` block must parse and check
/// cleanly, and the seed policies of §13 must be the files the example mesh ships.
@Suite struct DocumentExamplesTests {
    static let document = (try? String(contentsOf: repositoryRoot.appendingPathComponent("docs/policy-language.md"), encoding: .utf8)) ?? ""

    /// `(heading, file named in the heading or nil, block text)` for every steward block.
    static var blocks: [(String, String?, String)] {
        var out: [(String, String?, String)] = []
        var heading = ""
        var inBlock = false
        var text = ""
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") && !inBlock { heading = String(line) }
            if line == "```steward" {
                inBlock = true
                text = ""
            } else if inBlock && line == "```" {
                inBlock = false
                let file = heading.range(of: #"`[^`]+\.policy`"#, options: .regularExpression).map { String(heading[$0].dropFirst().dropLast()) }
                out.append((heading, file, text))
            } else if inBlock {
                text += line + "\n"
            }
        }
        return out
    }

    @Test func theDocumentHasExamples() {
        #expect(Self.blocks.count >= 8)
    }

    @Test func everyExampleParsesAndChecksCleanly() {
        for (heading, file, text) in Self.blocks {
            let set = checkPolicies(text, path: file ?? "policies/example.policy", domains: ["customer", "orders", "product", "journey"])
            #expect(set.diagnostics.isEmpty, "\(heading): \(set.diagnostics.map { "\($0.location?.description ?? "") \($0.id) \($0.message)" })")
            #expect(!set.policies.isEmpty, "\(heading)")
        }
    }

    @Test func theShippedPoliciesAreTheDocumentedOnes() throws {
        var byFile: [String: String] = [:]
        for (_, file, text) in Self.blocks { if let file { byFile[file, default: ""] += text } }
        #expect(byFile.count == 7)
        for (file, text) in byFile {
            let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8)
            #expect(shipped == text, "\(file) differs from docs/policy-language.md §13")
        }
    }

    @Test func theShippedPoliciesCheckTogether() throws {
        let set = try PolicySet.load(from: FolderTree(root: repositoryRoot), domains: ["customer", "orders", "product", "journey"])
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        let levels = Dictionary(grouping: set.policies, by: \.level).mapValues(\.count)
        #expect(levels[.advisory] == 2 && levels[.warning] == 2 && levels[.hard] == 1 && levels[.mandatory] == 8)
    }
}
