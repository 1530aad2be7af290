"""The validator: registers, stores task data and claims it, and sits on committees.

Every step reads what to do from the chain: whether it is registered, which objects it
has claimed, the active round and its windows, whether it committed, revealed or voted
in the current attempt. Its only local state is its BLS key seed, from which it also
derives each attempt's proposal salt, so a validator killed at any point and restarted
carries on without a double action and without losing a vote or a payout (answers,
proposals and votes are one per member per attempt on chain; credits wait in `owed`;
its ranking is recomputed if it restarts between commit and reveal).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

from ape.exceptions import ContractLogicError
from eth_hash.auto import keccak

from wekacoin_offchain.agents.evaluation import (
    EvaluationCache,
    EvaluationLimits,
    TaskFacts,
    candidate_ranking,
    task_facts,
)
from wekacoin_offchain.chain import actions
from wekacoin_offchain.chain.actions import format_wkc
from wekacoin_offchain.chain.deployment import Deployment
from wekacoin_offchain.chain.params import MAX_CLAIMS_BOUND, WEI_PER_WKC
from wekacoin_offchain.chain.states import TaskState, ValidatorStatus
from wekacoin_offchain.chain.views import RoundView, StoredObjectView
from wekacoin_offchain.commitments import proposal_commitment
from wekacoin_offchain.consensus import (
    CandidateRanking,
    ConsensusResult,
    ModelFacts,
    ObjectRoot,
    Proposal,
    compute_consensus,
)
from wekacoin_offchain.crypto import (
    SecretKey,
    chunk_proof,
    object_commitment,
    prove_possession,
    public_key_bytes,
    vrf_prove,
)
from wekacoin_offchain.errors import UserError, first_line
from wekacoin_offchain.limits import MAX_DATASET_SIZE, MAX_MODEL_SIZE
from wekacoin_offchain.ml import Evaluator, metric_by_id
from wekacoin_offchain.private_files import write_private
from wekacoin_offchain.rankings_io import fetch_document_bytes, store_ranking
from wekacoin_offchain.storage import ContentStore, StorageError

# The block time a validator expects when it budgets an evaluation (`validator run
# --block-time`): the devnet's interval mining in docs/agents.md is one block a second.
DEFAULT_SECONDS_PER_BLOCK = 1.0
# Blocks of the propose window kept for storing the ranking and sending the proposal.
RESERVED_BLOCKS = 3
# A ranking document not fetchable yet is waited for until this many blocks before the
# vote window's end; then the member votes on the documents it has (issue 14).
DOCUMENT_WAIT_MARGIN_BLOCKS = 6


class ValidatorAgent:
    def __init__(
        self,
        deployment: Deployment,
        account: Any,
        store: ContentStore,
        workdir: Path,
        evaluator: Evaluator,
        limits: EvaluationLimits = EvaluationLimits(),
        seconds_per_block: float = DEFAULT_SECONDS_PER_BLOCK,
    ) -> None:
        self.deployment, self.account, self.store = deployment, account, store
        self.chain, self.pol, self.token, self.committee = (
            deployment.chain,
            deployment.pol,
            deployment.token,
            deployment.committee,
        )
        self.workdir, self.evaluator, self.limits = workdir, evaluator, limits
        self.seconds_per_block = seconds_per_block
        self.evaluations = EvaluationCache(workdir / "evaluations.json")
        self.secret_key = _registered_key(deployment, self.address, workdir / "validator-key.json")
        # The key's seed also derives the proposal salts (read after the key is checked).
        self._seed = _key_seed(workdir / "validator-key.json")
        # This member's ranking of each (round, attempt) it committed to, kept until it reveals.
        self._ranking_of: dict[tuple[int, int], tuple[bytes, str]] = {}
        # The proposals of an attempt are final once its propose window closes, and so is
        # its consensus: computed once per (round, attempt), not on every step.
        self._consensus_of: dict[tuple[int, int], ConsensusResult] = {}

    @property
    def address(self) -> str:
        return str(self.account.address)

    # --- joining ----------------------------------------------------------------------

    def register(self, bond: int) -> list[str]:
        """Register with a fresh BLS key and its proof of possession, once."""
        if self.deployment.validator(self.address).status != ValidatorStatus.NONE:
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
        record = self.deployment.validator(self.address)
        claimed, slots = record.claimed_size, record.claim_slots
        cap = record.bond * self.deployment.parameters.bytes_per_wkc // WEI_PER_WKC
        for object_id in range(1, int(self.pol.object_count()) + 1):
            if claimed >= cap or slots >= MAX_CLAIMS_BOUND:
                break
            stored = self.deployment.stored_object(object_id)
            if not stored.certified:
                continue  # only certified objects are claimed (docs/protocol.md §7.2)
            if self.committee.cid_claimed(self.address, stored.cid_hash):
                continue
            cid = self._cid_of(stored)
            try:
                data = self.store.cat(cid, stored.size) if cid else None
            except StorageError:
                data = None
            if data is None:
                continue  # not held here
            commitment = object_commitment(data)
            if commitment.root != stored.merkle_root or commitment.size != stored.size:
                continue  # certified with a root or size this data does not have: claiming it would fail
            self.pol.claim_storage(object_id, sender=self.account)
            claimed, slots = claimed + commitment.size, slots + 1
            done.append(f"claims object {object_id} ({cid}, {stored.size} bytes)")
        return done

    # --- rounds -----------------------------------------------------------------------

    def step(self) -> list[str]:
        """Do whatever the chain's state calls for now; returns what was done."""
        round_id = int(self.committee.active_round())
        if round_id == 0:
            return self._open_round_if_ready()
        view = self.deployment.round(round_id)
        parameters = self.deployment.parameters
        propose_end = view.opened_at + parameters.propose_window
        reveal_end = propose_end + parameters.proposal_reveal_window
        vote_end = reveal_end + parameters.vote_window
        if actions.next_block(self.chain) < propose_end:
            return self._propose(view)
        if not actions.has_opened(self.chain, propose_end):
            return []  # between the windows for a block: a reveal now would be estimated too early
        if actions.next_block(self.chain) < reveal_end:
            return self._reveal(view)
        if not actions.has_opened(self.chain, reveal_end):
            return []
        if actions.next_block(self.chain) < vote_end:
            return self._vote_and_finalize(view, vote_end)
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
        reveal_window = self.deployment.parameters.reveal_window
        for task_id in self.pol.open_task_ids():
            task = self.deployment.task(int(task_id))
            if task.state == TaskState.RELEASED and actions.has_opened(self.chain, task.released_at + reveal_window):
                self.pol.open_round(sender=self.account)
                # Read back from the chain rather than decoding the receipt's logs: the
                # round the transaction opened is the active one until it settles.
                opened = self.deployment.round(int(self.committee.active_round()))
                return [f"opened round {opened.round_id} for task {opened.task_id}"]
        return []

    def _propose(self, view: RoundView) -> list[str]:
        if bytes(self.committee.proposal(view.round_id, view.attempt, self.address)) != bytes(32):
            return []  # already committed in this attempt
        if int(self.committee.answer_of(view.round_id, view.attempt, self.address)) != 0:
            return []  # answered (and failed) in this attempt: out of it
        try:
            seed = bytes(self.committee.seed(view.round_id))
        except ContractLogicError:
            return []  # the seed block does not exist yet (docs/protocol.md §13.1)
        vrf = vrf_prove(self.secret_key, int(self.chain.chain_id), self.pol.address, view.round_id, view.attempt, seed)
        object_id, index = (int(x) for x in self.committee.challenge(view.round_id, self.address))
        chunk, path = b"", list[bytes]()
        if object_id != 0:
            proof = self._storage_proof(object_id, index)
            if proof is None:
                return [f"round {view.round_id}: cannot answer the storage challenge on object {object_id}"]
            chunk, path = proof
        try:
            if not self.committee.is_member(view.round_id, self.address, vrf.proof, chunk, path):
                return [f"round {view.round_id}: storage answer refused"]
        except ContractLogicError:
            return []  # not selected, or may not sit on this task: nothing to do this attempt
        ranking_hash, cid = self._ranking(view)
        commitment = proposal_commitment(ranking_hash, cid, self.address, self._salt(view))
        self.pol.propose(view.round_id, vrf.proof, chunk, path, commitment, sender=self.account)
        return [f"round {view.round_id}: committed to a ranking ({cid})"]

    def _reveal(self, view: RoundView) -> list[str]:
        key = (view.round_id, view.attempt)
        if bytes(self.committee.proposal(view.round_id, view.attempt, self.address)) == bytes(32):
            return []
        if bytes(self.committee.ranking_of(view.round_id, view.attempt, self.address)) != bytes(32):
            return []
        ranking_hash, cid = self._ranking(view)
        self.pol.reveal_proposal(view.round_id, ranking_hash, cid, self._salt(view), sender=self.account)
        self._ranking_of.pop(key, None)
        return [f"round {view.round_id}: revealed its ranking ({cid})"]

    def _ranking(self, view: RoundView) -> tuple[bytes, str]:
        """This member's ranking hash and document CID for the attempt (evaluated once;
        again after a restart: the evaluation is deterministic, so is the document)."""
        key = (view.round_id, view.attempt)
        if key not in self._ranking_of:
            ranking = self.rank(task_facts(self.deployment, view.task_id), view)
            self._ranking_of[key] = (ranking.ranking_hash, store_ranking(self.store, ranking))
        return self._ranking_of[key]

    def _salt(self, view: RoundView) -> bytes:
        """The attempt's proposal salt: secret (derived from the key seed), fresh per attempt."""
        return keccak(
            b"wekacoin-proposal-salt"
            + self._seed
            + view.round_id.to_bytes(32, "big")
            + view.attempt.to_bytes(32, "big")
        )

    def rank(self, facts: TaskFacts, view: RoundView) -> CandidateRanking:
        """This member's candidate ranking of the round's task: its own evaluation, within
        the attempt's budget (docs/protocol.md §8.6) and reusing earlier attempts' verdicts."""
        return candidate_ranking(
            facts,
            self.store,
            self.evaluator,
            self.limits,
            round_id=view.round_id,
            attempt=view.attempt,
            deadline=time.monotonic() + self.evaluation_budget(view),
            cache=self.evaluations,
        )

    def evaluation_budget(self, view: RoundView) -> float:
        """Seconds this attempt's evaluation may take: the propose window's blocks still to
        come, at the expected block time, less `RESERVED_BLOCKS` for the proposal itself."""
        propose_end = view.opened_at + self.deployment.parameters.propose_window
        blocks = propose_end - actions.next_block(self.chain) - RESERVED_BLOCKS
        return max(blocks, 0) * self.seconds_per_block

    def _storage_proof(self, object_id: int, index: int) -> tuple[bytes, list[bytes]] | None:
        stored = self.deployment.stored_object(object_id)
        cid = self._cid_of(stored)
        if cid is None:
            return None
        try:
            data = self.store.cat(cid, stored.size)
        except StorageError:
            return None
        proof = chunk_proof(data, index)
        return proof.chunk, list(proof.path)

    def _cid_of(self, stored: StoredObjectView) -> str | None:
        """The CID of a stored object: the one of its task's (training set, baseline, test
        set, revealed models) whose keccak256 the object records (read from views, not logs)."""
        task = self.deployment.task(stored.task_id)
        candidates = [task.train_cid, task.baseline_cid, task.test_cid]
        candidates += [model.model_cid for model in self.deployment.models_of(stored.task_id) if model.revealed]
        return next((cid for cid in candidates if cid and keccak(cid.encode()) == stored.cid_hash), None)

    def _vote_and_finalize(self, view: RoundView, vote_end: int) -> list[str]:
        member = bytes(self.committee.ranking_of(view.round_id, view.attempt, self.address)) != bytes(32)
        if not member and self.deployment.round(view.round_id).proposals == 0:
            return []
        result, complete = self._consensus(view)
        if not complete and actions.next_block(self.chain) < vote_end - DOCUMENT_WAIT_MARGIN_BLOCKS:
            return []  # a ranking document is not fetchable yet: wait for it (docs/protocol.md §9.7)
        done = []
        result_hash = result.result_hash()
        if member and bytes(self.committee.vote_of(view.round_id, view.attempt, self.address)) == bytes(32):
            self.pol.vote(view.round_id, result_hash, sender=self.account)
            done.append(f"round {view.round_id}: voted for {result_hash.hex()[:16]}…")
        if int(self.committee.votes_for(view.round_id, view.attempt, result_hash)) >= view.quorum:
            ranking = [(m.model_id, m.genuine, m.score) for m in result.ranking]
            storage = [(o.object_id, o.size, o.merkle_root) for o in result.storage]
            self.pol.finalize(
                view.round_id,
                result.task_valid,
                ranking,
                list(result.genuine_members),
                [],
                storage,
                sender=self.account,
            )
            done.append(f"round {view.round_id}: finalized")
        return done

    def _consensus(self, view: RoundView) -> tuple[ConsensusResult, bool]:
        """The agreement function over the proposals of the current attempt, and whether
        every proposal's document was fetched. The proposals are final once the propose
        window closes, so a result over every document is computed once per (round,
        attempt); a result with a document missing is computed again at the next step."""
        key = (view.round_id, view.attempt)
        if key in self._consensus_of:
            return self._consensus_of[key], True
        result, complete = self._compute_consensus(view)
        if complete:
            self._consensus_of[key] = result
        return result, complete

    def _compute_consensus(self, view: RoundView) -> tuple[ConsensusResult, bool]:
        proposals = [
            Proposal(str(event.member), bytes(event.ranking_hash), fetch_document_bytes(self.store, event.ranking_cid))
            for event in self.committee.ProposalRevealed.range(
                view.opened_at, int(self.chain.blocks.height) + 1, search_topics={"round_id": view.round_id}
            )
            if int(event.attempt) == view.attempt
        ]
        models = [
            ModelFacts(model.model_id, model.trainer, model.commitment, model.model_size)
            for model in self.deployment.models_of(view.task_id)
            if model.revealed
        ]
        result = compute_consensus(
            round_id=view.round_id,
            attempt=view.attempt,
            task_id=view.task_id,
            metric=metric_by_id(self.deployment.task(view.task_id).metric),
            tolerance=self.deployment.parameters.score_tolerance,
            models=models,
            proposals=proposals,
        )
        complete = all(proposal.document is not None for proposal in proposals)
        return dataclasses.replace(result, storage=self._storage_roots(view.task_id)), complete

    def _storage_roots(self, task_id: int) -> tuple[ObjectRoot, ...]:
        """What this member finds for each object registered for the task (docs/protocol.md
        §7.2): the size and chunk-tree root of the content under its CID, zero when the
        content cannot be fetched within the protocol's size caps."""
        roots = []
        for position in range(int(self.pol.task_object_count(task_id))):
            object_id = int(self.pol.task_object(task_id, position))
            cid = self._cid_of(self.deployment.stored_object(object_id))
            try:
                data = self.store.cat(cid, max(MAX_DATASET_SIZE, MAX_MODEL_SIZE)) if cid else None
            except StorageError:
                data = None
            if data is None:
                roots.append(ObjectRoot(object_id, 0, bytes(32)))
                continue
            commitment = object_commitment(data)
            roots.append(ObjectRoot(object_id, commitment.size, commitment.root))
        return tuple(roots)


