"""The direction of imports: the core knows nothing of the web, training only of the core, storage of no route.

Every import statement counts, including those inside functions.
"""

import ast
import subprocess
import sys

import pytest

from recognition.model_files import PROJECT_ROOT

WEB_FRAMEWORK = ("flask", "werkzeug", "jinja2", "click", "waitress", "gunicorn")
PROJECT_PACKAGES = ("recognition", "webapp", "training", "bench", "tests", "train")


def module_name(path):
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path):
    """Every module a file imports, absolute (``from . import x`` resolved against the file's package)."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def files_of(*names):
    paths = []
    for name in names:
        target = PROJECT_ROOT / name
        paths.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")])
    return paths


def under(module, *prefixes):
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def offending(paths, allowed):
    """(file, module) for each import of a project or web-framework module that ``allowed`` refuses."""
    return sorted((str(path.relative_to(PROJECT_ROOT)), module)
                  for path in paths for module in imported_modules(path)
                  if under(module, *PROJECT_PACKAGES, *WEB_FRAMEWORK) and not allowed(module))


def test_the_core_imports_neither_the_web_app_nor_training_nor_flask():
    assert offending(files_of("recognition"), lambda module: under(module, "recognition")) == []


def test_training_imports_only_the_core():
    allowed = ("recognition", "training", "train")
    assert offending(files_of("training", "train"), lambda module: under(module, *allowed)) == []


def test_storage_imports_no_route_module_nor_any_feature_package():
    allowed = ("webapp.storage", "webapp.extension", "webapp.web.errors", "flask")
    assert offending(files_of("webapp/storage"), lambda module: under(module, *allowed)) == []


ROUTE_MODULES = sorted((PROJECT_ROOT / "webapp").glob("*/routes.py"))


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda path: path.parent.name)
def test_route_modules_do_not_import_each_other(path):
    others = [module_name(other) for other in ROUTE_MODULES if other != path]
    assert offending([path], lambda module: not under(module, *others)) == []


def test_the_web_app_never_imports_tensorflow():
    imports = {module for path in files_of("webapp") for module in imported_modules(path)}
    assert not {module for module in imports if under(module, "tensorflow", "keras")}


def test_importing_the_core_and_training_loads_no_web_framework():
    """What `import recognition.x` or `import training.drawn` pulls in, measured in a fresh interpreter."""
    modules = [module_name(path) for path in files_of("recognition")] + ["training.drawn", "training.data"]
    probe = (f"import importlib, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
             f"print(sorted(name for name in sys.modules if name.split('.')[0] in {WEB_FRAMEWORK + ('webapp',)!r}))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
