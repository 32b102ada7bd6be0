"""Demo awards of this year's season: none yet, on purpose.

This year's season stands mid-way (preliminary rounds scored, semifinal still ahead), so no award list
could honestly be published. The awards screens still show real figures: the 组织奖 preview reads the
demo rosters and stamped lists, the team preview lists what must be published first, and the
semifinal/final previews list the competitors advanced so far as "无成绩". Last year's complete season,
with every list published and its certificates, is built by ``app.demo`` (R-AW-1..3).
"""

from __future__ import annotations

from app.competitions.models import Competition


def extend_demo(competition: Competition) -> None:
    """Nothing to add for a season that has not reached its awards (see the module docstring)."""
    return None
