/// The regular expressions behind `matches` (docs/policy-language.md §6): RE2 syntax without
/// backreferences or lookaround, compiled to a Thompson NFA and run as a Pike VM, so matching
/// takes O(text × program) time whatever the pattern. Policies run over many targets, and a
/// backtracking engine would let one careless pattern stall a whole check.
///
/// Supported: literals, `.`, classes `[...]` (ranges, `[^...]`, escapes, `[:alpha:]` names),
/// `\d \w \s \D \W \S`, `\n \t \r \f \v`, escaped punctuation, `^ $`, `(…)`, `(?:…)`,
/// `(?P<name>…)`, `|`, `* + ?` (and their lazy forms), `{n}` `{n,}` `{n,m}` with counts ≤ 1000,
/// and a leading `(?i)`. Text and pattern are handled as Unicode scalars.
public struct PolicyRegex: Sendable {
    public let pattern: String
    let program: RegexProgram

    /// Compiles `pattern`; the error's offset counts Unicode scalars from the start of the pattern.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        var compiler = RegexCompiler(classes: parser.classes, foldCase: parser.foldCase)
        program = try compiler.compile(tree)
    }

    /// True when the pattern matches all of `text`.
    public func matches(_ text: String) -> Bool {
        program.run(text, anchored: true)
    }

    /// True when the pattern matches some part of `text`.
    public func contains(in text: String) -> Bool {
        program.run(text, anchored: false)
    }
}

public struct RegexError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Offset in Unicode scalars into the pattern.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at offset \(offset)" }
}

// MARK: - Limits

enum RegexLimits {
    static let maxCount = 1000
    static let maxInstructions = 100_000
    /// The compiler recurses a few frames per nesting level; this keeps it far from any stack limit.
    static let maxNesting = 200
}

// MARK: - Character classes

/// A set of scalars as sorted, disjoint ranges, with an ASCII bitmap so the common case is one
/// shift. Negation is kept as a flag rather than applied to the ranges, because under `(?i)`
/// it must apply after case folding (`(?i)[^a]` rejects `A` too).
struct RegexClass: Sendable, Equatable {
    var lows: [UInt32] = []
    var highs: [UInt32] = []
    var negated = false
    var ascii: (UInt64, UInt64) = (0, 0)

    init(ranges: [ClosedRange<UInt32>], negated: Bool) {
        self.negated = negated
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = highs.last, r.lowerBound <= last &+ 1 {
                highs[highs.count - 1] = max(last, r.upperBound)
            } else {
                lows.append(r.lowerBound)
                highs.append(r.upperBound)
            }
        }
        for (lo, hi) in zip(lows, highs) where lo < 128 {
            for v in lo...min(hi, 127) {
                if v < 64 { ascii.0 |= 1 << UInt64(v) } else { ascii.1 |= 1 << UInt64(v - 64) }
            }
        }
    }

    static func == (a: RegexClass, b: RegexClass) -> Bool {
        a.lows == b.lows && a.highs == b.highs && a.negated == b.negated
    }

    @inline(__always)
    func inRanges(_ v: UInt32) -> Bool {
        if v < 64 { return ascii.0 & (1 << UInt64(v)) != 0 }
        if v < 128 { return ascii.1 & (1 << UInt64(v - 64)) != 0 }
        var lo = 0
        var hi = lows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if highs[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < lows.count && lows[lo] <= v
    }

    /// `lower` and `upper` are the text scalar's case variants, or the scalar itself without `(?i)`.
    @inline(__always)
    func matches(_ v: UInt32, lower: UInt32, upper: UInt32) -> Bool {
        (inRanges(v) || inRanges(lower) || inRanges(upper)) != negated
    }

    static let digit: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]

    /// The ranges of every scalar not in `ranges` (which must be sorted and disjoint).
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    /// POSIX names as RE2 defines them (ASCII only).
    static let posix: [String: [ClosedRange<UInt32>]] = [
        "alnum": [48...57, 65...90, 97...122],
        "alpha": [65...90, 97...122],
        "ascii": [0...127],
        "blank": [9...9, 32...32],
        "cntrl": [0...31, 127...127],
        "digit": [48...57],
        "graph": [33...126],
        "lower": [97...122],
        "print": [32...126],
        "punct": [33...47, 58...64, 91...96, 123...126],
        "space": [9...13, 32...32],
        "upper": [65...90],
        "word": [48...57, 65...90, 95...95, 97...122],
        "xdigit": [48...57, 65...70, 97...102],
    ]
}

