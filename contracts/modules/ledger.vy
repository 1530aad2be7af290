# pragma version ~=0.4.3
"""
@title Ledger: escrow, credits and pull payments
@custom:contract-name ledger
@license MIT
@notice Every WKC the Proof-of-Learning contract holds is either escrowed (a task's
        reward and hosting fee, a model's participation fee, not yet settled),
        bonded (a validator's stake) or credited (owed to an account, not yet
        withdrawn). Money moves only through the functions here, so the invariant
            token.balanceOf(this) == escrowed + bonded + credited
        holds after every call that touches protocol money. Payouts are credited,
        never pushed: an account takes what it is owed with `withdraw`, so a
        recipient that cannot receive never blocks a settlement.
"""

from ..interfaces import IWekaCoin


# @dev Why an account was credited, carried by `Credited` so that an auditor
# can rebuild every payout from the logs.
CREDIT_FEE_REFUND: constant(uint8) = 1
CREDIT_REWARD: constant(uint8) = 2
CREDIT_REWARD_RETURNED: constant(uint8) = 3
CREDIT_HOSTING_FEE: constant(uint8) = 4
CREDIT_FORFEITED_FEES: constant(uint8) = 5
CREDIT_ISSUANCE: constant(uint8) = 6
CREDIT_HOSTING_FEE_RETURNED: constant(uint8) = 7
CREDIT_BOND_RETURNED: constant(uint8) = 8
CREDIT_SLASH_REWARD: constant(uint8) = 9
CREDIT_DEPOSIT_RETURNED: constant(uint8) = 10

# @dev Where `_pull` puts the money it takes.
INTO_ESCROW: constant(bool) = False
INTO_BOND: constant(bool) = True


# @dev Emitted when `amount` becomes owed to `account` for `task_id` (0 for a
# returned bond); `reason` is one of the CREDIT_* codes.
event Credited:
    account: indexed(address)
    amount: uint256
    task_id: indexed(uint256)
    reason: uint8


# @dev Emitted when `account` takes the `amount` it was owed.
event Withdrawn:
    account: indexed(address)
    amount: uint256


# @dev Emitted when `amount` of escrowed WKC is destroyed for `task_id`, or
# `amount` of bonded WKC by a slash (`task_id` 0).
event Burned:
    task_id: indexed(uint256)
    amount: uint256


# @dev The WKC token; this contract is its only minter.
token: public(immutable(IWekaCoin))
# @dev WKC held for tasks and models that are not settled yet.
escrowed: public(uint256)
# @dev WKC staked by validators (docs/protocol.md §7.1), returned by `withdraw_bond`.
bonded: public(uint256)
# @dev WKC owed to accounts and not withdrawn yet: the sum of `owed`.
credited: public(uint256)
# @dev What the contract owes each account.
owed: public(HashMap[address, uint256])


@deploy
def __init__(token_: IWekaCoin):
    """
    @dev Fixes the token.
    @param token_ The WKC token.
    """
    token = token_


@external
def withdraw() -> uint256:
    """
    @notice Pays the caller everything the contract owes it.
    @return uint256 The amount paid.
    """
    amount: uint256 = self.owed[msg.sender]
    assert amount > 0, "ledger: nothing owed"
    self.owed[msg.sender] = 0
    self.credited -= amount
    assert extcall token.transfer(msg.sender, amount, default_return_value=True), "ledger: transfer failed"
    log Withdrawn(account=msg.sender, amount=amount)
    return amount


@internal
def _pull(payer: address, amount: uint256, into_bond: bool):
    """
    @dev Pulls `amount` WKC from `payer` (who approved this contract, or used
         `permit`) into escrow or into the bonded total. One helper for both, so
         that the checks and the transfer cannot drift apart.
    @param payer The account paying.
    @param amount The amount, in wei.
    @param into_bond `INTO_BOND` for a validator's stake, `INTO_ESCROW` for a
           task's or model's escrow.
    """
    assert staticcall token.balanceOf(payer) >= amount, "ledger: balance too low"
    assert staticcall token.allowance(payer, self) >= amount, "ledger: transfer not approved"
    if into_bond:
        self.bonded += amount
    else:
        self.escrowed += amount
    assert extcall token.transferFrom(payer, self, amount, default_return_value=True), "ledger: transfer failed"


@internal
def _return_bond(account: address, amount: uint256):
    """
    @dev Moves a validator's bond from the bonded total to what it is owed.
    @param account The validator.
    @param amount Its bond, in wei.
    """
    self.bonded -= amount
    self.owed[account] += amount
    self.credited += amount
    log Credited(account=account, amount=amount, task_id=0, reason=CREDIT_BOND_RETURNED)


@internal
def _slash(amount: uint256, reporter: address, reporter_share: uint256):
    """
    @dev Takes a slashed `amount` out of the bonded total: `reporter_share` is
         credited to `reporter` (reason 9), the rest burned.
    @param amount The amount slashed, in wei.
    @param reporter Who showed the offence (unused when the share is zero).
    @param reporter_share The reporter's part of `amount`, in wei.
    """
    self.bonded -= amount
    if reporter_share > 0:
        self.owed[reporter] += reporter_share
        self.credited += reporter_share
        log Credited(account=reporter, amount=reporter_share, task_id=0, reason=CREDIT_SLASH_REWARD)
    burned: uint256 = amount - reporter_share
    if burned > 0:
        extcall token.burn(burned)
        log Burned(task_id=0, amount=burned)


@internal
def _credit(account: address, amount: uint256, task_id: uint256, reason: uint8):
    """
    @dev Moves `amount` from escrow to what `account` is owed; nothing for zero.
    @param account The account credited.
    @param amount The amount, in wei.
    @param task_id The task the credit settles.
    @param reason The CREDIT_* code carried by `Credited`.
    """
    if amount == 0:
        return
    self.escrowed -= amount
    self.owed[account] += amount
    self.credited += amount
    log Credited(account=account, amount=amount, task_id=task_id, reason=reason)


@internal
def _burn(amount: uint256, task_id: uint256):
    """
    @dev Destroys `amount` of escrowed WKC; nothing for zero.
    @param amount The amount, in wei.
    @param task_id The task the burn settles.
    """
    if amount == 0:
        return
    self.escrowed -= amount
    extcall token.burn(amount)
    log Burned(task_id=task_id, amount=amount)


@internal
def _mint_to_escrow(amount: uint256):
    """
    @dev Mints `amount` new WKC into escrow, to be credited in the same call;
         nothing for zero.
    @param amount The amount, in wei.
    """
    if amount == 0:
        return
    self.escrowed += amount
    extcall token.mint(self, amount)
