"""The agreement function: usability, consensus scores, genuine members, ranking order."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from random import Random

import pytest
from eth_abi.abi import encode
from eth_hash.auto import keccak
from hypothesis import given, settings, strategies as st

from wekacoin_offchain.consensus import (
    ConsensusResult,
    DiscardReason,
    ModelFacts,
    ObjectRoot,
    Proposal,
    RankedModel,
    compute_consensus,
)
from wekacoin_offchain.ml.metrics import Metric, metric_by_id
from wekacoin_offchain.status import EvaluationStatus

from .builders import (
    ATTEMPT,
    INVALID,
    ROUND,
    TASK,
    UNEVALUATED,
    VALID,
    address,
    model,
    proposal,
    ranking,
)

ACCURACY = metric_by_id(0)  # higher is better
RMSE = metric_by_id(4)  # lower is better


def consensus(
    models: list[ModelFacts],
    proposals: list[Proposal],
    tolerance: int = 0,
    metric: Metric = ACCURACY,
) -> ConsensusResult:
    return compute_consensus(
        round_id=ROUND,
        attempt=ATTEMPT,
        task_id=TASK,
        metric=metric,
        tolerance=tolerance,
        models=models,
        proposals=proposals,
    )


# --- worked examples -----------------------------------------------------------------


def test_all_honest_proposals_are_genuine_and_give_their_scores() -> None:
    models = [model(1), model(2), model(3)]
    verdicts = [(1, VALID, 800_000), (2, INVALID, 0), (3, VALID, 900_000)]
    proposals = [proposal(address(n), ranking(verdicts)) for n in (3, 1, 2)]
    result = consensus(models, proposals)
    assert result.task_valid
    assert result.genuine_members == (address(1), address(2), address(3))
    assert result.ranking == (
        RankedModel(3, True, 900_000),
        RankedModel(1, True, 800_000),
        RankedModel(2, False, 0),
    )
    assert result.discarded == ()


def test_an_honest_member_that_timed_out_stays_genuine() -> None:
    models = [model(1), model(2)]
    fast = [(1, VALID, 500_000), (2, VALID, 600_000)]
    slow = [(1, VALID, 500_000), (2, UNEVALUATED, 0)]
    proposals = [
        proposal(address(1), ranking(fast)),
        proposal(address(2), ranking(fast)),
        proposal(address(3), ranking(slow)),
    ]
    result = consensus(models, proposals)
    assert result.genuine_members == (address(1), address(2), address(3))
    assert result.ranking[0] == RankedModel(2, True, 600_000)


def test_scores_within_tolerance_agree_and_the_smallest_best_supported_score_wins() -> None:
    # Reports 10, 11, 12 with tolerance 1: c(10)=2, c(11)=3, c(12)=2 -> 11.
    models = [model(1)]
    proposals = [proposal(address(n), ranking([(1, VALID, s)])) for n, s in ((1, 10), (2, 11), (3, 12))]
    assert consensus(models, proposals, tolerance=1).ranking == (RankedModel(1, True, 11),)
    # Reports 10, 11 with tolerance 1: c(10)=c(11)=2, the smaller score is the candidate.
    proposals = [proposal(address(n), ranking([(1, VALID, s)])) for n, s in ((1, 11), (2, 10))]
    assert consensus(models, proposals, tolerance=1).ranking == (RankedModel(1, True, 10),)


def test_without_a_majority_score_a_model_is_not_genuine_and_no_report_on_it_disqualifies() -> None:
    models = [model(1)]
    proposals = [
        proposal(address(1), ranking([(1, VALID, 10)])),
        proposal(address(2), ranking([(1, VALID, 20)])),
        proposal(address(3), ranking([(1, INVALID, 0)])),
        proposal(address(4), ranking([(1, UNEVALUATED, 0)])),
    ]
    result = consensus(models, proposals)
    assert result.ranking == (RankedModel(1, False, 0),)
    assert result.genuine_members == (address(1), address(2), address(3), address(4))


def test_invalid_for_a_model_with_a_consensus_score_is_not_genuine() -> None:
    models = [model(1)]
    proposals = [proposal(address(n), ranking([(1, VALID, 10)])) for n in (1, 2)]
    proposals.append(proposal(address(3), ranking([(1, INVALID, 0)])))
    assert consensus(models, proposals).genuine_members == (address(1), address(2))


def test_an_invalid_task_ranks_no_model_and_compares_no_entry() -> None:
    models = [model(1), model(2)]
    proposals = [
        proposal(address(1), ranking([(1, VALID, 10), (2, INVALID, 0)], task_valid=False)),
        proposal(address(2), ranking([(1, UNEVALUATED, 0), (2, VALID, 3)], task_valid=False)),
        proposal(address(3), ranking([(1, VALID, 10), (2, VALID, 3)], task_valid=True)),
    ]
    result = consensus(models, proposals)
    assert not result.task_valid
    assert result.ranking == (RankedModel(1, False, 0), RankedModel(2, False, 0))
    assert result.genuine_members == (address(1), address(2))


def test_no_usable_proposal_means_an_invalid_task() -> None:
    result = consensus([model(1)], [Proposal(address(1), bytes(32), None)])
    assert not result.task_valid and result.genuine_members == () and result.usable == ()


def test_each_unusable_proposal_is_discarded_with_its_reason() -> None:
    models = [model(1), model(2)]
    good = ranking([(1, VALID, 10), (2, VALID, 20)])
    wrong_hash = proposal(address(2), good)
    proposals = [
        proposal(address(1), good),
        Proposal(address(2), bytes(32), wrong_hash.document),
        Proposal(address(3), bytes(32), None),
        Proposal(address(4), keccak(b"junk"), b"junk"),
        proposal(address(5), ranking([(1, VALID, 10), (2, VALID, 20)], round_id=ROUND + 1)),
        proposal(address(6), ranking([(1, VALID, 10), (2, VALID, 20)], attempt=ATTEMPT + 1)),
        proposal(address(7), ranking([(1, VALID, 10), (2, VALID, 20)], task_id=TASK + 1)),
        proposal(address(8), ranking([(1, VALID, 10)])),
        proposal(address(9), ranking([(1, VALID, 10), (2, VALID, 20), (3, VALID, 1)])),
    ]
    result = consensus(models, proposals)
    assert result.usable == (address(1),)
    assert [(d.member, d.reason) for d in result.discarded] == [
        (address(2), DiscardReason.HASH_MISMATCH),
        (address(3), DiscardReason.MISSING_DOCUMENT),
        (address(4), DiscardReason.MALFORMED),
        (address(5), DiscardReason.WRONG_ROUND),
        (address(6), DiscardReason.WRONG_ATTEMPT),
        (address(7), DiscardReason.WRONG_TASK),
        (address(8), DiscardReason.WRONG_MODELS),
        (address(9), DiscardReason.WRONG_MODELS),
    ]
    # One usable proposal: k = 1, so it alone decides.
    assert result.genuine_members == (address(1),)


def test_result_hash_is_the_spec_encoding() -> None:
    models = [model(1), model(2)]
    proposals = [proposal(address(n), ranking([(1, VALID, -5), (2, INVALID, 0)])) for n in (2, 1)]
    result = consensus(models, proposals)
    types = [
        "uint256",
        "uint256",
        "uint256",
        "bool",
        "(uint256,bool,int256)[]",
        "address[]",
        "(uint256,uint256,bytes32)[]",
    ]
    ranking_ = [(1, True, -5), (2, False, 0)]
    expected = keccak(encode(types, [ROUND, ATTEMPT, TASK, True, ranking_, [address(1), address(2)], []]))
    assert result.result_hash() == expected
    # The storage list of docs/protocol.md §7.2 is hashed too (§9.3 step 7).
    storage = (ObjectRoot(7, 3_000, b"\x01" * 32),)
    with_storage = dataclasses.replace(result, storage=storage)
    expected = keccak(
        encode(types, [ROUND, ATTEMPT, TASK, True, ranking_, [address(1), address(2)], [(7, 3_000, b"\x01" * 32)]])
    )
    assert with_storage.result_hash() == expected


# --- ranking order -------------------------------------------------------------------


def _ranked_ids(models: list[ModelFacts], scores: dict[int, int], metric: Metric = ACCURACY) -> list[int]:
    verdicts = [(m.model_id, VALID, scores[m.model_id]) for m in sorted(models, key=lambda m: m.model_id)]
    result = consensus(models, [proposal(address(1), ranking(verdicts))], metric=metric)
    return [entry.model_id for entry in result.ranking]


def test_ranking_follows_the_metric_direction() -> None:
    models = [model(1), model(2), model(3)]
    scores = {1: 200, 2: 300, 3: 100}
    assert _ranked_ids(models, scores, ACCURACY) == [2, 1, 3]
    assert _ranked_ids(models, scores, RMSE) == [3, 1, 2]


def test_ties_go_to_the_smaller_model() -> None:
    models = [model(1, size=500), model(2, size=400), model(3, size=600)]
    assert _ranked_ids(models, {1: 7, 2: 7, 3: 8}) == [3, 2, 1]


def test_equal_sizes_go_to_the_smaller_product_then_to_the_smaller_id() -> None:
    # product = trainer * commitment mod 2**256; trainers are address(0x100 + id).
    big = 2**255  # with an even trainer, the product wraps to 0
    models = [
        model(1, commitment=5),  # 0x101 * 5
        model(2, commitment=big),  # 0x102 * 2**255 mod 2**256 == 0
        model(3, commitment=1),  # 0x103
    ]
    assert [m.product_tiebreak for m in models] == [0x101 * 5, 0, 0x103]
    assert _ranked_ids(models, {1: 1, 2: 1, 3: 1}) == [2, 3, 1]
    same = [
        ModelFacts(4, address(9), (1).to_bytes(32, "big"), 10),
        ModelFacts(3, address(9), (1).to_bytes(32, "big"), 10),
    ]
    assert _ranked_ids(same, {3: 1, 4: 1}) == [3, 4]


# --- properties ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    models: list[ModelFacts]
    truth: dict[int, int | None]  # model id -> true score, None when the model is invalid
    task_valid: bool
    tolerance: int
    honest: list[str]
    slow: dict[str, frozenset[int]]  # honest member -> models it timed out on
    byzantine: list[Proposal]

    def honest_proposals(self) -> list[Proposal]:
        proposals = []
        for member in self.honest:
            verdicts = []
            for model_id, score in sorted(self.truth.items()):
                if model_id in self.slow.get(member, ()):
                    verdicts.append((model_id, UNEVALUATED, 0))
                elif score is None:
                    verdicts.append((model_id, INVALID, 0))
                else:
                    verdicts.append((model_id, VALID, score))
            proposals.append(proposal(member, ranking(verdicts, task_valid=self.task_valid)))
        return proposals


STATUSES = st.sampled_from([VALID, INVALID, UNEVALUATED])
SCORES = st.integers(-20, 20)  # a narrow range, so that Byzantine scores often collide


@st.composite
def byzantine_proposal(draw: st.DrawFn, member: str, model_ids: list[int], honest: Proposal) -> Proposal:
    kind = draw(st.sampled_from(["lie", "lie", "copy", "missing", "wrong_hash", "malformed", "wrong_models"]))
    if kind == "copy":
        return Proposal(member, honest.ranking_hash, honest.document)
    if kind == "missing":
        return Proposal(member, honest.ranking_hash, None)
    if kind == "wrong_hash":
        return Proposal(member, keccak(b"other"), honest.document)
    if kind == "malformed":
        junk = draw(st.binary(max_size=200))
        return Proposal(member, keccak(junk), junk)
    ids = model_ids if kind == "lie" else model_ids[:-1]
    verdicts = [(m, status, draw(SCORES)) for m in ids for status in [draw(STATUSES)]]
    return proposal(member, ranking(verdicts, task_valid=draw(st.booleans())))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    model_ids = sorted(draw(st.sets(st.integers(1, 50), min_size=1, max_size=4)))
    models = [model(m, size=draw(st.integers(1, 3))) for m in model_ids]
    truth = {m: draw(st.one_of(st.none(), SCORES)) for m in model_ids}
    honest_count = draw(st.integers(1, 6))
    byzantine_count = draw(st.integers(0, honest_count - 1))  # honest keep a strict majority
    members = [address(n) for n in draw(st.permutations(range(1, honest_count + byzantine_count + 1)))]
    honest, byzantine_members = members[:honest_count], members[honest_count:]
    # Timeouts may not push a model's VALID reports below the largest possible k.
    largest_quorum = (honest_count + byzantine_count) // 2 + 1
    slow_members = honest[: draw(st.integers(0, honest_count - largest_quorum))]
    slow = {m: frozenset(draw(st.sets(st.sampled_from(model_ids)))) for m in slow_members}
    scenario = Scenario(models, truth, draw(st.booleans()), draw(st.sampled_from([0, 3])), honest, slow, [])
    reference = scenario.honest_proposals()[0]
    byzantine = [draw(byzantine_proposal(m, model_ids, reference)) for m in byzantine_members]
    return Scenario(models, truth, scenario.task_valid, scenario.tolerance, honest, slow, byzantine)


def _coincides_with_truth(document_bytes: bytes, scenario: Scenario) -> bool:
    from wekacoin_offchain.consensus import CandidateRanking

    document = CandidateRanking.decode(document_bytes)
    if document.task_valid != scenario.task_valid:
        return False
    if not scenario.task_valid:
        return True
    for entry in document.entries:
        true_score = scenario.truth[entry.model_id]
        if entry.status == UNEVALUATED:
            continue
        if true_score is None:
            continue  # a model without a consensus score is not compared (docs/protocol.md §9.3)
        if entry.status != VALID or abs(entry.score - true_score) > 2 * scenario.tolerance:
            return False
    return True


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_a_byzantine_minority_cannot_move_the_consensus(scenario: Scenario) -> None:
    result = consensus(scenario.models, scenario.honest_proposals() + scenario.byzantine, scenario.tolerance)

    assert result.task_valid == scenario.task_valid
    assert set(scenario.honest) <= set(result.genuine_members)
    for entry in result.ranking:
        true_score = scenario.truth[entry.model_id]
        if not scenario.task_valid or true_score is None:
            assert not entry.genuine
        else:
            assert entry.genuine
            assert abs(entry.score - true_score) <= scenario.tolerance
    for byzantine in scenario.byzantine:
        if byzantine.member in result.genuine_members:
            assert byzantine.document is not None
            assert _coincides_with_truth(byzantine.document, scenario)


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_order_of_proposals_does_not_change_the_result(scenario: Scenario, random: Random) -> None:
    proposals = scenario.honest_proposals() + scenario.byzantine
    shuffled = list(proposals)
    random.shuffle(shuffled)
    first = consensus(scenario.models, proposals, scenario.tolerance)
    assert consensus(list(reversed(scenario.models)), shuffled, scenario.tolerance) == first
    assert first.result_hash() == consensus(scenario.models, shuffled, scenario.tolerance).result_hash()


def test_statuses_are_the_ml_codes() -> None:
    assert [int(s) for s in (VALID, INVALID, UNEVALUATED)] == [1, 2, 3]
    assert set(EvaluationStatus) == {VALID, INVALID, UNEVALUATED}


def test_inputs_the_chain_cannot_produce_are_refused() -> None:
    document = ranking([(1, VALID, 1)])
    with pytest.raises(ValueError, match="member twice"):
        consensus([model(1)], [proposal(address(1), document), proposal(address(1), document)])
    with pytest.raises(ValueError, match="model id appears twice"):
        consensus([model(1), model(1)], [proposal(address(1), document)])
    with pytest.raises(ValueError, match="non-negative"):
        consensus([model(1)], [proposal(address(1), document)], tolerance=-1)
