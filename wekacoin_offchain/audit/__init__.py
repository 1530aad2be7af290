"""`wekacoin audit`: replay a deployment's events and check every round by the rules.

`events` types the events, `replay.audit` is the pure audit, `reader` reads a live
deployment through ape.
"""
