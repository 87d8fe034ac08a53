"""Module: parameters, gradients and saving, shared by Neuron, Layer and MLP."""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from autograd import Value
from autograd.files import write_atomically


class Module:
    """Base class of everything in ``nn`` that holds parameters.

    A module's parameters are found by looking at its attributes in the order they were
    set: a ``Value`` is a parameter, a ``Module`` is searched in turn, and a list of
    either is searched element by element.  Names are the attribute paths, so a weight
    of an MLP is called ``layers.0.neurons.3.w.1``.
    """

    def _named(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        for attr, obj in vars(self).items():
            if attr.startswith("_"):
                continue
            items = list(enumerate(obj)) if isinstance(obj, (list, tuple)) else [(None, obj)]
            for index, item in items:
                name = prefix + attr + ("" if index is None else f".{index}")
                if isinstance(item, Value):
                    yield name, item
                elif isinstance(item, Module):
                    yield from item._named(name + ".")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``[(name, parameter), ...]`` in a fixed order (the order of ``parameters()``)."""
        return list(self._named())

    def parameters(self) -> list[Value]:
        """Every trainable Value of this module and its sub-modules."""
        return [p for _, p in self._named()]

    def num_parameters(self) -> int:
        """How many scalar parameters the module has."""
        return len(self.parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaves accumulate across ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    # ---- state: get, set, save, load -----------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter (a copy: later training does not change it)."""
        return {name: p.data for name, p in self._named()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Write ``state``'s values into the existing parameter Values (so optimisers that
        hold them keep working).

        Everything is checked before anything is written, so a failed load leaves the
        module unchanged: missing or unexpected keys raise ``KeyError`` naming all of
        them; a value that is not one finite real number raises ``ValueError``.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict() takes a mapping of name to value; got {type(state).__name__}")
        params = dict(self._named())
        missing = [name for name in params if name not in state]
        unexpected = [name for name in state if name not in params]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing keys: {', '.join(missing)}")
            if unexpected:
                parts.append(f"unexpected keys: {', '.join(map(str, unexpected))}")
            raise KeyError(f"load_state_dict(): {'; '.join(parts)}")
        values = {name: _finite_scalar(name, state[name]) for name in params}
        for name, p in params.items():
            p.data = values[name]

    def save(self, path: str | os.PathLike) -> None:
        """Save the parameters to ``path`` as a NumPy ``.npz`` archive (float64: bit-exact).

        The file is replaced atomically (see ``autograd.files.write_atomically``): an
        interrupted save never destroys an existing file nor leaves a temporary one behind,
        an existing file keeps its permission bits, a symlink is written through to its
        target, and a file the user may not write raises ``PermissionError``.  ``path`` is
        used as given (no ``.npz`` is appended).
        """
        arrays = {name: np.float64(value) for name, value in self.state_dict().items()}
        write_atomically(path, lambda f: np.savez(f, **arrays))

    def load(self, path: str | os.PathLike) -> None:
        """Load parameters saved by ``save``; checked as ``load_state_dict`` does.

        A file that is not such a save (empty, truncated, garbage, a pickle, a single
        array, arrays of another model) raises ``ValueError`` naming the file and what is
        wrong, and the module is left unchanged; a missing file raises ``FileNotFoundError``.
        """
        path = Path(path)
        state = _read_npz(path)
        try:
            self.load_state_dict(state)
        except (KeyError, ValueError) as e:
            message = e.args[0] if e.args else str(e)
            raise ValueError(f"{path} does not hold this model's parameters: {message}") from None


# A save holds one 0-d float64 array per parameter, about 130 bytes each: a member or an archive
# far bigger than that is not a save, and is refused before anything is decompressed.
_MEMBER_LIMIT = 1 << 20
_ARCHIVE_LIMIT = 64 << 20


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, or ``ValueError`` saying why it is not one.

    The archive's directory (member names, compression, declared sizes) is checked before any
    member is decompressed, so a small file that would inflate to gigabytes is refused at
    once.  The file is opened here, in a ``with`` block, so it is closed whatever happens.
    Pickles are never loaded (``allow_pickle=False``): they can run code.
    """
    not_a_save = f"{path} is not a parameter file written by Module.save()"
    with open(path, "rb") as f:  # FileNotFoundError, IsADirectoryError, PermissionError pass through
        start = f.read(6)
        if start[:4] != b"PK\x03\x04":  # every .npz is a zip archive, which starts with these bytes
            if not start:
                what = "it is empty"
            elif start[:1] == b"\x80":
                what = "it is a Python pickle, which is never loaded (unpickling can run any code)"
            elif start == b"\x93NUMPY":
                what = "it is a single NumPy array (.npy), not an .npz archive of named parameters"
            else:
                what = "it is not a NumPy .npz archive"
            raise ValueError(f"{not_a_save}: {what}")
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as archive:
                members = archive.infolist()
                _check_members(members, not_a_save)
                arrays = {}
                for info in members:
                    with archive.open(info) as member:
                        arrays[info.filename[: -len(".npy")]] = np.lib.format.read_array(member, allow_pickle=False)
                return arrays
        except ValueError as e:
            if str(e).startswith(not_a_save):
                raise
            if "pickle" in str(e):
                raise ValueError(f"{not_a_save}: it holds pickled Python objects, which are never loaded") from None
            raise ValueError(f"{not_a_save}: {e}") from None
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as e:
            raise ValueError(f"{not_a_save}: it is damaged or truncated ({type(e).__name__}: {e})") from None


def _check_members(members: list[zipfile.ZipInfo], not_a_save: str) -> None:
    """What the archive's directory says, checked before anything is decompressed."""
    total = 0
    for info in members:
        name = info.filename
        if not name.endswith(".npy"):
            raise ValueError(f"{not_a_save}: it holds {name!r}, which is not a NumPy array")
        if info.flag_bits & 0x1:
            raise ValueError(f"{not_a_save}: its member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(
                f"{not_a_save}: its member {name!r} uses a compression (method {info.compress_type}) that "
                "Module.save never writes"
            )
        if info.file_size > _MEMBER_LIMIT:
            raise ValueError(
                f"{not_a_save}: its member {name!r} would decompress to {info.file_size:,} bytes; a parameter "
                "takes about 130"
            )
        total += info.file_size
        if total > _ARCHIVE_LIMIT:
            raise ValueError(f"{not_a_save}: it would decompress to more than {_ARCHIVE_LIMIT:,} bytes")


def _finite_scalar(name: str, value: object) -> float:
    if isinstance(value, np.ndarray):
        if value.shape != ():
            raise ValueError(f"load_state_dict(): {name} must be a single number; got an array of shape {value.shape}")
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"load_state_dict(): {name} must be a real number; got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"load_state_dict(): {name} is {value}; parameters must be finite")
    return value
