"""Votes, finalize and settlement (docs/protocol.md §9.4 to §9.6 and §10):
the result hash, the quorum of distinct members, the ranking checks, the payouts to the
wei, restarts and cancellation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import boa
import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from tests.fixtures.actors import Protocol, Validator
from tests.fixtures.boa_chain import deploy_on_boa
from tests.fixtures.rounds import (
    Entry,
    ModelFacts,
    TaskFacts,
    consensus_order,
    payouts,
    result_hash,
    sign_vote,
)

SIZES = [1_000, 2_000, 1_000, 1_000, 1_000]


@dataclass
class Arena:
    """A round in its vote window: five models (the last unrevealed), four members."""

    supplier: str
    trainers: list[str]
    task_id: int
    model_ids: list[int]
    round_id: int
    members: list[tuple[Validator, bytes]]

    @property
    def addresses(self) -> list[str]:
        return sorted((v.address for v, _ in self.members), key=lambda a: int(a, 16))

    def key_of(self, address: str) -> bytes:
        return next(key for v, key in self.members if v.address == address)


def build_arena(protocol: Protocol, metric: int = 0, labels: range = range(60, 64)) -> Arena:
    supplier = protocol.new_account()
    trainers = [protocol.new_account() for _ in range(3)]
    task_id, model_ids = protocol.ready_task(
        supplier, trainers, models=5, sizes=SIZES, unrevealed=frozenset({4}), metric=metric
    )
    members = [protocol.new_member(label) for label in labels]
    protocol.mine(1)
    round_id = int(protocol.pol.open_round())
    protocol.sit([(validator, keccak(validator.address.encode())) for validator, _ in members], round_id)
    return Arena(supplier, trainers, task_id, model_ids, round_id, members)


@pytest.fixture(scope="module")
def arena(protocol: Protocol) -> Iterator[Arena]:
    """A higher-is-better task (accuracy) in its vote window."""
    with boa.env.anchor():
        yield build_arena(protocol)


def model_facts(protocol: Protocol, model_ids: list[int]) -> dict[int, ModelFacts]:
    facts = {}
    for model_id in model_ids:
        model = protocol.pol.model(model_id)
        facts[model_id] = ModelFacts(
            model_id, model.trainer, model.commitment, model.model_size, model.fee, model.revealed_at != 0
        )
    return facts


def task_facts(protocol: Protocol, task_id: int) -> TaskFacts:
    task = protocol.task(task_id)
    return TaskFacts(task.supplier, task.reward, task.hosting_fee, task.baseline_score, task.metric)


def ranking_for(protocol: Protocol, arena: Arena, scores: dict[int, int | None]) -> list[Entry]:
    """The consensus order of the revealed models, `scores[m] = None` for not genuine."""
    return consensus_order(
        scores, model_facts(protocol, arena.model_ids[:4]), task_facts(protocol, arena.task_id).metric
    )


def result_of(
    protocol: Protocol, arena: Arena, task_valid: bool, ranking: list[Entry], genuine: list[str], attempt: int = 1
) -> bytes:
    return result_hash(arena.round_id, attempt, arena.task_id, task_valid, ranking, genuine)


def signature(
    protocol: Protocol, arena: Arena, member: str, result: bytes, round_id: int | None = None, attempt: int = 1
) -> bytes:
    chain_id = boa.env.evm.patch.chain_id
    return sign_vote(arena.key_of(member), chain_id, protocol.pol.address, round_id or arena.round_id, attempt, result)


def vote(protocol: Protocol, arena: Arena, member: str, result: bytes) -> None:
    with boa.env.prank(member):
        protocol.pol.vote(arena.round_id, result)


def finalize(
    protocol: Protocol,
    arena: Arena,
    task_valid: bool,
    ranking: list[Entry],
    genuine: list[str],
    signatures: list[bytes],
) -> None:
    protocol.pol.finalize(arena.round_id, task_valid, [e.as_tuple() for e in ranking], genuine, signatures, [])


def settle_and_check(
    protocol: Protocol,
    arena: Arena,
    task_valid: bool,
    ranking: list[Entry],
    genuine: list[str],
    signers: list[str],
    voters: tuple[str, ...] = (),
) -> None:
    """Vote and sign, finalize, and check every credit, the burn and the mint to the wei."""
    result = result_of(protocol, arena, task_valid, ranking, genuine)
    for member in voters:
        vote(protocol, arena, member, result)
    signatures = [signature(protocol, arena, member, result) for member in sorted(signers, key=lambda a: int(a, 16))]
    accounts = {arena.supplier, *arena.trainers, *arena.addresses}
    owed_before = {a: protocol.pol.owed(a) for a in accounts}
    supply_before = protocol.token.totalSupply()
    finalize(protocol, arena, task_valid, ranking, genuine, signatures)

    valid = [m for m in genuine if m in set(signers) | set(voters)]
    expected = payouts(
        task_facts(protocol, arena.task_id),
        list(model_facts(protocol, arena.model_ids).values()),
        task_valid,
        ranking,
        valid,
        protocol.params.refund_bps,
        protocol.params.round_issuance,
    )
    for account in accounts:
        assert protocol.pol.owed(account) - owed_before[account] == expected.owed(account), account
    assert protocol.token.totalSupply() == supply_before + expected.minted - expected.burned
    assert protocol.task(arena.task_id).state == 4  # SETTLED
    assert arena.task_id not in protocol.pol.open_task_ids()
    assert protocol.pol.escrowed() == 0
    protocol.assert_money_invariant()

    round_ = protocol.committee.round(arena.round_id)
    chain = keccak(
        encode(
            ["bytes32", "uint256", "uint256", "bytes32", "bytes32", "bytes32"],
            [b"\0" * 32, arena.round_id, arena.task_id, round_.seed, round_.committee_hash, result],
        )
    )
    assert protocol.pol.round_hash(arena.round_id) == chain
    assert protocol.committee.active_round() == 0


def test_a_valid_task_pays_reward_refunds_and_validators(protocol: Protocol, arena: Arena) -> None:
    m = arena.model_ids
    ranking = ranking_for(protocol, arena, {m[0]: 700_000, m[1]: 900_000, m[2]: 800_000, m[3]: None})
    assert [e.model_id for e in ranking] == [m[1], m[2], m[0], m[3]]
    members = arena.addresses
    settle_and_check(protocol, arena, True, ranking, members, signers=members[:2], voters=tuple(members[2:]))


def test_lower_is_better_metrics_rank_the_smallest_error_first() -> None:
    with boa.env.anchor():
        # A deployment of its own: the module's arena holds the active round.
        holder = boa.env.generate_address()
        protocol = Protocol(deployment=deploy_on_boa(holder, holder=holder), holder=holder)
        arena = build_arena(protocol, metric=4, labels=range(64, 67))  # RMSE
        m = arena.model_ids
        ranking = ranking_for(protocol, arena, {m[0]: 300_000, m[1]: 100_000, m[2]: 200_000, m[3]: None})
        assert [e.model_id for e in ranking[:3]] == [m[1], m[2], m[0]]
        members = arena.addresses
        reversed_ = [ranking[2], ranking[1], ranking[0], ranking[3]]
        result = result_of(protocol, arena, True, reversed_, members)
        with boa.reverts("settlement: genuine models out of order"):
            finalize(
                protocol, arena, True, reversed_, members, [signature(protocol, arena, a, result) for a in members]
            )
        # The baseline (333,333) is an error too: 100,000 beats it, so the reward goes to m[1]'s trainer.
        settle_and_check(protocol, arena, True, ranking, members, signers=members)
        assert protocol.pol.owed(arena.trainers[1]) >= protocol.task(arena.task_id).reward


def test_ties_go_to_the_smaller_model_then_the_product_rule(protocol: Protocol, arena: Arena) -> None:
    m = arena.model_ids
    scores: dict[int, int | None] = {m[0]: 800_000, m[1]: 800_000, m[2]: 800_000, m[3]: 800_000}
    ranking = ranking_for(protocol, arena, scores)
    # m[1] is the largest model, so last; the others tie on size and go by product.
    assert ranking[-1].model_id == m[1]
    facts = model_facts(protocol, m[:4])
    products = [
        (int(facts[e.model_id].trainer, 16) * int.from_bytes(facts[e.model_id].commitment, "big")) % 2**256
        for e in ranking[:3]
    ]
    assert products == sorted(products)
    members = arena.addresses
    swapped = [ranking[1], ranking[0], *ranking[2:]]
    result = result_of(protocol, arena, True, swapped, members)
    signatures = [signature(protocol, arena, a, result) for a in members]
    with boa.reverts("settlement: genuine models out of order"):
        finalize(protocol, arena, True, swapped, members, signatures)
    settle_and_check(protocol, arena, True, ranking, members, signers=members)


def test_a_best_model_below_the_baseline_returns_the_reward(protocol: Protocol, arena: Arena) -> None:
    m = arena.model_ids
    baseline = protocol.task(arena.task_id).baseline_score
    ranking = ranking_for(protocol, arena, {m[0]: baseline - 1, m[1]: None, m[2]: None, m[3]: baseline - 2})
    members = arena.addresses
    settle_and_check(protocol, arena, True, ranking, members, signers=members)
    assert protocol.pol.owed(arena.supplier) == protocol.task(arena.task_id).reward


def test_an_invalid_task_burns_the_reward_and_refunds_revealed_fees(protocol: Protocol, arena: Arena) -> None:
    m = arena.model_ids
    ranking = [Entry(model_id, False) for model_id in m[:4]]
    members = arena.addresses
    settle_and_check(protocol, arena, False, ranking, members, signers=members[:3])


def test_indivisible_amounts_leave_their_dust_with_the_lowest_address(protocol: Protocol, arena: Arena) -> None:
    m = arena.model_ids
    ranking = ranking_for(protocol, arena, {m[0]: 900_000, m[1]: 800_000, m[2]: None, m[3]: None})
    genuine = arena.addresses[:3]  # three shares of 5 WKC of hosting fee and 10 WKC of issuance
    assert protocol.task(arena.task_id).hosting_fee % 3 != 0
    settle_and_check(protocol, arena, True, ranking, genuine, signers=arena.addresses)


def test_without_valid_validators_the_hosting_fee_returns_and_fees_burn(protocol: Protocol, arena: Arena) -> None:
    m = arena.model_ids
    ranking = ranking_for(protocol, arena, {m[0]: 900_000, m[1]: None, m[2]: None, m[3]: None})
    settle_and_check(protocol, arena, True, ranking, [], signers=arena.addresses[:3])
    credits = protocol.pol.owed(arena.supplier)
    assert credits == protocol.task(arena.task_id).hosting_fee


def test_no_quorum_in_max_attempts_cancels_and_refunds_everyone(protocol: Protocol, arena: Arena) -> None:
    windows = protocol.attempt_blocks
    with boa.reverts("rounds: vote window still open"):
        protocol.pol.restart_round(arena.round_id)
    seeds = {protocol.committee.round(arena.round_id).seed}
    for attempt in range(2, protocol.params.max_attempts + 1):
        protocol.mine(windows)
        protocol.pol.restart_round(arena.round_id)
        round_ = protocol.committee.round(arena.round_id)
        assert (round_.attempt, round_.committee_hash, round_.proposals) == (attempt, b"\0" * 32, 0)
        seeds.add(protocol.draw_seed(arena.round_id))
    assert len(seeds) == protocol.params.max_attempts
    protocol.mine(windows)
    owed_before = {a: protocol.pol.owed(a) for a in [arena.supplier, *arena.trainers]}
    supply_before = protocol.token.totalSupply()
    protocol.pol.restart_round(arena.round_id)
    task = protocol.task(arena.task_id)
    assert task.state == 5  # CANCELLED
    assert protocol.pol.owed(arena.supplier) - owed_before[arena.supplier] == task.reward + task.hosting_fee
    fees = dict.fromkeys(arena.trainers, 0)
    for facts in model_facts(protocol, arena.model_ids).values():
        fees[facts.trainer] += facts.fee
    for trainer, fee in fees.items():
        assert protocol.pol.owed(trainer) - owed_before[trainer] == fee
    assert protocol.token.totalSupply() == supply_before
    assert protocol.pol.escrowed() == 0
    assert protocol.committee.active_round() == 0
    assert protocol.pol.round_hash(arena.round_id) != b"\0" * 32
    protocol.assert_money_invariant()


def test_votes_come_from_members_once_in_the_vote_window(protocol: Protocol, arena: Arena, supplier: str) -> None:
    member = arena.addresses[0]
    with boa.env.prank(supplier), boa.reverts("rounds: not a member of this attempt"):
        protocol.pol.vote(arena.round_id, b"\x01" * 32)
    with boa.env.prank(member):
        with boa.reverts("rounds: empty result hash"):
            protocol.pol.vote(arena.round_id, b"\0" * 32)
        protocol.pol.vote(arena.round_id, b"\x01" * 32)
        with boa.reverts("rounds: already voted"):
            protocol.pol.vote(arena.round_id, b"\x02" * 32)
    assert protocol.committee.votes_for(arena.round_id, 1, b"\x01" * 32) == 1
    protocol.mine(protocol.params.vote_window)
    with boa.env.prank(arena.addresses[1]), boa.reverts("rounds: vote window closed"):
        protocol.pol.vote(arena.round_id, b"\x01" * 32)


def test_no_vote_during_the_propose_window(protocol: Protocol, arena: Arena) -> None:
    windows = protocol.attempt_blocks
    protocol.mine(windows)
    protocol.pol.restart_round(arena.round_id)
    with boa.env.prank(arena.addresses[0]), boa.reverts("rounds: vote window not open yet"):
        protocol.pol.vote(arena.round_id, b"\x01" * 32)


@pytest.fixture
def agreed(protocol: Protocol, arena: Arena) -> tuple[list[Entry], list[str], bytes]:
    m = arena.model_ids
    ranking = ranking_for(protocol, arena, {m[0]: 700_000, m[1]: 900_000, m[2]: 800_000, m[3]: None})
    return ranking, arena.addresses, result_of(protocol, arena, True, ranking, arena.addresses)


def test_finalize_rejects_signatures_that_do_not_count(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes]
) -> None:
    ranking, members, result = agreed
    good = [signature(protocol, arena, a, result) for a in members]
    outsider_key = b"\x07" * 32
    outsider = [sign_vote(outsider_key, boa.env.evm.patch.chain_id, protocol.pol.address, arena.round_id, 1, result)]
    cases = {
        "rounds: below quorum": good[:2],
        "rounds: signers must ascend, each once": [good[0], good[0], good[1]],
        "rounds: signer is not a member of this attempt": outsider + good,
    }
    for reason, signatures in cases.items():
        with boa.reverts(reason):
            finalize(protocol, arena, True, ranking, members, signatures)
    for other in (
        signature(protocol, arena, members[0], result, round_id=arena.round_id + 1),
        signature(protocol, arena, members[0], result, attempt=2),
    ):
        # Signed for another round or attempt: it recovers to some other address.
        with boa.reverts():
            finalize(protocol, arena, True, ranking, members, [other, *good[1:3]])
    vote(protocol, arena, members[0], result)
    with boa.reverts("rounds: signer already voted on chain"):
        finalize(protocol, arena, True, ranking, members, good[:3])
    high_s = bytearray(good[1])
    high_s[32:64] = (
        0xFFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFE_BAAEDCE6_AF48A03B_BFD25E8C_D0364141
        - int.from_bytes(good[1][32:64], "big")
    ).to_bytes(32, "big")
    high_s[64] ^= 1
    with boa.reverts("ecdsa: invalid signature `s` value"):
        finalize(protocol, arena, True, ranking, members, [bytes(high_s), good[2]])
    with boa.reverts("rounds: a signature is 65 bytes"):
        finalize(protocol, arena, True, ranking, members, [good[1][:64], good[2]])
    with boa.reverts("ecdsa: invalid signature"):
        finalize(protocol, arena, True, ranking, members, [good[1][:64] + bytes([29]), good[2]])


def test_finalize_rejects_a_result_other_than_the_signed_one(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes]
) -> None:
    ranking, members, result = agreed
    signatures = [signature(protocol, arena, a, result) for a in members]
    # Any change to the payload changes the result hash: the signatures no longer count.
    with boa.reverts("rounds: signer is not a member of this attempt"):
        finalize(protocol, arena, False, ranking, members, signatures)
    with boa.reverts("rounds: signer is not a member of this attempt"):
        finalize(protocol, arena, True, ranking, members[:3], signatures)


def signed_finalize(
    protocol: Protocol, arena: Arena, task_valid: bool, ranking: list[Entry], genuine: list[str]
) -> None:
    result = result_of(protocol, arena, task_valid, ranking, genuine)
    finalize(
        protocol, arena, task_valid, ranking, genuine, [signature(protocol, arena, a, result) for a in arena.addresses]
    )


def test_finalize_rejects_incomplete_or_disordered_rankings(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes], supplier: str, trainers: list[str]
) -> None:
    ranking, members, _ = agreed
    m = arena.model_ids
    other_task, other_models = protocol.publish(supplier), []
    other_models.append(protocol.commit(trainers[0], other_task, 900))
    cases = {
        "settlement: ranking must list every revealed model": [ranking[:3], [*ranking, Entry(m[4], False)]],
        "settlement: ranking lists a model twice": [[*ranking[:3], ranking[0]]],
        "settlement: ranking lists an unrevealed model": [[*ranking[:3], Entry(m[4], False)]],
        "settlement: ranking lists a model of another task": [
            [*ranking[:3], Entry(other_models[0], False)],
            [*ranking[:3], Entry(10_000, False)],
        ],
        "settlement: genuine models come first": [[ranking[0], ranking[3], ranking[1], ranking[2]]],
        "settlement: genuine models out of order": [[ranking[1], ranking[0], *ranking[2:]]],
        "settlement: a model that is not genuine has score 0": [[*ranking[:3], replace(ranking[3], score=5)]],
        "settlement: an invalid task has no genuine model": [],
    }
    for reason, rankings in cases.items():
        for bad in rankings:
            with boa.reverts(reason):
                signed_finalize(protocol, arena, True, bad, members)
    with boa.reverts("settlement: an invalid task has no genuine model"):
        signed_finalize(protocol, arena, False, ranking, members)
    nongenuine_down = [Entry(m[3], False), Entry(m[2], False), Entry(m[1], False), Entry(m[0], False)]
    with boa.reverts("settlement: models that are not genuine must ascend by id"):
        signed_finalize(protocol, arena, False, nongenuine_down, members)


def test_genuine_members_are_members_in_ascending_order(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes], supplier: str
) -> None:
    ranking, members, _ = agreed
    with boa.reverts("rounds: genuine members must ascend, each once"):
        signed_finalize(protocol, arena, True, ranking, [members[1], members[0]])
    with boa.reverts("rounds: genuine members must ascend, each once"):
        signed_finalize(protocol, arena, True, ranking, [members[0], members[0]])
    outsider = sorted([*members, supplier], key=lambda a: int(a, 16))
    with boa.reverts("rounds: genuine member is not a member of this attempt"):
        signed_finalize(protocol, arena, True, ranking, outsider)


def test_a_round_finalizes_once_and_only_in_its_vote_window(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes]
) -> None:
    ranking, members, _ = agreed
    signed_finalize(protocol, arena, True, ranking, members)
    with boa.reverts("rounds: round not active"):
        signed_finalize(protocol, arena, True, ranking, members)
    with boa.reverts("rounds: round not active"):
        protocol.pol.restart_round(arena.round_id)


def test_finalize_after_the_vote_window_is_refused(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes]
) -> None:
    ranking, members, _ = agreed
    protocol.mine(protocol.params.vote_window)
    with boa.reverts("rounds: vote window closed"):
        signed_finalize(protocol, arena, True, ranking, members)


def test_settled_rounds_chain_into_the_next_seed(
    protocol: Protocol, arena: Arena, agreed: tuple[list[Entry], list[str], bytes], supplier: str, trainers: list[str]
) -> None:
    ranking, members, _ = agreed
    seed_1 = protocol.committee.round(arena.round_id).seed
    signed_finalize(protocol, arena, True, ranking, members)
    protocol.ready_task(supplier, trainers, models=1, first_n=500)
    probe = boa.loads("@external\n@view\ndef at(n: uint256) -> bytes32:\n    return blockhash(n)\n")
    opened_at = boa.env.evm.patch.block_number
    round_id = int(protocol.pol.open_round())
    assert seed_1 != b"\0" * 32
    # The seed comes from the hash of the block after the opening one (docs/protocol.md §7.4).
    seed_2 = protocol.draw_seed(round_id)
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256"],
            [seed_1, protocol.pol.round_hash(arena.round_id), probe.at(opened_at + 1), 1],
        )
    )
    assert seed_2 == expected
