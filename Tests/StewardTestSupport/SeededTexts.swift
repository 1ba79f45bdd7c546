/// Texts for randomized tests, the same on every run: each is up to `maxPieces` of `pieces`,
/// each piece followed by `separator` two times in three (a linear congruential generator
/// from `seed` picks them).
public func seededTexts(_ pieces: [String], seed start: UInt64, count: Int, maxPieces: UInt64, separator: String = "") -> [String] {
    var seed = start
    return (0..<count).map { _ in
        var text = ""
        for _ in 0..<(seed % (maxPieces + 1)) {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            text += pieces[Int(seed >> 33) % pieces.count] + ((seed >> 20) % 3 == 0 ? "" : separator)
        }
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return text
    }
}
