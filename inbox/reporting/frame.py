"""A family's rows as columns (numpy arrays): what reports aggregate, from blocks or raw rows.

A frame holds one family's rows of a stretch of time in a fixed set of columns, plus the
rows' conversation labels as (row, label) pairs. Kinds, and how a NULL is kept:

- ``t`` a timestamp: float64 seconds since the epoch (microseconds survive), NaN;
- ``f`` a number: float64, NaN;
- ``i`` an id or small integer: int32, -1 (ids start at 1; PostgreSQL ``integer`` as well);
- ``b`` a yes / no / undecided flag: int8 1 / 0 / -1;
- ``s`` a short text (the channel): int16 codes into the frame's vocabulary.

Frames encode to bytes (a stored block of one day) and decode without copying the arrays.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

LABEL_ROW, LABEL_CODE = np.int32, np.int16
NO_ID = -1
_HEADER = struct.Struct("<I")
_ALIGN = 8


@dataclass(slots=True)
class Frame:
    columns: dict[str, Array]
    vocab: dict[str, list[str]] = field(default_factory=dict)  # per ``s`` column
    label_row: Array = field(default_factory=lambda: np.zeros(0, LABEL_ROW))
    label_code: Array = field(default_factory=lambda: np.zeros(0, LABEL_CODE))
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def text(self, name: str, value: str) -> int:
        """The code of ``value`` in column ``name`` (-1 when no row has it)."""
        words = self.vocab.get(name, [])
        return words.index(value) if value in words else -1


def _convert(kind: str, values: Sequence[Any]) -> Array:
    if kind == "t":
        return np.array([np.nan if v is None else v.timestamp() for v in values], dtype=np.float64)
    if kind == "f":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    if kind == "i":
        return np.array([NO_ID if v is None else int(v) for v in values], dtype=np.int32)
    if kind == "b":
        return np.array([-1 if v is None else int(bool(v)) for v in values], dtype=np.int8)
    raise ValueError(f"unknown column kind {kind!r}")


def from_rows(
    kinds: dict[str, str],
    rows: Sequence[Sequence[Any]],
    row_labels: Iterable[tuple[int, str]] = (),
) -> Frame:
    """Rows (values in ``kinds`` order) to a frame; ``row_labels``: (row index, label)."""
    names = list(kinds)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    columns: dict[str, Array] = {}
    vocab: dict[str, list[str]] = {}
    for name, values in zip(names, by_column, strict=True):
        kind = kinds[name]
        if kind == "s":
            words = sorted({str(v) for v in values})
            index = {w: i for i, w in enumerate(words)}
            columns[name] = np.array([index[str(v)] for v in values], dtype=np.int16)
            vocab[name] = words
        else:
            columns[name] = _convert(kind, values)
    pairs = sorted(set(row_labels))
    labels = sorted({label for _, label in pairs})
    code = {w: i for i, w in enumerate(labels)}
    return Frame(
        columns=columns,
        vocab=vocab,
        label_row=np.array([r for r, _ in pairs], dtype=LABEL_ROW),
        label_code=np.array([code[w] for _, w in pairs], dtype=LABEL_CODE),
        labels=labels,
    )


def empty(kinds: dict[str, str]) -> Frame:
    return from_rows(kinds, [])


def concat(kinds: dict[str, str], frames: Sequence[Frame]) -> Frame:
    """One frame of many (days): texts and labels recoded into one vocabulary."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty(kinds)
    if len(frames) == 1:
        return frames[0]
    columns: dict[str, Array] = {}
    vocab: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        if kind != "s":
            columns[name] = np.concatenate([f.columns[name] for f in frames])
            continue
        words = sorted({w for f in frames for w in f.vocab[name]})
        vocab[name] = words
        columns[name] = np.concatenate(
            [_recode(f.columns[name], f.vocab[name], words) for f in frames]
        )
    labels = sorted({w for f in frames for w in f.labels})
    offsets = np.cumsum([0, *[len(f) for f in frames[:-1]]])
    return Frame(
        columns=columns,
        vocab=vocab,
        label_row=np.concatenate(
            [(f.label_row + o).astype(LABEL_ROW) for f, o in zip(frames, offsets, strict=True)]
        ),
        label_code=np.concatenate([_recode(f.label_code, f.labels, labels) for f in frames]),
        labels=labels,
    )


def _recode(codes: Array, old: list[str], new: list[str]) -> Array:
    if old == new or not len(codes):
        return codes
    index = {w: i for i, w in enumerate(new)}
    table = np.array([index[w] for w in old], dtype=codes.dtype)
    return table[codes]


def encode(frame: Frame) -> bytes:
    """``<header length><json header><8-byte aligned column buffers>``."""
    arrays = {**frame.columns, "__label_row": frame.label_row, "__label_code": frame.label_code}
    layout: list[list[Any]] = []
    body = bytearray()
    for name, arr in arrays.items():
        body.extend(b"\0" * (-len(body) % _ALIGN))
        layout.append([name, arr.dtype.str, len(body), len(arr)])
        body.extend(np.ascontiguousarray(arr).tobytes())
    header = json.dumps(
        {"layout": layout, "vocab": frame.vocab, "labels": frame.labels}, separators=(",", ":")
    ).encode()
    pad = b"\0" * (-(len(header) + _HEADER.size) % _ALIGN)
    return _HEADER.pack(len(header) + len(pad)) + header + pad + bytes(body)


def decode(data: bytes) -> Frame:
    (size,) = _HEADER.unpack_from(data)
    start = _HEADER.size + size
    header = json.loads(bytes(data[_HEADER.size : start]).rstrip(b"\0"))
    view = memoryview(data)[start:]
    arrays = {
        name: np.frombuffer(view, dtype=np.dtype(dtype), count=count, offset=offset)
        for name, dtype, offset, count in header["layout"]
    }
    label_row = arrays.pop("__label_row")
    label_code = arrays.pop("__label_code")
    return Frame(
        columns=arrays,
        vocab=header["vocab"],
        label_row=label_row,
        label_code=label_code,
        labels=header["labels"],
    )
