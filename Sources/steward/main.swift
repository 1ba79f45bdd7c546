import StewardCLI

Steward.runMain()
