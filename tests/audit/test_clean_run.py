"""A real run audits clean: every round and task by the rules, and the money invariant."""

from __future__ import annotations

from tests.audit.conftest import RecordedRun
from wekacoin_offchain.audit.replay import audit


def test_a_recorded_run_audits_clean(recorded_run: RecordedRun) -> None:
    report = audit(recorded_run.log, recorded_run.state, recorded_run.params)
    for verdict in report.verdicts:
        assert verdict.ok, (verdict.subject, verdict.mismatches)
    for check in report.global_checks:
        assert check.ok, (check.name, check.detail)
    assert report.clean
    outcomes = {(verdict.subject, verdict.task_id, verdict.outcome) for verdict in report.verdicts}
    assert outcomes == {
        ("round 1", recorded_run.settled_task, "finalized"),
        ("round 2", recorded_run.cancelled_task, "cancelled"),
        (f"task {recorded_run.expired_task}", recorded_run.expired_task, "expired"),
    }
