"""The validator: registers, stores task data and claims it, and sits on committees.

Every step reads what to do from the chain: whether it is registered, which objects it
has claimed, the active round and its windows, whether it proposed or voted in the
current attempt. Its only local state is its BLS key, so a validator killed at any
point and restarted carries on without a double action and without losing a vote or a
payout (votes and proposals are one per member per attempt on chain; credits wait in
`owed`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape.exceptions import ContractLogicError
from eth_hash.auto import keccak

from wekacoin_offchain.agents.evaluation import EvaluationLimits, candidate_ranking, task_facts
from wekacoin_offchain.chain import actions
from wekacoin_offchain.chain.actions import format_wkc
from wekacoin_offchain.chain.params import MAX_CLAIMS_BOUND, WEI_PER_WKC
from wekacoin_offchain.chain.states import TaskState, ValidatorStatus
from wekacoin_offchain.consensus import CandidateRanking, ModelFacts, Proposal, compute_consensus, fetch_document_bytes
from wekacoin_offchain.crypto import (
    SecretKey,
    chunk_proof,
    object_commitment,
    prove_possession,
    public_key_bytes,
    vrf_prove,
)
from wekacoin_offchain.ml import Evaluator, metric_by_id
from wekacoin_offchain.storage import ContentStore, StorageError

# A dishonest member's edit of its own candidate ranking (for the demo's liar and tests).
RankingEdit = Callable[[CandidateRanking], CandidateRanking]


@dataclass(frozen=True)
class RoundView:
    round_id: int
    task_id: int
    attempt: int
    seed: bytes
    opened_at: int
    quorum: int
    state: int


class ValidatorAgent:
    def __init__(
        self,
        chain: Any,
        pol: Any,
        token: Any,
        committee: Any,
        account: Any,
        store: ContentStore,
        workdir: Path,
        evaluator: Evaluator,
        limits: EvaluationLimits = EvaluationLimits(),
        edit_ranking: RankingEdit | None = None,
    ) -> None:
        self.chain, self.pol, self.token, self.committee, self.account = chain, pol, token, committee, account
        self.store, self.evaluator, self.limits, self.edit_ranking = store, evaluator, limits, edit_ranking
        self.secret_key = SecretKey.from_seed(_key_seed(workdir / "validator-key.json"))
        # The proposals of an attempt are final once its propose window closes, and so is
        # its consensus: computed once per (round, attempt), not on every step.
        self._consensus_of: dict[tuple[int, int], Any] = {}

    @property
    def address(self) -> str:
        return str(self.account.address)

    # --- joining ----------------------------------------------------------------------

    def register(self, bond: int) -> list[str]:
        """Register with a fresh BLS key and its proof of possession, once."""
        if int(self.committee.validator(self.address).status) != ValidatorStatus.NONE:
            return []
        if int(self.token.allowance(self.address, self.pol.address)) < bond:
            self.token.approve(self.pol.address, bond, sender=self.account)
        self.pol.register_validator(
            public_key_bytes(self.secret_key),
            prove_possession(self.secret_key, self.address),
            bond,
            sender=self.account,
        )
        return [f"registered with a bond of {format_wkc(bond)}"]

    def claim_storage(self) -> list[str]:
        """Claim the registered objects this validator holds and has checked against their
        roots, while a claim still adds weight: not past the bond's cap on weight, and not
        past the Committee's bound on claim slots."""
        done = []
        record = self.committee.validator(self.address)
        claimed, slots = int(record.claimed_size), int(record.claim_slots)
        cap = int(record.bond) * int(self.pol.bytes_per_wkc()) // WEI_PER_WKC
        for event in self.pol.ObjectRegistered.range(0, int(self.chain.blocks.height) + 1):
            if claimed >= cap or slots >= MAX_CLAIMS_BOUND:
                break
            object_id = int(event.object_id)
            if int(self.committee.claim_slot(self.address, object_id)) != 0:
                continue
            try:
                data = self.store.cat(event.cid)
            except StorageError:
                continue  # not held here
            commitment = object_commitment(data)
            if commitment.root != bytes(event.merkle_root) or commitment.size != int(event.size):
                continue  # registered with a root or size this data does not have: claiming it would fail
            self.pol.claim_storage(object_id, sender=self.account)
            claimed, slots = claimed + commitment.size, slots + 1
            done.append(f"claims object {object_id} ({event.cid}, {event.size} bytes)")
        return done

    # --- rounds -----------------------------------------------------------------------

    def step(self) -> list[str]:
        """Do whatever the chain's state calls for now; returns what was done."""
        round_id = int(self.committee.active_round())
        if round_id == 0:
            return self._open_round_if_ready()
        view = self._round(round_id)
        propose_end = view.opened_at + int(self.pol.propose_window())
        vote_end = propose_end + int(self.pol.vote_window())
        if actions.next_block(self.chain) < propose_end:
            return self._propose(view)
        if not actions.has_opened(self.chain, propose_end):
            return []  # between the windows for a block: a vote now would be estimated too early
        if actions.next_block(self.chain) < vote_end:
            return self._vote_and_finalize(view)
        if not actions.has_opened(self.chain, vote_end):
            return []
        self.pol.restart_round(round_id, sender=self.account)
        return [f"round {round_id}: no result in time, restarted"]

    def withdraw(self) -> list[str]:
        owed = int(self.pol.owed(self.address))
        if owed == 0:
            return []
        self.pol.withdraw(sender=self.account)
        return [f"withdrew {format_wkc(owed)}"]

    def _open_round_if_ready(self) -> list[str]:
        reveal_window = int(self.pol.reveal_window())
        for task_id in self.pol.open_task_ids():
            task = self.pol.task(task_id)
            if int(task.state) == TaskState.RELEASED and actions.has_opened(
                self.chain, int(task.released_at) + reveal_window
            ):
                receipt = self.pol.open_round(sender=self.account)
                (opened,) = receipt.decode_logs(self.committee.RoundOpened)
                return [f"opened round {opened.round_id} for task {opened.task_id}"]
        return []

    def _round(self, round_id: int) -> RoundView:
        r = self.committee.round(round_id)
        return RoundView(
            round_id, int(r.task_id), int(r.attempt), bytes(r.seed), int(r.opened_at), int(r.quorum), int(r.state)
        )

    def _propose(self, view: RoundView) -> list[str]:
        if bytes(self.committee.proposal(view.round_id, view.attempt, self.address)) != bytes(32):
            return []  # already proposed in this attempt
        vrf = vrf_prove(
            self.secret_key, int(self.chain.chain_id), self.pol.address, view.round_id, view.attempt, view.seed
        )
        object_id, index = (int(x) for x in self.committee.challenge(view.round_id, self.address))
        if object_id == 0:
            return []  # no storage claim in this round's snapshot: cannot sit
        proof = self._storage_proof(object_id, index)
        if proof is None:
            return [f"round {view.round_id}: cannot answer the storage challenge on object {object_id}"]
        chunk, path = proof
        try:
            if not self.committee.is_member(view.round_id, self.address, vrf.proof, chunk, path):
                return [f"round {view.round_id}: storage answer refused"]
        except ContractLogicError:
            return []  # not selected, or may not sit on this task: nothing to do this attempt
        facts = task_facts(self.pol, view.task_id)
        ranking = candidate_ranking(
            facts, self.store, self.evaluator, self.limits, round_id=view.round_id, attempt=view.attempt
        )
        if self.edit_ranking is not None:
            ranking = self.edit_ranking(ranking)
        cid = ranking.store(self.store)
        self.pol.propose(view.round_id, vrf.proof, chunk, path, ranking.ranking_hash, cid, sender=self.account)
        return [f"round {view.round_id}: proposed a ranking of {len(ranking.entries)} models ({cid})"]

    def _storage_proof(self, object_id: int, index: int) -> tuple[bytes, list[bytes]] | None:
        stored = self.pol.stored_object(object_id)
        for event in self.pol.ObjectRegistered.range(
            0, int(self.chain.blocks.height) + 1, search_topics={"object_id": object_id}
        ):
            try:
                data = self.store.cat(event.cid)
            except StorageError:
                return None
            if keccak(event.cid.encode()) != bytes(stored.cid_hash):
                return None
            proof = chunk_proof(data, index)
            return proof.chunk, list(proof.path)
        return None

    def _vote_and_finalize(self, view: RoundView) -> list[str]:
        member = bytes(self.committee.proposal(view.round_id, view.attempt, self.address)) != bytes(32)
        if not member and int(self.committee.round(view.round_id).proposals) == 0:
            return []
        result = self._consensus(view)
        done = []
        result_hash = result.result_hash()
        if member and bytes(self.committee.vote_of(view.round_id, view.attempt, self.address)) == bytes(32):
            self.pol.vote(view.round_id, result_hash, sender=self.account)
            done.append(f"round {view.round_id}: voted for {result_hash.hex()[:16]}…")
        if int(self.committee.votes_for(view.round_id, view.attempt, result_hash)) >= view.quorum:
            ranking = [(m.model_id, m.genuine, m.score) for m in result.ranking]
            self.pol.finalize(
                view.round_id, result.task_valid, ranking, list(result.genuine_members), [], sender=self.account
            )
            done.append(f"round {view.round_id}: finalized")
        return done

    def _consensus(self, view: RoundView) -> Any:
        """The agreement function over the proposals of the current attempt."""
        key = (view.round_id, view.attempt)
        if key not in self._consensus_of:
            self._consensus_of[key] = self._compute_consensus(view)
        return self._consensus_of[key]

    def _compute_consensus(self, view: RoundView) -> Any:
        proposals = [
            Proposal(str(event.member), bytes(event.ranking_hash), fetch_document_bytes(self.store, event.ranking_cid))
            for event in self.committee.Proposed.range(
                view.opened_at, int(self.chain.blocks.height) + 1, search_topics={"round_id": view.round_id}
            )
            if int(event.attempt) == view.attempt
        ]
        task = self.pol.task(view.task_id)
        models = []
        for position in range(int(task.model_count)):
            model_id = int(self.pol.task_models(view.task_id, position))
            model = self.pol.model(model_id)
            if int(model.revealed_at) != 0:
                models.append(ModelFacts(model_id, str(model.trainer), bytes(model.commitment), int(model.model_size)))
        return compute_consensus(
            round_id=view.round_id,
            attempt=view.attempt,
            task_id=view.task_id,
            metric=metric_by_id(int(task.metric)),
            tolerance=int(self.pol.score_tolerance()),
            models=models,
            proposals=proposals,
        )


def _key_seed(path: Path) -> bytes:
    """The validator's 32-byte BLS key seed, made once and kept owner-readable only."""
    if path.exists():
        return bytes.fromhex(json.loads(path.read_text())["bls_seed"])
    seed = os.urandom(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"bls_seed": seed.hex()}))
    temporary.chmod(0o600)
    os.replace(temporary, path)
    return seed
