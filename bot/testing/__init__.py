"""Test doubles shared by the test suite and the benchmarks: the fake Bot API (the only fake,
at the network edge), a scripted person, the running-bot harness, hostile inputs, reading the
buttons of a sent message, and the test PostgreSQL server. Nothing in the bot itself imports
this package."""
