import Foundation
import StewardCore

/// Turns policy text into tokens. Like the rest of Steward it collects diagnostics instead of
/// stopping at the first: a bad character becomes a diagnostic and lexing goes on after it.
///
/// Two rules depend on context (§3.1): digits followed by letters are a duration whose unit
/// must be known (and never the ambiguous `m`), and a string is interpolated only when it
/// follows `message` or `hint`.
public struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let path: String
    private var i = 0
    private var line = 1
    private var column = 1
    private var previous: Token.Kind?
    public private(set) var diagnostics: [Diagnostic] = []
    /// `#` comments, kept for the formatter.
    public private(set) var comments: [Comment] = []

    public init(_ text: String, path: String) {
        self.scalars = Array(text.unicodeScalars)
        self.path = path
    }

    /// Lexes `text` to its tokens (ending with `endOfFile`) and the problems found.
    public static func tokenize(_ text: String, path: String) -> (tokens: [Token], diagnostics: [Diagnostic], comments: [Comment]) {
        var lexer = Lexer(text, path: path)
        var out: [Token] = []
        while true {
            let t = lexer.next()
            out.append(t)
            if t.kind == .endOfFile { break }
        }
        return (out, lexer.diagnostics, lexer.comments)
    }

    static let punctuation: [String] = ["==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "<", ">", "+", "-", "*", "/", "="]

    public mutating func next() -> Token {
        skipTrivia()
        let start = here
        guard let c = peek() else { return Token(.endOfFile, at: start, text: "") }
        let token: Token
        if c == "r", peek(1) == "\"" {
            token = rawString(start)
        } else if c == "v", let d = peek(1), d.isDigit, let version = semverAhead() {
            token = semver(start, version)
        } else if c.isLetter {
            token = word(start)
        } else if c.isDigit {
            token = numberLike(start)
        } else if c == "\"" {
            token = string(start)
        } else if let p = Self.punctuation.first(where: matches) {
            advance(p.unicodeScalars.count)
            token = Token(.punctuation(p), at: start, text: p)
        } else {
            advance()
            report("POL0001", "unexpected character `\(Character(c))`", at: start)
            return next()
        }
        previous = token.kind
        return token
    }

    // MARK: pieces

    private mutating func word(_ start: SourceLocation) -> Token {
        let text = take { $0.isLetter || $0.isDigit }
        if let k = Keyword(rawValue: text) { return Token(.keyword(k), at: start, text: text) }
        return Token(.identifier(text), at: start, text: text)
    }

    private mutating func numberLike(_ start: SourceLocation) -> Token {
        var digits = take { $0.isDigit || $0 == "_" }
        var isDecimal = false
        if peek() == ".", let d = peek(1), d.isDigit {
            advance()
            digits += "." + take { $0.isDigit || $0 == "_" }
            isDecimal = true
        }
        let clean = digits.replacingOccurrences(of: "_", with: "")
        if peek() == "%" {
            advance()
            guard let v = Double(clean) else { return bad(start, digits + "%") }
            return Token(.percent(v), at: start, text: digits + "%")
        }
        if let c = peek(), c.isLetter {
            let unit = take { $0.isLetter }
            let text = digits + unit
            if isDecimal {
                report("POL0006", "a duration takes a whole number, found `\(text)`", at: start,
                       help: "use a smaller unit: `36h` rather than `1.5d`")
                return Token(.duration(TimeSpan(Double(clean) ?? 0, .seconds)), at: start, text: text)
            }
            do {
                let u = try TimeSpan.unit(unit)
                guard let v = Int64(clean) else { return bad(start, text) }
                return Token(.duration(TimeSpan(Double(v), u)), at: start, text: text)
            } catch {
                report(error == .ambiguous(unit) ? "POL0005" : "POL0004", error.message, at: start, help: error.help)
                return Token(.duration(TimeSpan(Double(clean) ?? 0, .seconds)), at: start, text: text)
            }
        }
        if isDecimal {
            guard let v = Double(clean) else { return bad(start, digits) }
            return Token(.number(v), at: start, text: digits)
        }
        guard let v = Int64(clean) else { return bad(start, digits) }
        return Token(.int(v), at: start, text: digits)
    }

    private mutating func bad(_ start: SourceLocation, _ text: String) -> Token {
        report("POL0006", "number `\(text)` is out of range or malformed", at: start)
        return Token(.int(0), at: start, text: text)
    }

    /// `v` + `digits.digits.digits` + optional `-prerelease`, when the text matches completely.
    private func semverAhead() -> String? {
        var j = i + 1
        var parts = 0
        while parts < 3 {
            let from = j
            while j < scalars.count, scalars[j].isDigit { j += 1 }
            if j == from { return nil }
            parts += 1
            if parts < 3 {
                guard j < scalars.count, scalars[j] == "." else { return nil }
                j += 1
            }
        }
        if j < scalars.count, scalars[j] == "-" {
            j += 1
            let from = j
            while j < scalars.count, scalars[j].isLetter || scalars[j].isDigit || scalars[j] == "-" || scalars[j] == "." { j += 1 }
            if j == from { return nil }
        }
        if j < scalars.count, scalars[j].isLetter || scalars[j] == "_" { return nil }  // `v1.2.3x` is no literal
        return String(String.UnicodeScalarView(scalars[(i + 1)..<j]))
    }

    private mutating func semver(_ start: SourceLocation, _ version: String) -> Token {
        advance(version.unicodeScalars.count + 1)
        return Token(.semver(version), at: start, text: "v" + version)
    }

    private mutating func rawString(_ start: SourceLocation) -> Token {
        advance(2)
        var value = ""
        while let c = peek(), c != "\"", c != "\n" {
            value.unicodeScalars.append(c)
            advance()
        }
        guard peek() == "\"" else {
            report("POL0002", "unterminated raw string", at: start, help: "close it with `\"` on the same line")
            return Token(.rawString(value), at: start, text: "r\"" + value)
        }
        advance()
        return Token(.rawString(value), at: start, text: "r\"\(value)\"")
    }

    private mutating func string(_ start: SourceLocation) -> Token {
        let interpolated = previous == .keyword(.message) || previous == .keyword(.hint)
        advance()
        var segments: [Token.Segment] = []
        var text = ""
        var raw = "\""
        while true {
            guard let c = peek(), c != "\n" else {
                report("POL0002", "unterminated string", at: start, help: "close it with `\"` on the same line")
                break
            }
            if c == "\"" {
                advance()
                raw += "\""
                break
            }
            if c == "\\" {
                raw += escape(into: &text)
                continue
            }
            if interpolated, c == "{" {
                if !text.isEmpty { segments.append(.text(text)); text = "" }
                let holeStart = here
                let (tokens, written) = hole()
                raw += written
                if tokens.count <= 1 {
                    report("POL0016", "empty interpolation `{}`", at: holeStart, help: "write an expression, or `\\{` for a brace")
                }
                segments.append(.expression(tokens))
                continue
            }
            text.unicodeScalars.append(c)
            raw.unicodeScalars.append(c)
            advance()
        }
        if interpolated {
            if !text.isEmpty { segments.append(.text(text)) }
            return Token(.interpolated(segments), at: start, text: raw)
        }
        return Token(.string(text), at: start, text: raw)
    }

    /// Reads `\x` at the cursor; appends the character to `text` and returns what was written.
    private mutating func escape(into text: inout String) -> String {
        let start = here
        advance()
        guard let e = peek() else { return "\\" }
        advance()
        switch e {
        case "\"", "\\", "{", "}": text.unicodeScalars.append(e)
        case "n": text += "\n"
        case "t": text += "\t"
        case "r": text += "\r"
        case "u" where peek() == "{":
            advance()
            let hex = take { $0.properties.isASCIIHexDigit }
            if peek() == "}", let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) {
                advance()
                text.unicodeScalars.append(s)
                return "\\u{\(hex)}"
            }
            report("POL0003", "invalid unicode escape", at: start, help: "write `\\u{1F600}` with 1 to 6 hex digits")
            return "\\u{" + hex
        default:
            report("POL0003", "invalid escape `\\\(Character(e))`", at: start,
                   help: "valid escapes: \\\" \\\\ \\n \\t \\r \\{ \\} \\u{...}")
        }
        return "\\" + String(Character(e))
    }

    /// The tokens of `{ ... }` inside an interpolated string; interpolations do not nest.
    private mutating func hole() -> ([Token], String) {
        let open = here
        advance()
        var tokens: [Token] = []
        var raw = "{"
        var depth = 0
        while true {
            skipTrivia(stopAtNewline: true)
            guard let c = peek(), c != "\n" else {
                report("POL0002", "unterminated interpolation", at: open, help: "close it with `}`")
                break
            }
            if c == "}" && depth == 0 {
                advance()
                raw += "}"
                break
            }
            let saved = previous
            previous = nil  // strings inside a hole are plain
            let t = next()
            previous = saved
            if t.kind == .endOfFile { break }
            if t.kind == .punctuation("{") || t.kind == .punctuation("[") || t.kind == .punctuation("(") { depth += 1 }
            if t.kind == .punctuation("}") || t.kind == .punctuation("]") || t.kind == .punctuation(")") { depth -= 1 }
            raw += (tokens.isEmpty ? "" : " ") + t.text
            tokens.append(t)
        }
        tokens.append(Token(.endOfFile, at: here, text: ""))
        return (tokens, raw)
    }

    // MARK: cursor

    private var here: SourceLocation { SourceLocation(path: path, line: line, column: column) }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        i + ahead < scalars.count ? scalars[i + ahead] : nil
    }

    private func matches(_ p: String) -> Bool {
        var j = i
        for s in p.unicodeScalars {
            guard j < scalars.count, scalars[j] == s else { return false }
            j += 1
        }
        return true
    }

    private mutating func advance(_ n: Int = 1) {
        for _ in 0..<n where i < scalars.count {
            if scalars[i] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += 1
        }
    }

    private mutating func take(while ok: (Unicode.Scalar) -> Bool) -> String {
        var s = ""
        while let c = peek(), ok(c) {
            s.unicodeScalars.append(c)
            advance()
        }
        return s
    }

    private mutating func skipTrivia(stopAtNewline: Bool = false) {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" || (c == "\n" && !stopAtNewline) {
                advance()
            } else if c == "#" {
                let start = here
                let text = take { $0 != "\n" }
                comments.append(Comment(location: start, text: text))
            } else {
                return
            }
        }
    }

    private mutating func report(_ id: String, _ message: String, at loc: SourceLocation, help: String? = nil) {
        diagnostics.append(.error(id, message, at: loc, help: help))
    }
}

/// A `#` comment and where it starts; `text` includes the `#`.
public struct Comment: Sendable, Equatable {
    public var location: SourceLocation
    public var text: String
}

extension Unicode.Scalar {
    fileprivate var isLetter: Bool { (self >= "a" && self <= "z") || (self >= "A" && self <= "Z") || self == "_" }
    fileprivate var isDigit: Bool { self >= "0" && self <= "9" }
}
