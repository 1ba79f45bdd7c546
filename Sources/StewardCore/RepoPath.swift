/// Normalizes paths inside the repository and refuses those that escape it.
public enum RepoPath {
    public enum Problem: Error, Equatable, Sendable {
        case absolute(String)
        case escapes(String)
        case empty
    }

    /// Joins `relative` onto the folder `base` (both repository-relative) and normalizes
    /// `.` and `..`. Absolute paths and paths that climb above the root are refused.
    public static func resolve(_ relative: String, against base: String = "") throws(Problem) -> String {
        if relative.isEmpty { throw .empty }
        if relative.hasPrefix("/") || relative.hasPrefix("\\") || relative.contains(":\\") {
            throw .absolute(relative)
        }
        var parts: [Substring] = base.split(separator: "/")
        for piece in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch piece {
            case ".": continue
            case "..":
                if parts.isEmpty { throw .escapes(relative) }
                parts.removeLast()
            default: parts.append(piece)
            }
        }
        if parts.isEmpty { throw .empty }
        return parts.joined(separator: "/")
    }

    /// The folder part of a repository path (`a/b/c.yaml` -> `a/b`).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The last component without its extensions (`a/b/c.odcs.yaml` -> `c`).
    public static func stem(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
    }
}
