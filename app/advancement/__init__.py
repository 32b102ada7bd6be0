"""Advancement: quotas, recommendations and publicly verifiable draws (SPEC §5).

Kept free of Flask imports so that the stand-alone verifier runs on the standard library alone;
the blueprint lives in ``app.advancement.views``.
"""
