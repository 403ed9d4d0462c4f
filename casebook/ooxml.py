"""Office Open XML packages written the same way every time (the Word renderer and the
reference template share it)."""

from __future__ import annotations

import io
import zipfile

__all__ = ["normalise_package"]


def normalise_package(data: bytes, date: str) -> bytes:
    """Re-zip a saved .docx with fixed entry timestamps (``date``, ISO) and stable order."""
    year, month, day = (int(x) for x in date.split("-"))
    stamp = (max(year, 1980), month, day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        names = source.namelist()
        # [Content_Types].xml first, as Office writes it; the rest in a fixed order.
        ordered = sorted(names, key=lambda n: (n != "[Content_Types].xml", n))
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
