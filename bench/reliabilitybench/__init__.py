"""The reliability benchmark (bench/reliability.py) in parts: hostile input, Telegram faults and
kill -9, with the scripted learners, the observing fake Bot API and the report they share."""
