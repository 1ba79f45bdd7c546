import StewardCore

/// Pieces ODCS and ODPS share in shape (their allowed keys differ slightly by standard).
extension Reader {
    /// `customProperties`: the standards' list of `{property, value}` extensions.
    func customProperties(_ f: Fields, allowed: Set<String>) -> [CustomProperty] {
        f.list("customProperties") { n in
            guard let cf = fields(n, "custom property", allowed: allowed),
                  let name = cf.string("property", required: true, in: "custom property") else { return nil }
            if !cf.has("value") {
                error(ModelMessages.missingKey, "custom property is missing required key `value`", at: cf.location)
            }
            return CustomProperty(property: name, value: cf.any("value") ?? .null, description: cf.string("description"))
        }
    }

    /// `authoritativeDefinitions`: validated (type and url required), not kept.
    func authoritativeDefinitions(_ f: Fields, allowed: Set<String>) {
        _ = f.list("authoritativeDefinitions") { n -> Bool? in
            guard let af = fields(n, "authoritative definition", allowed: allowed) else { return nil }
            _ = af.string("type", required: true, in: "authoritative definition")
            _ = af.string("url", required: true, in: "authoritative definition")
            _ = af.string("description")
            return true
        }
    }
}
