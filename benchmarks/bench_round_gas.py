"""Gas of a round on chain: register_object, open_round, propose, reveal_proposal, vote
and finalize.

Run: .venv/bin/python benchmarks/bench_round_gas.py [--members 4,16,64] [--models 10,100,256]
(about five minutes with the defaults: py-evm runs each BLS pairing in pure Python, and
every registration and proposal has one)

For each committee size (4, 16, 64 members) a fresh deployment registers exactly that
many validators (weights from bonds: no storage is certified before the first round),
with `committee_size` equal to the number of validators so that every one of them sits.
For each task size (10, 100 and 256 models, the MAX_MODELS_BOUND) a task is published,
its training set and baseline registered as objects, every model committed and
revealed, a round opened, every member commits and reveals, and `finalize` certifies
the two objects. One member votes on chain; the
quorum's other members' EIP-712 signatures are batched into `finalize`, with every
model genuine and every member genuine (the heaviest settlement: a full ranking to
check, a refund for the top quartile, three credits per valid validator).

Gas is as titanoboa reports it (`boa.env.get_gas_used()` after `reset_gas_used()`):
the message call's execution, external calls to the Committee and BLSVerifier
included. "As a transaction" adds 21,000 and the calldata (16 gas a non-zero byte, 4
a zero byte). Target: finalize under 15,000,000 gas for 256 models and 16 members.
"""

from __future__ import annotations

import argparse
from typing import Any

import boa
from rich.console import Console
from rich.table import Table

from tests.fixtures.actors import (
    BASELINE_CID,
    RANKING_CID,
    TRAIN_CID,
    Protocol,
    Validator,
    object_bytes,
    proposal_commitment,
    proposal_salt,
)
from tests.fixtures.boa_chain import deploy_on_boa
from tests.fixtures.rounds import ModelFacts, consensus_order, result_hash, sign_vote
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.crypto import object_commitment, quorum

COMMITTEES = (4, 16, 64)
TASK_SIZES = (10, 100, 256)
TRAINERS = 16
TARGET = 15_000_000
TRAIN_DATA = object_bytes(1, 4_096)
BASELINE_DATA = object_bytes(2, 2_048)


def calldata_gas(calldata: bytes) -> int:
    return sum(4 if byte == 0 else 16 for byte in calldata)


def measure(sender: str, function: Any, *args: Any) -> tuple[int, int]:
    """(execution gas, gas as a direct transaction) of one call from `sender`."""
    boa.env.reset_gas_used()
    with boa.env.prank(sender):
        function(*args)
    execution = boa.env.get_gas_used()
    return execution, execution + 21_000 + calldata_gas(function.prepare_calldata(*args))


def deployment(members: int) -> tuple[Protocol, list[tuple[Validator, bytes]], list[str]]:
    holder = boa.env.generate_address()
    protocol = Protocol(
        deployment=deploy_on_boa(
            holder, holder=holder, committee_size=members, max_models_per_task=256, propose_window=members + 4
        ),
        holder=holder,
    )
    supplier = protocol.new_account(amount=10_000 * WEI_PER_WKC)
    trainers = [protocol.new_account(amount=1_000 * WEI_PER_WKC) for _ in range(TRAINERS)]
    committee = [protocol.new_member(1_000 + n) for n in range(members)]
    protocol.mine(1)
    return protocol, committee, [supplier, *trainers]


