"""Competitions (赛事): stages, subjects, groups and the rule settings in force (SPEC §2)."""
