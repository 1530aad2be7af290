"""Off-chain consensus of a round (docs/protocol.md §9, §10 and §13).

- `documents`: the candidate ranking a committee member proposes, its canonical bytes
  and `ranking_hash`;
- `agreement`: `compute_consensus`, the pure function every member runs on the
  proposals on chain, and the `result_hash` it signs;
- `votes`: EIP-712 vote signatures and the arguments of `finalize`;
- `payouts`: the settlement's credits, burns and mint, twin of the contract's;
- `round_chain`: the round seed, committee hash and round hash.

docs/consensus.md states the rules and every choice with its reason.
"""

from wekacoin_offchain.consensus.agreement import (
    ConsensusResult,
    DiscardedProposal,
    DiscardReason,
    ModelFacts,
    ObjectRoot,
    Proposal,
    RankedModel,
    compute_consensus,
)
from wekacoin_offchain.consensus.documents import (
    CandidateRanking,
    MalformedRankingError,
    RankingDocumentError,
    RankingEntry,
    RankingHashMismatchError,
)
from wekacoin_offchain.consensus.payouts import (
    Credit,
    CreditReason,
    ModelStake,
    Settlement,
    TaskEscrow,
    settle_cancelled,
    settle_round,
)
from wekacoin_offchain.consensus.round_chain import (
    ZERO_HASH,
    AcceptedProposal,
    committee_hash,
    round_hash,
    round_seed,
)
from wekacoin_offchain.consensus.votes import (
    FinalizePayload,
    InvalidVoteSignature,
    finalize_payload,
    recover_voter,
    sign_vote,
    vote_digest,
    vote_typed_data,
)

__all__ = [
    "ZERO_HASH",
    "AcceptedProposal",
    "CandidateRanking",
    "ConsensusResult",
    "Credit",
    "CreditReason",
    "DiscardReason",
    "DiscardedProposal",
    "FinalizePayload",
    "InvalidVoteSignature",
    "MalformedRankingError",
    "ModelFacts",
    "ModelStake",
    "ObjectRoot",
    "Proposal",
    "RankedModel",
    "RankingDocumentError",
    "RankingEntry",
    "RankingHashMismatchError",
    "Settlement",
    "TaskEscrow",
    "committee_hash",
    "compute_consensus",
    "finalize_payload",
    "recover_voter",
    "round_hash",
    "round_seed",
    "settle_cancelled",
    "settle_round",
    "sign_vote",
    "vote_digest",
    "vote_typed_data",
]
