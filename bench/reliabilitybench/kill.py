"""Part 3, kill -9: `python -m bot run` killed with SIGKILL while learners answer quizzes, and
started again on the same database.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import ROOT, sql
from benchkit.processes import BotProcess, bot_env

from bot.library.catalog import Library
from reliabilitybench.common import Run
from reliabilitybench.learners import (
    Control,
    Learner,
    check_answers,
    join,
    run_learners,
    script_errors,
    telegram_people,
)
from reliabilitybench.observed import ObservedApi

KILL_SECRET = "reliability-bench-pseudonym-key-0123456789"
REDELIVER_SECONDS = 1.0  # at a kill, updates fetched this recently come again


def polling_bot(config: Path, data: Path) -> BotProcess:
    """`python -m bot run` by polling, as a separate process logging to data/bot.log."""
    command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
    env = bot_env(data, KILL_SECRET, XDG_DATA_HOME=str(data / "xdg"), PYTHONPATH=str(ROOT))
    return BotProcess("bot", command, env, data / "bot.log")


def start(bot: BotProcess, api: ObservedApi) -> None:
    """Start the bot (again), and return once it polls for updates."""
    polls = api.polls
    bot.launch()
    try:
        api.wait_polls(polls, timeout=60)
    except TimeoutError:
        raise RuntimeError(f"the bot did not start; see {bot.log}") from None


def run_kill(run: Run) -> None:
    started = time.monotonic()
    content, workdir, report, kills = run.content, run.workdir, run.report, run.scale.kills
    rng = random.Random(run.seed)
    folder = workdir / "kill"
    folder.mkdir()
    database = folder / "civicbot.sqlite3"
    control = Control()
    people = telegram_people(720_000_000, "K", run.scale.kill_learners, russian_every=4)
    mid_quiz = waiting = requeued = 0
    moments: list[tuple[float, dt.datetime]] = []  # each kill, by both clocks
    with ObservedApi(seed=run.seed) as api:
        config = folder / "civicbot.yaml"
        config.write_text(
            f"telegram:\n  base_url: {api.base_url}\n  base_file_url: {api.base_file_url}\n"
            f"database:\n  url: sqlite:///{database}\n"
            "limits:\n  burst: 1000000\n  per_minute: 1000000.0\n",
            encoding="utf-8",
        )
        bot = polling_bot(config, folder)
        try:
            start(bot, api)
            control.gate.set()
            learners = [
                Learner(
                    api,
                    person,
                    content.library,
                    random.Random(rng.random()),
                    lessons=run.scale.kill_quizzes,
                    control=control,
                    timeout=60,
                )
                for person in people
            ]
            expected = _expected_answers(learners, content.library)
            threads = run_learners(learners, None)
            for number in range(1, kills + 1):
                target = expected * number / (kills + 1)
                while sum(len(learner.acked) for learner in learners) < target:
                    if not any(thread.is_alive() for thread in threads):
                        break
                    time.sleep(0.01)
                time.sleep(rng.uniform(0, 0.2))
                control.gate.clear()
                for learner in learners:
                    if learner.in_quiz and learner.kill_epoch is None:
                        learner.kill_epoch = control.epoch
                        mid_quiz += 1
                        waiting += learner.waiting
                moments.append((time.monotonic(), dt.datetime.now(dt.UTC)))
                bot.kill()
                requeued += api.redeliver(since=moments[-1][0] - REDELIVER_SECONDS)
                start(bot, api)
                _catch_up(api)
                control.epoch += 1
                control.gate.set()
            join(threads, timeout=300)
            api.wait_idle(quiet=0.5, timeout=30)
            code = bot.stop(30)
        finally:
            bot.abandon()
    script_errors(report, "kill", learners)
    stored = check_answers(f"sqlite:///{database}", learners, KILL_SECRET.encode())
    unhandled, redelivered = _deliveries(api, f"sqlite:///{database}", learners, moments)
    log = (folder / "bot.log").read_text(encoding="utf-8", errors="replace")
    errors = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
    acked = sum(len(learner.acked) for learner in learners)
    continued = sum(learner.continued for learner in learners)
    resent = sum(learner.resent for learner in learners)
    unanswered = sum(learner.unanswered for learner in learners)
    report.add("kill.kills", "SIGKILLs", kills)
    report.add("kill.acknowledged", "answers acknowledged", acked)
    report.add("kill.stored", "answers in the database", stored.rows)
    report.add("kill.unacknowledged", "  stored, never acknowledged", stored.rows - acked)
    report.add("kill.missing", "acknowledged answers missing", stored.missing, must_be_zero=True)
    report.add("kill.duplicated", "answers duplicated", stored.duplicated, must_be_zero=True)
    report.add("kill.mid_quiz", "learners in a quiz at a kill", mid_quiz)
    report.add("kill.waiting", "  of whom waiting for a reply", waiting)
    report.add(
        "kill.not_continued",
        "  of whom could not continue the quiz",
        mid_quiz - continued,
        must_be_zero=True,
    )
    report.add("kill.requeued", "updates re-delivered after a kill", requeued)
    report.add("kill.redelivered", "  of which handled before the kill", redelivered)
    report.add("kill.unhandled", "updates fetched but never handled (lost at a kill)", unhandled)
    report.add("kill.resent", "actions sent again after a restart", resent)
    report.add("kill.unanswered", "actions never answered", unanswered, must_be_zero=True)
    report.add("kill.errors", "errors logged by the bot", len(errors), must_be_zero=True)
    report.add("kill.exit", "exit status after SIGTERM", code, must_be_zero=True)
    report.findings.extend(f"kill: {line}" for line in stored.examples + errors[:8])
    report.seconds["kill"] = time.monotonic() - started


def _deliveries(
    api: ObservedApi,
    database_url: str,
    learners: Sequence[Learner],
    moments: Sequence[tuple[float, dt.datetime]],
) -> tuple[int, int]:
    """How many updates no process ever handled, and how many were handled before a kill and
    fetched again after it (Telegram re-delivering what the killed process had not confirmed;
    the engine must ignore them)."""
    query = "SELECT event_id, processed_at FROM processed_events"
    handled = {str(row[0]): _utc(row[1]) for row in sql.rows(database_url, query)}
    fetched: dict[int, list[float]] = defaultdict(list)
    for call in api.calls("getUpdates"):
        for update in (call.result or []) if call.ok else []:
            fetched[int(update["update_id"])].append(call.at)
    pushed = [update for learner in learners for w in learner.windows for update in w.update_ids]
    unhandled = sum(f"tg:{update}" not in handled for update in pushed)
    redelivered = 0
    for update in pushed:
        at = handled.get(f"tg:{update}")
        if at is not None and any(
            at < wall and any(polled > moment for polled in fetched[update])
            for moment, wall in moments
        ):
            redelivered += 1
    return unhandled, redelivered


def _utc(value: Any) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp.replace(tzinfo=dt.UTC)


def _expected_answers(learners: Sequence[Learner], library: Library) -> int:
    total = 0
    for learner in learners:
        for lesson in learner.plan:
            quiz = library.quiz_for_lesson(learner.language, lesson)
            total += len(quiz.questions) if quiz else 0
    return total


def _catch_up(api: ObservedApi) -> None:
    """Wait until the restarted bot fetched everything queued and went quiet."""
    deadline = time.monotonic() + 60
    while api.confirmed_offset <= api.last_update_id:
        if time.monotonic() > deadline:
            raise TimeoutError("the restarted bot did not fetch the queued updates")
        time.sleep(0.05)
    api.wait_idle(quiet=1.0, timeout=60)
