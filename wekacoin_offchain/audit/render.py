"""An audit report as rich tables, for the command line and the main job."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from wekacoin_offchain.audit.replay import AuditReport


def report_tables(report: AuditReport, height: int, events: int) -> list[Table]:
    """One row per round (and expired task), then one per global check."""
    verdicts = Table(title=f"rounds and tasks ({events} events up to block {height})")
    for column in ("", "task", "outcome", "verdict"):
        verdicts.add_column(column)
    for verdict in report.verdicts:
        # Text, not markup: a mismatch message is data and may hold brackets.
        text = Text("ok", style="green") if verdict.ok else Text("\n".join(verdict.mismatches), style="red")
        for note in verdict.notes:
            text.append("\n" + note, style="dim")
        verdicts.add_row(verdict.subject, str(verdict.task_id), verdict.outcome, text)
    checks = Table(title="money and payouts")
    for column in ("check", "verdict", "detail"):
        checks.add_column(column)
    for check in report.global_checks:
        checks.add_row(
            check.name, Text("ok", style="green") if check.ok else Text("mismatch", style="red"), Text(check.detail)
        )
    return [verdicts, checks]
