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


def test_the_agreement_is_not_rerun_without_the_documents(recorded_run: RecordedRun) -> None:
    # The recorded run's proposals name documents no store holds: a missing document is
    # no evidence against the round, so the audit says it could not re-run the agreement.
    report = audit(recorded_run.log, recorded_run.state, recorded_run.params, documents={})
    assert report.clean
    (round_1,) = [verdict for verdict in report.verdicts if verdict.subject == "round 1"]
    assert round_1.notes == ("agreement not re-run: the documents of 4 proposal(s) are not in the content store",)
