"""A real run on titanoboa, recorded: the events every audit test starts from.

One deployment, four validators, and three tasks that end the three ways a task can
end: task A settled by round 1 in its second attempt (the first had no votes), task B
cancelled by round 2 after `max_attempts` attempts without a proposal, task C expired
because its test set was never released; then withdrawals, a bond top-up and a bond
returned to an exiting validator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boa
import pytest
from eth_hash.auto import keccak

from tests.audit.boa_log import BoaRecording, recording
from tests.fixtures.actors import TRAIN_CID, Protocol, Validator, object_bytes
from tests.fixtures.boa_chain import deploy_on_boa
from tests.fixtures.rounds import ModelFacts, consensus_order, result_hash, sign_vote
from wekacoin_offchain.audit.events import Credited, EventLog, Withdrawn
from wekacoin_offchain.audit.replay import AuditParameters, ChainState
from wekacoin_offchain.crypto import object_commitment

TRAIN_DATA = object_bytes(11, 2_500)


@dataclass(frozen=True)
class RecordedRun:
    log: EventLog
    state: ChainState
    params: AuditParameters
    settled_task: int
    cancelled_task: int
    expired_task: int


def chain_state(protocol: Protocol, log: EventLog, blockhashes: dict[int, bytes]) -> ChainState:
    """What `wekacoin_offchain.audit.reader` reads through ape, read through boa."""
    pol = protocol.pol
    accounts = {event.account for event in log if isinstance(event, Credited | Withdrawn)}
    return ChainState(
        pol_balance=protocol.token.balanceOf(pol.address),
        escrowed=pol.escrowed(),
        credited=pol.credited(),
        bonded=pol.bonded(),
        round_hashes={
            round_id: bytes(pol.round_hash(round_id)) for round_id in range(1, protocol.committee.round_count() + 1)
        },
        owed={account: pol.owed(account) for account in accounts},
        blockhashes=blockhashes,
    )


def settle_in_second_attempt(
    protocol: Protocol, members: list[tuple[Validator, bytes]], supplier: str, trainers: list[str]
) -> int:
    object_ids: list[int] = []
    task_id, model_ids = protocol.ready_task(
        supplier,
        trainers,
        models=4,
        sizes=[1_000, 2_000, 1_000, 1_000],
        unrevealed=frozenset({3}),
        # The training set, registered as a stored object the round certifies (§7.2).
        after_publish=lambda task: object_ids.append(protocol.register_object(supplier, task, TRAIN_CID, TRAIN_DATA)),
    )
    with boa.env.prank(members[0][0].address):
        protocol.pol.top_up_bond(5 * 10**18)
    protocol.mine(1)
    round_id = int(protocol.pol.open_round())
    protocol.sit([(v, keccak(b"attempt 1" + v.address.encode())) for v, _ in members], round_id)
    protocol.mine(protocol.params.vote_window)
    protocol.pol.restart_round(round_id)
    protocol.sit([(v, keccak(b"attempt 2" + v.address.encode())) for v, _ in members], round_id)
    commitment = object_commitment(TRAIN_DATA)
    storage = [(object_ids[0], commitment.size, commitment.root)]

    facts = {}
    for model_id in model_ids[:3]:
        model = protocol.pol.model(model_id)
        facts[model_id] = ModelFacts(model_id, model.trainer, model.commitment, model.model_size, model.fee)
    ranking = consensus_order({model_ids[0]: 700_000, model_ids[1]: 900_000, model_ids[2]: None}, facts, metric=0)
    addresses = sorted((validator.address for validator, _ in members), key=lambda a: int(a, 16))
    genuine = addresses[:3]
    result = result_hash(round_id, 2, task_id, True, ranking, genuine, storage)
    key_of = {validator.address: key for validator, key in members}
    with boa.env.prank(addresses[0]):
        protocol.pol.vote(round_id, result)
    signers = addresses[1:]  # the last one signs but is not genuine: not a valid validator
    chain_id = boa.env.evm.patch.chain_id
    signatures = [sign_vote(key_of[a], chain_id, protocol.pol.address, round_id, 2, result) for a in signers]
    protocol.pol.finalize(round_id, True, [entry.as_tuple() for entry in ranking], genuine, signatures, storage)
    return task_id


def cancel_after_max_attempts(protocol: Protocol, supplier: str, trainers: list[str]) -> int:
    task_id, _ = protocol.ready_task(supplier, trainers, models=2, first_n=10)
    round_id = int(protocol.pol.open_round())
    for _ in range(protocol.params.max_attempts):
        protocol.mine(protocol.attempt_blocks)
        protocol.pol.restart_round(round_id)
    assert protocol.task(task_id).state == 5  # CANCELLED
    return task_id


def expire_unreleased(protocol: Protocol, supplier: str, trainer: str) -> int:
    task_id = protocol.publish(supplier)
    protocol.commit(trainer, task_id, 20)
    protocol.mine_to(protocol.task(task_id).release_height + protocol.params.release_window)
    protocol.pol.expire_task(task_id)
    return task_id


@pytest.fixture(scope="package")
def recorded_run() -> Iterator[RecordedRun]:
    with boa.env.anchor():
        holder = boa.env.generate_address()
        protocol = Protocol(deployment=deploy_on_boa(boa.env.generate_address(), holder=holder), holder=holder)
        record: BoaRecording
        with recording(protocol.pol, protocol.committee) as record:
            supplier = protocol.new_account()
            trainers = [protocol.new_account() for _ in range(3)]
            members = [protocol.new_member(label) for label in range(70, 74)]
            settled = settle_in_second_attempt(protocol, members, supplier, trainers)
            cancelled = cancel_after_max_attempts(protocol, supplier, trainers)
            expired = expire_unreleased(protocol, supplier, trainers[0])

            leaving = members[3][0].address
            with boa.env.prank(leaving):
                protocol.pol.request_exit()
            protocol.mine(protocol.params.exit_delay)
            with boa.env.prank(leaving):
                protocol.pol.withdraw_bond()
                protocol.pol.withdraw()
            for account in (supplier, trainers[1], members[0][0].address):
                with boa.env.prank(account):
                    protocol.pol.withdraw()
        log = record.log()
        params = AuditParameters(
            refund_bps=protocol.params.refund_bps,
            round_issuance=protocol.params.round_issuance,
            score_tolerance=protocol.params.score_tolerance,
        )
        yield RecordedRun(log, chain_state(protocol, log, record.blockhashes), params, settled, cancelled, expired)
