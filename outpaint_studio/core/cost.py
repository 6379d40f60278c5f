"""Credits: an estimate before a job, from what earlier jobs cost, and a running session total.

The service reports ``cost`` (credits) and ``output_mp`` with each submitted job; the price per
megapixel of a mode is taken from the most recent such job of that mode, so a price change shows
at the next job. The service charges at least one megapixel, so small canvases cost the same as
a 1 MP one. Offline jobs cost nothing, and neither do moderated ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from outpaint_studio.core.jobs import JobRecord
from outpaint_studio.core.layout import megapixels

MIN_BILLED_MP = 1.0
DISPLAY_DECIMALS = 2  # 1 credit = 0.01 USD: hundredths of a credit are plenty


def output_megapixels(width: int, height: int) -> float:
    """A canvas's size in the service's megapixels (2**20 px)."""
    return megapixels(width * height)


def round_credits(credits: float) -> float:
    """Credits without float noise, for display (7.000000000000001 -> 7.0)."""
    return round(credits, DISPLAY_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def credits_per_mp(records: Iterable[JobRecord], mode: str) -> float | None:
    """The price per billed megapixel in ``mode``, from the most recent priced BFL job."""
    latest: JobRecord | None = None
    for record in records:
        if not _priced(record) or record.params.mode != mode:
            continue
        if latest is None or record.created_at >= latest.created_at:
            latest = record
    if latest is None or latest.cost is None or latest.output_mp is None:
        return None
    return latest.cost / max(MIN_BILLED_MP, latest.output_mp)


def estimate_credits(
    records: Iterable[JobRecord], mode: str, output_mp: float, engine: str = "bfl"
) -> float | None:
    """Credits a job of ``output_mp`` megapixels in ``mode`` should cost, rounded for display;
    None until a priced job of that mode has been seen; 0 for the offline engine."""
    if engine != "bfl":
        return 0.0
    rate = credits_per_mp(records, mode)
    if rate is None:
        return None
    return round_credits(rate * max(MIN_BILLED_MP, output_mp))


def session_charges(records: Iterable[JobRecord], since: float) -> dict[str, float]:
    """Credits charged for each job created at or after ``since`` (a ``time.time()`` value), by
    job key; moderated jobs are not charged."""
    return {
        record.key: record.billed or 0.0
        for record in records
        if record.created_at >= since and record.engine == "bfl"
    }


def _priced(record: JobRecord) -> bool:
    return (
        record.engine == "bfl"
        and record.cost is not None
        and record.output_mp is not None
        and record.output_mp > 0
        and record.cost >= 0
    )
