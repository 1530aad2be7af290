# pragma version ~=0.4.3
"""
@title Committee parameters
@custom:contract-name committee_parameters
@license MIT
@notice The parameters of docs/protocol.md §2 that the Committee uses (windows of
        a round, sortition, validators, weights, slashing), fixed at deployment
        from ProofOfLearning's checked `Parameters` struct and readable through
        one public getter each on the Committee. ProofOfLearning keeps the rest
        (`parameters.vy`).
"""

from . import parameters


# @dev Blocks after a round opens in which committee members may propose.
propose_window: public(immutable(uint256))
# @dev Blocks after the propose window in which the round may be finalized.
vote_window: public(immutable(uint256))
# @dev Expected committee size, tau.
committee_size: public(immutable(uint256))
# @dev Quorum, in basis points of the expected committee size.
quorum_bps: public(immutable(uint256))
# @dev Most attempts at a round before its task is cancelled.
max_attempts: public(immutable(uint256))
# @dev Blocks between a validator's exit request and the release of its bond.
exit_delay: public(immutable(uint256))
# @dev Bytes of proven storage one bonded WKC (10**18 wei) backs: the weight cap.
bytes_per_wkc: public(immutable(uint256))
# @dev Blocks after the propose window in which members reveal their proposals.
proposal_reveal_window: public(immutable(uint256))
# @dev Most active validators at once; a newcomer with a larger bond than the
# smallest evicts it.
max_validators: public(immutable(uint256))
# @dev Rounds in which a storage claim counts before a storage answer proves it.
unproven_claim_rounds: public(immutable(uint256))
# @dev Share of its bond, in basis points, a validator loses on a failed storage answer.
storage_slash_bps: public(immutable(uint256))


@deploy
def __init__(p: parameters.Parameters):
    """
    @dev Fixes the Committee's parameters; ProofOfLearning checked them.
    @param p The parameters.
    """
    propose_window = p.propose_window
    vote_window = p.vote_window
    committee_size = p.committee_size
    quorum_bps = p.quorum_bps
    max_attempts = p.max_attempts
    exit_delay = p.exit_delay
    bytes_per_wkc = p.bytes_per_wkc
    proposal_reveal_window = p.proposal_reveal_window
    max_validators = p.max_validators
    unproven_claim_rounds = p.unproven_claim_rounds
    storage_slash_bps = p.storage_slash_bps