/// Simple one-scalar case mappings; a scalar whose mapping is longer than one scalar maps to itself.
enum RegexCase {
    @inline(__always)
    static func lower(_ v: UInt32) -> UInt32 {
        if v < 128 { return (65...90).contains(v) ? v + 32 : v }
        return single(Unicode.Scalar(v)?.properties.lowercaseMapping, or: v)
    }

    @inline(__always)
    static func upper(_ v: UInt32) -> UInt32 {
        if v < 128 { return (97...122).contains(v) ? v - 32 : v }
        return single(Unicode.Scalar(v)?.properties.uppercaseMapping, or: v)
    }

    private static func single(_ s: String?, or v: UInt32) -> UInt32 {
        guard let s else { return v }
        var it = s.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return v }
        return first.value
    }
}

// MARK: - Syntax tree

indirect enum RegexNode: Sendable {
    case empty
    case char(UInt32)
    /// Index into the parser's class table, so repetition copies share one class.
    case set(Int)
    case any
    case start
    case end
    case concat([RegexNode])
    case alternate([RegexNode])
    /// `max == nil` is unbounded; `offset` is where the quantifier is, for size errors.
    case `repeat`(RegexNode, min: Int, max: Int?, offset: Int)
}

// MARK: - Parser

/// An iterative parser (a stack of open groups) so deep nesting can't overflow the stack here.
struct RegexParser {
    let p: [Unicode.Scalar]
    var i = 0
    var foldCase = false
    var classes: [RegexClass] = []

    init(_ pattern: String) {
        p = Array(pattern.unicodeScalars)
    }

    private struct Frame {
        var alternatives: [RegexNode] = []
        var items: [RegexNode] = []
        var open: Int
    }

    /// What the last item of the current sequence is, to validate quantifiers.
    private enum Last { case nothing, atom, repeated }

    private func error(_ message: String, _ offset: Int) -> RegexError {
        RegexError(message: message, offset: offset)
    }

    private func at(_ k: Int) -> Unicode.Scalar? { k < p.count ? p[k] : nil }

