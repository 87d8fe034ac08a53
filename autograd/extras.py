"""Optional dependencies: a feature that needs one says which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra and the command."""


def require(module: str, extra: str, purpose: str, package: str | None = None) -> ModuleType:
    """Import ``module``, or raise ``MissingExtra`` saying how to install it for ``purpose``
    (``package`` is what pip calls it, when that is not the module's name: Pillow for PIL)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{purpose} needs the optional package {package or module!r}, which is not installed. Install the "
            f'\'{extra}\' extra: pip install "chainrule[{extra}]" (from a clone: pip install -e ".[{extra}]")',
            name=module,
        ) from None
