"""Settlement payouts (docs/protocol.md §10): the contract's twin.

Pure, integer-exact functions from a task's escrow and its consensus to every credit the
contract makes, in the order it makes them, plus what is burned and what is minted.
Nothing is lost or created: sum(credits) + burned == escrow + minted, where the escrow is
reward + hosting_fee + every model's fee.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils.address import to_checksum_address

from wekacoin_offchain.consensus.agreement import RankedModel
from wekacoin_offchain.ml.metrics import metric_by_id

BPS_DENOMINATOR = 10_000


class CreditReason(enum.IntEnum):
    """The `reason` of the ledger's `Credited` event: the one Python mirror of the
    CREDIT_* constants of contracts/modules/ledger.vy (a test compares them)."""

    FEE_REFUND = 1
    REWARD = 2
    REWARD_RETURNED = 3
    HOSTING_SHARE = 4
    FORFEITED_SHARE = 5
    ISSUANCE = 6
    HOSTING_RETURNED = 7  # CHOICE: no valid validator, or a cancelled task (docs/protocol.md §10.9)
    BOND_RETURNED = 8  # a validator's bond after its exit: bonded money, not a task's (task_id 0)
    SLASH_REWARD = 9  # the reporter's share of an equivocation slash (task_id 0, docs/protocol.md §9.8)
    DEPOSIT_RETURNED = 10  # an object deposit back: certified, or its task ended without a round (§7.2)


@dataclass(frozen=True)
class TaskEscrow:
    """What the supplier put in and what the task's score must beat."""

    supplier: str
    reward: int
    hosting_fee: int
    baseline_score: int
    metric_id: int


@dataclass(frozen=True)
class ModelStake:
    """One model of the task (revealed or not) and the participation fee it escrowed."""

    model_id: int
    trainer: str
    fee: int
    revealed: bool


@dataclass(frozen=True)
class Credit:
    account: str
    amount: int
    reason: CreditReason


@dataclass(frozen=True)
class Settlement:
    credits: tuple[Credit, ...]  # in the order the contract makes them
    burned: int
    minted: int


def settle_round(
    *,
    task: TaskEscrow,
    models: Sequence[ModelStake],
    task_valid: bool,
    ranking: Sequence[RankedModel],
    valid_validators: Sequence[str],
    refund_bps: int,
    round_issuance: int,
) -> Settlement:
    """Payouts of a finalized round.

    Credits come in this order: the reward (or its return), the fee refunds (in ranking
    order for a valid task, model-id order for an invalid one), then the hosting-fee
    shares, the forfeited-fee shares and the issuance shares, each in ascending
    validator address. Zero amounts are not credited (CHOICE: no empty Credited events; docs/protocol.md §10.9).
    """
    if not 0 <= refund_bps <= BPS_DENOMINATOR:
        raise ValueError("refund_bps must be between 0 and 10000")
    stakes = _by_model_id(models)
    for entry in ranking:
        if entry.model_id not in stakes or not stakes[entry.model_id].revealed:
            raise ValueError(f"ranked model {entry.model_id} is not a revealed model of the task")
    if len({entry.model_id for entry in ranking}) != len(ranking):
        raise ValueError("a model appears twice in the ranking")
    credits: list[Credit] = []
    burned = 0
    refunded: set[int] = set()

    if task_valid:
        ranked = [entry for entry in ranking if entry.genuine]
        if ranked and _at_least_as_good(task, ranked[0].score):
            winner = stakes[ranked[0].model_id].trainer
            credits.append(Credit(winner, task.reward, CreditReason.REWARD))
        else:
            credits.append(Credit(task.supplier, task.reward, CreditReason.REWARD_RETURNED))
        refund_count = -(-refund_bps * len(ranked) // BPS_DENOMINATOR)  # ceil, in integers
        refunded = {entry.model_id for entry in ranked[:refund_count]}
        for entry in ranked[:refund_count]:
            stake = stakes[entry.model_id]
            credits.append(Credit(stake.trainer, stake.fee, CreditReason.FEE_REFUND))
    else:
        burned += task.reward
        refunded = {model_id for model_id, stake in stakes.items() if stake.revealed}
        for model_id in sorted(refunded):
            stake = stakes[model_id]
            credits.append(Credit(stake.trainer, stake.fee, CreditReason.FEE_REFUND))

    forfeited = sum(stake.fee for model_id, stake in stakes.items() if model_id not in refunded)
    validators = _ascending_unique(valid_validators)
    if validators:
        credits += _split(task.hosting_fee, validators, CreditReason.HOSTING_SHARE)
        credits += _split(forfeited, validators, CreditReason.FORFEITED_SHARE)
        credits += _split(round_issuance, validators, CreditReason.ISSUANCE)
        minted = round_issuance
    else:
        # CHOICE (docs/protocol.md §10.6): no one earned the hosting fee, so it goes back to the supplier; the
        # forfeited fees have no one to go to and are burned; nothing is minted.
        credits.append(Credit(task.supplier, task.hosting_fee, CreditReason.HOSTING_RETURNED))
        burned += forfeited
        minted = 0
    return Settlement(_nonzero(credits), burned, minted)


def settle_cancelled(*, task: TaskEscrow, models: Sequence[ModelStake]) -> Settlement:
    """Payouts of a task cancelled after MAX_ATTEMPTS without quorum: everyone refunded.

    Order, as the contract makes them: every model's fee in model-id order, then the
    reward and the hosting fee.
    """
    credits = [
        Credit(stake.trainer, stake.fee, CreditReason.FEE_REFUND) for _, stake in sorted(_by_model_id(models).items())
    ]
    credits.append(Credit(task.supplier, task.reward, CreditReason.REWARD_RETURNED))
    credits.append(Credit(task.supplier, task.hosting_fee, CreditReason.HOSTING_RETURNED))
    return Settlement(_nonzero(credits), burned=0, minted=0)


def _at_least_as_good(task: TaskEscrow, score: int) -> bool:
    if metric_by_id(task.metric_id).higher_is_better:
        return score >= task.baseline_score
    return score <= task.baseline_score


def _by_model_id(models: Sequence[ModelStake]) -> dict[int, ModelStake]:
    stakes = {stake.model_id: stake for stake in models}
    if len(stakes) != len(models):
        raise ValueError("a model id appears twice among the task's models")
    return stakes


def _ascending_unique(accounts: Sequence[str]) -> list[str]:
    checksummed = {to_checksum_address(account) for account in accounts}
    if len(checksummed) != len(accounts):
        raise ValueError("a valid validator appears twice")
    return sorted(checksummed, key=lambda account: int(account, 16))


def _split(amount: int, validators: list[str], reason: CreditReason) -> list[Credit]:
    """Even shares of `amount`; CHOICE: the remainder (dust) goes to the lowest address (docs/protocol.md §10.5)."""
    share, dust = divmod(amount, len(validators))
    return [
        Credit(account, share + (dust if position == 0 else 0), reason) for position, account in enumerate(validators)
    ]


def _nonzero(credits: list[Credit]) -> tuple[Credit, ...]:
    """The credits worth making, with checksummed accounts."""
    return tuple(
        Credit(to_checksum_address(credit.account), credit.amount, credit.reason)
        for credit in credits
        if credit.amount > 0
    )
