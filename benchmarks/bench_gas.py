"""Gas of each ProofOfLearning call, as transactions on ape's local network.

Run: .venv/bin/python benchmarks/bench_gas.py [--rounds N]

Every number is `receipt.gas_used` of a real transaction (intrinsic gas and calldata
included) on ape's default local network (py-evm). Each round publishes a task, commits
three models, releases the test set and reveals them, and expires a second task with one
model; the trainers then withdraw. The table gives the median and range over all rounds.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from typing import Any

import ape
from ape.logging import logger
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.chain import deploy_contracts
from wekacoin_offchain.commitments import model_commitment, test_commitment

WKC = 10**18
TRAIN = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
TEST = "bafkreigsaaostlhxznntghdlhr3sl55xdleq4q4ejkmdsjzr3a4ggdzvwm"


def model_cid(n: int) -> str:
    return "bafkrei" + f"{n:052d}"


def measure(rounds: int) -> dict[str, list[int]]:
    gas: dict[str, list[int]] = defaultdict(list)

    def record(name: str, receipt: Any) -> None:
        gas[name].append(int(receipt.gas_used))

    with ape.networks.ethereum.local.use_provider("test"):
        accounts = ape.accounts.test_accounts
        deployer, supplier, *trainers = accounts[:5]
        deployment = deploy_contracts(deployer)
        pol, token, params = deployment.pol, deployment.token, deployment.parameters
        for account in (supplier, *trainers):
            token.transfer(account, 10_000 * WKC, sender=deployer)
            token.approve(pol.address, 2**256 - 1, sender=account)
        salt, n = bytes(32), 0
        for _ in range(rounds):
            release = ape.chain.blocks.height + 1 + params.min_training_period + 8
            args = (TRAIN, test_commitment(TEST, salt), 0, release, 50 * WKC, 5 * WKC, TRAIN, 333_333)
            receipt = pol.publish_task(*args, sender=supplier)
            record("publish_task", receipt)
            task_id = receipt.decode_logs(pol.TaskPublished)[0].task_id
            receipt = pol.publish_task(*args, sender=supplier)
            record("publish_task", receipt)
            doomed_id = receipt.decode_logs(pol.TaskPublished)[0].task_id
            models = []
            for trainer in trainers:
                n += 1
                receipt = pol.commit_model(
                    task_id, model_commitment(model_cid(n), trainer.address, salt), 900_000, sender=trainer
                )
                record("commit_model", receipt)
                models.append((receipt.decode_logs(pol.ModelCommitted)[0].model_id, trainer, n))
            n += 1
            record(
                "commit_model",
                pol.commit_model(
                    doomed_id, model_commitment(model_cid(n), trainers[0].address, salt), 1, sender=trainers[0]
                ),
            )
            ape.chain.mine(max(0, release - ape.chain.blocks.height - 1))
            record("release_test", pol.release_test(task_id, TEST, salt, sender=supplier))
            for model_id, trainer, number in models:
                record("reveal_model", pol.reveal_model(model_id, model_cid(number), salt, 10_000, sender=trainer))
            ape.chain.mine(params.release_window)
            record("expire_task", pol.expire_task(doomed_id, sender=supplier))
            record("withdraw", pol.withdraw(sender=trainers[0]))
    return gas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    logger.set_level("ERROR")
    table = Table(title=f"ProofOfLearning gas per transaction ({rounds} rounds, ape local network)")
    for column in ("call", "calls", "median", "min", "max"):
        table.add_column(column, justify="left" if column == "call" else "right")
    for name, values in measure(rounds).items():
        table.add_row(
            name, str(len(values)), f"{int(statistics.median(values)):,}", f"{min(values):,}", f"{max(values):,}"
        )
    Console().print(table)


if __name__ == "__main__":
    main()
