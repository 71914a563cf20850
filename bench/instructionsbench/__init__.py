"""The parts of the instruction-count benchmark (bench/instructions.py): the bot's timer jobs
held off while it runs under callgrind, and reading what callgrind and the fake Bot API saw."""
