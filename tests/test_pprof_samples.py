"""The column-wise sample reader (advisor/pprof/samples.py) gives the Decoded that decoding
sample by sample gives, for every way the wire format lets an encoder write a sample.

Real profiles from live reproducers are compared in tests/test_leak_workflow.py; here
the profiles are encoded field by field, so that each case the Go encoder or another
writer may produce is present on purpose: Go writes runs of one or two ids unpacked
(runtime/pprof/protobuf.go packs only longer ones), a packed run may be split, fields
may come in any order.
"""

from __future__ import annotations

import gzip

import pytest

from advisor.errors import InputError
from advisor.pprof import proto
from advisor.pprof.profile_pb2 import Profile, ProfileSampleBytes


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def packed(number: int, xs: list[int]) -> bytes:
    return field(number, b"".join(varint(x) for x in xs))


def unpacked(number: int, xs: list[int]) -> bytes:
    return b"".join(field(number, x) for x in xs)


def go_style(number: int, xs: list[int]) -> bytes:
    """What runtime/pprof's encoder writes: packed only when there are more than two."""
    return packed(number, xs) if len(xs) > 2 else unpacked(number, xs)


def label(key: int, num: int) -> bytes:
    return field(3, field(1, key) + field(3, num))


def profile(samples: list[bytes], nloc: int = 300) -> bytes:
    """A profile whose samples are the given encoded Sample bodies; locations 1..nloc with
    one function each, so every id resolves to a frame."""
    p = Profile()
    p.string_table.extend(["", "inuse_objects", "count", "inuse_space", "bytes", "main.go"])
    for t, u in ((1, 2), (3, 4)):
        st = p.sample_type.add()
        st.type, st.unit = t, u
    for i in range(1, nloc + 1):
        p.string_table.append(f"main.f{i}")
        f = p.function.add()
        f.id, f.name, f.filename = i, len(p.string_table) - 1, 5
        loc = p.location.add()
        loc.id, loc.address = i, 0x1000 + i
        ln = loc.line.add()
        ln.function_id, ln.line = i, i
    head = p.SerializeToString()
    # samples interleaved with the other fields, as Go writes locations between them
    return b"".join(field(2, s) for s in samples[: len(samples) // 2]) + head + \
        b"".join(field(2, s) for s in samples[len(samples) // 2:])


def both(data: bytes) -> tuple[proto.Decoded, proto.Decoded]:
    return proto.decode(data, "t"), proto.decode(data, "t", fast=False)


def test_the_view_reads_every_field_of_profile_as_profile_does():
    ours = {f.number: (f.name, f.type, f.is_repeated, f.message_type and f.message_type.full_name)
            for f in ProfileSampleBytes.DESCRIPTOR.fields}
    theirs = {f.number: (f.name, f.type, f.is_repeated, f.message_type and f.message_type.full_name)
              for f in Profile.DESCRIPTOR.fields}
    assert ours.pop(2)[0] == theirs.pop(2)[0] == "sample"
    assert ours == theirs


CASES = {
    "packed runs, Go's order": [packed(1, [3, 2, 1]) + packed(2, [5, 500])] * 2,
    "short stacks unpacked, as Go writes them": [go_style(1, [7]) + go_style(2, [1, 10]),
                                                 go_style(1, [8, 9]) + go_style(2, [2, 20]),
                                                 go_style(1, [8, 9]) + go_style(2, [3, 30]),
                                                 go_style(1, [7, 8, 9]) + go_style(2, [4, 40])],
    "a run split in two, and ids unpacked after a run": [
        packed(1, [1, 2, 3]) + packed(1, [4, 5]) + packed(2, [1, 1]),
        packed(1, [1, 2, 3, 4]) + field(1, 5) + packed(2, [2, 2]),
        field(1, 6) + packed(1, [1, 2, 3]) + field(2, 7) + field(2, 7)],
    "values before ids, labels between": [packed(2, [9, 90]) + label(1, 64) + packed(1, [10, 11, 12]),
                                          label(1, 64) + packed(1, [10, 11, 12]) + packed(2, [1, 10])],
    "stacks with no location": [packed(2, [1, 1]), packed(2, [2, 2]), packed(1, [1, 2, 3]) + packed(2, [3, 3])],
    "large ids and negative values": [packed(1, [1 << 40, 2 ** 64 - 1, 200]) + packed(2, [-5, -(1 << 50)]),
                                      packed(1, [1 << 40, 2 ** 64 - 1, 200]) + packed(2, [7, 1 << 40])],
    "a sample with too few values is left out": [packed(1, [1, 2, 3]) + field(2, 5),
                                                 packed(1, [1, 2, 3]) + packed(2, [1, 2])],
    "an empty packed run and an unknown field": [packed(1, []) + packed(1, [4, 5, 6]) + packed(2, [1, 2])
                                                 + field(9, b"xy") + field(10, 3)],
}


@pytest.mark.parametrize("case", CASES)
def test_column_reader_and_sample_by_sample_decode_agree(case):
    fast, slow = both(gzip.compress(profile(CASES[case])))
    assert fast.table.encoded, "the column-wise reader should read this profile itself"
    assert fast == slow
    assert list(fast.table.items()) == list(slow.samples.items())


def test_duplicate_stacks_are_summed_in_first_seen_order():
    samples = [go_style(1, s) + packed(2, [1, v]) for s, v in
               (([3, 2, 1], 10), ([9], 1), ([3, 2, 1], 5), ([4, 5], 7), ([9], 2))]
    fast, slow = both(profile(samples))
    assert fast == slow
    assert list(fast.samples.items()) == [((3, 2, 1), [2, 15]), ((9,), [2, 3]), ((4, 5), [1, 7])]


def test_encodings_the_reader_leaves_alone_still_decode_the_same():
    cases = [
        [packed(1, [1, 2, 3]) + packed(2, [1, 2]), b"\x0a\x04\x81\x00\x02\x03" + packed(2, [1, 2])],  # 1 as 0x81 0x00
        [packed(1, [1, 2, 3]) + packed(2, [1, 2]) + varint(4 << 3 | 1) + b"12345678"],  # a fixed64 field
    ]
    for samples in cases:
        fast, slow = both(profile(samples))
        assert fast == slow


def test_sums_past_int64_keep_python_ints():
    big = (1 << 63) - 1
    fast, slow = both(profile([packed(1, [1, 2, 3]) + packed(2, [big, big])] * 2))
    assert fast == slow and fast.samples[(1, 2, 3)] == [2 * big, 2 * big]


@pytest.mark.parametrize("damage", [
    packed(1, [1, 2, 3])[:-1] + b"\x80",          # a run that ends inside a varint
    b"\x0a\x0b" + b"\x80" * 10 + b"\x01",          # an id of eleven bytes
    b"\x0a\x05\x01\x02",                           # a run longer than its sample
    b"\x0b\x01",                                   # a group
])
def test_damaged_samples_are_refused_as_the_protobuf_runtime_refuses_them(damage):
    data = profile([packed(1, [1, 2, 3]) + packed(2, [1, 2]), damage + packed(2, [1, 2])])
    with pytest.raises(InputError, match="not a pprof profile"):
        proto.decode(data, "t", fast=False)
    with pytest.raises(InputError, match="not a pprof profile"):
        proto.decode(data, "t")


def test_loading_a_profile_leaves_the_cycle_collector_as_it_was():
    import gc

    from advisor.inputs import load_profile

    data = gzip.compress(profile(CASES["packed runs, Go's order"]))
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert load_profile(data, "t") is not None
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_function_names_a_rule_matches_are_those_its_regex_finds():
    from advisor.heap import HeapProfile, HeapStack
    from advisor.regex import compile_re2

    names = ["bytes.(*Buffer).grow", "main.handle", "Main.Handle", "sync.(*Pool).Get", "main.grow2"]
    prof = HeapProfile(["inuse_space"], [HeapStack(tuple(names[i:i + 3]), ("",) * 3, [1]) for i in range(3)])
    for pattern, icase in ((r"^bytes\.\(\*Buffer\)\.grow$", False), (r"grow", False), (r"^main\.", True)):
        rx = compile_re2(pattern, ignore_case=icase)
        assert prof.names_matching(rx) == {n for n in names if rx.search(n)}, pattern
