"""Stateful property test: the contract always holds exactly what it owes.

Hypothesis drives random sequences of publish / commit / mine / release / reveal /
expire / withdraw, and validators' bond top-ups, exits and bond withdrawals, across
several accounts. A plain-Python model of the protocol predicts whether each call is
allowed (the call must then succeed, or else revert) and what it owes whom. After
every step: the contract's WKC balance equals escrowed + bonded + credited, each
equals the model's, every account's `owed` matches, and the total supply has moved
only by the burns of expired tasks.

Registering a validator runs a BLS pairing (about 0.7 s on py-evm), so the
deployment and its three validators are built once for the module and every example
starts from that state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import boa
import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.fixtures.actors import Protocol, Validator
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.chain.params import WEI_PER_WKC

_base: tuple[Protocol, list[Validator]] | None = None


@pytest.fixture(scope="module", autouse=True)
def bonded_base() -> Iterator[None]:
    """The deployment with three registered validators, built once for the module.

    Built in a fixture, outside the examples: titanoboa's pytest plugin runs each
    hypothesis example in its own anchor, which would undo anything built inside one.
    """
    global _base
    with boa.env.anchor():
        holder = boa.env.generate_address()
        deployment = deploy_on_boa(
            holder,
            holder=holder,
            max_open_tasks=6,
            max_models_per_task=5,
            min_training_period=5,
            release_window=6,
            reveal_window=6,
            exit_delay=4,
        )
        protocol = Protocol(deployment=deployment, holder=holder)
        _base = protocol, [protocol.register_validator(label) for label in range(50, 53)]
        yield
    _base = None


@dataclass
class ModelValidator:
    bond: int
    exit_requested_at: int | None = None
    exited: bool = False


@dataclass
class ModelTask:
    supplier: str
    release_height: int
    escrow: int
    released_at: int | None = None
    expired: bool = False
    models: list[int] = field(default_factory=list)


@dataclass
class ModelModel:
    task_id: int
    trainer: str
    n: int
    fee: int
    revealed: bool = False


class MoneyInvariant(RuleBasedStateMachine):
    @initialize()
    def deploy(self) -> None:
        assert _base is not None, "the bonded_base fixture builds the deployment"
        protocol, validators = _base
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.protocol = protocol
        self.accounts = [self.protocol.new_account(amount=200 * WEI_PER_WKC) for _ in range(4)]
        self.genesis_supply = protocol.deployment.genesis.supply
        self.tasks: dict[int, ModelTask] = {}
        self.models: dict[int, ModelModel] = {}
        self.validators = {v.address: ModelValidator(protocol.params.min_bond) for v in validators}
        self.owed = dict.fromkeys([*self.accounts, *self.validators], 0)
        self.escrowed = 0
        self.bonded = self.protocol.pol.bonded()
        self.burned = 0
        self.next_n = 0

    def teardown(self) -> None:
        if hasattr(self, "_anchor"):
            self._anchor.__exit__(None, None, None)

    @property
    def height(self) -> int:
        return boa.env.evm.patch.block_number

    def _open_count(self) -> int:
        return sum(1 for t in self.tasks.values() if not t.expired)

    @rule(supplier=st.integers(0, 3), reward_wkc=st.integers(1, 120), extra=st.integers(0, 3))
    def publish(self, supplier: int, reward_wkc: int, extra: int) -> None:
        account = self.accounts[supplier]
        params = self.protocol.params
        escrow = reward_wkc * WEI_PER_WKC + params.min_hosting_fee
        allowed = self._open_count() < params.max_open_tasks and self._balance(account) >= escrow
        release_in = params.min_training_period + extra
        if not allowed:
            with boa.reverts():
                self.protocol.publish(
                    account, release_in=release_in, reward=reward_wkc * WEI_PER_WKC, hosting_fee=params.min_hosting_fee
                )
            return
        task_id = self.protocol.publish(
            account, release_in=release_in, reward=reward_wkc * WEI_PER_WKC, hosting_fee=params.min_hosting_fee
        )
        self.tasks[task_id] = ModelTask(account, self.height + release_in, escrow)
        self.escrowed += escrow

    def _accepts_models(self, task_id: int) -> bool:
        task = self.tasks[task_id]
        return (
            not task.expired
            and task.released_at is None
            and self.height < task.release_height
            and len(task.models) < self.protocol.params.max_models_per_task
        )

    @precondition(lambda self: self.tasks)
    @rule(trainer=st.integers(0, 3), pick=st.integers(0, 10**6), prefer_allowed=st.booleans())
    def commit(self, trainer: int, pick: int, prefer_allowed: bool) -> None:
        task_id = self._choose(
            list(self.tasks), [t for t in self.tasks if self._accepts_models(t)], pick, prefer_allowed
        )
        task, account, fee = self.tasks[task_id], self.accounts[trainer], self.protocol.params.participation_fee
        self.next_n += 1
        allowed = self._accepts_models(task_id) and self._balance(account) >= fee
        if not allowed:
            with boa.reverts():
                self.protocol.commit(account, task_id, self.next_n)
            return
        model_id = self.protocol.commit(account, task_id, self.next_n)
        task.models.append(model_id)
        self.models[model_id] = ModelModel(task_id, account, self.next_n, fee)
        self.escrowed += fee

    @rule(blocks=st.integers(1, 4))
    def mine(self, blocks: int) -> None:
        self.protocol.mine(blocks)

    @rule(pick=st.integers(0, 10**6))
    def mine_to_a_window_edge(self, pick: int) -> None:
        # Jump to the first or last block of some window, where off-by-one bugs live.
        params = self.protocol.params
        edges = set()
        for task in self.tasks.values():
            release_end = task.release_height + params.release_window
            edges |= {task.release_height - 1, task.release_height, release_end - 1, release_end}
            if task.released_at is not None:
                edges |= {task.released_at + params.reveal_window - 1, task.released_at + params.reveal_window}
        for validator in self.validators.values():
            if validator.exit_requested_at is not None:
                bond_free = validator.exit_requested_at + params.exit_delay
                edges |= {bond_free - 1, bond_free}
        ahead = sorted(edge for edge in edges if edge > self.height)
        if ahead:
            self.protocol.mine_to(ahead[pick % len(ahead)])

    def _releasable(self, task_id: int) -> bool:
        task = self.tasks[task_id]
        window_end = task.release_height + self.protocol.params.release_window
        return not task.expired and task.released_at is None and task.release_height <= self.height < window_end

    def _revealable(self, model_id: int) -> bool:
        model = self.models[model_id]
        task = self.tasks[model.task_id]
        return (
            not model.revealed
            and task.released_at is not None
            and self.height < task.released_at + self.protocol.params.reveal_window
        )

    def _expirable(self, task_id: int) -> bool:
        task = self.tasks[task_id]
        return (
            not task.expired
            and task.released_at is None
            and self.height >= task.release_height + self.protocol.params.release_window
        )

    @staticmethod
    def _choose(ids: list[int], allowed: list[int], pick: int, prefer_allowed: bool) -> int:
        # Random picks rarely land on the one task whose window is open right now;
        # preferring an allowed target half the time keeps both paths well exercised.
        pool = allowed if prefer_allowed and allowed else ids
        return sorted(pool)[pick % len(pool)]

    @precondition(lambda self: self.tasks)
    @rule(pick=st.integers(0, 10**6), prefer_allowed=st.booleans())
    def release(self, pick: int, prefer_allowed: bool) -> None:
        task_id = self._choose(list(self.tasks), [t for t in self.tasks if self._releasable(t)], pick, prefer_allowed)
        task = self.tasks[task_id]
        allowed = self._releasable(task_id)
        if not allowed:
            with boa.reverts():
                self.protocol.release(task.supplier, task_id)
            return
        self.protocol.release(task.supplier, task_id)
        task.released_at = self.height

    @precondition(lambda self: self.models)
    @rule(pick=st.integers(0, 10**6), prefer_allowed=st.booleans())
    def reveal(self, pick: int, prefer_allowed: bool) -> None:
        model_id = self._choose(
            list(self.models), [m for m in self.models if self._revealable(m)], pick, prefer_allowed
        )
        model = self.models[model_id]
        allowed = self._revealable(model_id)
        if not allowed:
            with boa.reverts():
                self.protocol.reveal(model.trainer, model_id, model.n)
            return
        self.protocol.reveal(model.trainer, model_id, model.n)
        model.revealed = True

    @precondition(lambda self: self.tasks)
    @rule(pick=st.integers(0, 10**6), prefer_allowed=st.booleans())
    def expire(self, pick: int, prefer_allowed: bool) -> None:
        task_id = self._choose(list(self.tasks), [t for t in self.tasks if self._expirable(t)], pick, prefer_allowed)
        task = self.tasks[task_id]
        allowed = self._expirable(task_id)
        if not allowed:
            with boa.reverts():
                self.protocol.pol.expire_task(task_id)
            return
        self.protocol.pol.expire_task(task_id)
        task.expired = True
        for model_id in task.models:
            model = self.models[model_id]
            self.owed[model.trainer] += model.fee
            self.escrowed -= model.fee
        self.escrowed -= task.escrow
        self.burned += task.escrow

    def _validator(self, who: int) -> tuple[str, ModelValidator]:
        address = sorted(self.validators)[who % len(self.validators)]
        return address, self.validators[address]

    @rule(who=st.integers(0, 2), amount_wkc=st.integers(0, 5))
    def top_up_bond(self, who: int, amount_wkc: int) -> None:
        address, validator = self._validator(who)
        amount = amount_wkc * WEI_PER_WKC
        with boa.env.prank(address):
            if amount == 0 or validator.exit_requested_at is not None:
                with boa.reverts():
                    self.protocol.pol.top_up_bond(amount)
                return
            self.protocol.pol.top_up_bond(amount)
        validator.bond += amount
        self.bonded += amount

    @rule(who=st.integers(0, 2))
    def request_exit(self, who: int) -> None:
        address, validator = self._validator(who)
        with boa.env.prank(address):
            if validator.exit_requested_at is not None:
                with boa.reverts("validators: not an active validator"):
                    self.protocol.pol.request_exit()
                return
            self.protocol.pol.request_exit()
        validator.exit_requested_at = self.height

    @rule(who=st.integers(0, 2))
    def withdraw_bond(self, who: int) -> None:
        address, validator = self._validator(who)
        allowed = (
            not validator.exited
            and validator.exit_requested_at is not None
            and self.height >= validator.exit_requested_at + self.protocol.params.exit_delay
        )
        with boa.env.prank(address):
            if not allowed:
                with boa.reverts():
                    self.protocol.pol.withdraw_bond()
                return
            self.protocol.pol.withdraw_bond()
        validator.exited = True
        self.bonded -= validator.bond
        self.owed[address] += validator.bond

    @rule(who=st.integers(0, 6))
    def withdraw(self, who: int) -> None:
        account = sorted(self.owed)[who]
        if self.owed[account] == 0:
            with boa.env.prank(account), boa.reverts("ledger: nothing owed"):
                self.protocol.pol.withdraw()
            return
        with boa.env.prank(account):
            assert self.protocol.pol.withdraw() == self.owed[account]
        self.owed[account] = 0

    def _balance(self, account: str) -> int:
        return int(self.protocol.token.balanceOf(account))

    @invariant()
    def contract_holds_exactly_what_it_owes(self) -> None:
        if not hasattr(self, "protocol"):
            return
        pol = self.protocol.pol
        assert self.protocol.token.balanceOf(pol.address) == pol.escrowed() + pol.bonded() + pol.credited()
        assert pol.escrowed() == self.escrowed
        assert pol.bonded() == self.bonded
        assert pol.credited() == sum(self.owed.values())
        for account, amount in self.owed.items():
            assert pol.owed(account) == amount
        assert self.protocol.token.totalSupply() == self.genesis_supply - self.burned


TestMoneyInvariant = MoneyInvariant.TestCase
TestMoneyInvariant.settings = settings(
    max_examples=50, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
