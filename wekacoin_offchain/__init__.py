"""WekaCoin Proof-of-Learning: the off-chain half (agents, content store, models, crypto)."""

__version__ = "0.1.0"
