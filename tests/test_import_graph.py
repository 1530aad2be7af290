"""The package's imports run one way: a module imports only from layers below its own.

Every `import` and `from ... import` of every module is read with `ast`, those inside
functions and `if TYPE_CHECKING:` blocks included, so a lazy import cannot hide a
back-edge. The layers, bottom-up (README.md, "Architecture", states the same table):

    0  errors, status, paths, private_files, commitments,  leaf modules
       limits
    1  storage, ml, crypto                                 no protocol knowledge
    2  consensus                                           pure protocol rules
    3  chain, rankings_io                                  the chain; documents in the store
    4  audit, agents                                       agents never import the audit
    5  demo                                                the competition scenario
    6  commands, cli                                       the `wekacoin` command

A module may import from its own layer and the layers below, never from a layer above;
within layer 4 the agents and the audit stay apart (neither imports the other).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wekacoin_offchain.paths import PROJECT_ROOT

PACKAGE = "wekacoin_offchain"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "status", "paths", "private_files", "commitments", "limits", "__init__"),
    ("storage", "ml", "crypto"),
    ("consensus",),
    ("chain", "rankings_io"),
    ("audit", "agents"),
    ("demo",),
    ("commands", "cli"),
)
LAYER_OF = {unit: level for level, units in enumerate(LAYERS) for unit in units}
# Beyond the layers: what consensus must not pull in, even indirectly through ml.
HEAVY_FOR_CONSENSUS = ("numpy", "onnxruntime", "subprocess", "sklearn", f"{PACKAGE}.ml.evaluator")


def modules() -> Iterator[tuple[str, Path]]:
    root = PROJECT_ROOT / PACKAGE
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        yield ".".join((PACKAGE, *parts)).removesuffix(".__init__"), path


def unit_of(module: str) -> str:
    """`wekacoin_offchain.chain.views` -> `chain`; the package itself -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """Every module `module` names in an import, with its line, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from wekacoin_offchain import demo` names a module too
                yield node.lineno, f"{base}.{alias.name}"


def internal_imports() -> Iterator[tuple[str, int, str]]:
    known = {module for module, _ in modules()}
    for module, path in modules():
        for line, imported in imports_of(module, path):
            if imported in known:
                yield module, line, imported


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(module) for module, _ in modules()}
    assert units <= set(LAYER_OF), f"give these a layer: {sorted(units - set(LAYER_OF))}"


def test_imports_only_go_down() -> None:
    back_edges = [
        f"{module}:{line} imports {imported} ({unit_of(module)} is layer {LAYER_OF[unit_of(module)]}, "
        f"{unit_of(imported)} is layer {LAYER_OF[unit_of(imported)]})"
        for module, line, imported in internal_imports()
        if LAYER_OF[unit_of(imported)] > LAYER_OF[unit_of(module)]
    ]
    assert not back_edges, "\n".join(back_edges)


def test_agents_and_the_audit_never_import_each_other() -> None:
    found = [
        f"{module}:{line} imports {imported}"
        for module, line, imported in internal_imports()
        if {unit_of(module), unit_of(imported)} == {"agents", "audit"}
    ]
    assert not found, "\n".join(found)


def test_consensus_names_no_heavy_module() -> None:
    found = [
        f"{module}:{line} imports {imported}"
        for module, path in modules()
        if unit_of(module) == "consensus"
        for line, imported in imports_of(module, path)
        if any(imported == heavy or imported.startswith(heavy + ".") for heavy in HEAVY_FOR_CONSENSUS)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("module", [f"{PACKAGE}.consensus", f"{PACKAGE}.status", f"{PACKAGE}.rankings_io"])
def test_importing_consensus_loads_no_evaluator_nor_numpy(module: str) -> None:
    # A fresh interpreter: this test process has long imported numpy for other tests.
    # (subprocess is left out: eth_account, which votes need, imports it itself.)
    heavy = [name for name in HEAVY_FOR_CONSENSUS if name != "subprocess"]
    probe = f"import sys, {module}; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"importing {module} loads {loaded.strip()}"


def test_a_back_edge_is_caught(tmp_path: Path) -> None:
    """The checker itself: a function-level import of the audit from an agent is seen."""
    source = tmp_path / "validator.py"
    source.write_text(
        "def f():\n    from wekacoin_offchain.audit.replay import audit\n    from ..audit import reader\n"
    )
    names = [name for _, name in imports_of(f"{PACKAGE}.agents.validator", source)]
    assert f"{PACKAGE}.audit.replay" in names and f"{PACKAGE}.audit.reader" in names
