# pragma version ~=0.4.3
# pragma evm-version prague
"""
@title BLS12-381 verifier for WekaCoin sortition
@custom:contract-name BLSVerifier
@license MIT
@notice Verifies minimal-signature-size BLS signatures (signatures in G1, keys in G2)
        of ciphersuite `BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_` with the Prague
        (EIP-2537) precompiles: the sortition VRF and validators' proofs of
        possession (docs/protocol.md §7.6 to §7.8). Points use the EIP-2537 encoding: G1 is
        128 bytes, G2 256 bytes, each coordinate 16 zero bytes and 48 big-endian bytes.
        Stateless: every function is a view, so the ProofOfLearning contract calls a
        single deployed instance and stays under the code-size limit. For the
        same reason it also recovers the signers of EIP-712 committee votes
        (`vote_signer`), which the Committee checks in `finalize` and in the
        evidence of an equivocation, and checks storage answers against the
        chunk tree (`verify_chunk`).
@dev Hash to G1 is RFC 9380 suite `BLS12381G1_XMD:SHA-256_SSWU_RO_`:
     expand_message_xmd with SHA-256 to 128 bytes, each 64-byte half reduced modulo p
     by MODEXP, each mapped by MAP_FP_TO_G1 (which also clears the cofactor; clearing
     is linear, so mapping, clearing and then adding is the RFC's add-then-clear),
     and the two points added with G1ADD. The PAIRING precompile checks that both
     the signature and the key are on their curves and in the prime-order subgroups,
     and rejects non-canonical field elements, so a point has one accepted encoding.
"""


from snekmate.utils import ecdsa
from snekmate.utils import message_hash_utils

from modules import chunk_merkle


# @dev EIP-712 type hash of a committee vote (docs/protocol.md §9.4), and the
# domain votes are signed in: ProofOfLearning's (its EIP712_NAME and
# EIP712_VERSION, its address as the verifying contract; a test holds the two
# domains equal).
VOTE_TYPEHASH: constant(bytes32) = keccak256("Vote(uint256 round_id,uint256 attempt,bytes32 result_hash)")
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
VOTE_DOMAIN_NAME: constant(String[50]) = "WekaCoin Proof-of-Learning"
VOTE_DOMAIN_VERSION: constant(String[20]) = "1"

# @dev Domain separation tags of the proof-of-possession ciphersuite.
SIGNATURE_DST: public(constant(Bytes[43])) = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_"
POSSESSION_DST: public(constant(Bytes[43])) = b"BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_"

# @dev Longest message `hash_to_g1` and `verify` take: the 517-byte RFC 9380 test
# vector with room to spare; the contract's own messages are 160 (VRF) and 276 (PoP).
MAX_MESSAGE_LENGTH: public(constant(uint256)) = 1_024
MAX_DST_LENGTH: constant(uint256) = 255

G1_LENGTH: constant(uint256) = 128
G2_LENGTH: constant(uint256) = 256

MODEXP: constant(address) = 0x0000000000000000000000000000000000000005
G1ADD: constant(address) = 0x000000000000000000000000000000000000000b
PAIRING: constant(address) = 0x000000000000000000000000000000000000000F
MAP_FP_TO_G1: constant(address) = 0x0000000000000000000000000000000000000010

# @dev MODEXP(base, 1, p) with a 64-byte base and a 64-byte modulus (p with 16 leading
# zero bytes): the 64-byte result is already an EIP-2537 field element.
# Header: base length 64, exponent length 1, modulus length 64.
MODEXP_HEADER: constant(Bytes[96]) = x"000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000040"
# Exponent 1, then the modulus p.
MODEXP_TAIL: constant(Bytes[65]) = x"01000000000000000000000000000000001a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab"

# @dev -g2, the negated G2 generator: e(sig, -g2) * e(H(m), pk) == 1 is the BLS check.
NEGATED_G2_GENERATOR: constant(Bytes[256]) = x"00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb80000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bcb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed"

# @dev expand_message_xmd: I2OSP(128, 2) || I2OSP(0, 1), after the message.
XMD_LENGTH_AND_ZERO: constant(Bytes[3]) = x"008000"


@external
@view
def hash_to_g1(message: Bytes[MAX_MESSAGE_LENGTH], dst: Bytes[MAX_DST_LENGTH]) -> Bytes[G1_LENGTH]:
    """
    @notice Hash a message to G1 per RFC 9380 suite `BLS12381G1_XMD:SHA-256_SSWU_RO_`.
    @dev For auditors and test vectors; `verify` uses the same internal function.
    @param message The message, at most `MAX_MESSAGE_LENGTH` bytes.
    @param dst The domain separation tag, 1 to 255 bytes.
    @return The point in EIP-2537 encoding (128 bytes).
    """
    assert len(dst) != 0, "bls: empty DST"
    return self._hash_to_g1(message, dst)