def run_round(
    protocol: Protocol, committee: list[tuple[Validator, bytes]], people: list[str], models: int, first_n: int
) -> dict[str, tuple[int, int]]:
    supplier, trainers = people[0], people[1:]
    sizes = [1_000 + (n * 7) % 50 for n in range(models)]
    gas: dict[str, tuple[int, int]] = {}
    objects: list[tuple[int, int, bytes]] = []

    def register_objects(task_id: int) -> None:
        for cid, data in ((TRAIN_CID, TRAIN_DATA), (BASELINE_CID, BASELINE_DATA)):
            commitment = object_commitment(data)
            gas["register_object"] = measure(
                supplier, protocol.pol.register_object, task_id, cid, commitment.size, commitment.root
            )
            objects.append((protocol.pol.object_count(), commitment.size, commitment.root))

    task_id, model_ids = protocol.ready_task(
        supplier, trainers, models, first_n=first_n, train_cid=TRAIN_CID, sizes=sizes, after_publish=register_objects
    )
    gas["open_round"] = measure(supplier, protocol.pol.open_round)
    round_id = protocol.committee.active_round()
    protocol.draw_seed(round_id)
    hashes = {}
    for position, (validator, _) in enumerate(committee):
        chunk, path = protocol.storage_answer(validator, round_id)
        proof = protocol.vrf_proof(validator, round_id)
        hashes[validator.address] = ranking_hash = bytes([1 + position % 255]) * 32
        salt = proposal_salt(validator.address, round_id, 1)
        commitment = proposal_commitment(ranking_hash, RANKING_CID, validator.address, salt)
        cost = measure(validator.address, protocol.pol.propose, round_id, proof, chunk, path, commitment)
        if position == 0:
            gas["propose"] = cost
    protocol.to_reveal_window(round_id)
    for position, (validator, _) in enumerate(committee):
        salt = proposal_salt(validator.address, round_id, 1)
        cost = measure(
            validator.address, protocol.pol.reveal_proposal, round_id, hashes[validator.address], RANKING_CID, salt
        )
        if position == 0:
            gas["reveal_proposal"] = cost
    protocol.to_vote_window(round_id)

    facts = {}
    for model_id in model_ids:
        model = protocol.pol.model(model_id)
        facts[model_id] = ModelFacts(model_id, model.trainer, model.commitment, model.model_size, model.fee)
    ranking = consensus_order({m: 500_000 + (m * 37) % 1_000 for m in model_ids}, facts, metric=0)
    members = sorted((v.address for v, _ in committee), key=lambda a: int(a, 16))
    result = result_hash(round_id, 1, task_id, True, ranking, members, objects)
    needed = protocol.committee.round(round_id).quorum
    assert needed == quorum(len(committee) * 10_000, protocol.params.quorum_bps)
    keys = {v.address: key for v, key in committee}
    gas["vote"] = measure(members[0], protocol.pol.vote, round_id, result)
    chain_id = boa.env.evm.patch.chain_id
    signatures = [sign_vote(keys[m], chain_id, protocol.pol.address, round_id, 1, result) for m in members[1:needed]]
    gas["finalize"] = measure(
        supplier, protocol.pol.finalize, round_id, True, [e.as_tuple() for e in ranking], members, signatures, objects
    )
    assert protocol.task(task_id).state == 4
    protocol.assert_money_invariant()
    return gas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", default=",".join(map(str, COMMITTEES)), help="committee sizes, comma-separated")
    parser.add_argument("--models", default=",".join(map(str, TASK_SIZES)), help="task sizes, comma-separated")
    args = parser.parse_args()
    committees = [int(n) for n in args.members.split(",")]
    task_sizes = [int(n) for n in args.models.split(",")]
    console = Console()
    finalize = Table(
        title="finalize gas (every model and member genuine; quorum - 1 signatures batched, 1 vote on chain)"
    )
    for column in ("members", "quorum", "models", "execution", "as a transaction", "target"):
        finalize.add_column(column, justify="right")
    others = Table(title="other round calls (largest task)")
    for column in ("members", "call", "execution", "as a transaction"):
        others.add_column(column, justify="right")
    for members in committees:
        protocol, committee, people = deployment(members)
        for position, models in enumerate(sorted(task_sizes, reverse=True)):
            gas = run_round(protocol, committee, people, models, first_n=1_000 * position)
            needed = quorum(members * 10_000, protocol.params.quorum_bps)
            execution, transaction = gas["finalize"]
            target = "< 15M" if (members, models) == (16, 256) else ""
            verdict = ("ok" if transaction < TARGET else "OVER") if target else ""
            finalize.add_row(
                str(members),
                str(needed),
                str(models),
                f"{execution:,}",
                f"{transaction:,}",
                f"{target} {verdict}".strip(),
            )
            if models == max(task_sizes):
                for call in ("register_object", "open_round", "propose", "reveal_proposal", "vote"):
                    execution, transaction = gas[call]
                    others.add_row(str(members), call, f"{execution:,}", f"{transaction:,}")
            console.print(f"done: {members} members, {models} models")
    console.print(finalize)
    console.print(others)


if __name__ == "__main__":
    main()
