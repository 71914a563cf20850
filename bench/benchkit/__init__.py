"""Pieces the benchmarks share (bench/load.py, bench/broadcast.py, bench/reliability.py): bot
processes and what they cost, civicbot on a webhook, playing Telegram towards it, the fake Bot
API indexed per chat, and reading figures from the database.

The test doubles the test suite needs too (the fake Bot API, reading a message's buttons, the
test PostgreSQL server) live in bot/testing; what is here only the benchmarks use.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
