"""WekaCoin: ERC-20 metadata, genesis, the single minter and EIP-2612 permit."""

from __future__ import annotations

import boa
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.fixtures.actors import Protocol
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.chain.params import Genesis


def test_metadata_and_genesis(protocol: Protocol) -> None:
    token = protocol.token
    assert (token.name(), token.symbol(), token.decimals()) == ("WekaCoin", "WKC", 18)
    assert token.totalSupply() == Genesis.supply
    assert token.balanceOf(protocol.holder) == Genesis.supply


def test_genesis_goes_to_the_named_holder_not_the_deployer() -> None:
    deployer, holder = boa.env.generate_address(), boa.env.generate_address()
    deployment = deploy_on_boa(deployer, holder=holder, supply=123)
    assert deployment.token.balanceOf(holder) == 123
    assert deployment.token.balanceOf(deployer) == 0


def test_only_proof_of_learning_mints(protocol: Protocol) -> None:
    token = protocol.token
    assert token.is_minter(protocol.pol.address)
    for account in (protocol.holder, boa.env.generate_address()):
        assert not token.is_minter(account)
        with boa.env.prank(account), boa.reverts("erc20: access is denied"):
            token.mint(account, 1)


@pytest.mark.parametrize("name", ["set_minter", "transfer_ownership", "renounce_ownership"])
def test_minter_role_cannot_be_changed(protocol: Protocol, name: str) -> None:
    assert not hasattr(protocol.token, name)


def test_permit_sets_allowance_from_a_signature(protocol: Protocol) -> None:
    owner = Account.create()
    spender = boa.env.generate_address()
    token = protocol.token
    deadline = boa.env.evm.patch.timestamp + 3_600
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "WekaCoin",
            "version": "1",
            "chainId": boa.env.evm.patch.chain_id,
            "verifyingContract": token.address,
        },
        "message": {"owner": owner.address, "spender": spender, "value": 77, "nonce": 0, "deadline": deadline},
    }
    signed = owner.sign_message(encode_typed_data(full_message=typed))
    token.permit(
        owner.address, spender, 77, deadline, signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
    )
    assert token.allowance(owner.address, spender) == 77
    assert token.nonces(owner.address) == 1
    with boa.reverts("erc20: invalid signature"):  # replaying the signature: the nonce moved on
        token.permit(
            owner.address, spender, 77, deadline, signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
        )
