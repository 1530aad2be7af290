"""Protocol size caps: the most bytes a member reads for each kind of content.

Content is fetched by CID from peers the member does not trust; a root block may name a
file of any size (a few hundred KB of UnixFS blocks can name a terabyte). Every fetch of
task content passes one of these caps (or the revealed `model_size`, itself capped) as
the store's `max_size`, which is checked against the file size the root block declares
before any data is read (docs/protocol.md §1.4, docs/storage.md).
"""

from __future__ import annotations

MIB = 1 << 20

MAX_DATASET_SIZE = 128 * MIB
"""A published training or test file. Parsing holds about twice this (docs/evaluation.md)."""

MAX_MODEL_SIZE = 256 * MIB
"""A trainer's ONNX model; a validator reads exactly the revealed `model_size`, at most this."""

MAX_MODELS_BOUND = 256
"""The most models a task holds: contracts/modules/parameters.vy (mirrored in chain/params.py)."""

MAX_RANKING_DOCUMENT_SIZE = 32 * (6 + 3 * MAX_MODELS_BOUND)
"""The ABI encoding of a candidate ranking with MAX_MODELS_BOUND entries: four head words,
the entries' offset and length, and three words per entry (consensus/documents.py)."""
