"""What a run remembers of the rows it met, in bits rather than in Python objects.

An import compares millions of rows by batches and must remember, from one batch to the next,
which rows it has met (`Seen`) and, when it loads an empty table, which keys it created
(`KeyFilter`). Both are flat arrays sized once, whatever the number of lines of the file.
"""

import re

import numpy as np

# 2**28 bits, 32 MB, three bits per key: after the 1.5 million professionals of a national load
# (the RPPS import tells the activities' keys from them, without a filter), about one key in
# 200,000 is falsely answered « maybe ». Each such answer costs a lookup, and makes the run wait
# for the COPY running in the background.
FILTER_BITS = 28


class Seen:
    """The rows of a table met by this run: one bit per primary key, about 125 KB per million rows.

    Rows with a key above `floor` (the highest when the run started) were created by the run,
    hence met: within the run's transaction nobody else adds rows to these tables
    (`lock_for_import`).
    """

    def __init__(self, floor: int):
        self.floor = floor
        self.bits = bytearray(floor // 8 + 1)

    def add(self, pk: int) -> None:
        if pk <= self.floor:
            self.bits[pk >> 3] |= 1 << (pk & 7)

    def __contains__(self, pk: int) -> bool:
        return pk > self.floor or bool(self.bits[pk >> 3] & (1 << (pk & 7)))

    def unseen_ranges(self, limit: int) -> list[tuple[int, int]] | None:
        """The keys up to `floor` not met, as (first, last) ranges found by C-level scans of the
        bytes; None when there are more than `limit` ranges (rows met in a scattered order)."""
        ranges: list[tuple[int, int]] = []
        bits, floor = self.bits, self.floor
        for run in _NOT_FULL.finditer(bits):
            start, end = run.span()
            position = start
            for empty in _EMPTY.finditer(bits, start, end):
                _add_bits(ranges, bits, position, empty.start())
                _extend(ranges, empty.start() * 8, empty.end() * 8 - 1)
                position = empty.end()
            _add_bits(ranges, bits, position, end)
            if len(ranges) > limit:
                return None
        while ranges and ranges[-1][0] > floor:  # bits beyond the floor: never keys of old rows
            ranges.pop()
        if ranges and ranges[-1][1] > floor:
            ranges[-1] = (ranges[-1][0], floor)
        if ranges and ranges[0][0] == 0:  # no row has the key 0
            ranges[0] = (1, ranges[0][1])
            if ranges[0][0] > ranges[0][1]:
                ranges.pop(0)
        return ranges


_NOT_FULL = re.compile(rb"[^\xff]+")
_EMPTY = re.compile(rb"\x00+")


def _extend(ranges: list[tuple[int, int]], first: int, last: int) -> None:
    if ranges and ranges[-1][1] == first - 1:
        ranges[-1] = (ranges[-1][0], last)
    else:
        ranges.append((first, last))


def _add_bits(ranges: list[tuple[int, int]], bits: bytearray, start: int, end: int) -> None:
    """The unset bits of the bytes `start` to `end` (few: partly set bytes)."""
    for index in range(start, end):
        byte = bits[index]
        for bit in range(8):
            if not byte & (1 << bit):
                pk = index * 8 + bit
                _extend(ranges, pk, pk)


class KeyFilter:
    """The natural keys this run created in a table that was empty when it started: a Bloom
    filter, three bit positions per key derived from Python's own string hash (`a`, `a + b`,
    `a + 2b`), which a str computes once and keeps. The positions of a whole batch are computed
    and tested with numpy, at C speed: a per-key Python loop cost seconds on a national load.

    A key never added is always answered absent: the run knows without asking the database that
    it is new, which on a first load spares a lookup per line. A key added, or rarely another one
    whose bits happen to be set, is answered « maybe »: the database then tells.
    """

    def __init__(self, bits: int | None = None):
        bits = bits or FILTER_BITS
        self.shift = np.uint64(bits)
        self.mask = np.uint64((1 << bits) - 1)
        self.bits = np.zeros(1 << (bits - 3), dtype=np.uint8)

    def _positions(self, keys: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys)).view(np.uint64)
        a = hashes & self.mask
        b = (hashes >> self.shift) | np.uint64(1)
        # uint64 arithmetic wraps modulo 2**64: the low bits kept by the mask are those of the sum.
        return a, (a + b) & self.mask, (a + np.uint64(2) * b) & self.mask

    def _set(self, positions: np.ndarray) -> None:
        # `ufunc.at`: several positions may fall in one byte, and each must be OR-ed in.
        values = np.left_shift(1, positions & np.uint64(7)).astype(np.uint8)
        np.bitwise_or.at(self.bits, positions >> np.uint64(3), values)

    def _test(self, positions: np.ndarray) -> np.ndarray:
        return (self.bits[positions >> np.uint64(3)] >> (positions & np.uint64(7)).astype(np.uint8)) & 1

    def add_all(self, keys) -> None:
        keys = list(keys)
        if keys:
            self._set(np.concatenate(self._positions(keys)))

    def maybe(self, keys) -> list:
        """The keys among `keys` that may have been added."""
        keys = list(keys)
        if not keys:
            return []
        a, c, d = self._positions(keys)
        hits = self._test(a) & self._test(c) & self._test(d)
        return [key for key, hit in zip(keys, hits.tolist(), strict=True) if hit]
