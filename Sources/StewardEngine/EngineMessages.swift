/// The catalogue of diagnostic ids the engines emit. Stable: reports and the audit log keep them.
/// See docs/diagnostics.md ("Engines") for the meaning of each and what to do.
public enum EngineMessages {
    // The contract cannot be materialized as written (ENG01xx)
    public static let schemaShape = "ENG0101"
    public static let unsupportedType = "ENG0102"
    public static let badMasking = "ENG0103"
    public static let badRetention = "ENG0104"
    public static let badQualityRule = "ENG0105"
    public static let badPattern = "ENG0106"

    // Loading a source (ENG02xx)
    public static let unreadableSource = "ENG0201"
    public static let badHeader = "ENG0202"
    public static let malformedRow = "ENG0203"
    public static let badValue = "ENG0204"

    // Running a transform (ENG03xx)
    public static let inputNotPublished = "ENG0301"
    public static let notASelect = "ENG0302"
    public static let forbidden = "ENG0303"
    public static let sqlError = "ENG0304"
    public static let outputColumns = "ENG0305"
    public static let timeLimit = "ENG0306"
    public static let wrongEngine = "ENG0307"

    // Measuring against the contract (ENG04xx)
    public static let typeMismatch = "ENG0401"
    public static let requiredNull = "ENG0402"
    public static let notUnique = "ENG0403"
    public static let qualityFailed = "ENG0404"
    public static let qualityWarning = "ENG0405"
    public static let sqlRuleError = "ENG0406"
    public static let maskingNotApplied = "ENG0407"
    public static let maskedValueCopied = "ENG0408"

    // What the run needs from its environment (ENG05xx)
    public static let noSalt = "ENG0501"
}
