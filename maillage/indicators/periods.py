"""Periods an indicator is computed over: a month, a quarter or a year (the ACI reports yearly)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from maillage.core.bounds import MAX_YEAR, MIN_YEAR

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]  # fmt: skip


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # exclusive
    code: str

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        end = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), end, f"{year}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = 3 * (quarter - 1) + 1
        end = date(year + (first + 3 > 12), (first + 2) % 12 + 1, 1)
        return cls(date(year, first, 1), end, f"{year}-T{quarter}")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year + 1, 1, 1), f"{year}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2026-11' (month), '2026-T4' (quarter) or '2026' (year)."""
        text = (text or "").strip().upper()[:40]
        if (m := re.match(r"\d{4}", text)) and not MIN_YEAR <= int(m[0]) <= MAX_YEAR:
            # `date` refuses the year 0 and 9999-12 has no end: bounded before any date is built.
            raise PeriodError(f"Période « {text} » hors des limites : années {MIN_YEAR} à {MAX_YEAR}.")
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            if 1 <= int(m[2]) <= 12:
                return cls.month(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-T([1-4])", text):
            return cls.quarter(int(m[1]), int(m[2]))
        elif re.fullmatch(r"\d{4}", text):
            return cls.year(int(text))
        raise PeriodError(
            f"Période « {text} » non reconnue : attendu 2026-11 (mois), 2026-T4 (trimestre) ou 2026 (année)."
        )

    @classmethod
    def current_month(cls, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls.month(today.year, today.month)

    @property
    def label(self) -> str:
        if len(self.code) == 4:
            return f"année {self.code}"
        if "-T" in self.code:
            return f"{self.code[-1]}e trimestre {self.code[:4]}".replace("1e", "1er")
        return f"{MONTHS[self.start.month - 1]} {self.start.year}"

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (aware, in the platform's time zone)."""
        return timezone.make_aware(datetime.combine(self.end, time.min))