    private func text(_ from: Int, _ to: Int) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: p[from..<min(to, p.count)])
        return String(s)
    }

    private func looking(at s: String) -> Bool {
        var k = i
        for c in s.unicodeScalars {
            guard at(k) == c else { return false }
            k += 1
        }
        return true
    }

    mutating func parse() throws(RegexError) -> RegexNode {
        if looking(at: "(?i)") {
            foldCase = true
            i = 4
        }
        var stack = [Frame(open: -1)]
        var last = Last.nothing
        while i < p.count {
            let c = p[i]
            let start = i
            switch c {
            case "(":
                try openGroup()
                if stack.count > RegexLimits.maxNesting {
                    throw error("parentheses nested deeper than \(RegexLimits.maxNesting)", start)
                }
                stack.append(Frame(open: start))
                last = .nothing
            case ")":
                guard stack.count > 1 else { throw error("unbalanced parenthesis", start) }
                let frame = stack.removeLast()
                stack[stack.count - 1].items.append(Self.finish(frame))
                i += 1
                last = .atom
            case "|":
                let items = stack[stack.count - 1].items
                stack[stack.count - 1].alternatives.append(Self.sequence(items))
                stack[stack.count - 1].items = []
                i += 1
                last = .nothing
            case "*", "+", "?", "{":
                var bounds: (min: Int, max: Int?)
                if c == "{" {
                    guard let counted = try countedRepetition() else {
                        // Not a valid `{n,m}`: RE2 reads the brace literally.
                        stack[stack.count - 1].items.append(.char(c.value))
                        i += 1
                        last = .atom
                        continue
                    }
                    bounds = counted
                } else {
                    bounds = c == "*" ? (0, nil) : c == "+" ? (1, nil) : (0, 1)
                    i += 1
                }
                if at(i) == "?" { i += 1 } // lazy: same answer for a yes/no match
                let op = text(start, i)
                switch last {
                case .nothing: throw error("nothing to repeat before `\(op)`", start)
                case .repeated: throw error("nested repetition `\(op)`: add parentheses", start)
                case .atom: break
                }
                let operand = stack[stack.count - 1].items.removeLast()
                stack[stack.count - 1].items.append(.repeat(operand, min: bounds.min, max: bounds.max, offset: start))
                last = .repeated
            default:
                let node = try atom()
                stack[stack.count - 1].items.append(node)
                last = .atom
            }
        }
        if stack.count > 1 { throw error("unbalanced parenthesis", stack[stack.count - 1].open) }
        return Self.finish(stack[0])
    }

    private static func sequence(_ items: [RegexNode]) -> RegexNode {
        items.count == 0 ? .empty : items.count == 1 ? items[0] : .concat(items)
    }

    private static func finish(_ frame: Frame) -> RegexNode {
        let alternatives = frame.alternatives + [sequence(frame.items)]
        return alternatives.count == 1 ? alternatives[0] : .alternate(alternatives)
    }

    /// Consumes the opening of a group: `(`, `(?:`, `(?P<name>` or `(?<name>`.
    private mutating func openGroup() throws(RegexError) {
        let start = i
        guard at(i + 1) == "?" else {
            i += 1
            return
        }
        switch at(i + 2) {
        case ":":
            i += 3
        case "=", "!":
            throw error("lookaround is not supported", start)
        case "<" where at(i + 3) == "=" || at(i + 3) == "!":
            throw error("lookaround is not supported", start)
        case "P" where at(i + 3) == "=":
            throw error("backreferences are not supported", start)
        case "<", "P":
            var k = i + 2
            if p[k] == "P" {
                guard at(k + 1) == "<" else { throw error("unknown group syntax `\(text(start, k + 2))`", start) }
                k += 1
            }
            k += 1
            let nameStart = k
            while let c = at(k), c != ">" {
                guard c.properties.isAlphabetic || c.properties.numericType != nil || c == "_" else {
                    throw error("invalid group name `\(text(nameStart, k + 1))`", nameStart)
                }
                k += 1
            }
            guard at(k) == ">" else { throw error("unterminated group name", start) }
            guard k > nameStart else { throw error("empty group name", start) }
            i = k + 1
        default:
            if looking(at: "(?i)") {
                throw error("`(?i)` is only supported at the start of the pattern", start)
            }
            var k = i + 2
            while let c = at(k), c != ")", c != ":", k < i + 8 { k += 1 }
            throw error("unknown group syntax `\(text(start, k + 1))`", start)
        }
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at `i`; nil (and `i` unchanged) when the brace is literal.
    private mutating func countedRepetition() throws(RegexError) -> (min: Int, max: Int?)? {
        var k = i + 1
        func number(_ k: inout Int) -> (value: Int, start: Int)? {
            let start = k
            var value = 0
            while let c = at(k), ("0"..."9").contains(c) {
                value = Swift.min(value * 10 + Int(c.value - 48), 1_000_000_000)
                k += 1
            }
            return k > start ? (value, start) : nil
        }
        guard let low = number(&k) else { return nil }
        var high: (value: Int, start: Int)? = low
        if at(k) == "," {
            k += 1
            high = number(&k)
        }
        guard at(k) == "}" else { return nil }
        for n in [low, high].compactMap({ $0 }) where n.value > RegexLimits.maxCount {
            var digits = n.start
            while let c = at(digits), ("0"..."9").contains(c) { digits += 1 }
            throw error("repetition count \(text(n.start, digits)) exceeds \(RegexLimits.maxCount)", n.start)
        }
        if let high, high.value < low.value {
            throw error("invalid repetition range `\(text(i, k + 1))`", i)
        }
        i = k + 1
        return (low.value, high?.value)
    }

    private mutating func atom() throws(RegexError) -> RegexNode {
        let c = p[i]
        switch c {
        case ".":
            i += 1
            return .any
        case "^":
            i += 1
            return .start
        case "$":
            i += 1
            return .end
        case "[":
            return try characterClass()
        case "\\":
            switch try escape(inClass: false) {
            case .scalar(let v): return literal(v)
            case .ranges(let r): return intern(RegexClass(ranges: r, negated: false))
            }
        default:
            i += 1
            return literal(c.value)
        }
    }

    private mutating func literal(_ v: UInt32) -> RegexNode {
        guard foldCase else { return .char(v) }
        let variants: Set<UInt32> = [v, RegexCase.lower(v), RegexCase.upper(v)]
        if variants.count == 1 { return .char(v) }
        return intern(RegexClass(ranges: variants.map { $0...$0 }, negated: false))
    }

    private mutating func intern(_ cls: RegexClass) -> RegexNode {
        if let k = classes.firstIndex(of: cls) { return .set(k) }
        classes.append(cls)
        return .set(classes.count - 1)
    }

    private enum Escaped {
        case scalar(UInt32)
        case ranges([ClosedRange<UInt32>])
    }

    private mutating func escape(inClass: Bool) throws(RegexError) -> Escaped {
        let start = i
        guard let c = at(i + 1) else { throw error("trailing backslash", start) }
        i += 2
        switch c {
        case "d": return .ranges(RegexClass.digit)
        case "w": return .ranges(RegexClass.word)
        case "s": return .ranges(RegexClass.space)
        case "D": return .ranges(RegexClass.complement(RegexClass.digit))
        case "W": return .ranges(RegexClass.complement(RegexClass.word))
        case "S": return .ranges(RegexClass.complement(RegexClass.space))
        case "n": return .scalar(10)
        case "t": return .scalar(9)
        case "r": return .scalar(13)
        case "f": return .scalar(12)
        case "v": return .scalar(11)
        case "1"..."9" where !inClass, "k" where !inClass && at(i) == "<":
            throw error("backreferences are not supported", start)
        default:
            // Any ASCII punctuation may be escaped, as in RE2.
            if (33...126).contains(c.value), !c.properties.isAlphabetic, !("0"..."9").contains(c) {
                return .scalar(c.value)
            }
            throw error("unknown escape `\\\(Character(c))`", start)
        }
    }

    private mutating func characterClass() throws(RegexError) -> RegexNode {
        let open = i
        i += 1
        var negated = false
        if at(i) == "^" {
            negated = true
            i += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let c = at(i) else { throw error("unterminated character class", open) }
            if c == "]" && !first {
                i += 1
                break
            }
            first = false
            let itemStart = i
            if c == "[", at(i + 1) == ":" {
                ranges += try posixClass()
                continue
            }
            let low: UInt32
            switch try classAtom() {
            case .ranges(let r):
                if at(i) == "-", let after = at(i + 1), after != "]" {
                    throw error("invalid character class range `\(text(itemStart, i + 2))`", itemStart)
                }
                ranges += r
                continue
            case .scalar(let v):
                low = v
            }
            guard at(i) == "-", let after = at(i + 1), after != "]" else {
                ranges.append(low...low)
                continue
            }
            i += 1
            guard case .scalar(let high) = try classAtom(), low <= high else {
                throw error("invalid character class range `\(text(itemStart, i))`", itemStart)
            }
            ranges.append(low...high)
        }
        // Under `(?i)` the class is folded at match time, not here.
        return intern(RegexClass(ranges: ranges, negated: negated))
    }

    private mutating func classAtom() throws(RegexError) -> Escaped {
        guard let c = at(i) else { throw error("unterminated character class", i) }
        if c == "\\" { return try escape(inClass: true) }
        i += 1
        return .scalar(c.value)
    }

    /// `[:name:]` or `[:^name:]` inside a class; `i` is at the inner `[`.
    private mutating func posixClass() throws(RegexError) -> [ClosedRange<UInt32>] {
        let start = i
        var k = i + 2
        let negated = at(k) == "^"
        if negated { k += 1 }
        let nameStart = k
        while let c = at(k), c != ":" && c != "]" { k += 1 }
        guard at(k) == ":", at(k + 1) == "]" else {
            // Not a POSIX name after all: `[` is an ordinary member.
            i += 1
            return [91...91]
        }
        let name = text(nameStart, k)
        guard let ranges = RegexClass.posix[name] else {
            throw error("unknown character class name `\(name)`", start)
        }
        i = k + 2
        return negated ? RegexClass.complement(ranges) : ranges
    }
}

