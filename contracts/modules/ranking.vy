# pragma version ~=0.4.3
"""
@title Consensus ranking entries and their order; the result's storage entries
@custom:contract-name ranking
@license MIT
@notice The consensus ranking of docs/protocol.md §9.3: every revealed model once, first the
        genuine models sorted by score (better first in the metric's direction),
        then smaller model size, then smaller `(uint256(trainer) *
        uint256(commitment)) % 2**256` (the paper's product rule), then smaller
        model id; then the models that are not genuine, by ascending id, with score 0.
        Shared by the Committee (which hashes it into the result) and
        ProofOfLearning (which checks it against the models and settles it).
        A result also carries the storage its committee recomputed for each of
        the task's registered objects (`ObjectRoot`, docs/protocol.md §7.2).
"""


# @dev Metrics whose smaller scores are better: 4 RMSE and 5 MAE.
METRIC_RMSE: constant(uint8) = 4
METRIC_MAE: constant(uint8) = 5


struct RankedModel:
    model_id: uint256
    genuine: bool
    score: int256


# @dev Most objects a task registers: its training set, baseline and test set,
# and one per model.
MAX_TASK_OBJECTS: constant(uint256) = 259


# @dev What a committee found for one registered object: its id, and the size
# and chunk-tree root of the content it fetched (zero when it found none).
struct ObjectRoot:
    object_id: uint256
    size: uint256
    merkle_root: bytes32


struct SortKey:
    score: int256
    size: uint256
    product: uint256
    model_id: uint256


@internal
@pure
def _lower_is_better(metric: uint8) -> bool:
    """
    @dev Whether smaller scores are better under `metric` (RMSE and MAE).
    @param metric The metric id.
    @return bool True for RMSE and MAE.
    """
    return metric == METRIC_RMSE or metric == METRIC_MAE


@internal
@pure
def _at_least_as_good(score: int256, baseline: int256, metric: uint8) -> bool:
    """
    @dev Whether `score` is at least as good as `baseline` in the metric's direction.
    @param score The score.
    @param baseline The baseline score.
    @param metric The metric id.
    @return bool True iff `score` ties or beats `baseline`.
    """
    if self._lower_is_better(metric):
        return score <= baseline
    return score >= baseline


@internal
@pure
def _product(trainer: address, commitment: bytes32) -> uint256:
    """
    @dev The paper's product rule, `(uint256(trainer) * uint256(commitment)) % 2**256`.
    @param trainer The model's trainer.
    @param commitment The model's commitment.
    @return uint256 The product, modulo 2**256.
    """
    return unsafe_mul(convert(trainer, uint256), convert(commitment, uint256))


@internal
@pure
def _comes_before(a: SortKey, b: SortKey, metric: uint8) -> bool:
    """
    @dev Whether genuine model `a` ranks strictly before genuine model `b`: better
         score, then smaller size, then smaller product, then smaller id.
    @param a The first model's sort key.
    @param b The second model's sort key.
    @param metric The metric id.
    @return bool True iff `a` comes first.
    """
    if a.score != b.score:
        if self._lower_is_better(metric):
            return a.score < b.score
        return a.score > b.score
    if a.size != b.size:
        return a.size < b.size
    if a.product != b.product:
        return a.product < b.product
    return a.model_id < b.model_id
