/// A mesh held in memory: policy test cases build their models as files and load them
/// through the same loader as a real repository.
public struct MemoryTree: FileTree {
    public var label: String
    public var contents: [String: [UInt8]]

    public init(label: String, files: [String: [UInt8]] = [:]) {
        self.label = label
        self.contents = files
    }

    public mutating func write(_ path: String, _ text: String) { contents[path] = Array(text.utf8) }

    public func files(under prefix: String) throws -> [String] {
        let p = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        return contents.keys.filter { p.isEmpty || $0.hasPrefix(p) }.sorted()
    }

    public func read(_ path: String) throws -> [UInt8]? { contents[path] }
}
