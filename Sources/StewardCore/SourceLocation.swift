/// A position in a mesh file: repository-relative path, 1-based line and column.
///
/// Column counts Unicode scalars, as libyaml does.
public struct SourceLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int

    public init(path: String, line: Int = 0, column: Int = 0) {
        self.path = path
        self.line = line
        self.column = column
    }

    /// `path:line:column`, or `path` alone when the position is unknown.
    public var description: String {
        line > 0 ? "\(path):\(line):\(column)" : path
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.path, a.line, a.column) < (b.path, b.line, b.column)
    }
}