// MARK: - Program

enum RegexInst: Sendable {
    case char(UInt32)
    case set(Int32)
    /// Any scalar except `\n`.
    case any
    /// Try both; the order is irrelevant because only whether a match exists is asked.
    case split(Int32, Int32)
    case jump(Int32)
    case assertStart
    case assertEnd
    case match
}

struct RegexCompiler {
    var classes: [RegexClass]
    let foldCase: Bool
    private var insts: [RegexInst] = []
    /// The outermost repetition being expanded, blamed when the program gets too large.
    private var repeatOffset: Int?

    init(classes: [RegexClass], foldCase: Bool) {
        self.classes = classes
        self.foldCase = foldCase
    }

    mutating func compile(_ node: RegexNode) throws(RegexError) -> RegexProgram {
        try emit(node)
        try append(.match)
        return RegexProgram(insts: insts, classes: classes, foldCase: foldCase)
    }

    @discardableResult
    private mutating func append(_ inst: RegexInst) throws(RegexError) -> Int {
        guard insts.count < RegexLimits.maxInstructions else {
            throw RegexError(
                message: "pattern too large: more than \(RegexLimits.maxInstructions) instructions after expanding repetitions",
                offset: repeatOffset ?? 0)
        }
        insts.append(inst)
        return insts.count - 1
    }

