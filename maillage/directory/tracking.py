"""What a run remembers of the rows it met, in bits rather than in Python objects.

An import compares millions of rows by batches and must remember, from one batch to the next,
which rows it has met (`Seen`) and, when it loads an empty table, which keys it created
(`KeyFilter`). Both are flat arrays sized once, whatever the number of lines of the file.
"""

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


class KeyFilter:
    """The natural keys this run created in a table that was empty when it started: a Bloom
    filter, three bit positions per key derived from Python's own string hash (`a`, `a + b`,
    `a + 2b`), which a str computes once and keeps.

    A key never added is always answered absent: the run knows without asking the database that
    it is new, which on a first load spares a lookup per line. A key added, or rarely another one
    whose bits happen to be set, is answered « maybe »: the database then tells.
    """

    def __init__(self, bits: int | None = None):
        bits = bits or FILTER_BITS
        self.shift = bits
        self.mask = (1 << bits) - 1
        self.bits = bytearray(1 << (bits - 3))

    def add_all(self, keys) -> None:
        bits, mask, shift = self.bits, self.mask, self.shift
        for key in keys:
            h = hash(key)
            a, b = h & mask, (h >> shift) | 1
            c, d = (a + b) & mask, (a + 2 * b) & mask
            bits[a >> 3] |= 1 << (a & 7)
            bits[c >> 3] |= 1 << (c & 7)
            bits[d >> 3] |= 1 << (d & 7)

    def maybe(self, keys) -> list:
        """The keys among `keys` that may have been added."""
        bits, mask, shift = self.bits, self.mask, self.shift
        found = []
        for key in keys:
            h = hash(key)
            a, b = h & mask, (h >> shift) | 1
            c, d = (a + b) & mask, (a + 2 * b) & mask
            if bits[a >> 3] & (1 << (a & 7)) and bits[c >> 3] & (1 << (c & 7)) and bits[d >> 3] & (1 << (d & 7)):
                found.append(key)
        return found
