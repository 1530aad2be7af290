"""Every kind of lie is caught, with a message that says what and where.

Each test takes the recorded run, changes one thing (an event in the log, a value the
contracts report, a parameter), and checks the audit names the mismatch in the right
round or global check.
"""

from __future__ import annotations

from dataclasses import replace

from tests.audit.conftest import RecordedRun
from wekacoin_offchain.audit.events import ChainEvent, Credited, EventLog, Proposed, RoundFinalized, Voted
from wekacoin_offchain.audit.replay import AuditReport, audit
from wekacoin_offchain.consensus.payouts import CreditReason


def tampered(run: RecordedRun, old: ChainEvent, new: ChainEvent | None) -> EventLog:
    """The log with `old` replaced by `new` (or dropped)."""
    return EventLog(event if event is not old else new for event in run.log if event is not old or new is not None)


def mismatches_of(report: AuditReport, subject: str) -> tuple[str, ...]:
    return next(verdict.mismatches for verdict in report.verdicts if verdict.subject == subject)


def failed_checks(report: AuditReport) -> dict[str, str]:
    return {check.name: check.detail for check in report.global_checks if not check.ok}


def test_a_changed_credit_amount_is_a_payout_and_a_money_mismatch(recorded_run: RecordedRun) -> None:
    reward = next(e for e in recorded_run.log.of_type(Credited) if e.reason == CreditReason.REWARD)
    report = audit(
        tampered(recorded_run, reward, replace(reward, amount=reward.amount + 1)),
        recorded_run.state,
        recorded_run.params,
    )
    assert not report.clean
    assert mismatches_of(report, "round 1") == (
        f"credit missing: {reward.amount} wei to {reward.account} (reward)",
        f"credit not due: {reward.amount + 1} wei to {reward.account} (reward)",
    )
    failed = failed_checks(report)
    assert set(failed) == {"escrowed", "credited", "owed per account"}
    assert failed["owed per account"].startswith(f"{reward.account}: credits - withdrawals = ")


def test_a_changed_ranking_entry_breaks_the_result_hash(recorded_run: RecordedRun) -> None:
    finalized = recorded_run.log.of_type(RoundFinalized)[0]
    first = finalized.ranking[0]
    ranking = (replace(first, score=first.score + 1), *finalized.ranking[1:])
    report = audit(
        tampered(recorded_run, finalized, replace(finalized, ranking=ranking)), recorded_run.state, recorded_run.params
    )
    mismatches = mismatches_of(report, "round 1")
    assert mismatches[0].startswith(f"result hash: chain has 0x{finalized.result_hash.hex()}, rules give 0x")
    # The round hashes recorded were made from the real result: they no longer follow either.
    assert [m.split(":")[0] for m in mismatches[1:]] == [
        "round hash in RoundFinalized",
        "result hash in RoundSettled",
        "round hash in RoundSettled",
        "round_hash(i) in the contract",
    ]
    assert mismatches_of(report, "round 2") == ()


def test_a_dropped_proposal_breaks_the_committee_hash(recorded_run: RecordedRun) -> None:
    finalized = recorded_run.log.of_type(RoundFinalized)[0]
    proposals = [p for p in recorded_run.log.of_type(Proposed) if p.attempt == finalized.attempt]
    # A genuine member's proposal that is not the last one: everything after it moves.
    position = next(i for i, p in enumerate(proposals[:-1]) if p.member in finalized.genuine_members)
    dropped = proposals[position]
    report = audit(tampered(recorded_run, dropped, None), recorded_run.state, recorded_run.params)
    mismatches = mismatches_of(report, "round 1")
    assert mismatches[0].startswith(f"committee hash after {proposals[position + 1].member}'s proposal: chain has ")
    assert any(m.startswith(f"committee hash over {len(proposals) - 1} proposals: chain has ") for m in mismatches)
    assert any(m.startswith("round hash in RoundFinalized: chain has ") for m in mismatches)
    assert any(m.startswith("round_hash(i) in the contract: chain has ") for m in mismatches)
    # Membership comes from the revealed proposals (docs/protocol.md §9.2), which stay.


