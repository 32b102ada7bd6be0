"""One direction of dependencies: every import of ``app`` points down the layer order of README's
"What is where" (STYLE.md "Layers"). The check reads the source (imports inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"

# Bottom to top. A module may import its own layer and any layer below it, never one above.
GROUND = ("extensions", "config", "errors", "enums", "codes", "timeutil", "roles", "signals")
LAYERS: tuple[tuple[str, ...], ...] = (
    GROUND,
    ("web",),  # shared HTTP glue: imports no domain
    ("audit",),
    ("orgs",),
    ("auth",),
    ("competitions",),
    ("rosters",),
    ("draws",),
    ("judging",),
    ("advancement",),
    ("public",),
    ("awards",),
    ("dashboard",),
    ("demo", "backup", "cli", "models", "factory", "__init__"),  # composition: wires every domain together
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def top_name(module: str) -> str | None:
    """``app.rosters.services`` → ``rosters``; ``app`` itself → ``__init__``; outside ``app`` → None."""
    parts = module.split(".")
    if parts[0] != "app":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(module: str, source: str) -> list[tuple[int, str]]:
    """Every ``app…`` module ``source`` imports, with its line (relative imports resolved)."""
    package = module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base == "app":  # ``from app import signals`` names a module of the package
                found += [(node.lineno, f"app.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return [(line, name) for line, name in found if name.split(".")[0] == "app"]


def violations(sources: dict[str, str]) -> list[str]:
    """``module:line imports target`` for each import that points up the layer order."""
    out = []
    for module, source in sorted(sources.items()):
        own = top_name(module)
        for line, target in imported_modules(module, source):
            other = top_name(target)
            if other is None or other == own:
                continue
            if other not in RANK or own not in RANK:
                out.append(f"{module}:{line} imports {target} (a part of app missing from the layer order)")
            elif RANK[other] > RANK[own]:
                out.append(f"{module}:{line} imports {target}, which sits above it")
    return out


def app_sources() -> dict[str, str]:
    """Every module of ``app`` by dotted name (a package's own file as ``app.x.__init__``)."""
    return {
        ".".join(path.relative_to(APP.parent).with_suffix("").parts): path.read_text(encoding="utf-8")
        for path in APP.rglob("*.py")
    }


def test_every_import_points_down_the_layer_order():
    sources = app_sources()
    assert len(sources) > 50  # the whole package was read
    assert violations(sources) == []


def test_every_part_of_app_has_a_place_in_the_order():
    names = {top_name(module) for module in app_sources()}
    assert names <= set(RANK), sorted(names - set(RANK))


def test_a_planted_upward_import_is_caught():
    sources = app_sources()
    sources["app.orgs.planted"] = "from app.awards import services\n"
    sources["app.web.planted"] = "def later():\n    from app.rosters.models import Entry\n"
    sources["app.draws.planted"] = "from ..judging import results\n"
    found = [v for v in violations(sources) if ".planted:" in v]
    assert found == [
        "app.draws.planted:1 imports app.judging, which sits above it",
        "app.orgs.planted:1 imports app.awards, which sits above it",
        "app.web.planted:2 imports app.rosters.models, which sits above it",
    ]


def test_a_downward_import_is_allowed():
    assert (
        violations({"app.awards.planted": "from app.orgs.models import School\nimport app.timeutil\n"}) == []
    )