    private var here: Int32 { Int32(insts.count) }

    private mutating func emit(_ node: RegexNode) throws(RegexError) {
        switch node {
        case .empty:
            break
        case .char(let v):
            try append(.char(v))
        case .set(let k):
            try append(.set(Int32(k)))
        case .any:
            try append(.any)
        case .start:
            try append(.assertStart)
        case .end:
            try append(.assertEnd)
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternate(let options):
            var jumps: [Int] = []
            for (k, option) in options.enumerated() {
                if k < options.count - 1 {
                    let split = try append(.split(0, 0))
                    try emit(option)
                    jumps.append(try append(.jump(0)))
                    insts[split] = .split(Int32(split + 1), here)
                } else {
                    try emit(option)
                }
            }
            for j in jumps { insts[j] = .jump(here) }
        case .repeat(let body, let min, let max, let offset):
            let outermost = repeatOffset == nil
            if outermost { repeatOffset = offset }
            defer { if outermost { repeatOffset = nil } }
            if let max {
                for _ in 0..<min { try emit(body) }
                // Each optional copy may be skipped straight to the end.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(try append(.split(0, 0)))
                    try emit(body)
                }
                for s in splits { insts[s] = .split(Int32(s + 1), here) }
            } else if min == 0 {
                let loop = try append(.split(0, 0))
                try emit(body)
                try append(.jump(Int32(loop)))
                insts[loop] = .split(Int32(loop + 1), here)
            } else {
                for _ in 0..<(min - 1) { try emit(body) }
                let top = here
                try emit(body)
                try append(.split(top, here + 1))
            }
        }
    }
}

// MARK: - Machine

struct RegexProgram: Sendable {
    let insts: [RegexInst]
    let classes: [RegexClass]
    let foldCase: Bool
    /// Per class, its ASCII members (two words), already closed under ASCII case when
    /// `foldCase`, so ASCII text never needs the general class test.
    let asciiMasks: [UInt64]

    init(insts: [RegexInst], classes: [RegexClass], foldCase: Bool) {
        self.insts = insts
        self.classes = classes
        self.foldCase = foldCase
        var masks: [UInt64] = []
        for cls in classes {
            var words: (UInt64, UInt64) = (0, 0)
            for v in UInt32(0)..<128 {
                let member = foldCase
                    ? cls.matches(v, lower: RegexCase.lower(v), upper: RegexCase.upper(v))
                    : cls.matches(v, lower: v, upper: v)
                guard member else { continue }
                if v < 64 { words.0 |= 1 << UInt64(v) } else { words.1 |= 1 << UInt64(v - 64) }
            }
            masks += [words.0, words.1]
        }
        asciiMasks = masks
    }

