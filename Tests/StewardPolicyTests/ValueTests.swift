import StewardTestSupport
import Testing
@testable import StewardPolicy

/// One equality for values everywhere (§4): `==`, `in`, sets, `distinct`, `intersection` and
/// hashing all agree, numbers compare by value and strings by Unicode scalars.
@Suite struct ValueEqualityTests {
    @Test func numbersCompareByValueAndHashAlike() {
        #expect(Value.int(1) == .number(1.0))
        #expect(Value.list([.int(1)]) == .list([.number(1.0)]))
        #expect(Set<Value>([.int(1), .number(1.0), .number(-0.0), .int(0)]).count == 2)
        #expect(Set<Value>([.list([.int(2)]), .list([.number(2.0)])]).count == 1)
        // Exactly: a large int is not rounded to the nearest double before comparing.
        #expect(Value.int(9_007_199_254_740_993) != .number(9_007_199_254_740_992))
        #expect(Value.order(.int(9_007_199_254_740_993), .number(9_007_199_254_740_992)) > 0)
        #expect(Value.makeSet([.number(1), .int(2), .int(1)], of: .number) == .set([.int(1), .int(2)]))
    }

    @Test func stringsCompareByScalarsLikeTheirOrder() {
        let decomposed = Value.string("e\u{301}"), composed = Value.string("\u{e9}")
        #expect(decomposed != composed)
        #expect(Value.order(decomposed, composed) != 0)
        #expect(Set<Value>([decomposed, composed]).count == 2)
    }

    /// `split` finds its separator as `==` would: by scalars, not by canonical equivalence.
    @Test func splitMatchesSeparatorsByScalars() throws {
        let text = policy("""
        require len(split(contract.id + "e\\u{301}x", "\\u{e9}")) == 1
              and split(contract.id + "-a-b", "-") == [contract.id, "a", "b"]
              and split("", "-") == [""]
        """, target: "contract")
        try expectOutcomes(text, ["sales.daily_sales pass", "sales.orders_raw pass"])
    }

    /// A map key is found by scalars too, though Swift's dictionaries match canonical equivalents.
    @Test func mapKeysMatchByScalars() throws {
        let composed: (ScratchMesh) throws -> Void = { mesh in
            try mesh.edit("domains/sales/contracts/daily_sales.odcs.yaml", replacing: "status: active\n",
                          with: "status: active\ncustomProperties:\n  - property: caf\u{e9}\n    value: x\n")
        }
        let text = policy("""
        let declared = contract.id == "sales.daily_sales"
          require ("caf\\u{e9}" in contract.customProperties) == declared
              and has(contract.customProperties["caf\\u{e9}"]) == declared
              and "cafe\\u{301}" not in contract.customProperties
              and not has(contract.customProperties["cafe\\u{301}"])
        """, target: "contract")
        try expectOutcomes(text, ["sales.daily_sales pass", "sales.orders_raw pass"], prepare: composed)
    }

    /// `in` against a constant collection (hashed by the compiler) and the other set operations
    /// give the reference interpreter's answer.
    @Test(arguments: [
        "[len(contract.grants) + 1] in [[1.0], [2.0]]",
        "len({len(contract.grants), 0.0, 1.0}) == 2",
        "len(intersection({len(contract.grants) * 1.0}, {0, 1})) == 1",
        "len(distinct([[len(contract.grants)], [0.0], [1.0]])) == 2",
        "contract.id + \"e\\u{301}\" != contract.id + \"\\u{e9}\"",
        "contract.id + \"e\\u{301}\" not in [contract.id + \"\\u{e9}\"]",
    ])
    func membershipAndSetsInBothEvaluators(_ requirement: String) throws {
        try expectOutcomes(policy("require " + requirement, target: "contract"), ["sales.daily_sales pass", "sales.orders_raw pass"])
    }
}
