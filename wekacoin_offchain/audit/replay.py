"""The audit proper: replay a deployment's events and check every round by the rules.

Pure: `audit` reads an `EventLog` and the few values a reader took from the contracts'
views (`ChainState`) and recomputes, with the consensus twins, what the chain must have
recorded (docs/protocol.md §10 and §13):

* per round, the seed of each attempt, the committee hash over the finalized attempt's
  proposals in log order, the result hash of the RoundFinalized payload and the round
  hash, each compared with the events and with the contract's `round_hash(i)`;
* per closed task (settled, cancelled, expired), every payout, compared credit by credit
  with the `Credited` events of that task, and what was burned;
* the money invariant: the token balance of ProofOfLearning equals escrowed + credited +
  bonded, each of those three rebuilt from the events, and per account the credits minus
  the withdrawals equal what the contract says it owes.

Each round is checked against the previous round as the chain recorded it (its last
seed in the events, its hash in the contract), so a broken link is reported in the round
where it breaks and not in every round after; when every link holds the whole chain does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from wekacoin_offchain.audit.events import (
    BondToppedUp,
    Burned,
    Credited,
    EventLog,
    ModelCommitted,
    ModelRevealed,
    ObjectJudged,
    ObjectRegistered,
    ProposalRevealed,
    Proposed,
    RoundCancelled,
    RoundFinalized,
    RoundOpened,
    RoundRestarted,
    RoundSettled,
    SeedDrawn,
    TaskCancelled,
    TaskExpired,
    TaskPublished,
    TaskSettled,
    ValidatorRegistered,
    Voted,
    Withdrawn,
)
from wekacoin_offchain.consensus.agreement import ModelFacts, Proposal, RankedModel, compute_consensus, result_hash
from wekacoin_offchain.consensus.payouts import (
    Credit,
    CreditReason,
    ModelStake,
    Settlement,
    TaskEscrow,
    settle_cancelled,
    settle_round,
)
from wekacoin_offchain.consensus.round_chain import ZERO_HASH, AcceptedProposal, committee_hash, round_hash, round_seed
from wekacoin_offchain.ml.metrics import UnknownMetric, metric_by_id


@dataclass(frozen=True)
class AuditParameters:
    """The protocol parameters payouts depend on (ProofOfLearning's getters)."""

    refund_bps: int
    round_issuance: int
    score_tolerance: int


@dataclass(frozen=True)
class ChainState:
    """What the contracts' views say now; everything else comes from the events."""

    pol_balance: int  # token.balanceOf(ProofOfLearning)
    escrowed: int
    credited: int
    bonded: int
    round_hashes: Mapping[int, bytes]  # round_hash(i) for every round in the log
    owed: Mapping[str, int]  # owed(account) for every account credited or paid in the log
    blockhashes: Mapping[int, bytes]  # blockhash(opened_at - 1) for every attempt in the log


@dataclass(frozen=True)
class Verdict:
    """The outcome of one round or one task closed without a round: ok iff no mismatch."""

    subject: str  # "round 3", "task 7"
    task_id: int
    outcome: str  # finalized, cancelled, in progress, expired
    mismatches: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what was or could not be checked beyond the chain

    @property
    def ok(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True)
class GlobalCheck:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class AuditReport:
    verdicts: tuple[Verdict, ...]  # rounds by id, then tasks expired without a round
    global_checks: tuple[GlobalCheck, ...]

    @property
    def clean(self) -> bool:
        return all(verdict.ok for verdict in self.verdicts) and all(check.ok for check in self.global_checks)


@dataclass
class _RoundEvents:
    """A round's events, gathered from the log in order."""

    attempts: list[RoundOpened | RoundRestarted] = field(default_factory=list)
    seeds: dict[int, bytes] = field(default_factory=dict)  # attempt -> the seed SeedDrawn recorded
    proposals: list[Proposed] = field(default_factory=list)
    reveals: list[ProposalRevealed] = field(default_factory=list)
    votes: list[Voted] = field(default_factory=list)
    finalized: RoundFinalized | None = None
    settled: RoundSettled | None = None
    cancelled: RoundCancelled | None = None


@dataclass
class _Tasks:
    """Each task's escrow, models and money movements, from the log."""

    published: dict[int, TaskPublished] = field(default_factory=dict)
    models: dict[int, list[ModelCommitted]] = field(default_factory=lambda: defaultdict(list))
    revealed: dict[int, int] = field(default_factory=dict)  # model id -> revealed size
    credits: dict[int, list[Credited]] = field(default_factory=lambda: defaultdict(list))
    burned: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    # Object deposits (docs/protocol.md §7.2): escrowed at registration, credited back or
    # burned by the task's judgement or end, apart from the task's payouts.
    deposits: dict[int, ObjectRegistered] = field(default_factory=dict)
    deposit_credits: int = 0
    deposit_burns: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    # Slashed bonds (task_id 0): the reporters' shares and the burns.
    slash_credits: int = 0
    slash_burns: int = 0


def audit(
    log: EventLog, state: ChainState, params: AuditParameters, documents: Mapping[str, bytes | None] | None = None
) -> AuditReport:
    """Replay every round and closed task of `log`; check the money invariant against `state`.

    `documents` (ranking CID -> the bytes a content store gave, None when it had none)
    lets the audit also re-run the agreement of every finalized round from its
    proposals' documents; without it the agreement is taken from the finalized payload.
    """
    rounds = _gather_rounds(log)
    tasks = _gather_tasks(log)
    audited_tasks: set[int] = set()
    minted = 0
    verdicts: list[Verdict] = []
    previous_seed, previous_hash = ZERO_HASH, ZERO_HASH
    for round_id in sorted(rounds):
        events = rounds[round_id]
        verdict, expected = _audit_round(
            round_id, events, tasks, state, params, documents, previous_seed, previous_hash
        )
        if round_id > 1 and round_id - 1 not in rounds:
            # Round i is linked to round i-1: without it the seed and hash chain cannot be followed.
            missing = f"round {round_id - 1} is not in the log: this round cannot be linked to it"
            verdict = replace(verdict, mismatches=(missing, *verdict.mismatches))
        verdicts.append(verdict)
        if expected is not None:
            audited_tasks.add(verdict.task_id)
            minted += expected.minted
        previous_seed = _final_seed(events)
        previous_hash = state.round_hashes.get(round_id, ZERO_HASH)
    for expired in log.of_type(TaskExpired):
        verdicts.append(_audit_expiry(expired, tasks))
        audited_tasks.add(expired.task_id)
    closed = {event.task_id for event in log if isinstance(event, TaskSettled | TaskCancelled | TaskExpired)}
    return AuditReport(tuple(verdicts), _global_checks(log, state, tasks, audited_tasks, closed, minted))


def _gather_rounds(log: EventLog) -> dict[int, _RoundEvents]:
    rounds: dict[int, _RoundEvents] = defaultdict(_RoundEvents)
    for event in log:
        if isinstance(event, RoundOpened | RoundRestarted):
            rounds[event.round_id].attempts.append(event)
        elif isinstance(event, SeedDrawn):
            rounds[event.round_id].seeds[event.attempt] = event.seed
        elif isinstance(event, Proposed):
            rounds[event.round_id].proposals.append(event)
        elif isinstance(event, ProposalRevealed):
            rounds[event.round_id].reveals.append(event)
        elif isinstance(event, Voted):
            rounds[event.round_id].votes.append(event)
        elif isinstance(event, RoundFinalized):
            rounds[event.round_id].finalized = event
        elif isinstance(event, RoundSettled):
            rounds[event.round_id].settled = event
        elif isinstance(event, RoundCancelled):
            rounds[event.round_id].cancelled = event
    return rounds


def _gather_tasks(log: EventLog) -> _Tasks:
    tasks = _Tasks()
    for event in log:
        if isinstance(event, TaskPublished):
            tasks.published[event.task_id] = event
        elif isinstance(event, ModelCommitted):
            tasks.models[event.task_id].append(event)
        elif isinstance(event, ModelRevealed):
            tasks.revealed[event.model_id] = event.model_size
        elif isinstance(event, ObjectRegistered):
            tasks.deposits[event.object_id] = event
        elif isinstance(event, ObjectJudged) and not event.certified:
            tasks.deposit_burns[event.task_id] += tasks.deposits[event.object_id].deposit
        elif isinstance(event, Credited) and event.reason == CreditReason.DEPOSIT_RETURNED:
            tasks.deposit_credits += event.amount
        elif isinstance(event, Credited) and event.reason == CreditReason.SLASH_REWARD:
            tasks.slash_credits += event.amount
        elif isinstance(event, Credited) and event.reason != CreditReason.BOND_RETURNED:
            tasks.credits[event.task_id].append(event)
        elif isinstance(event, Burned) and event.task_id == 0:
            tasks.slash_burns += event.amount
        elif isinstance(event, Burned):
            tasks.burned[event.task_id] += event.amount
    for task_id, amount in tasks.deposit_burns.items():
        tasks.burned[task_id] -= amount  # a rejected object's deposit is not the task's burn
    return tasks


def _final_seed(events: _RoundEvents) -> bytes:
    """The seed a round ended under, as recorded (its last attempt's)."""
    if events.finalized is not None:
        return events.finalized.seed
    if events.cancelled is not None:
        return events.cancelled.seed
    if events.attempts:
        return events.seeds.get(events.attempts[-1].attempt, ZERO_HASH)
    return ZERO_HASH


def _audit_round(
    round_id: int,
    events: _RoundEvents,
    tasks: _Tasks,
    state: ChainState,
    params: AuditParameters,
    documents: Mapping[str, bytes | None] | None,
    previous_seed: bytes,
    previous_hash: bytes,
) -> tuple[Verdict, Settlement | None]:
    """The round's verdict, and the settlement the rules give when its task was closed."""
    subject = f"round {round_id}"
    if not events.attempts:
        return Verdict(subject, 0, "unknown", ("no RoundOpened event: the log does not start early enough",)), None
    task_id = events.attempts[0].task_id
    mismatches, last_seed = _check_seeds(events, state.blockhashes, previous_seed, previous_hash)
    last = events.attempts[-1]
    recorded_hash = state.round_hashes.get(round_id, ZERO_HASH)
    expected: Settlement | None = None
    notes: tuple[str, ...] = ()

    if events.finalized is not None:
        outcome = "finalized"
        finalized = events.finalized
        mismatches += _check_same("task id", finalized.task_id, task_id)
        mismatches += _check_same("attempt", finalized.attempt, last.attempt)
        mismatches += _check_same("seed", finalized.seed, last_seed)
        proposals = [proposal for proposal in events.proposals if proposal.attempt == finalized.attempt]
        reveals = [reveal for reveal in events.reveals if reveal.attempt == finalized.attempt]
        committee = _check_committee(proposals, finalized.committee_hash, mismatches)
        result = _result_hash(finalized)
        mismatches += _check_same("result hash", finalized.result_hash, result)
        votes = {vote.member: vote.result_hash for vote in events.votes if vote.attempt == finalized.attempt}
        mismatches += _check_members(finalized, {reveal.member for reveal in reveals}, votes)
        expected_hash = round_hash(previous_hash, round_id, task_id, last_seed, committee, result)
        mismatches += _check_same("round hash in RoundFinalized", finalized.round_hash, expected_hash)
        if events.settled is None:
            mismatches.append("no RoundSettled event from the Committee")
        else:
            mismatches += _check_same("result hash in RoundSettled", events.settled.result_hash, result)
            mismatches += _check_same("round hash in RoundSettled", events.settled.round_hash, expected_hash)
        mismatches += _check_same("round_hash(i) in the contract", recorded_hash, expected_hash)
        expected = _expected_round_payouts(finalized, tasks, params, mismatches)
        if documents is not None:
            notes = (_check_agreement(finalized, reveals, tasks, params, documents, mismatches),)
    elif events.cancelled is not None:
        outcome = "cancelled"
        cancelled = events.cancelled
        mismatches += _check_same("attempt", cancelled.attempt, last.attempt)
        mismatches += _check_same("seed", cancelled.seed, last_seed)
        # A cancelled round still extends the chain, with zero committee and result hashes.
        expected_hash = round_hash(previous_hash, round_id, task_id, last_seed, ZERO_HASH, ZERO_HASH)
        mismatches += _check_same("round hash in RoundCancelled", cancelled.round_hash, expected_hash)
        mismatches += _check_same("round_hash(i) in the contract", recorded_hash, expected_hash)
        escrow, stakes = _escrow_and_stakes(task_id, tasks, mismatches)
        if escrow is not None:
            expected = settle_cancelled(task=escrow, models=stakes)
    else:
        outcome = "in progress"
        mismatches += _check_same("round_hash(i) of a round in progress", recorded_hash, ZERO_HASH)

    if expected is not None:
        mismatches += _compare_payouts(task_id, expected, tasks)
    return Verdict(subject, task_id, outcome, tuple(mismatches), notes), expected


def _check_seeds(
    events: _RoundEvents, blockhashes: Mapping[int, bytes], previous_seed: bytes, previous_hash: bytes
) -> tuple[list[str], bytes]:
    """seed = keccak256(seed_{i-1}, round_hash[i-1], blockhash(seed_block), attempt), per
    attempt, against the seed SeedDrawn recorded; returns the mismatches and the seed of
    the last attempt (the recomputed one; the recorded one, or zero, when its block hash
    is not available: a seed nobody drew may end as zero, docs/protocol.md §9.6)."""
    mismatches: list[str] = []
    last_seed = ZERO_HASH
    for number, attempt in enumerate(events.attempts, start=1):
        if attempt.attempt != number:
            mismatches.append(f"attempt {attempt.attempt} where attempt {number} was due")
        drawn = events.seeds.get(attempt.attempt)
        seed_hash = blockhashes.get(attempt.seed_block)
        if seed_hash is None:
            if drawn is not None:
                mismatches.append(f"attempt {attempt.attempt}: blockhash of block {attempt.seed_block} not available")
            last_seed = drawn if drawn is not None else ZERO_HASH
            continue
        last_seed = round_seed(previous_seed, previous_hash, seed_hash, attempt.attempt)
        if drawn is not None:
            mismatches += _check_same(f"seed of attempt {attempt.attempt}", drawn, last_seed)
    if (
        events.cancelled is not None
        and events.cancelled.seed == ZERO_HASH
        and not events.seeds.get(events.attempts[-1].attempt)
    ):
        last_seed = ZERO_HASH  # never drawn, and drawn too late to be known at cancellation
    return mismatches, last_seed


def _check_committee(proposals: Sequence[Proposed], recorded: bytes, mismatches: list[str]) -> bytes:
    """The committee hash over the attempt's proposals in log order, compared with the
    finalized one and with the running hash the last Proposed event carries. When the
    latter disagrees, the first proposal where the running hashes part is named too
    (prefix by prefix: quadratic, so only on that path)."""
    accepted = [AcceptedProposal(proposal.member, proposal.vrf_output, proposal.commitment) for proposal in proposals]
    expected = committee_hash(accepted)
    if proposals and proposals[-1].committee_hash != expected:
        for count, proposal in enumerate(proposals, start=1):
            running = committee_hash(accepted[:count])
            if proposal.committee_hash != running:
                mismatches += _check_same(
                    f"committee hash after {proposal.member}'s proposal", proposal.committee_hash, running
                )
                break
    mismatches += _check_same(f"committee hash over {len(accepted)} proposals", recorded, expected)
    return expected


def _result_hash(finalized: RoundFinalized) -> bytes:
    return result_hash(
        finalized.round_id,
        finalized.attempt,
        finalized.task_id,
        finalized.task_valid,
        finalized.ranking,
        finalized.genuine_members,
        finalized.storage,
    )


def _check_members(finalized: RoundFinalized, proposers: set[str], votes: Mapping[str, bytes]) -> list[str]:
    """Genuine members proposed in the attempt and ascend; valid validators are among them,
    and none voted on chain for another result (a member that voted on chain cannot also
    sign, so its on-chain vote is the one that counts)."""
    mismatches = []
    for name, members in (
        ("genuine members", finalized.genuine_members),
        ("valid validators", finalized.valid_validators),
    ):
        values = [int(member, 16) for member in members]
        if values != sorted(set(values)):
            mismatches.append(f"{name} do not ascend, each once")
    for member in finalized.genuine_members:
        if member not in proposers:
            mismatches.append(f"genuine member {member} did not reveal a proposal in attempt {finalized.attempt}")
    for validator in finalized.valid_validators:
        if validator not in finalized.genuine_members:
            mismatches.append(f"valid validator {validator} is not a genuine member")
        elif validator in votes and votes[validator] != finalized.result_hash:
            mismatches.append(f"valid validator {validator} voted on chain for another result")
    return mismatches


def _check_agreement(
    finalized: RoundFinalized,
    proposals: Sequence[ProposalRevealed],
    tasks: _Tasks,
    params: AuditParameters,
    documents: Mapping[str, bytes | None],
    mismatches: list[str],
) -> str:
    """Re-run the agreement (docs/protocol.md §9.3) over the attempt's proposals and their
    documents; the finalized result must be its result. Returns a note on what was done.

    A document this store does not have says nothing about whether the committee could
    fetch it, so a missing document skips the check instead of discarding the proposal.
    """
    missing = [proposal for proposal in proposals if documents.get(proposal.ranking_cid) is None]
    if missing:
        return f"agreement not re-run: the documents of {len(missing)} proposal(s) are not in the content store"
    published = tasks.published.get(finalized.task_id)
    if published is None:
        return "agreement not re-run: the task was never published"
    models = [
        ModelFacts(model.model_id, model.trainer, model.commitment, tasks.revealed[model.model_id])
        for model in tasks.models[finalized.task_id]
        if model.model_id in tasks.revealed
    ]
    try:
        consensus = compute_consensus(
            round_id=finalized.round_id,
            attempt=finalized.attempt,
            task_id=finalized.task_id,
            metric=metric_by_id(published.metric),
            tolerance=params.score_tolerance,
            models=models,
            proposals=[Proposal(p.member, p.ranking_hash, documents[p.ranking_cid]) for p in proposals],
        )
    except (ValueError, UnknownMetric) as exc:
        mismatches.append(f"agreement: cannot be run over the recorded proposals: {exc}")
        return "agreement re-run failed"
    mismatches += _check_same("agreement: task valid", finalized.task_valid, consensus.task_valid)
    mismatches += _check_same("agreement: ranking", _ranking_text(finalized.ranking), _ranking_text(consensus.ranking))
    mismatches += _check_same(
        "agreement: genuine members", list(finalized.genuine_members), list(consensus.genuine_members)
    )
    return f"agreement re-run from the documents of {len(proposals)} proposal(s), {len(consensus.discarded)} discarded"


def _ranking_text(ranking: Sequence[RankedModel]) -> str:
    return ", ".join(f"{entry.model_id}{'' if entry.genuine else ' (not genuine)'}: {entry.score}" for entry in ranking)


def _escrow_and_stakes(
    task_id: int, tasks: _Tasks, mismatches: list[str]
) -> tuple[TaskEscrow | None, list[ModelStake]]:
    published = tasks.published.get(task_id)
    if published is None:
        mismatches.append(f"task {task_id} has no TaskPublished event")
        return None, []
    escrow = TaskEscrow(
        published.supplier, published.reward, published.hosting_fee, published.baseline_score, published.metric
    )
    stakes = [
        ModelStake(model.model_id, model.trainer, model.fee, model.model_id in tasks.revealed)
        for model in tasks.models[task_id]
    ]
    return escrow, stakes


def _expected_round_payouts(
    finalized: RoundFinalized, tasks: _Tasks, params: AuditParameters, mismatches: list[str]
) -> Settlement | None:
    escrow, stakes = _escrow_and_stakes(finalized.task_id, tasks, mismatches)
    if escrow is None:
        return None
    try:
        return settle_round(
            task=escrow,
            models=stakes,
            task_valid=finalized.task_valid,
            ranking=finalized.ranking,
            valid_validators=finalized.valid_validators,
            refund_bps=params.refund_bps,
            round_issuance=params.round_issuance,
        )
    except (ValueError, UnknownMetric) as exc:
        mismatches.append(f"the finalized result cannot be settled by the rules: {exc}")
        return None


def expiry_settlement(task: TaskEscrow, models: Sequence[ModelStake]) -> Settlement:
    """A task whose test set was never released (docs/protocol.md §6.3): every participation
    fee back to its trainer, the reward and the hosting fee burned. The consensus package
    has no twin for it because no round is involved."""
    credits = tuple(Credit(stake.trainer, stake.fee, CreditReason.FEE_REFUND) for stake in models if stake.fee > 0)
    return Settlement(credits, burned=task.reward + task.hosting_fee, minted=0)


def _audit_expiry(expired: TaskExpired, tasks: _Tasks) -> Verdict:
    mismatches: list[str] = []
    escrow, stakes = _escrow_and_stakes(expired.task_id, tasks, mismatches)
    if escrow is not None:
        expected = expiry_settlement(escrow, stakes)
        mismatches += _check_same("burned in TaskExpired", expired.burned, expected.burned)
        mismatches += _compare_payouts(expired.task_id, expected, tasks)
    return Verdict(f"task {expired.task_id}", expired.task_id, "expired", tuple(mismatches))


def _compare_payouts(task_id: int, expected: Settlement, tasks: _Tasks) -> list[str]:
    """Credit by credit (as multisets: the order within a transaction is not a rule), and the burn."""
    wanted = Counter((credit.account, credit.amount, int(credit.reason)) for credit in expected.credits)
    made = Counter((credit.account, credit.amount, credit.reason) for credit in tasks.credits.get(task_id, []))
    mismatches = [
        f"credit missing: {amount} wei to {account} ({_reason(reason)})"
        for account, amount, reason in sorted((wanted - made).elements())
    ]
    mismatches += [
        f"credit not due: {amount} wei to {account} ({_reason(reason)})"
        for account, amount, reason in sorted((made - wanted).elements())
    ]
    mismatches += _check_same("wei burned", tasks.burned.get(task_id, 0), expected.burned)
    return mismatches


def _reason(reason: int) -> str:
    try:
        return CreditReason(reason).name.lower().replace("_", " ")
    except ValueError:
        return f"unknown reason {reason}"


def _check_same(what: str, recorded: object, expected: object) -> list[str]:
    if recorded == expected:
        return []
    return [f"{what}: chain has {_show(recorded)}, rules give {_show(expected)}"]


def _show(value: object) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


def _global_checks(
    log: EventLog, state: ChainState, tasks: _Tasks, audited: set[int], closed: set[int], minted: int
) -> tuple[GlobalCheck, ...]:
    credits = log.of_type(Credited)
    withdrawals = log.of_type(Withdrawn)
    escrow_in = sum(task.reward + task.hosting_fee for task in tasks.published.values())
    escrow_in += sum(model.fee for models in tasks.models.values() for model in models)
    escrow_in += sum(registered.deposit for registered in tasks.deposits.values())
    from_bonds = (CreditReason.BOND_RETURNED, CreditReason.SLASH_REWARD)
    escrow_out = sum(credit.amount for credit in credits if credit.reason not in from_bonds) + sum(
        tasks.burned.values()
    )
    escrow_out += sum(tasks.deposit_burns.values())
    bond_in = sum(event.bond for event in log.of_type(ValidatorRegistered)) + sum(
        event.amount for event in log.of_type(BondToppedUp)
    )
    bond_out = sum(credit.amount for credit in credits if credit.reason == CreditReason.BOND_RETURNED)
    bond_out += tasks.slash_credits + tasks.slash_burns
    credited = sum(credit.amount for credit in credits) - sum(withdrawal.amount for withdrawal in withdrawals)

    # Every task that was closed or moved money must be explained by an audited round or expiry.
    unexplained = sorted((closed | set(tasks.credits) | {t for t, amount in tasks.burned.items() if amount}) - audited)
    return (
        _sum_check(
            "escrowed",
            "published + fees + deposits + minted - credits - burns",
            escrow_in + minted - escrow_out,
            state.escrowed,
        ),
        _sum_check("bonded", "bonds + top-ups - returned bonds - slashes", bond_in - bond_out, state.bonded),
        _sum_check("credited", "credits - withdrawals", credited, state.credited),
        _sum_check(
            "token balance",
            "escrowed + credited + bonded",
            state.escrowed + state.credited + state.bonded,
            state.pol_balance,
        ),
        _owed_check(credits, withdrawals, state.owed),
        GlobalCheck(
            "every payout audited",
            not unexplained,
            "every task closed, credited or burned was replayed"
            if not unexplained
            else "tasks closed or paid that no audited round or expiry explains: " + ", ".join(map(str, unexplained)),
        ),
    )


def _sum_check(name: str, formula: str, from_events: int, from_contract: int) -> GlobalCheck:
    if from_events == from_contract:
        return GlobalCheck(name, True, f"{formula} = {from_contract} wei")
    return GlobalCheck(name, False, f"{formula} = {from_events} wei, contract has {from_contract} wei")


def _owed_check(credits: Sequence[Credited], withdrawals: Sequence[Withdrawn], owed: Mapping[str, int]) -> GlobalCheck:
    balance: dict[str, int] = defaultdict(int)
    for credit in credits:
        balance[credit.account] += credit.amount
    for withdrawal in withdrawals:
        balance[withdrawal.account] -= withdrawal.amount
    wrong = [
        f"{account}: credits - withdrawals = {amount} wei, owed {owed.get(account, 'not read')}"
        for account, amount in sorted(balance.items())
        if owed.get(account) != amount
    ]
    if wrong:
        return GlobalCheck("owed per account", False, "; ".join(wrong))
    return GlobalCheck("owed per account", True, f"credits - withdrawals = owed, for each of {len(balance)} account(s)")
