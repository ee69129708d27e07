"""The layers point one way (DESIGN.md): core ← orgs ← members ← each later module.

The import-linter contract in pyproject.toml ([tool.importlinter]) fails when core imports an app or orgs imports
members; these tests run it with the suite and check that it would catch such an import.
"""

import ast
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
SRC = ROOT / "src" / "dangjian"


def run_contract(config: Path) -> int:
    return lint_imports(config_filename=str(config), no_cache=True, no_logo=True)


def test_the_project_keeps_the_layers_contract():
    assert run_contract(PYPROJECT) == 0


def contract() -> dict:
    (found,) = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    return found


def test_the_contract_orders_core_orgs_members():
    assert contract()["type"] == "layers"
    assert contract()["layers"][-3:] == ["dangjian.members", "dangjian.orgs", "dangjian.core"]


def test_every_app_is_a_layer_in_the_order_of_installed_apps():
    """A new module is a layer above those it reads: its line in INSTALLED_APPS and its line in the contract."""
    ours = [app for app in settings.INSTALLED_APPS if app.startswith("dangjian.")]
    assert contract()["layers"] == ours[::-1]


PROBE = "layers_probe"


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """A package shaped like dangjian (one folder per layer of the contract), checked with the project's own layers."""
    layers = [name.replace("dangjian", PROBE) for name in contract()["layers"]]
    config = tmp_path / "probe.toml"
    config.write_text(
        f'[tool.importlinter]\nroot_package = "{PROBE}"\n\n[[tool.importlinter.contracts]]\n'
        f'name = "probe"\ntype = "layers"\nlayers = {layers!r}\n'.replace("'", '"')
    )
    package = tmp_path / PROBE
    for app in ("", *(layer.split(".")[1] for layer in layers)):
        (package / app).mkdir(exist_ok=True)
        (package / app / "__init__.py").write_text("")
    (package / "core" / "models.py").write_text("")
    (package / "orgs" / "models.py").write_text(f"from {PROBE}.core import models\n")
    (package / "members" / "models.py").write_text(f"from {PROBE}.orgs import models\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def check(module: str, source: str) -> int:
        (package / module).write_text(source)
        return run_contract(config)

    return check


def test_imports_down_the_layers_are_kept(probe):
    assert probe("members/services.py", f"from {PROBE}.orgs.models import *\n") == 0


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("core/views.py", f"from {PROBE}.orgs.models import *\n"),
        ("core/views.py", f"from {PROBE}.members import models\n"),
        # Inside a function too: a deferred import is still a dependency.
        ("orgs/services.py", f"def count():\n    from {PROBE}.members.models import Member\n"),
    ],
)
def test_an_import_up_the_layers_breaks_the_contract(probe, module, source):
    assert probe(module, source) == 1


def _get_model_calls(path: Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model"
        for node in ast.walk(tree)
    )


def test_no_app_model_is_looked_up_by_name():
    """apps.get_model("members", …) would hide an upward dependency from the contract: core and orgs use none."""
    found = {
        str(path.relative_to(SRC))
        for layer in ("core", "orgs")
        for path in (SRC / layer).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and _get_model_calls(path)
    }
    assert found == set()
