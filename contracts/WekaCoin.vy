# pragma version ~=0.4.3
# pragma evm-version prague
"""
@title WekaCoin (WKC)
@custom:contract-name WekaCoin
@license MIT
@notice The ERC-20 token of WekaCoin Proof-of-Learning, with EIP-2612 `permit`.
        The Proof-of-Learning contract deploys this token from a blueprint in its
        own constructor, which makes it the token's only minter from the first
        block of the token's life: the minter role is never exported, so no
        account, not even the deployer, can ever mint or grant minting.
        The genesis supply goes to the holder the deployer names.
"""

from ethereum.ercs import IERC20
implements: IERC20

from ethereum.ercs import IERC20Detailed
implements: IERC20Detailed

from snekmate.tokens.interfaces import IERC20Permit
implements: IERC20Permit

from snekmate.auth import ownable
initializes: ownable

from snekmate.tokens import erc20
initializes: erc20[ownable := ownable]


# `set_minter`, `transfer_ownership` and `renounce_ownership` are deliberately not
# exported: the set of minters is fixed at construction to {Proof-of-Learning}.
exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.transfer,
    erc20.transferFrom,
    erc20.approve,
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    erc20.burn,
    erc20.burn_from,
    erc20.mint,
    erc20.is_minter,
)


@deploy
def __init__(genesis_holder: address, genesis_supply: uint256):
    """
    @notice Creates the token; `msg.sender` (the Proof-of-Learning contract)
            becomes its only minter and `genesis_supply` goes to `genesis_holder`.
    @param genesis_holder The account that receives the genesis supply.
    @param genesis_supply The genesis supply, in wei (18 decimals).
    """
    ownable.__init__()
    erc20.__init__("WekaCoin", "WKC", 18, "WekaCoin", "1")
    if genesis_supply > 0:
        erc20._mint(genesis_holder, genesis_supply)
