import ArgumentParser
import StewardCore
import StewardModel

struct Graph: StewardCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the lineage between products and sources.",
        discussion: """
        Examples:
          steward graph                         # Mermaid flowchart (paste into a PR or README)
          steward graph --format dot | dot -Tsvg > mesh.svg
          steward graph --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case mermaid, dot, json, text }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Read the mesh at this git revision.", valueName: "rev")) var rev: String?
    @Option(help: "Output format: mermaid, dot, json, or text (mermaid).") var format: Format = .mermaid

    func execute(_ console: Console) throws -> ExitStatus {
        let mesh = try loadMesh(global, rev: rev, console: console)
        let lineage = Lineage(mesh)
        switch format {
        case .mermaid, .text: console.out(Self.mermaid(lineage))
        case .dot: console.out(Self.dot(lineage))
        case .json:
            struct View: Encodable {
                var nodes: [Lineage.Node]
                var edges: [Lineage.Edge]
                var order: [String]
            }
            console.out(DiagnosticOutput.encode(View(nodes: lineage.nodes, edges: lineage.edges, order: lineage.topologicalOrder())))
        }
        return .success
    }

    static func mermaid(_ g: Lineage) -> String {
        var out = "flowchart LR\n"
        let byDomain = Dictionary(grouping: g.nodes, by: \.domain)
        for domain in byDomain.keys.sorted() {
            out += "  subgraph \(safe(domain))[\"\(domain)\"]\n"
            for n in byDomain[domain]! {
                let label = n.id.split(separator: ".").last.map(String.init) ?? n.id
                out += n.kind == .source ? "    \(safe(n.id))[(\"\(label)\")]\n" : "    \(safe(n.id))[\"\(label)\"]\n"
            }
            out += "  end\n"
        }
        for e in g.edges {
            out += "  \(safe(e.from)) \(e.crossDomain ? "-.->" : "-->")|\(e.port)| \(safe(e.to))\n"
        }
        return out
    }

    static func dot(_ g: Lineage) -> String {
        var out = "digraph mesh {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
        let byDomain = Dictionary(grouping: g.nodes, by: \.domain)
        for domain in byDomain.keys.sorted() {
            out += "  subgraph \"cluster_\(domain)\" {\n    label=\"\(domain)\";\n"
            for n in byDomain[domain]! {
                out += "    \"\(n.id)\" [shape=\(n.kind == .source ? "cylinder" : "box")];\n"
            }
            out += "  }\n"
        }
        for e in g.edges {
            out += "  \"\(e.from)\" -> \"\(e.to)\" [label=\"\(e.port)\"\(e.crossDomain ? ", style=dashed" : "")];\n"
        }
        return out + "}\n"
    }

    /// Mermaid ids may not contain dots.
    static func safe(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}
