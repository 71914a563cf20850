"""The load benchmark (bench/load.py) in parts: the simulated users and their plans, judging,
CPU metering and profiling, the echo bot to compare with, one setup, and the report."""
