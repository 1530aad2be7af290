# pragma version ~=0.4.3
"""
@title Protocol parameters
@custom:contract-name parameters
@license MIT
@notice The parameters of docs/protocol.md §2.1, fixed at deployment and readable
        through one public getter each: here those ProofOfLearning uses, in
        `committee_parameters` those of the Committee (windows of a round,
        sortition, validators), read on the Committee. Both contracts get the
        whole struct; splitting where they are kept keeps each contract's code
        and immutables under the EIP-170 limit (docs/contracts.md). The compile-time bounds below cap every loop
        that runs over protocol data, so a parameter can tighten a bound but never
        lift it.
"""


# @dev Compile-time bounds: the parameters may be set up to these values.
MAX_MODELS_BOUND: constant(uint256) = 256
MAX_OPEN_TASKS_BOUND: constant(uint256) = 64
MAX_ATTEMPTS_BOUND: constant(uint256) = 16
# @dev Most validators registered at once: bounds the loop that sums the expected
# committee size when a round opens (and so the committee of one attempt).
MAX_VALIDATORS_BOUND: constant(uint256) = 128
# @dev Most storage claims one validator makes over its life (dropped claims keep
# their slot, so that the challenged claim of a round cannot be steered).
MAX_CLAIMS_BOUND: constant(uint256) = 64
# @dev 10_000 basis points make 100 %.
BPS: constant(uint256) = 10_000


struct Parameters:
    min_training_period: uint256
    release_window: uint256
    reveal_window: uint256
    propose_window: uint256
    vote_window: uint256
    committee_size: uint256
    quorum_bps: uint256
    participation_fee: uint256
    min_hosting_fee: uint256
    round_issuance: uint256
    refund_bps: uint256
    min_bond: uint256
    max_models_per_task: uint256
    max_open_tasks: uint256
    max_attempts: uint256
    score_tolerance: uint256
    exit_delay: uint256
    bytes_per_wkc: uint256
    proposal_reveal_window: uint256
    max_validators: uint256
    unproven_claim_rounds: uint256
    storage_slash_bps: uint256
    reporter_share_bps: uint256
    object_deposit: uint256


# @dev Blocks between publication and the test release, at least.
min_training_period: public(immutable(uint256))
# @dev Blocks after `release_height` in which the supplier may release the test set.
release_window: public(immutable(uint256))
# @dev Blocks after the test release in which trainers may reveal their models.
reveal_window: public(immutable(uint256))
# @dev WKC a trainer escrows with each model commitment.
participation_fee: public(immutable(uint256))
# @dev Least WKC a supplier pays the committee for hosting a task.
min_hosting_fee: public(immutable(uint256))
# @dev WKC minted to the valid validators of each settled round.
round_issuance: public(immutable(uint256))
# @dev Share of ranked models, in basis points, whose fee is refunded.
refund_bps: public(immutable(uint256))
# @dev Least WKC a validator bonds.
min_bond: public(immutable(uint256))
# @dev Most model commitments one task accepts.
max_models_per_task: public(immutable(uint256))
# @dev Most tasks open (published, not yet settled or expired) at once.
max_open_tasks: public(immutable(uint256))
# @dev Largest difference, in score units (1e-6), at which two scores agree.
score_tolerance: public(immutable(uint256))
# @dev Share of a slashed bond, in basis points, credited to the equivocation's reporter.
reporter_share_bps: public(immutable(uint256))
# @dev WKC a registrant stakes on each object it registers: back when the object
# is certified or its task ends without a round, burned when it is rejected.
object_deposit: public(immutable(uint256))


@deploy
def __init__(p: Parameters):
    """
    @dev Fixes the parameters. ProofOfLearning runs `_check` first; the
         Committee receives them from ProofOfLearning, checked, and skips it
         (its blueprint must stay under the code-size limit).
    @param p The parameters.
    """
    min_training_period = p.min_training_period
    release_window = p.release_window
    reveal_window = p.reveal_window
    participation_fee = p.participation_fee
    min_hosting_fee = p.min_hosting_fee
    round_issuance = p.round_issuance
    refund_bps = p.refund_bps
    min_bond = p.min_bond
    max_models_per_task = p.max_models_per_task
    max_open_tasks = p.max_open_tasks
    score_tolerance = p.score_tolerance
    reporter_share_bps = p.reporter_share_bps
    object_deposit = p.object_deposit


@internal
@pure
def _check(p: Parameters):
    """
    @dev Checks the parameters against their bounds; ProofOfLearning's
         constructor runs it before `__init__`.
    @param p The parameters.
    """
    assert p.min_training_period > 0, "parameters: min_training_period is zero"
    assert p.release_window > 0, "parameters: release_window is zero"
    assert p.reveal_window > 0, "parameters: reveal_window is zero"
    assert p.propose_window > 0, "parameters: propose_window is zero"
    assert p.vote_window > 0, "parameters: vote_window is zero"
    assert p.committee_size > 0, "parameters: committee_size is zero"
    assert p.quorum_bps > 0 and p.quorum_bps <= BPS, "parameters: quorum_bps out of range"
    assert p.refund_bps <= BPS, "parameters: refund_bps out of range"
    assert p.max_models_per_task > 0 and p.max_models_per_task <= MAX_MODELS_BOUND, "parameters: max_models_per_task out of range"
    assert p.max_open_tasks > 0 and p.max_open_tasks <= MAX_OPEN_TASKS_BOUND, "parameters: max_open_tasks out of range"
    assert p.max_attempts > 0 and p.max_attempts <= MAX_ATTEMPTS_BOUND, "parameters: max_attempts out of range"
    assert p.min_bond > 0, "parameters: min_bond is zero"
    assert p.bytes_per_wkc > 0, "parameters: bytes_per_wkc is zero"
    # The seed is the hash of the block after the opening one, readable from the
    # block after that, and for 256 blocks (docs/protocol.md §13.1).
    assert p.propose_window >= 3 and p.propose_window <= 256, "parameters: propose_window out of range"
    assert p.proposal_reveal_window > 0, "parameters: proposal_reveal_window is zero"
    assert p.max_validators > 0 and p.max_validators <= MAX_VALIDATORS_BOUND, "parameters: max_validators out of range"
    assert p.unproven_claim_rounds > 0, "parameters: unproven_claim_rounds is zero"
    assert p.storage_slash_bps <= BPS, "parameters: storage_slash_bps out of range"
    assert p.reporter_share_bps <= BPS, "parameters: reporter_share_bps out of range"
