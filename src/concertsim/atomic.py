"""Files that appear whole or not at all, and the provenance written beside them.

One home for what ``concertsim run`` (:mod:`concertsim.output`) and a sweep's store
(:mod:`concertsim.experiment.store`) both need: a write lands under a temporary name, is
flushed to disk, then takes its name with one ``os.replace``; the directory is synced so
that the rename survives a power cut.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_bytes(d / "a.txt", b"hello")
    >>> (d / "a.txt").read_bytes()
    b'hello'
    >>> sha256(d / "a.txt")[:12]
    '2cf24dba5fb0'
"""

from __future__ import annotations

import hashlib
import os
import platform
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "fsync_dir",
    "sha256",
    "temporary_name",
    "versions",
    "write_bytes",
    "write_table",
    "write_with",
]


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temporary_name(path: Path) -> Path:
    """A hidden, unique sibling of ``path`` (``.tmp-<hex>-<name>``) to write into first."""
    return path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")


def write_with(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Call ``fill(fh)`` on a temporary file, sync it, then give it ``path``'s name.

    Whatever ``fill`` raises (or a kill) leaves ``path`` as it was.
    """
    tmp = temporary_name(path)
    try:
        with open(tmp, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    write_with(path, lambda fh: fh.write(data))


def write_table(
    path: Path, table, metadata: dict[str, str] | None = None, checksum: bool = False
) -> None:
    """Write a pandas DataFrame as Parquet, whole or not at all.

    ``metadata`` is added to the file's key-value metadata (e.g. to say whose file it is);
    ``checksum`` writes a CRC per page, so that a reader can detect damaged pages.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    if metadata:
        extra = {k.encode(): v.encode() for k, v in metadata.items()}
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **extra})
    write_with(path, lambda fh: pq.write_table(arrow, fh, write_page_checksum=checksum))


def sha256(path: Path) -> str:
    """The SHA-256 of a file, for manifests."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and of the libraries results depend on."""
    from importlib.metadata import version

    import mesa
    import numpy
    import pandas
    import pyarrow

    import concertsim

    return {
        "concertsim": concertsim.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "matplotlib": version("matplotlib"),  # not imported: `run --no-figure` never draws
        "SALib": version("SALib"),
    }
