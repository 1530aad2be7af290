"""Attack 2 of issue 10: squatting another supplier's CID.

The attack: an adversary re-publishes an honest supplier's training-set CID in a
throw-away task and registers the object first, with a root of its choice. Before the
fix there was one object per CID, so the real data could never give weight and an
honest holder failed every challenge on it. Cost: a throw-away task's minimum reward
and hosting fee (burned when it expires).

Now objects are registered per task, only by the account the task knows for the CID
(docs/protocol.md §7.2): the squatter's object is its own task's, which that task's
committee rejects (deposit burned); the honest task registers and certifies its own
object, and the squatter cannot register in the honest task.
"""

from __future__ import annotations

import boa
import pytest

from tests.fixtures.actors import TRAIN_CID, Protocol, data_cid, object_bytes

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")


def test_a_squatted_cid_is_rejected_in_its_own_task_and_the_real_data_certified(protocol: Protocol) -> None:
    members = [protocol.new_member(label) for label in range(760, 763)]
    squatter, honest_supplier, trainer = protocol.new_account(), protocol.new_account(), protocol.new_account()
    real = object_bytes(760, 2_500)
    content = {TRAIN_CID: real, data_cid(760): object_bytes(761, 1_000)}

    # The squatter goes first, with the honest CID and a root of its choice.
    _, (squatted, _) = protocol.certify(
        squatter, trainer, members, content, n=760, roots={TRAIN_CID: (len(real), b"\x66" * 32)}
    )
    assert protocol.pol.stored_object(squatted).state == 3  # REJECTED in the squatter's task

    # In the honest task, only the honest supplier registers the CID.
    task_id = protocol.publish(honest_supplier, train_cid=TRAIN_CID, baseline_cid=data_cid(761))
    with boa.env.prank(squatter), boa.reverts("objects: CID not published by the caller in the task"):
        protocol.pol.register_object(task_id, TRAIN_CID, len(real), b"\x66" * 32)

    _, (honest, _) = protocol.certify(honest_supplier, trainer, members, content, n=761)
    assert protocol.pol.stored_object(honest).state == 2  # CERTIFIED: the real data gives weight
    holder = members[0][0]
    protocol.claim(holder, honest, real)
    assert protocol.committee.claim_slot(holder.address, honest) == 1
    protocol.assert_money_invariant()
