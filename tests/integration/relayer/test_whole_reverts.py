"""A settlement batch that simulated well and then reverted as a whole when mined was sent again as it was, for
ever, each attempt's gas paid by the operator (and the good trades in it never settled). Now a unit that reverted
goes alone, the others settle without it, and after MAX_WHOLE_REVERTS it is given up. The revert here is real: the
bad trade's batches are sent with less gas than they need, as a wrong estimate would (anvil mines them, reverted)."""

from __future__ import annotations

from relayer.settlement import MAX_WHOLE_REVERTS
from relayer.transactions import Simulation

from ..e2e.test_hybrid_loop import ALICE, BOB, Loop, with_a_bad_trade


def test_a_batch_reverting_whole_on_chain_is_split_and_its_bad_trade_given_up(loop: Loop) -> None:
    def out_of_gas(simulation: Simulation) -> Simulation:  # a wrong estimate: the chain runs out of gas, reverts all
        return Simulation(simulation.gas_limit // 3, simulation.access_list)

    first, bad, last, sent = with_a_bad_trade(loop, out_of_gas)
    for _ in range(16):
        loop.relayer.tick()

    statuses = {f.id: (f.status, f.failure) for f in loop.fills()}
    assert statuses[first][0] == statuses[last][0] == "settled"
    assert statuses[bad] == ("failed", f"settlement reverted on-chain {MAX_WHOLE_REVERTS} times")
    assert sent[0] == [first, bad, last]  # sent whole once, then the reverted unit alone, the others without it
    assert sent.count([bad]) == MAX_WHOLE_REVERTS - 1  # then given up: the operator pays for no more attempts
    assert all(batch in ([first, bad, last], [bad], [first], [last], [first, last]) for batch in sent)
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))
