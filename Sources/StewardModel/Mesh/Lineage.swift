/// The lineage between products and sources, derived from input and output ports.
public struct Lineage: Sendable {
    public enum NodeKind: String, Sendable, Codable { case product, source }

    public struct Node: Sendable, Hashable, Codable {
        public let id: String
        public let kind: NodeKind
        public let domain: String
    }

    public struct Edge: Sendable, Hashable, Codable {
        public let from: String
        public let to: String
        /// The contract read along this edge.
        public let contract: String
        /// The input port (table) name.
        public let port: String
        public let crossDomain: Bool
    }

    public let nodes: [Node]
    public let edges: [Edge]

    public init(_ mesh: Mesh) {
        let producer = mesh.producerOf
        var nodes: [String: Node] = [:]
        var edges: [Edge] = []
        for p in mesh.sortedProducts {
            nodes[p.id] = Node(id: p.id, kind: .product, domain: p.domain ?? "")
            for port in p.inputPorts where mesh.contracts[port.contractId] != nil {
                let from: String
                let fromDomain: String
                if let up = producer[port.contractId] {
                    from = up
                    fromDomain = mesh.products[up]?.domain ?? ""
                } else {
                    from = port.contractId
                    fromDomain = mesh.contractDomain[port.contractId] ?? ""
                    nodes[from] = Node(id: from, kind: .source, domain: fromDomain)
                }
                edges.append(Edge(from: from, to: p.id, contract: port.contractId, port: port.name,
                                  crossDomain: fromDomain != p.domain))
            }
        }
        self.nodes = nodes.values.sorted { $0.id < $1.id }
        self.edges = edges.sorted { ($0.from, $0.to, $0.port) < ($1.from, $1.to, $1.port) }
    }

    /// Products in dependency order (inputs first); ties broken by id. Assumes no cycle.
    public func topologicalOrder() -> [String] {
        var indegree: [String: Int] = [:]
        var next: [String: [String]] = [:]
        for n in nodes where n.kind == .product { indegree[n.id] = 0 }
        for e in edges where indegree[e.from] != nil {
            indegree[e.to, default: 0] += 1
            next[e.from, default: []].append(e.to)
        }
        var ready = indegree.filter { $0.value == 0 }.map(\.key).sorted()
        var out: [String] = []
        while !ready.isEmpty {
            let id = ready.removeFirst()
            out.append(id)
            for n in next[id] ?? [] {
                indegree[n]! -= 1
                if indegree[n] == 0 { ready.append(n); ready.sort() }
            }
        }
        return out
    }

    /// Every node downstream of `id`, transitively.
    public func downstream(of id: String) -> Set<String> {
        var next: [String: [String]] = [:]
        for e in edges { next[e.from, default: []].append(e.to) }
        var seen = Set<String>()
        var todo = [id]
        while let n = todo.popLast() {
            for m in next[n] ?? [] where seen.insert(m).inserted { todo.append(m) }
        }
        return seen
    }
}
