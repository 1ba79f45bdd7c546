import Foundation
import StewardCore
import Testing

@Suite struct TimeSpanTests {
    @Test(arguments: [
        ("6h", TimeSpan(6, .hours)), ("365d", TimeSpan(365, .days)), ("30min", TimeSpan(30, .minutes)),
        ("2y", TimeSpan(2, .years)), ("1.5d", TimeSpan(1.5, .days)), ("3mo", TimeSpan(3, .months)), ("4 weeks", TimeSpan(4, .weeks)),
    ])
    func parses(_ text: String, _ expected: TimeSpan) throws {
        #expect(try TimeSpan.parse(text) == expected)
        #expect(try TimeSpan.parse(text).unit == expected.unit)
    }

    @Test func mIsAmbiguous() {
        #expect(throws: TimeSpan.ParseError.ambiguous("m")) { try TimeSpan.unit("m") }
        #expect(throws: TimeSpan.ParseError.ambiguous("M")) { try TimeSpan.parse("5M") }
        #expect(TimeSpan.ParseError.ambiguous("m").help == "write `min` for minutes or `mo` for months")
    }

    @Test func unknownUnitSuggests() {
        #expect(throws: TimeSpan.ParseError.unknown("dayz")) { try TimeSpan.unit("dayz") }
        #expect(TimeSpan.ParseError.unknown("dayz").help == "did you mean `days`?")
    }

    @Test func comparesAcrossUnits() {
        #expect(TimeSpan(2, .years) == TimeSpan(730, .days))
        #expect(TimeSpan(6, .hours) < TimeSpan(1, .days))
        #expect(TimeSpan(1, .months) > TimeSpan(4, .weeks))
        #expect(TimeSpan(6, .hours).description == "6h")
        #expect(TimeSpan(1.5, .days).description == "1.5d")
    }
}