def _registered_key(deployment: Deployment, address: str, path: Path) -> SecretKey:
    """The validator's BLS key: the one in `path`, which must be the key the chain has
    registered for `address` if any; a new one only for an unregistered account.

    A registered validator whose key file is lost must not get a new key silently: the
    chain would refuse every VRF proof it makes, and its bond would sit idle. It stops
    with one line instead (a `UserError`).
    """
    registered = (
        bytes(deployment.committee.vrf_pubkey(address))
        if deployment.validator(address).status != ValidatorStatus.NONE
        else b""
    )
    if registered and not path.exists():
        raise UserError(
            f"{address} is registered with a BLS key whose seed is not in {path}: restore that file "
            "(a new key would not be the registered one)"
        )
    key = SecretKey.from_seed(_key_seed(path))
    if registered and public_key_bytes(key) != registered:
        raise UserError(f"the BLS key in {path} is not the one {address} registered: restore the right file")
    return key


def _key_seed(path: Path) -> bytes:
    """The validator's 32-byte BLS key seed, made once and kept owner-readable only."""
    if path.exists():
        try:
            seed = bytes.fromhex(json.loads(path.read_bytes())["bls_seed"])
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise UserError(f"{path} is not a validator key file ({first_line(exc)}): restore it") from None
        if len(seed) != 32:
            raise UserError(f"{path} holds a seed of {len(seed)} bytes, not 32: restore it")
        return seed
    seed = os.urandom(32)
    write_private(path, json.dumps({"bls_seed": seed.hex()}).encode())
    return seed
