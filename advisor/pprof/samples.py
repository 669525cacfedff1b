"""A profile's samples, decoded all at once with numpy and grouped by stack.

A 20 MB heap profile holds about 400,000 samples of some 20 location ids each. Decoding
them one protobuf message at a time builds millions of Python objects and takes seconds;
here the protobuf runtime only splits the profile into per-sample byte strings (the
ProfileSampleBytes view in profile.proto) and numpy reads the Sample fields of every
sample in lockstep: one round per field position, not one Python step per value. Stacks
are grouped by the bytes of their location ids as encoded (varints have one shortest
form, and a profile using any other is left to the slow path), and only the stacks a
caller asks for are decoded to ids: a 20 MB heap profile keeps 40,000 of 400,000.

The reader follows the protobuf wire format, not one encoder's habits: Go writes a run of
one or two ids unpacked (runtime/pprof/protobuf.go packs only runs longer than two), and a
packed run may legally be split in several. Anything it does not handle (groups, damage)
returns None, and the caller decodes the profile message by message instead, which gives
the same result or the protobuf runtime's error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, compress, islice

import numpy as np

MAX_ROUNDS = 64  # fields per sample read in lockstep; more (an unpacked encoder, deep stacks) -> None
LOCATION_ID, VALUE = 1, 2  # Sample's field numbers (profile.proto)
INT64_MAX = (1 << 63) - 1


@dataclass(eq=False)
class SampleTable:
    """Samples grouped by stack, stacks in the order they first occur in the profile.

    Stack i is `stacks[i]`: its location ids (leaf first), as a tuple or, when `encoded`,
    as their protobuf varints end to end. `values[i]` are its values summed over its samples
    (int64, or Python ints in an object array when a sum would not fit in 64 bits).
    """

    stacks: list
    values: np.ndarray
    encoded: bool = False

    def __len__(self) -> int:
        return len(self.stacks)

    def flat(self, which: list[int] | None = None) -> tuple[list[int], list[int]]:
        """The location ids of all stacks, or of `which` in its order, end to end, and how
        many each stack has."""
        keys = self.stacks if which is None else [self.stacks[i] for i in which]
        if not self.encoded:
            return list(chain.from_iterable(keys)), list(map(len, keys))
        blob = np.frombuffer(b"".join(keys), np.uint8)
        ids = _stream(blob)
        assert ids is not None  # read() only builds keys from well-formed varints
        last = np.concatenate(([0], np.cumsum(blob < 0x80)))
        ends = np.cumsum(np.fromiter(map(len, keys), np.int64, len(keys)))
        return ids.tolist(), np.diff(np.concatenate(([0], last[ends]))).tolist()

    def rows(self, which: list[int] | None = None) -> list[list[int]]:
        """Summed values of all stacks, or of `which` in its order."""
        return self.values.tolist() if which is None else self.values[list(which)].tolist()

    def items(self, which: list[int] | None = None) -> Iterator[tuple[tuple[int, ...], list[int]]]:
        """(location ids, summed values) per stack, of all stacks or of `which` in its order."""
        ids, counts = self.flat(which)
        it = iter(ids)
        return zip((tuple(islice(it, c)) for c in counts), self.rows(which), strict=True)

    def as_dict(self) -> dict[tuple[int, ...], list[int]]:
        return dict(self.items())

    def __eq__(self, other: object) -> bool:
        """The same stacks, in the same order, with the same values (however stored)."""
        return isinstance(other, SampleTable) and list(self.items()) == list(other.items())

    @classmethod
    def from_dict(cls, samples: dict[tuple[int, ...], list[int]], width: int) -> SampleTable:
        rows = list(samples.values())
        try:
            values = np.array(rows, dtype=np.int64).reshape(len(rows), width)
        except OverflowError:
            values = np.array(rows, dtype=object).reshape(len(rows), width)
        return cls(list(samples), values)


def read(raw: list[bytes], width: int) -> SampleTable | None:
    """Encoded Sample messages -> their stacks and summed values; samples whose value count
    is not `width` are left out. None when the encoding is one this reader leaves to the
    message-by-message decode."""
    n = len(raw)
    lengths = np.fromiter(map(len, raw), np.int64, n)
    joined = b"".join(raw)
    buf = np.frombuffer(joined, np.uint8)
    if not _canonical(buf):
        return None  # equal stacks could differ in bytes, or not protobuf
    starts = np.cumsum(lengths) - lengths
    ranges = _walk(buf, starts, starts + lengths)
    if ranges is None:
        return None
    vals = _values(buf, ranges[VALUE], n)
    if vals is None:
        return None
    values, count = vals
    if not (buf[ranges[LOCATION_ID][2] - 1] < 0x80).all():
        return None  # a run of location ids ends inside a varint
    ok = count == width
    keys = _keys(joined, buf, ranges[LOCATION_ID], n)
    if not ok.all():
        keys = list(compress(keys, ok.tolist()))
        values = values[np.repeat(ok, count)]
    values = values.view(np.int64).reshape(len(keys), width)
    if len(keys) and float(np.abs(values.astype(float)).max()) * len(keys) >= 2.0 ** 63:
        return None  # sums could leave int64: the message-by-message decode sums Python ints
    return _group(keys, values)


def _canonical(buf: np.ndarray) -> bool:
    """No varint in buf is longer than it needs to be (a last byte 0x00 after a continuation
    byte), or longer than ten bytes (ten continuation bytes in a row). Equal stacks then
    have equal bytes, and stacks can be decoded later, when asked for. Checked on bit
    strings, an eighth of buf's size, to keep a large profile's temporaries few."""
    more = _bits(buf >= 0x80)
    if (more & _shifted(_bits(buf == 0), 1)).any():
        return False
    two = more & _shifted(more, 1)
    four = two & _shifted(two, 2)
    eight = four & _shifted(four, 4)
    return not (eight & _shifted(two, 8)).any()


def _bits(flags: np.ndarray) -> np.ndarray:
    """Booleans -> a bit string as big-endian uint64 words (flag i is bit i from the top)."""
    packed = np.packbits(flags)
    return np.concatenate((packed, np.zeros(-len(packed) % 8 + 8, np.uint8))).view(">u8").astype(np.uint64)


def _shifted(words: np.ndarray, k: int) -> np.ndarray:
    """The bit string moved k bits towards the start: bit i of the result is bit i + k."""
    nxt = np.concatenate((words[1:], np.zeros(1, np.uint64)))
    return (words << np.uint64(k)) | (nxt >> np.uint64(64 - k))


def _varints(buf: np.ndarray, at: np.ndarray, limit: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The varints starting at `at` (each ending before its `limit`) and where each ends."""
    if (at >= limit).any():
        return None
    b = buf[at]
    value = (b & 0x7F).astype(np.uint64)
    end = at + 1
    todo = np.flatnonzero(b >= 0x80)  # most varints here (tags, lengths) are one byte
    for k in range(1, 10):
        if not len(todo):
            return value, end
        pos = at[todo] + k
        if (pos >= limit[todo]).any():
            return None  # runs past its message
        b = buf[pos]
        value[todo] |= (b & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        end[todo] = pos + 1
        todo = todo[b >= 0x80]
    return None if len(todo) else (value, end)


def _stream(data: np.ndarray) -> np.ndarray | None:
    """Every varint of bytes that hold nothing but varints end to end."""
    if not len(data):
        return np.zeros(0, np.uint64)
    if data[-1] >= 0x80:
        return None
    stop = np.flatnonzero(data < 0x80)
    start = np.concatenate(([0], stop[:-1] + 1))
    length = stop - start + 1
    if length.max() > 10:
        return None
    value = (data[start] & 0x7F).astype(np.uint64)
    more = np.flatnonzero(length > 1)
    for k in range(1, 10):
        if not len(more):
            break
        value[more] |= (data[start[more] + k] & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        more = more[length[more] > k + 1]
    return value


Ranges = tuple[np.ndarray, np.ndarray, np.ndarray]  # sample, start, end: byte ranges of buf


def _walk(buf: np.ndarray, pos: np.ndarray, ends: np.ndarray) -> dict[int, Ranges] | None:
    """Read the fields of all samples in lockstep (round r reads every sample's r-th field);
    for location_id and value, the byte ranges holding their varints: a packed run's
    payload, or the one varint of an unpacked value."""
    found: dict[int, list[Ranges]] = {LOCATION_ID: [], VALUE: []}
    pos = pos.copy()
    live = np.flatnonzero(pos < ends)
    for _ in range(MAX_ROUNDS):
        if not len(live):
            break
        got = _varints(buf, pos[live], ends[live])
        if got is None:
            return None
        tag, p = got
        field, wire = tag >> np.uint64(3), tag & np.uint64(7)
        if (field == 0).any() or (field >= 1 << 29).any() or np.isin(wire, (3, 4, 6, 7)).any():
            return None  # groups, or not protobuf: the protobuf runtime decides
        start, nxt = p.copy(), p.copy()
        varint, run = wire == 0, wire == 2
        for sel, is_run in ((varint, False), (run, True)):
            if sel.any():
                got = _varints(buf, p[sel], ends[live[sel]])
                if got is None or (is_run and (got[0] > len(buf)).any()):
                    return None
                size, stop = got
                start[sel], nxt[sel] = (stop, stop + size.astype(np.int64)) if is_run else (p[sel], stop)
        nxt[wire == 1] += 8
        nxt[wire == 5] += 4
        if (nxt > ends[live]).any():
            return None
        for number in found:
            # a location_id or value field of another wire type is an unknown field to protobuf
            sel = (field == number) & (varint | run) & (nxt > start)
            found[number].append((live[sel], start[sel], nxt[sel]))
        pos[live] = nxt
        live = live[nxt < ends[live]]
    if len(live):
        return None
    return {k: tuple(np.concatenate(c) for c in zip(*v, strict=True)) if v else
            (np.zeros(0, np.int64),) * 3 for k, v in found.items()}


def _in_order(r: Ranges) -> tuple[Ranges, bool]:
    """Ranges in byte order (sample order, then wire order), and whether a sample has more than one."""
    sample, start, end = r
    if len(start) > 1 and (np.diff(start) <= 0).any():
        order = np.argsort(start, kind="stable")
        sample, start, end = sample[order], start[order], end[order]
    return (sample, start, end), len(sample) > 1 and bool((np.diff(sample) == 0).any())


def _gather(buf: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The bytes of the ranges, end to end."""
    size = end - start
    offsets = np.cumsum(size) - size
    return buf[np.repeat(start - offsets, size) + np.arange(int(size.sum()))]


def _values(buf: np.ndarray, r: Ranges, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Every sample's values end to end (uint64 bits), and how many each sample has."""
    (sample, start, end), _ = _in_order(r)
    data = _gather(buf, start, end)
    value = _stream(data)
    if value is None:
        return None
    last = np.concatenate(([0], np.cumsum(data < 0x80)))
    size = end - start
    per_range = last[np.cumsum(size)] - last[np.cumsum(size) - size]
    return value, np.bincount(sample, weights=per_range, minlength=n).astype(np.int64)


def _keys(joined: bytes, buf: np.ndarray, r: Ranges, n: int) -> list[bytes]:
    """Per sample, the varints of its location ids end to end (its stack's key)."""
    (sample, start, end), several = _in_order(r)
    a = np.zeros(n, np.int64)
    b = np.zeros(n, np.int64)
    if several:
        # ids split over several ranges (unpacked short stacks, split runs): copy them together
        blob = _gather(buf, start, end).tobytes()
        size = np.bincount(sample, weights=end - start, minlength=n).astype(np.int64)
        b = np.cumsum(size)
        a = b - size
    else:
        blob = joined
        a[sample], b[sample] = start, end
    return list(map(blob.__getitem__, map(slice, a.tolist(), b.tolist())))


def _group(keys: list[bytes], values: np.ndarray) -> SampleTable:
    first = dict.fromkeys(keys)
    if len(first) == len(keys):
        return SampleTable(keys, values, encoded=True)  # every sample a stack of its own
    index = dict(zip(first, range(len(first)), strict=True))
    inv = np.fromiter(map(index.__getitem__, keys), np.int64, len(keys))
    sums = np.zeros((len(first), values.shape[1]), np.int64)
    np.add.at(sums, inv, values)
    return SampleTable(list(first), sums, encoded=True)
