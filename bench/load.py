"""Load benchmark: simulated Telegram users against four bots, through the loopback Bot API.

What is measured, and why
-------------------------
Issue 8 asks whether civicbot can grow from one process on SQLite to several webhook workers on
PostgreSQL without losing, doubling or reordering anything, and what that costs next to the
lightest possible bot. One run measures four setups on the same terms:

  (a) a minimal python-telegram-bot echo bot (below): replies to every message with its text,
      answers every button press and sends "pressed <data>";
  (b) civicbot on SQLite, one process;
  (c) civicbot on PostgreSQL, one worker;
  (d) civicbot on PostgreSQL, two workers (`civicbot run --webhook --workers 2`).

Every setup is fed by webhook: the benchmark plays Telegram, POSTing each update with the secret
header over a pool of keep-alive connections (40 by default, Telegram's default
`max_connections`); each bot answers 200 only after the update is handled. Replies go to the
fake Bot API of the test suite (bot/testing/fakebotapi) on loopback, which records every call. The
outgoing request limiter is off in every bot (civicbot: telegram.overall_per_second 0; the echo
bot has none) and the per-person inbound limit is raised (limits.burst 100000), because
simulated users are far faster than people.

Each simulated user follows a seeded plan of interactions: lessons (/lessons, open a lesson,
turn its cards, take its quiz answering by pressing the buttons of the bot's last message, or
typing short answers), claims (bundled fact-check claims the matcher answers, and unmatched
texts sent on to the editors) and /progress now and then. A user sends its next update only
after the previous one was answered, many users at once. The echo bot gets the same sequence of
messages and button presses (its presses carry the verb and argument as data).

Per setup it reports:
  updates/s    updates handled / wall time of the run (all users, first POST to last answer);
  p50/p95      reply latency: webhook POST sent -> the update's last reply seen at the fake;
  errors       webhook attempts that failed (non-200, reset, timeout; re-sent like Telegram),
               calls the fake refused, apologies ("something went wrong"), "stale button"
               replies (the bot saw a state other than the one the user saw), "send the claim
               again" replies (the bot no longer held a claim the user asked to send to the
               editors), plan steps whose button was missing from the bot's last message;
  lost         updates after which no message was sent or edited;
  duplicated   identical replies sent twice for one update, plus replies produced when a
               sample of already handled updates is re-delivered (twice each, concurrently),
               as Telegram does when it misses a 200;
  order        per-chat order violations: a reply that reached the fake outside its update's
               window (after the 200, or while the next update was in flight), or a button
               tag (the per-user step counter in stateful buttons) going backwards;
  ratios       each civicbot figure divided by the echo bot's in the same run;
  CPU          per update, from /proc: the bench process (fake Bot API + simulated users),
               the bot's processes, PostgreSQL, and the rest of the machine (kernel, other
               people's work: the machine is shared, so its load before each setup is shown);
  database     for the civicbot setups, rows in answers, lesson_progress, check_events,
               queued_claims, feedback and users against what the simulated users did.

Before the setups it measures the fake's own ceiling (sendMessage hammered from another
process), so a reader can tell whether the harness, not the bot, limits a figure.

With --profile it also says where each bot's CPU goes during the timed run: the CPU of
`Engine.handle`, of the SQLAlchemy calls inside it and of the progress charts, read from the
threads' own CPU clocks, and the rest of the process's CPU sampled by what the stack is doing
(Bot API calls, webhook, database, ...). The samplers slow the bots a little: take the headline
figures from a run without it.

    .venv/bin/python bench/load.py [--users 1000] [--interactions 20] [--quick] [--profile]
                                   [--json FILE]

The parts live in bench/loadbench (this benchmark's own) and bench/benchkit (shared with the
other benchmarks).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit.processes import CORES  # noqa: E402
from benchkit.webhook import CONNECTIONS  # noqa: E402
from loadbench.echo import fake_ceiling, hammer, serve_echo  # noqa: E402
from loadbench.report import correct, report, verdicts  # noqa: E402
from loadbench.setups import SETUPS, run_setup  # noqa: E402
from loadbench.users import load_material, make_plans  # noqa: E402

from bot.testing.postgres import postgres_problem  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--interactions", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="60 users x 12, for tests")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--setups", default="abcd", help="which of a, b, c, d to run")
    parser.add_argument("--ceiling-seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--profile", action="store_true", help="sample the bots' stacks: where the time goes"
    )
    parser.add_argument("--serve-echo", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--hammer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_echo:
        return serve_echo(args.serve_echo, args.api)
    if args.hammer:
        return hammer(args.hammer)
    if args.quick:
        args.users, args.interactions, args.ceiling_seconds = 60, 12, 1.0
    began = time.monotonic()
    material = load_material()
    plans = make_plans(material, args.users, args.interactions, args.seed)
    ceiling = fake_ceiling(material, args.ceiling_seconds) if args.ceiling_seconds > 0 else {}
    specs = [spec for spec in SETUPS if spec.key in args.setups]
    problem = postgres_problem() if any(s.database == "postgresql" for s in specs) else None
    if problem:
        print(f"skipping the PostgreSQL setups: {problem}", file=sys.stderr)
        specs = [spec for spec in specs if spec.database != "postgresql"]
    results = []
    with tempfile.TemporaryDirectory(prefix="civicbot-load-") as folder:
        for spec in specs:
            print(f"({spec.key}) {spec.label} ...", file=sys.stderr, flush=True)
            results.append(run_setup(spec, plans, material, args, Path(folder)))
    lines = report(results, ceiling, args)
    lines.append(f"total time {time.monotonic() - began:.0f} s")
    print("\n".join(lines))
    if args.json:
        document = {
            "users": args.users,
            "interactions": args.interactions,
            "connections": args.connections,
            "seed": args.seed,
            "cores": CORES,
            "fake_ceiling_calls_per_s": {k: round(v) for k, v in ceiling.items()},
            "setups": [r.to_json() for r in results],
            "verdicts": verdicts(results),
            "skipped": problem,
        }
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0 if all(correct(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