    /// Simulates every NFA thread in lock step. A per-instruction generation mark dedupes
    /// states within a step, which also stops empty loops like `(a*)*` from spinning.
    func run(_ text: String, anchored: Bool) -> Bool {
        let count = insts.count
        // mark, current list, next list, and the closure stack (each instruction pushes at most two).
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 5 * count + 1) { scratch in
            insts.withUnsafeBufferPointer { code in
                asciiMasks.withUnsafeBufferPointer { masks in
                    let base = scratch.baseAddress!
                    // Only the marks are read before written; the lists and stack need no clearing.
                    base.initialize(repeating: 0, count: count)
                    var machine = Machine(
                        code: code, mark: base, stack: base + 3 * count, generation: 1, matched: false,
                        anchored: anchored)
                    return machine.run(text, lists: (base + count, base + 2 * count), program: self, masks: masks)
                }
            }
        }
    }
}

private struct Machine {
    let code: UnsafeBufferPointer<RegexInst>
    let mark: UnsafeMutablePointer<UInt32>
    let stack: UnsafeMutablePointer<UInt32>
    var generation: UInt32
    var matched: Bool
    let anchored: Bool

    /// Adds `pc` and everything reachable from it without consuming input to `list`.
    @inline(__always)
    mutating func close(_ pc: UInt32, atStart: Bool, atEnd: Bool, into list: UnsafeMutablePointer<UInt32>, count: inout Int) {
        var depth = 1
        stack[0] = pc
        while depth > 0 {
            depth -= 1
            let pc = stack[depth]
            let k = Int(pc)
            if mark[k] == generation { continue }
            mark[k] = generation
            switch code[k] {
            case .jump(let to):
                stack[depth] = UInt32(to)
                depth += 1
            case .split(let a, let b):
                stack[depth] = UInt32(b)
                stack[depth + 1] = UInt32(a)
                depth += 2
            case .assertStart:
                if atStart {
                    stack[depth] = pc + 1
                    depth += 1
                }
            case .assertEnd:
                if atEnd {
                    stack[depth] = pc + 1
                    depth += 1
                }
            case .match:
                if atEnd || !anchored { matched = true }
            case .char, .set, .any:
                list[count] = pc
                count += 1
            }
        }
    }

    mutating func run(
        _ text: String, lists: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>),
        program: RegexProgram, masks: UnsafeBufferPointer<UInt64>
    ) -> Bool {
        var (current, next) = lists
        var currentCount = 0
        var scalars = text.unicodeScalars.makeIterator()
        var scalar = scalars.next()
        close(0, atStart: true, atEnd: scalar == nil, into: current, count: &currentCount)
        while let c = scalar {
            if matched && !anchored { return true }
            if currentCount == 0 && anchored { return false }
            let following = scalars.next()
            let atEnd = following == nil
            let v = c.value
            // Case variants are only needed for non-ASCII text; ASCII goes through the masks.
            var lower = v
            var upper = v
            if v >= 128 && program.foldCase {
                lower = RegexCase.lower(v)
                upper = RegexCase.upper(v)
            }
            generation &+= 1
            var nextCount = 0
            for j in 0..<currentCount {
                let pc = current[j]
                let ok: Bool
                switch code[Int(pc)] {
                case .char(let want):
                    ok = want == v
                case .set(let k):
                    if v < 64 {
                        ok = masks[2 * Int(k)] & (1 << UInt64(v)) != 0
                    } else if v < 128 {
                        ok = masks[2 * Int(k) + 1] & (1 << UInt64(v - 64)) != 0
                    } else {
                        ok = program.classes[Int(k)].matches(v, lower: lower, upper: upper)
                    }
                case .any:
                    ok = v != 10
                default:
                    ok = false
                }
                if ok { close(pc + 1, atStart: false, atEnd: atEnd, into: next, count: &nextCount) }
            }
            if !anchored { close(0, atStart: false, atEnd: atEnd, into: next, count: &nextCount) }
            swap(&current, &next)
            currentCount = nextCount
            scalar = following
        }
        return matched
    }
}
