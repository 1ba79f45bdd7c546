/// The catalogue of diagnostic ids the model emits. Stable: tools and docs refer to them.
/// See docs/diagnostics.md for the meaning of each and what to do.
enum ModelMessages {
    // Reading files
    static let yamlSyntax = "MESH0001"
    static let duplicateKey = "MESH0002"
    static let notText = "MESH0003"
    static let emptyDocument = "MESH0004"
    static let unreadable = "MESH0005"

    // Shape of a document
    static let unknownKey = "MESH0101"
    static let wrongType = "MESH0102"
    static let missingKey = "MESH0103"
    static let badValue = "MESH0104"
    static let unsupportedVersion = "MESH0105"
    static let keyNeedsNewerVersion = "MESH0106"
    static let wrongKind = "MESH0107"
    static let ambiguousUnit = "MESH0108"
    static let unknownUnit = "MESH0109"
    static let duplicateName = "MESH0110"
    static let deprecated = "MESH0111"
    static let unknownClassification = "MESH0112"

    // Layout of the mesh
    static let missingSettings = "MESH0201"
    static let missingDomainFile = "MESH0202"
    static let nameMismatch = "MESH0203"
    static let misplacedFile = "MESH0204"
    static let duplicateID = "MESH0205"
    static let pathEscapes = "MESH0206"

    // References between files
    static let unknownContract = "MESH0301"
    static let outputInOtherDomain = "MESH0302"
    static let contractOutputTwice = "MESH0303"
    static let cycle = "MESH0304"
    static let missingTransform = "MESH0305"
    static let unknownTimeColumn = "MESH0306"
    static let missingSourceFile = "MESH0307"
    static let inputNotReadable = "MESH0308"
    static let unknownDomainGrant = "MESH0309"
    static let orphanContract = "MESH0310"
    static let noOutput = "MESH0311"

    // Waivers (docs/policy-language.md §10); the policy-dependent ones are in StewardPolicy.
    static let invalidWaiver = "POL0505"
    static let waiverMatchesAll = "POL0506"
    static let waiverOutsideDomain = "POL0507"
    static let duplicateWaiver = "POL0509"
    static let waiverSelfApproved = "POL0510"
}
