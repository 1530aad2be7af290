"""Content store: training data, test data, models and rankings, addressed by CID.

Two backends behind one interface (`ContentStore`), giving the CIDs `ipfs add` gives:

- `LocalBlockStore(root_dir)`: the embedded default, a directory of verified blocks;
- `KuboRpcStore(api)`: an IPFS daemon (kubo, or js-ipfs in tests) over its RPC API.

`parse_cid` / `is_cid` validate a CID string without touching any store (the chain
layer calls them before a transaction). Errors a user can fix are `StorageError`s,
subclasses of `wekacoin_offchain.errors.UserError`.
"""

from wekacoin_offchain.storage.backends import (
    DEFAULT_STORE_DIR,
    IPFS_API_ENV,
    STORE_DIR_ENV,
    default_store_dir,
    open_content_store,
)
from wekacoin_offchain.storage.base import ContentStore
from wekacoin_offchain.storage.cids import ContentId, canonical_cid, is_cid, parse_cid
from wekacoin_offchain.storage.errors import (
    ContentNotFoundError,
    ContentTooLargeError,
    CorruptBlockError,
    InvalidCidError,
    MissingFileError,
    StorageError,
    StoreUnavailableError,
    UnsupportedContentError,
)
from wekacoin_offchain.storage.kubo import DEFAULT_API, KuboRpcStore
from wekacoin_offchain.storage.layout import CHUNK_SIZE, MAX_LINKS
from wekacoin_offchain.storage.local import LocalBlockStore

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_API",
    "DEFAULT_STORE_DIR",
    "IPFS_API_ENV",
    "MAX_LINKS",
    "STORE_DIR_ENV",
    "ContentId",
    "ContentNotFoundError",
    "ContentStore",
    "ContentTooLargeError",
    "CorruptBlockError",
    "InvalidCidError",
    "KuboRpcStore",
    "LocalBlockStore",
    "MissingFileError",
    "StorageError",
    "StoreUnavailableError",
    "UnsupportedContentError",
    "canonical_cid",
    "default_store_dir",
    "is_cid",
    "open_content_store",
    "parse_cid",
]
