# pragma version ~=0.4.3
"""
@title Content identifiers
@custom:contract-name cid
@license MIT
@notice The contract stores CIDs as strings and checks only their length: the
        off-chain tools check the full syntax before sending a transaction, and
        validators fetch every CID, so a CID that resolves to nothing makes its
        task or model invalid rather than the chain inconsistent.
"""

# @dev The longest CID accepted. A CIDv1 in base32 with a SHA-256 multihash has
# 59 characters and a CIDv0 46; the margin admits longer hashes and bases. The
# ABI type of CID arguments is `String[128]`, so a CID of 101 to 128 characters
# reverts with the reason below and a longer one fails ABI decoding.
MAX_CID_LENGTH: constant(uint256) = 100


@internal
@pure
def _check(cid: String[128]):
    """
    @dev Reverts unless the CID has 1 to `MAX_CID_LENGTH` characters.
    @param cid The CID.
    """
    assert len(cid) > 0, "cid: empty CID"
    assert len(cid) <= MAX_CID_LENGTH, "cid: CID too long"
