import Foundation
import Testing
@testable import StewardModel

/// Product words answer "does a file name this id" exactly as searching the files would, and
/// their store keeps them between runs without ever answering from a damaged entry.
@Suite struct ProductWordsTests {
    /// Searching the words equals searching the files, for every id without whitespace:
    /// random files over a small alphabet (so ids hit often, across word edges too).
    @Test func wordsAnswerAsTheFilesDo() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab.:_ \n\t\r-\"'".utf8)
        func random(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet.randomElement(using: &rng)! } }
        var checked = 0
        for _ in 0..<400 {
            let files = (0..<Int.random(in: 0...4, using: &rng)).map { _ in random(Int.random(in: 0...60, using: &rng)) }
            let words = ProductWords.of(files)
            for _ in 0..<20 {
                let id = random(Int.random(in: 1...4, using: &rng))
                guard ProductWords.canAnswer(id) else { continue }
                let inFiles = files.contains { ProductWords.contains($0, id) }
                #expect(ProductWords.contains(words, id) == inFiles, "\(files.map { String(decoding: $0, as: UTF8.self) }) \(String(decoding: id, as: UTF8.self))")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test func wordsAreDistinctAndIdsWithWhitespaceAreRefused() {
        let words = ProductWords.of([Array("id: a.b\n  contractId: a.b\n".utf8), Array("contractId:\ta.b ".utf8)])
        #expect(String(decoding: words, as: UTF8.self) == "id:\na.b\ncontractId:\n")
        #expect(!ProductWords.canAnswer(Array("a b".utf8)) && !ProductWords.canAnswer([]))
        // Inside a word, yes; across the line between two words (`a.b`, `contractId:`), never.
        #expect(ProductWords.contains(words, Array("ntractI".utf8)) && !ProductWords.contains(words, Array("bc".utf8)))
    }

    @Test func manyWordsSurviveTheTableGrowing() {
        let file = Array((0..<5000).map { "w\($0)" }.joined(separator: " ").utf8)
        let words = ProductWords.of([file, file])
        #expect(words.split(separator: 0x0A).count == 5000)
        #expect(ProductWords.contains(words, Array("w4999".utf8)))
    }

    @Test func theStoreKeepsWordsAndDropsDamage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("product-words-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("steward/product-words")
        let first = WordsStore(file: file)
        #expect(first.words("t1") == nil)
        first.record("t1", Array("alpha\nbeta\n".utf8))
        first.record("t2", Array("gamma\n".utf8))
        first.flush()

        let second = WordsStore(file: file)
        #expect(second.words("t1") == Array("alpha\nbeta\n".utf8))
        #expect(second.words("t2") == Array("gamma\n".utf8))
        second.flush()  // nothing new: the file is left as it is
        let written = try Data(contentsOf: file)

        // One changed byte in the first entry's words: it and everything after it are dropped.
        var damaged = [UInt8](written)
        let at = try #require(damaged.firstIndex(of: UInt8(ascii: "l")))
        damaged[at] = UInt8(ascii: "L")
        try Data(damaged).write(to: file)
        let third = WordsStore(file: file)
        #expect(third.words("t1") == nil && third.words("t2") == nil)

        // Garbage, or no folder at all: nothing found, nothing thrown.
        try Data("garbage".utf8).write(to: file)
        #expect(WordsStore(file: file).words("t1") == nil)
        let nowhere = WordsStore(file: URL(fileURLWithPath: "/proc/no-such-place/product-words"))
        nowhere.record("t1", [0x61])
        nowhere.flush()
        #expect(nowhere.words("t1") == [0x61])
    }

    @Test func recentWordsComeFirstAndTheOldestGoPastTheCap() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("product-words-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("product-words")
        let big = [UInt8](repeating: 0x61, count: WordsStore.maxBytes / 2)
        let first = WordsStore(file: file)
        first.record("old", big)
        first.record("older", big)
        first.flush()
        let second = WordsStore(file: file)
        second.record("new", big)
        _ = second.words("old")
        second.flush()  // new and old were used: they stay; older no longer fits
        let third = WordsStore(file: file)
        #expect(third.words("new") == big && third.words("old") == big && third.words("older") == nil)
    }
}