@external
@view
def verify(
    pubkey: Bytes[G2_LENGTH],
    message: Bytes[MAX_MESSAGE_LENGTH],
    signature: Bytes[G1_LENGTH],
    dst: Bytes[MAX_DST_LENGTH],
) -> bool:
    """
    @notice Verify a BLS signature (signature in G1, key in G2) under a domain tag.
    @param pubkey The public key, 256-byte EIP-2537 G2 encoding.
    @param message The signed message, at most `MAX_MESSAGE_LENGTH` bytes.
    @param signature The signature, 128-byte EIP-2537 G1 encoding.
    @param dst The domain separation tag, 1 to 255 bytes.
    @return True iff the signature is valid; False for a wrong signature and for a
            malformed, off-curve, non-subgroup or infinity key or signature.
    """
    assert len(dst) != 0, "bls: empty DST"
    return self._verify(pubkey, message, signature, dst)


@external
@view
def verify_possession(pubkey: Bytes[G2_LENGTH], account: address, proof: Bytes[G1_LENGTH]) -> bool:
    """
    @notice Check a proof of possession: a signature under `POSSESSION_DST` over
            the key's own 256-byte encoding followed by the 20 bytes of the
            account that registers it (docs/protocol.md §7.7).
    @param pubkey The public key being registered, 256-byte EIP-2537 G2 encoding.
    @param account The account registering the key.
    @param proof The proof of possession, 128-byte EIP-2537 G1 encoding.
    @return True iff the proof is valid for this key and this account.
    @custom:security Registering a key only with a valid proof stops rogue-key
                     attacks: no one can register a key whose secret they lack.
                     Signing the account stops anyone who sees the registration
                     from registering the key first under their own address.
    """
    return self._verify(pubkey, concat(pubkey, convert(account, bytes20)), proof, POSSESSION_DST)


@external
@view
def vrf_verify(
    pubkey: Bytes[G2_LENGTH],
    chain_id: uint256,
    contract: address,
    round_id: uint256,
    attempt: uint256,
    seed: bytes32,
    proof: Bytes[G1_LENGTH],
) -> bytes32:
    """
    @notice Verify a sortition VRF proof and return its output.
    @dev The proof is the BLS signature (under `SIGNATURE_DST`) over
         `abi_encode(chain_id, contract, round_id, attempt, seed)` (160 bytes);
         the output is `keccak256(proof)`. BLS signatures are unique, so the output
         is too. Reverts rather than returning a sentinel, so that no caller can
         mistake a failed check for an output of zero (which selects everyone).
    @param pubkey The validator's registered key, 256-byte EIP-2537 G2 encoding.
    @param chain_id The chain id the round runs on.
    @param contract The ProofOfLearning contract running the round.
    @param round_id The round.
    @param attempt The round's attempt (restarts draw a new seed).
    @param seed The round seed of this attempt.
    @param proof The VRF proof, 128-byte EIP-2537 G1 encoding.
    @return The 32-byte VRF output.
    """
    message: Bytes[160] = abi_encode(chain_id, contract, round_id, attempt, seed)
    assert self._verify(pubkey, message, proof, SIGNATURE_DST), "bls: invalid VRF proof"
    return keccak256(proof)


@external
@view
def vote_signer(verifying_contract: address, round_id: uint256, attempt: uint256, result_hash: bytes32, signature: Bytes[65]) -> address:
    """
    @notice The signer of an EIP-712 committee vote
            `Vote(uint256 round_id,uint256 attempt,bytes32 result_hash)`.
    @dev snekmate's `ecdsa._recover_sig`: 65-byte r || s || v, v 27 or 28, low s
         (no malleable second form); reverts (`ecdsa: invalid signature`) when
         no signer is recovered.
    @param verifying_contract ProofOfLearning, whose EIP-712 domain (on this
           chain) the vote is signed in.
    @param round_id The round voted in.
    @param attempt The attempt voted in.
    @param result_hash The result voted for.
    @param signature The 65-byte signature.
    @return address The signer.
    """
    domain_separator: bytes32 = keccak256(
        abi_encode(
            DOMAIN_TYPEHASH,
            keccak256(VOTE_DOMAIN_NAME),
            keccak256(VOTE_DOMAIN_VERSION),
            chain.id,
            verifying_contract,
        )
    )
    digest: bytes32 = message_hash_utils._to_typed_data_hash(
        domain_separator, keccak256(abi_encode(VOTE_TYPEHASH, round_id, attempt, result_hash))
    )
    return ecdsa._recover_sig(digest, signature)


