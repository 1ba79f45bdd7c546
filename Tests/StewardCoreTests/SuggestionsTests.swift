import Foundation
import StewardCore
import Testing

@Suite struct SuggestionsTests {
    @Test func editDistance() {
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("clasification", "classification") == 1)
        #expect(Suggestions.editDistance("ab", "ba") == 1)
        #expect(Suggestions.editDistance("", "abc") == 3)
    }

    @Test func suggestsOnlyWhenClose() {
        #expect(Suggestions.closest(to: "clasification", in: ["classification", "description"]) == "classification")
        #expect(Suggestions.closest(to: "zzz", in: ["classification", "description"]) == nil)
        #expect(Suggestions.didYouMean("Required", in: ["required"]) == "did you mean `required`?")
    }
}
