"""The verifiable draw (R-DRAW-1/2, R-PANEL-2): RFC 3797, its storage and the stand-alone verifier."""
