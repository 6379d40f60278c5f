"""Credits: the estimate from earlier jobs' price per megapixel, and the session total."""

from __future__ import annotations

from collections.abc import Iterable

from outpaint_studio.core.cost import (
    estimate_credits,
    output_megapixels,
    round_credits,
    session_charges,
)
from outpaint_studio.core.jobs import JobParams, JobRecord


def session_total(records: Iterable[JobRecord], since: float) -> float:
    """What the status bar shows: the session's charges, summed."""
    return round_credits(sum(session_charges(records, since).values()))


def job(
    cost: float | None,
    output_mp: float | None,
    mode: str = "high",
    engine: str = "bfl",
    at: float = 1000.0,
) -> JobRecord:
    params = JobParams(input="a.png", width=1024, height=1024, mode=mode, engine=engine)
    return JobRecord(params=params, cost=cost, output_mp=output_mp, created_at=at)


def test_no_estimate_until_a_priced_job_of_that_mode_was_seen() -> None:
    assert estimate_credits([], "high", 2.0) is None
    unpriced = [job(None, 2.0), job(8.0, 2.0, mode="fast"), job(0.0, 2.0, engine="local")]
    assert estimate_credits(unpriced, "high", 2.0) is None


def test_the_estimate_scales_the_price_per_megapixel_without_float_noise() -> None:
    seen = [job(7.000000000000001, 1.75)]  # 4 credits per MP, as the service shows it
    assert estimate_credits(seen, "high", 3.0) == 12.0
    assert estimate_credits(seen, "high", output_megapixels(1792, 1024)) == 7.0
    assert estimate_credits(seen, "high", 0.25) == 4.0  # at least one megapixel is billed


def test_the_most_recent_price_of_the_mode_wins() -> None:
    seen = [job(4.0, 1.0, at=3000.0), job(10.0, 2.0, at=2000.0), job(2.0, 1.0, "fast", at=4000)]
    assert estimate_credits(seen, "high", 2.0) == 8.0
    assert estimate_credits(seen, "fast", 2.0) == 4.0


def test_offline_jobs_cost_nothing() -> None:
    assert estimate_credits([job(4.0, 1.0)], "high", 2.0, engine="local") == 0.0
    assert session_total([job(None, None, engine="local")], since=0) == 0.0


def test_session_total_counts_the_jobs_since_the_session_began() -> None:
    records = [job(7.000000000000001, 1.75, at=t) for t in (100.0, 200.0, 300.0)]
    records.append(job(None, None, at=400.0))  # never submitted: not charged
    assert session_total(records, since=150.0) == 14.0
    assert session_total(records, since=0.0) == 21.0
    assert session_total([], since=0.0) == 0.0


def test_moderated_jobs_add_nothing() -> None:
    refused = job(4.0, 1.0, at=500.0)
    refused.error_kind = "moderated"  # the service said so: not charged
    records = [job(4.0, 1.0, at=400.0), refused]
    assert session_total(records, since=0.0) == 4.0
    assert refused.summary()["cost"] == 0.0