def test_a_proposal_of_the_first_attempt_does_not_count(recorded_run: RecordedRun) -> None:
    # The committee hash covers the finalized attempt only: a proposal of attempt 1 moved
    # into attempt 2 is an extra proposal there.
    first = next(p for p in recorded_run.log.of_type(Proposed) if p.attempt == 1)
    report = audit(tampered(recorded_run, first, replace(first, attempt=2)), recorded_run.state, recorded_run.params)
    assert any(m.startswith("committee hash over 5 proposals") for m in mismatches_of(report, "round 1"))


def test_a_wrong_payout_rule_is_caught_credit_by_credit(recorded_run: RecordedRun) -> None:
    # The chain settled with refund_bps = 2500 (one refund of two ranked models); audited
    # with 10000 both ranked models would have had their fee back.
    report = audit(recorded_run.log, recorded_run.state, replace(recorded_run.params, refund_bps=10_000))
    mismatches = mismatches_of(report, "round 1")
    assert any(m.startswith("credit missing: ") and m.endswith("(fee refund)") for m in mismatches)
    assert any(m.startswith("credit not due: ") and m.endswith("(forfeited share)") for m in mismatches)
    assert mismatches_of(report, "round 2") == ()


def test_a_credit_to_the_wrong_account_is_caught(recorded_run: RecordedRun) -> None:
    refund = next(e for e in recorded_run.log.of_type(Credited) if e.task_id == recorded_run.expired_task)
    thief = "0x000000000000000000000000000000000000dEaD"
    report = audit(
        tampered(recorded_run, refund, replace(refund, account=thief)), recorded_run.state, recorded_run.params
    )
    assert mismatches_of(report, f"task {recorded_run.expired_task}") == (
        f"credit missing: {refund.amount} wei to {refund.account} (fee refund)",
        f"credit not due: {refund.amount} wei to {thief} (fee refund)",
    )
    assert set(failed_checks(report)) == {"owed per account"}


def test_a_seed_needs_the_right_parent_blockhash(recorded_run: RecordedRun) -> None:
    blockhashes = dict(recorded_run.state.blockhashes)
    first_open = min(blockhashes)
    blockhashes[first_open] = b"\x01" * 32
    report = audit(recorded_run.log, replace(recorded_run.state, blockhashes=blockhashes), recorded_run.params)
    assert mismatches_of(report, "round 1")[0].startswith("seed of attempt 1: chain has ")
    del blockhashes[first_open]
    report = audit(recorded_run.log, replace(recorded_run.state, blockhashes=blockhashes), recorded_run.params)
    assert mismatches_of(report, "round 1") == (f"attempt 1: blockhash of block {first_open} not available",)


def test_a_contract_round_hash_that_differs_from_the_events_is_caught(recorded_run: RecordedRun) -> None:
    round_hashes = {**recorded_run.state.round_hashes, 2: b"\x02" * 32}
    report = audit(recorded_run.log, replace(recorded_run.state, round_hashes=round_hashes), recorded_run.params)
    assert mismatches_of(report, "round 2")[0].startswith("round_hash(i) in the contract: chain has 0x0202")
    assert mismatches_of(report, "round 1") == ()


def test_a_token_balance_off_by_one_breaks_the_money_invariant(recorded_run: RecordedRun) -> None:
    state = replace(recorded_run.state, pol_balance=recorded_run.state.pol_balance - 1)
    report = audit(recorded_run.log, state, recorded_run.params)
    assert failed_checks(report) == {
        "token balance": f"escrowed + credited + bonded = {state.pol_balance + 1} wei, contract has {state.pol_balance} wei"
    }
    assert all(verdict.ok for verdict in report.verdicts)


def test_a_valid_validator_that_voted_for_another_result_is_caught(recorded_run: RecordedRun) -> None:
    vote = recorded_run.log.of_type(Voted)[0]
    report = audit(
        tampered(recorded_run, vote, replace(vote, result_hash=b"\x03" * 32)), recorded_run.state, recorded_run.params
    )
    assert mismatches_of(report, "round 1") == (f"valid validator {vote.member} voted on chain for another result",)


def test_a_log_without_the_previous_round_cannot_link_the_next(recorded_run: RecordedRun) -> None:
    without_round_1 = EventLog(event for event in recorded_run.log if getattr(event, "round_id", None) != 1)
    report = audit(without_round_1, recorded_run.state, recorded_run.params)
    mismatches = mismatches_of(report, "round 2")
    assert mismatches[0] == "round 1 is not in the log: this round cannot be linked to it"
    assert "every payout audited" in failed_checks(report)
