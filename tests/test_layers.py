"""The packages' layering: golden <- rtl <- sim <- boards; no module imports a later layer."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("golden", "rtl", "sim", "boards")


def imported_packages(path):
    """Top-level names of every module ``path`` imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", LAYERS)
def test_no_module_imports_a_later_layer(package):
    later = set(LAYERS[LAYERS.index(package) + 1:])
    found = {str(path.relative_to(ROOT)): sorted(imported_packages(path) & later)
             for path in sorted((ROOT / package).rglob("*.py"))}
    assert {path: names for path, names in found.items() if names} == {}


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from boards.platforms import BOARDS\n    import sim.des\n")
    assert imported_packages(module) == {"boards", "sim"}
