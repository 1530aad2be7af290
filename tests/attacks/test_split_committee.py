"""Attack: a model whose scores differ on every validator makes a colluder the only genuine member.

A model that draws random numbers (or any model whose output differs between machines)
gets a different VALID score from each honest validator, so it has no consensus score.
Before issue 14 a proposal that reported a score for a model without a consensus score
was not genuine: every honest member lost its pay, and a colluder who reported the model
INVALID was the only genuine member and took the committee's whole share. Now a model
without a consensus score is not compared (docs/protocol.md §9.3): the honest members
stay genuine, the model is not genuine, and the colluder gains nothing over them.
(The evaluator also refuses models with random operators, `test_random_models.py`; this
holds the agreement function for whatever other model splits the committee.)
"""

from __future__ import annotations

from tests.consensus.builders import ATTEMPT, INVALID, ROUND, TASK, VALID, address, model, proposal, ranking
from wekacoin_offchain.consensus import RankedModel, compute_consensus
from wekacoin_offchain.ml.metrics import metric_by_id

RANDOM_LIKE, HONEST_MODEL = 1, 2


def test_a_model_scored_differently_by_each_member_leaves_the_honest_members_genuine() -> None:
    honest = [address(n) for n in (1, 2, 3, 4)]
    colluder = address(5)
    proposals = [
        proposal(member, ranking([(RANDOM_LIKE, VALID, 100_000 * (n + 1)), (HONEST_MODEL, VALID, 900_000)]))
        for n, member in enumerate(honest)
    ]
    proposals.append(proposal(colluder, ranking([(RANDOM_LIKE, INVALID, 0), (HONEST_MODEL, VALID, 900_000)])))
    result = compute_consensus(
        round_id=ROUND,
        attempt=ATTEMPT,
        task_id=TASK,
        metric=metric_by_id(0),
        tolerance=0,
        models=[model(RANDOM_LIKE), model(HONEST_MODEL)],
        proposals=proposals,
    )
    assert result.ranking == (RankedModel(HONEST_MODEL, True, 900_000), RankedModel(RANDOM_LIKE, False, 0))
    assert set(honest) <= set(result.genuine_members)
