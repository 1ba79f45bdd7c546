/// "Did you mean" support: the closest candidate by edit distance, if close enough.
public enum Suggestions {
    /// The candidate nearest to `word`, when the distance is small for its length.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let lower = word.lowercased()
        // Ties go to the candidate closest in length, then the first in order: deterministic
        // whatever order the candidates come in (they often come from a dictionary).
        var best: (candidate: String, rank: (Int, Int, String))?
        for c in candidates {
            let rank = (editDistance(lower, c.lowercased()), abs(c.count - word.count), c)
            if best == nil || rank < best!.rank { best = (c, rank) }
        }
        guard let (candidate, (distance, _, _)) = best else { return nil }
        let limit = max(1, min(3, word.count / 3))
        return distance <= limit ? candidate : nil
    }

    /// A help string `did you mean \`x\`?` or nil.
    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
        closest(to: word, in: candidates).map { "did you mean `\($0)`?" }
    }

    /// Levenshtein distance over Unicode scalars, with transposition counted as one edit.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev2 = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    v = min(v, prev2[j - 2] + 1)
                }
                cur[j] = v
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[y.count]
    }
}
