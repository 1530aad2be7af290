"""Stateful property test of rounds: the contract still holds exactly what it owes.

A smaller machine than `test_money_invariant.py` (each proposal runs a BLS pairing,
about 0.7 s on py-evm): tasks made ready for a round, each with its training set
registered (deposit escrowed) under the true chunk root or a wrong one, rounds opened,
committed to and revealed by the members, finalized with random consensus results
(valid or invalid task, random genuine models, scores and genuine members) that
certify or reject the object (deposit back or burned), restarted and cancelled
(deposit back), equivocations reported (bond slashed: the reporter's share credited,
the rest burned), and withdrawals. The payout twin of `tests/fixtures/rounds.py` predicts every credit, burn
and mint; after every step the balance equals escrowed + bonded + credited, each equals
the model's, and the supply moved only by mints and burns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boa
import pytest
from hypothesis import HealthCheck, event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.fixtures.actors import TRAIN_CID, Protocol, Validator, object_bytes
from tests.fixtures.boa_chain import deploy_on_boa
from tests.fixtures.rounds import ModelFacts, TaskFacts, consensus_order, payouts, result_hash, sign_vote
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.crypto import object_commitment

TRAIN_DATA = object_bytes(9, 2_000)

_base: tuple[Protocol, list[tuple[Validator, bytes]]] | None = None


@pytest.fixture(scope="module", autouse=True)
def members_base() -> Iterator[None]:
    """A deployment with three members, built once (outside the examples: titanoboa's
    plugin runs each example in its own anchor)."""
    global _base
    with boa.env.anchor():
        holder = boa.env.generate_address()
        deployment = deploy_on_boa(
            holder,
            holder=holder,
            min_training_period=2,
            release_window=4,
            reveal_window=2,
            propose_window=4,
            proposal_reveal_window=2,
            vote_window=4,
            max_attempts=2,
        )
        protocol = Protocol(deployment=deployment, holder=holder)
        members = [protocol.new_member(label) for label in range(70, 73)]
        _base = protocol, members
        yield
    _base = None


@dataclass
class ReadyTask:
    supplier: str
    model_ids: list[int]
    revealed: list[bool]
    object_id: int
    settled: bool = False


class RoundMoneyInvariant(RuleBasedStateMachine):
    @initialize(wrong_root=st.booleans())
    def start(self, wrong_root: bool) -> None:
        assert _base is not None, "the members_base fixture builds the deployment"
        self.protocol, self.members = _base
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.supplier = self.protocol.new_account(amount=1_000 * WEI_PER_WKC)
        self.trainers = [self.protocol.new_account(amount=100 * WEI_PER_WKC) for _ in range(2)]
        self.accounts = [self.supplier, *self.trainers, *(v.address for v, _ in self.members)]
        self.owed = {a: int(self.protocol.pol.owed(a)) for a in self.accounts}
        self.escrowed = int(self.protocol.pol.escrowed())
        self.bonded = int(self.protocol.pol.bonded())
        self.supply = int(self.protocol.token.totalSupply())
        self.expelled: set[str] = set()
        self.proposers: list[tuple[Validator, bytes]] = []
        self.tasks: dict[int, ReadyTask] = {}
        self.next_n = 10_000
        self.round_id = 0
        self.proposed = False
        self.proposals_left = 2  # each costs three pairings: about 2 s
        self.ready_task(models=2, hidden=0, wrong_root=wrong_root)

    def teardown(self) -> None:
        if hasattr(self, "_anchor"):
            self._anchor.__exit__(None, None, None)

    @property
    def height(self) -> int:
        return boa.env.evm.patch.block_number

    def _round(self) -> object:
        return self.protocol.committee.round(self.round_id)

    @precondition(lambda self: sum(not t.settled for t in self.tasks.values()) < 3)
    @rule(models=st.integers(0, 3), hidden=st.integers(0, 7), wrong_root=st.booleans())
    def another_ready_task(self, models: int, hidden: int, wrong_root: bool) -> None:
        self.ready_task(models, hidden, wrong_root)

    def ready_task(self, models: int, hidden: int, wrong_root: bool) -> None:
        unrevealed = frozenset(i for i in range(models) if hidden >> i & 1)
        registered: list[int] = []

        def register_training_set(task_id: int) -> None:
            root = b"\x77" * 32 if wrong_root else object_commitment(TRAIN_DATA).root
            with boa.env.prank(self.supplier):
                registered.append(int(self.protocol.pol.register_object(task_id, TRAIN_CID, len(TRAIN_DATA), root)))

        task_id, model_ids = self.protocol.ready_task(
            self.supplier,
            self.trainers,
            models,
            first_n=self.next_n,
            unrevealed=unrevealed,
            after_publish=register_training_set,
        )
        self.next_n += models
        task = self.protocol.task(task_id)
        self.escrowed += (
            task.reward
            + task.hosting_fee
            + models * self.protocol.params.participation_fee
            + self.protocol.params.object_deposit
        )
        self.tasks[task_id] = ReadyTask(
            self.supplier, model_ids, [i not in unrevealed for i in range(models)], registered[0]
        )

    @rule(propose=st.booleans())
    def open_round(self, propose: bool) -> None:
        ready = [t for t, task in self.tasks.items() if not task.settled]
        if self.round_id or not ready:
            with boa.reverts():
                self.protocol.pol.open_round()
            return
        expected = min(ready, key=lambda t: (-len(self.tasks[t].model_ids), t))
        self.round_id = int(self.protocol.pol.open_round())
        assert self.protocol.committee.round(self.round_id).task_id == expected
        self.proposed = False
        if propose and self.proposals_left:
            self.propose_all()

    @precondition(lambda self: self.round_id and not self.proposed and self.proposals_left)
    @rule()
    def propose_all(self) -> None:
        """Every member still in the set commits, once the seed is drawn, if the propose
        window is still open."""
        round_ = self.protocol.committee.round(self.round_id)
        if self.height >= round_.opened_at + self.protocol.params.propose_window - 2:
            return
        self.protocol.draw_seed(self.round_id)
        self.proposals_left -= 1
        self.proposers = [(v, key) for v, key in self.members if v.address not in self.expelled]
        for validator, _ in self.proposers:
            assert self.protocol.propose(validator, self.round_id)
        self.proposed = True

    @precondition(lambda self: self.round_id and self.proposed and not self.expelled)
    @rule(who=st.integers(0, 2), reporter=st.integers(0, 1))
    def equivocate(self, who: int, reporter: int) -> None:
        """A member signs votes for two results of the attempt; anyone reports it."""
        validator, key = self.proposers[who % len(self.proposers)]
        attempt = self.protocol.committee.round(self.round_id).attempt
        chain_id, pol = boa.env.evm.patch.chain_id, self.protocol.pol.address
        first = sign_vote(key, chain_id, pol, self.round_id, attempt, b"\x01" * 32)
        second = sign_vote(key, chain_id, pol, self.round_id, attempt, b"\x02" * 32)
        bond = int(self.protocol.committee.validator(validator.address).bond)
        share = bond * self.protocol.params.reporter_share_bps // 10_000
        with boa.env.prank(self.trainers[reporter]):
            self.protocol.committee.report_equivocation(
                self.round_id, attempt, b"\x01" * 32, first, b"\x02" * 32, second
            )
        self.owed[self.trainers[reporter]] += share
        self.bonded -= bond
        self.supply -= bond - share
        self.expelled.add(validator.address)
        event("slashed an equivocation")

    @rule(blocks=st.integers(1, 5))
    def mine(self, blocks: int) -> None:
        self.protocol.mine(blocks)

    @precondition(lambda self: self.round_id)
    @rule(to_deadline=st.booleans())
    def mine_to_the_next_window(self, to_deadline: bool) -> None:
        # Random mining rarely lands in a four-block window: jump to its start.
        round_ = self.protocol.committee.round(self.round_id)
        vote_opens = (
            round_.opened_at + self.protocol.params.propose_window + self.protocol.params.proposal_reveal_window
        )
        self.protocol.mine_to(vote_opens + (self.protocol.params.vote_window if to_deadline else 0))

    @precondition(lambda self: self.round_id and self.proposed)
    @rule(
        task_valid=st.booleans(),
        genuine_models=st.integers(0, 7),
        genuine_members=st.integers(0, 7),
        scores=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    )
    def finalize(self, task_valid: bool, genuine_models: int, genuine_members: int, scores: list[int]) -> None:
        round_ = self.protocol.committee.round(self.round_id)
        reveal_opens = round_.opened_at + self.protocol.params.propose_window
        vote_opens = reveal_opens + self.protocol.params.proposal_reveal_window
        if self.height >= reveal_opens:
            return  # members reveal in the reveal window, then agree as soon as the vote window opens
        if len(self.proposers) < round_.quorum:
            # An expelled equivocator keeps its weight in the round's snapshot but may not
            # sit in a later attempt: this attempt cannot reach the quorum.
            event("no quorum after an expulsion")
            return
        self.protocol.mine_to(reveal_opens)
        for validator, _ in self.proposers:
            self.protocol.reveal_proposal(validator, self.round_id)
        self.protocol.mine_to(vote_opens)
        task_id, task = round_.task_id, self.tasks[round_.task_id]
        facts = {}
        for model_id in task.model_ids:
            model = self.protocol.pol.model(model_id)
            facts[model_id] = ModelFacts(
                model_id, model.trainer, model.commitment, model.model_size, model.fee, model.revealed_at != 0
            )
        revealed = [m for m in task.model_ids if facts[m].revealed]
        chosen = {m: (scores[i] if task_valid and genuine_models >> i & 1 else None) for i, m in enumerate(revealed)}
        on_chain = self.protocol.task(task_id)
        ranking = consensus_order(chosen, facts, on_chain.metric)
        members = sorted((v.address for v, _ in self.proposers), key=lambda a: int(a, 16))
        genuine = [m for i, m in enumerate(members) if genuine_members >> i & 1]
        stored = self.protocol.pol.stored_object(task.object_id)
        storage = [(task.object_id, len(TRAIN_DATA), object_commitment(TRAIN_DATA).root)]
        result = result_hash(self.round_id, round_.attempt, task_id, task_valid, ranking, genuine, storage)
        keys = {v.address: key for v, key in self.proposers}
        signatures = [
            sign_vote(
                keys[m], boa.env.evm.patch.chain_id, self.protocol.pol.address, self.round_id, round_.attempt, result
            )
            for m in members
        ]
        self.protocol.pol.finalize(
            self.round_id, task_valid, [e.as_tuple() for e in ranking], genuine, signatures, storage
        )
        expected = payouts(
            TaskFacts(
                on_chain.supplier, on_chain.reward, on_chain.hosting_fee, on_chain.baseline_score, on_chain.metric
            ),
            list(facts.values()),
            task_valid,
            ranking,
            genuine,
            self.protocol.params.refund_bps,
            self.protocol.params.round_issuance,
        )
        for account in self.accounts:
            self.owed[account] += expected.owed(account)
        self.escrowed -= on_chain.reward + on_chain.hosting_fee + sum(f.fee for f in facts.values())
        self.supply += expected.minted - expected.burned
        self.escrowed -= stored.deposit
        if stored.merkle_root == storage[0][2]:
            self.owed[task.supplier] += stored.deposit
            event("certified an object")
        else:
            self.supply -= stored.deposit
            event("rejected an object")
        task.settled = True
        self.round_id = 0
        event("finalized a valid task" if task_valid else "finalized an invalid task")

    @precondition(lambda self: self.round_id)
    @rule()
    def restart(self) -> None:
        round_ = self.protocol.committee.round(self.round_id)
        deadline = round_.opened_at + self.protocol.attempt_blocks
        if self.height < deadline:
            with boa.reverts("rounds: vote window still open"):
                self.protocol.pol.restart_round(self.round_id)
            return
        self.protocol.pol.restart_round(self.round_id)
        self.proposed = False
        if round_.attempt < self.protocol.params.max_attempts:
            event("restarted")
            return
        event("cancelled")
        task = self.tasks[round_.task_id]
        on_chain = self.protocol.task(round_.task_id)
        self.owed[task.supplier] += on_chain.reward + on_chain.hosting_fee
        for model_id in task.model_ids:
            model = self.protocol.pol.model(model_id)
            self.owed[model.trainer] += model.fee
            self.escrowed -= model.fee
        self.escrowed -= on_chain.reward + on_chain.hosting_fee
        deposit = self.protocol.pol.stored_object(task.object_id).deposit
        self.owed[task.supplier] += deposit
        self.escrowed -= deposit
        task.settled = True
        self.round_id = 0

    @rule(who=st.integers(0, 5))
    def withdraw(self, who: int) -> None:
        account = self.accounts[who]
        if self.owed[account] == 0:
            return
        with boa.env.prank(account):
            assert self.protocol.pol.withdraw() == self.owed[account]
        self.owed[account] = 0

    @invariant()
    def contract_holds_exactly_what_it_owes(self) -> None:
        if not hasattr(self, "protocol"):
            return
        pol = self.protocol.pol
        assert self.protocol.token.balanceOf(pol.address) == pol.escrowed() + pol.bonded() + pol.credited()
        assert pol.escrowed() == self.escrowed
        assert pol.bonded() == self.bonded
        for account, amount in self.owed.items():
            assert pol.owed(account) == amount
        assert self.protocol.token.totalSupply() == self.supply


TestRoundMoneyInvariant = RoundMoneyInvariant.TestCase
TestRoundMoneyInvariant.settings = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
