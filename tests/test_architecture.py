"""The shape of the code: layers whose imports point down, no cycles, modules and functions of a readable size.

The layers, from the bottom: errors, options, yamltext; limits, functions (activations and losses),
optimizers; model (Problem, Trace, parameter names); quantities (every value's name) and kernel (a
step's computation and its memory); engine and loading; gradcheck, scaffold and templates; present;
grade; cli. A module may import from a lower layer, or from its own package (without a cycle); never
from a higher layer or from a peer package.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mlpstep"
LAYERS = {
    "errors": 0, "yamltext": 0, "options": 0,
    "limits": 1, "functions": 1, "optimizers": 1,
    "model": 2,
    "quantities": 3, "kernel": 3,
    "engine": 4, "loading": 4,
    "gradcheck": 5, "scaffold": 5, "templates": 5,
    "present": 6,
    "grade": 7,
    "cli": 8, "__main__": 9, "__init__": 9,
}  # fmt: skip
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONGER = {}
"""Modules or functions allowed past the limits, with the reason beside each."""


def modules() -> dict[str, Path]:
    """Dotted name (without ``mlpstep.``) -> file."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1]) if parts[-1] == "__init__" and len(parts) > 1 else ".".join(parts)
        found[name] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """The modules of mlpstep that ``name`` imports, lazily inside functions too."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.startswith("mlpstep"):
                target = node.module.removeprefix("mlpstep").lstrip(".")
            else:
                continue
            for alias in node.names:  # from .loading import reader: the module loading.reader
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("mlpstep.") for a in node.names if a.name.startswith("mlpstep."))
    return {module for module in found if module in MODULES and module != name}


MODULES = modules()
GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def layer(name: str) -> int:
    return LAYERS[name.split(".")[0]]


def test_every_module_has_a_layer():
    assert [name for name in MODULES if name.split(".")[0] not in LAYERS] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_or_stay_in_their_package(name):
    wrong = [to for to in GRAPH[name] if layer(to) > layer(name)
             or (layer(to) == layer(name) and to.split(".")[0] != name.split(".")[0])]  # fmt: skip
    assert wrong == [], f"{name} imports {wrong} from a higher layer or a peer package"


def test_no_import_cycle():
    def cycle_from(start: str, path: list[str], seen: set[str]) -> list[str] | None:
        for to in sorted(GRAPH[path[-1]]):
            if to == start:
                return [*path, to]
            if to not in seen:
                seen.add(to)
                found = cycle_from(start, [*path, to], seen)
                if found:
                    return found
        return None

    cycles = [cycle for name in MODULES if (cycle := cycle_from(name, [name], set()))]
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_fits_in_a_read(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES or name in LONGER, f"{name} has {lines} lines"


def functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def body_lines(node: ast.FunctionDef) -> int:
    """Lines of a function's body, from its first statement after the docstring: a command's options
    and its --help text are declarations, not logic."""
    body = node.body[1:] if ast.get_docstring(node) is not None and len(node.body) > 1 else node.body
    return node.end_lineno - body[0].lineno + 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_function_fits_on_a_screen(name):
    long = [f"{node.name} ({body_lines(node)} lines)" for node in functions(MODULES[name])
            if body_lines(node) > MAX_FUNCTION_LINES and f"{name}.{node.name}" not in LONGER]  # fmt: skip
    assert long == []


def test_subpackages_start_empty_so_imports_stay_lazy():
    assert [path for path in PACKAGE.glob("*/__init__.py") if path.read_text().strip()] == []