@external
@pure
def verify_chunk(
    root: bytes32,
    size: uint256,
    index: uint256,
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
) -> bool:
    """
    @notice Whether `chunk` is chunk `index` of the object committed to by
            (`root`, `size`): the Committee's storage-answer check
            (`chunk_merkle._verify_chunk`, docs/sortition.md section 7).
    @param root The object's registered (size-bound) root.
    @param size The object's registered size in bytes.
    @param index The challenged chunk.
    @param chunk The chunk's bytes.
    @param path The sibling hashes from the leaf's level up.
    @return bool True iff the answer holds.
    """
    return chunk_merkle._verify_chunk(root, size, index, chunk, path)


@internal
@view
def _verify(
    pubkey: Bytes[G2_LENGTH],
    message: Bytes[MAX_MESSAGE_LENGTH],
    signature: Bytes[G1_LENGTH],
    dst: Bytes[MAX_DST_LENGTH],
) -> bool:
    """
    @dev One two-pair pairing check e(signature, -g2) * e(H(message), pubkey) == 1.
         The precompile fails (success false) for malformed or non-subgroup points;
         infinity passes its checks, so it is refused here first.
    @param pubkey The public key, 256-byte EIP-2537 G2 encoding.
    @param message The signed message.
    @param signature The signature, 128-byte EIP-2537 G1 encoding.
    @param dst The domain separation tag.
    @return bool True iff the signature verifies.
    """
    if len(pubkey) != G2_LENGTH or len(signature) != G1_LENGTH:
        return False
    if pubkey == empty(Bytes[G2_LENGTH]) or signature == empty(Bytes[G1_LENGTH]):
        return False
    success: bool = False
    response: Bytes[32] = b""
    success, response = raw_call(
        PAIRING,
        concat(signature, NEGATED_G2_GENERATOR, self._hash_to_g1(message, dst), pubkey),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    return success and len(response) == 32 and convert(response, uint256) == 1


@internal
@view
def _hash_to_g1(message: Bytes[MAX_MESSAGE_LENGTH], dst: Bytes[MAX_DST_LENGTH]) -> Bytes[G1_LENGTH]:
    """
    @dev RFC 9380 hash_to_curve for G1; expand_message_xmd with ell = 4 blocks.
    @param message The message.
    @param dst The domain separation tag (1 to 255 bytes, checked by the caller).
    @return Bytes The point, 128-byte EIP-2537 G1 encoding.
    """
    dst_prime: Bytes[MAX_DST_LENGTH + 1] = concat(dst, convert(convert(len(dst), uint8), bytes1))
    b0: bytes32 = sha256(concat(empty(bytes32), empty(bytes32), message, XMD_LENGTH_AND_ZERO, dst_prime))
    b1: bytes32 = sha256(concat(b0, x"01", dst_prime))
    b2: bytes32 = sha256(concat(self._xor(b0, b1), x"02", dst_prime))
    b3: bytes32 = sha256(concat(self._xor(b0, b2), x"03", dst_prime))
    b4: bytes32 = sha256(concat(self._xor(b0, b3), x"04", dst_prime))
    return raw_call(
        G1ADD,
        concat(self._map_to_g1(b1, b2), self._map_to_g1(b3, b4)),
        max_outsize=G1_LENGTH,
        is_static_call=True,
    )


@internal
@view
def _map_to_g1(high: bytes32, low: bytes32) -> Bytes[G1_LENGTH]:
    """
    @dev Reduce the 64-byte big-endian integer high || low modulo p (MODEXP with
         exponent 1) and map the field element to G1 (MAP_FP_TO_G1).
    @param high The first 32 bytes of the 64-byte integer.
    @param low The last 32 bytes.
    @return Bytes The mapped point (cofactor cleared), EIP-2537 G1 encoding.
    """
    field_element: Bytes[64] = raw_call(
        MODEXP, concat(MODEXP_HEADER, high, low, MODEXP_TAIL), max_outsize=64, is_static_call=True
    )
    return raw_call(MAP_FP_TO_G1, field_element, max_outsize=G1_LENGTH, is_static_call=True)


@internal
@pure
def _xor(a: bytes32, b: bytes32) -> bytes32:
    """
    @dev Bytewise XOR of two words (expand_message_xmd's strxor).
    @param a The first word.
    @param b The second word.
    @return bytes32 a XOR b.
    """
    return convert(convert(a, uint256) ^ convert(b, uint256), bytes32)
