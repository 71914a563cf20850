"""Reliability figures: hostile input, Telegram faults, and a bot killed with SIGKILL.

Some of civicbot's users ask about claims it is dangerous to doubt. For them the bot must not
fall over on whatever it is sent, and must never forget an answer it has already confirmed.
This run measures both, with the real engine, the bundled content and SQLite, in three parts:

1. Hostile input. Seeded, generated events go straight into `Engine.handle` (and inline queries
   into `Engine.inline`): texts built from the naughty strings of bot/testing/hostile.py, random
   Unicode from many scripts at every length up to 16k characters, markup and template
   injection, binary-looking text, real claims with noise, commands with junk arguments; forged
   button payloads (mutated seq and owner tags and arguments, Unicode digits, unknown verbs),
   presses on other people's buttons (shown to them, or carrying their owner tag), replayed
   old buttons, and walks of valid presses deep into lessons, quizzes, reviews and the test;
   junk language hints, group chats, re-delivered event ids, a clock that jumps ahead. Every
   reply goes through the Telegram renderer's check (`reply_problems`: split_html plus an
   independent Telegram HTML checker, button and notice limits). Figures: inputs tried,
   crashes (events answered with the apology, or any exception), invalid messages,
   re-delivered events answered a second time, and presses on someone else's button answered
   with more than a notice or changing the database.
2. Faults. The real transport (python-telegram-bot, polling) serves the real engine against
   the fake Bot API (bot/testing/fakebotapi) while scripted learners start, pick a language,
   read a lesson card by card, answer its quiz, send claims, double-tap and press old buttons. The
   fake fails a share of sendMessage, editMessageText, answerCallbackQuery and getUpdates
   requests, each request at most twice (the transport retries up to four times): 429
   (retry_after 1 s) and 500 before it acts, as Telegram's are; "answer then drop", where it
   performs the call (the message is delivered) and closes the connection without answering;
   and, on the calls the bot may repeat (getUpdates, button answers), a connection dropped
   before it acts. Figures: updates sent, updates processed, replies lost (an update whose
   replies did not all reach the chat; a delivered message counts as delivered), replies
   duplicated (a reply delivered twice, an update answered twice), answers stored twice,
   acknowledged answers missing, and the most sends the fake received in one second.
3. Kill -9. `python -m bot run` serves learners answering quizzes (each presses an answer only
   after it saw the question; an answer is acknowledged once the bot sent its feedback). The
   process is killed with SIGKILL while they work and started again on the same database;
   the updates it fetched in its last second are delivered again, as Telegram does when the
   confirmation of a fetch never reached it (those already handled must be ignored), and
   learners whose reply did not come press again, as people do. Afterwards the database must
   hold every acknowledged answer exactly once (rows per user, quiz, question and attempt),
   and every learner who was in a quiz at a kill must have got the next step of that quiz.

    .venv/bin/python bench/reliability.py [--quick] [--seed N] [--only hostile,faults,kill]
                                          [--json FILE]

Prints a table of figures and exits with 1 when one that must be zero is not.

The parts live in bench/reliabilitybench (this benchmark's own) and bench/benchkit (shared with
the other benchmarks).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reliabilitybench.common import FULL, QUICK, SEED, Run, load_content  # noqa: E402
from reliabilitybench.faults import run_faults  # noqa: E402
from reliabilitybench.hostile import run_hostile  # noqa: E402
from reliabilitybench.kill import run_kill  # noqa: E402
from reliabilitybench.report import Report, as_json, print_report  # noqa: E402

RUN_PARTS = {"hostile": run_hostile, "faults": run_faults, "kill": run_kill}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller numbers (about a minute)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--only", default="hostile,faults,kill", help="parts to run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    parts = {part.strip() for part in args.only.split(",")}
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    report = Report()
    started = time.monotonic()
    content = load_content()
    with tempfile.TemporaryDirectory(prefix="civicbot-reliability-") as temp:
        run = Run(scale, args.seed, content, Path(temp), report)
        for part, run_part in RUN_PARTS.items():
            if part in parts:
                run_part(run)
    report.seconds["total"] = time.monotonic() - started
    print_report(report, args.quick, args.seed)
    if args.json:
        args.json.write_text(json.dumps(as_json(report), indent=2), encoding="utf-8")
    return 1 if report.bad else 0


if __name__ == "__main__":
    sys.exit(main())
