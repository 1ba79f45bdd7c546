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
        // `:\` (a Windows drive) looked for in the bytes: Foundation's `contains` bridges.
        let utf8 = relative.utf8
        if relative.hasPrefix("/") || relative.hasPrefix("\\")
            || zip(utf8, utf8.dropFirst()).contains(where: { $0 == UInt8(ascii: ":") && $1 == UInt8(ascii: "\\") }) {
            throw .absolute(relative)
        }
        // The common case (plain relative path, plain base) needs no splitting.
        let form = shape(relative)
        if form.canonical, !form.climbs {
            if base.isEmpty { return relative }
            if isCanonical(base) { return base + "/" + relative }
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
        let u = path.utf8
        let start = u.lastIndex(of: UInt8(ascii: "/")).map { u.index(after: $0) } ?? u.startIndex
        let name = path[start...]
        // Byte scans for the usual `dir/name.ext`; a leading dot or a trailing slash take the long way.
        if let first = name.utf8.first, first != UInt8(ascii: ".") {
            return String(name[..<(name.utf8.firstIndex(of: UInt8(ascii: ".")) ?? name.endIndex)])
        }
        let whole = path.split(separator: "/").last.map(String.init) ?? path
        return whole.split(separator: ".", maxSplits: 1).first.map(String.init) ?? whole
    }

    /// Whether a path is already in the form `normalize`d paths take: no leading or trailing
    /// slash, no empty or `.` part. Checked on bytes: listing a big tree asks for every file.
    public static func isCanonical(_ path: String) -> Bool { shape(path).canonical }

    /// One pass over a path's bytes: whether it is canonical, and whether a part is `..`.
    private static func shape(_ path: String) -> (canonical: Bool, climbs: Bool) {
        var canonical = true, climbs = false
        var length = 0
        var dots = 0  // leading dots of the current part
        func endPart() {
            if length == 0 || (length == 1 && dots == 1) { canonical = false }
            if length == 2 && dots == 2 { climbs = true }
        }
        for b in path.utf8 {
            if b == UInt8(ascii: "/") {
                endPart()
                length = 0
                dots = 0
            } else {
                if b == UInt8(ascii: "."), dots == length { dots += 1 }
                length += 1
            }
        }
        endPart()
        return (canonical, climbs)
    }
}
