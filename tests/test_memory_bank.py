"""The memory bank's candidate pool: every good vector while few, a bounded uniform draw when many."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from radar_desktop.engine.scorers.memory_bank import CandidatePool, FeatureScorer


def numbered_chunks(count: int, rows: int) -> list[torch.Tensor]:
    """``count`` chunks of ``rows`` one-column vectors whose value is their arrival index."""
    return [torch.arange(i * rows, (i + 1) * rows, dtype=torch.float32)[:, None] for i in range(count)]


def pooled(limit: int, chunks: list[torch.Tensor]) -> torch.Tensor:
    pool = CandidatePool(limit)
    for chunk in chunks:
        pool.add(chunk)
    return pool.draw()


def test_a_pool_under_its_limit_is_every_vector_in_order():
    chunks = numbered_chunks(5, 7)
    assert torch.equal(pooled(35, chunks), torch.cat(chunks))


def test_a_pool_over_its_limit_keeps_a_seeded_uniform_draw_in_arrival_order():
    chunks = numbered_chunks(100, 100)  # 10,000 vectors, pruned to 1,000 several times on the way
    drawn = pooled(1000, chunks)[:, 0]
    assert drawn.shape == (1000,)
    assert len(set(drawn.tolist())) == 1000 and bool((drawn[1:] > drawn[:-1]).all())  # distinct, in order
    early = float((drawn < 5000).float().mean())
    assert 0.44 < early < 0.56  # the first half of the offers is not thinned more than the second
    assert torch.equal(pooled(1000, chunks)[:, 0], drawn)  # the same draw each time


def test_the_bank_is_fitted_from_the_bounded_pool():
    scorer = FeatureScorer(bank_size=8192, samples_per_image=64, max_candidates=300)
    generator = torch.Generator().manual_seed(0)
    for _ in range(4):  # 4 batches of 3 images, 64 vectors each: 768 candidates offered
        scorer.observe_good(None, SimpleNamespace(features=torch.randn(3, 8, 16, 16, generator=generator)))
    scorer.finish_good()
    assert scorer.bank.shape == (300, 8)  # a bank larger than the pool keeps all of it
