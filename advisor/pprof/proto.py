"""pprof profiles in protobuf form (what `curl .../debug/pprof/heap` saves), decoded with
the `protobuf` runtime from code generated off profile.proto (see generate.py).

Go writes these gzip-compressed; both forms are accepted. Decompression is bounded, so a
small file that inflates to gigabytes is refused rather than exhausting memory.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:  # samples.py brings numpy: imported when a profile is decoded, not by every `match`
    from . import samples as _samples

MAX_INFLATED = 1 << 30  # 1 GiB of protobuf is far beyond any real profile
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Decoded:
    """A profile with its stacks resolved to (function, "file:line") frames, leaf first."""

    sample_types: list[str]
    default_type: str
    table: _samples.SampleTable  # the samples grouped by stack (location ids, leaf first)
    frames: dict[int, tuple[tuple[str, str], ...]]  # location id -> frames (inlined first)
    time: float | None
    program: str
    build_id: str

    @property
    def samples(self) -> dict[tuple[int, ...], list[int]]:
        """Location ids (leaf first) -> summed values, every stack (built on each call: for
        large profiles, read `table`)."""
        return self.table.as_dict()

    def stack(self, locs: tuple[int, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        fns: list[str] = []
        where: list[str] = []
        for loc in locs:
            for fn, at in self.frames.get(loc, ()):
                fns.append(fn)
                where.append(at)
        return tuple(fns), tuple(where)

    def columns(self) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
        """Per location: its function names and short 'file.go:42' places (built once, so a
        profile with hundreds of thousands of samples joins tuples instead of re-splitting paths)."""
        fns = {k: tuple(fn for fn, _ in v) for k, v in self.frames.items()}
        where = {k: tuple(at.rsplit("/", 1)[-1] for _, at in v) for k, v in self.frames.items()}
        return fns, where

    @property
    def is_goroutine(self) -> bool:
        return self.sample_types[:1] == ["goroutine"]

    @property
    def is_memory(self) -> bool:
        return any(t in self.sample_types for t in ("inuse_space", "alloc_space"))


def looks_like_protobuf(data: bytes) -> bool:
    """Gzip magic, or raw bytes that cannot be text (a NUL) starting with field 1 (sample_type)."""
    return data[:2] == GZIP_MAGIC or (data[:1] == b"\x0a" and b"\x00" in data[:4096])


def inflate(data: bytes, name: str = "input") -> bytes:
    if data[:2] != GZIP_MAGIC:
        return data
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, MAX_INFLATED)
    except zlib.error:
        raise InputError(f"{name}: gzip data is damaged; take the profile again") from None
    if d.unconsumed_tail:
        raise InputError(f"{name}: inflates to more than {MAX_INFLATED >> 20} MB; not a profile this tool reads")
    return out


def decode(data: bytes, name: str = "input", fast: bool = True) -> Decoded:
    """Bytes of a (gzipped) profile.proto -> Decoded. InputError if it is not one.

    `fast` reads the samples column-wise (samples.py); where that reader declines, or with
    fast=False, each sample is decoded as its own message. Both give the same Decoded."""
    from . import samples as _samples
    from .profile_pb2 import Profile, ProfileSampleBytes

    raw = inflate(data, name)
    if fast:
        view = _parse(ProfileSampleBytes(), raw, name)
        table = _samples.read(list(view.sample), len(view.sample_type))
        if table is not None:
            return _decoded(view, table)
    prof = _parse(Profile(), raw, name)
    return _decoded(prof, _samples.SampleTable.from_dict(_sample_dict(prof), len(prof.sample_type)))


def _parse(message, raw: bytes, name: str):  # noqa: ANN001, ANN202 - a generated message type
    from google.protobuf.message import DecodeError

    try:
        message.ParseFromString(raw)
    except DecodeError:
        raise InputError(f"{name}: not a pprof profile (protobuf does not decode); "
                         "save it with: curl -o heap.pb.gz http://HOST/debug/pprof/heap") from None
    st = message.string_table
    if not st or st[0] != "" or not message.sample_type:
        raise InputError(f"{name}: not a pprof profile (no string table or sample types)")
    return message


def _sample_dict(prof) -> dict[tuple[int, ...], list[int]]:  # noqa: ANN001 - profile_pb2.Profile
    """Location ids (leaf first) -> summed values, one sample message at a time."""
    samples: dict[tuple[int, ...], list[int]] = {}
    width = len(prof.sample_type)
    for smp in prof.sample:
        key = tuple(smp.location_id)
        vals = list(smp.value)
        if len(vals) != width:
            continue  # malformed sample: skip rather than mis-attribute
        row = samples.get(key)
        if row is None:
            samples[key] = vals
        else:
            for i, v in enumerate(vals):
                row[i] += v
    return samples


def _decoded(prof, table: _samples.SampleTable) -> Decoded:  # noqa: ANN001 - Profile or its view
    st = list(prof.string_table)  # one str per entry, not one per lookup
    n = len(st)

    def s(i: int) -> str:
        return st[i] if 0 <= i < n else ""

    funcs = {f.id: (s(f.name), s(f.filename)) for f in prof.function}
    frames: dict[int, tuple[tuple[str, str], ...]] = {}
    for loc in prof.location:
        out = []
        for ln in loc.line:
            fn, file = funcs.get(ln.function_id, ("", ""))
            out.append((fn or f"0x{loc.address:x}", f"{file}:{ln.line}" if file else ""))
        frames[loc.id] = tuple(out) or ((f"0x{loc.address:x}", ""),)
    types = [s(t.type) for t in prof.sample_type]
    default = s(prof.default_sample_type) or types[-1]
    main = prof.mapping[0] if prof.mapping else None
    return Decoded(
        sample_types=types, default_type=default, table=table, frames=frames,
        time=prof.time_nanos / 1e9 if prof.time_nanos else None,
        program=s(main.filename) if main else "", build_id=s(main.build_id) if main else "",
    )
