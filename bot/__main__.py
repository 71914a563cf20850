import sys

from bot.cli import main

if __name__ == "__main__":  # not when a helper process (see transports/drawing.py) imports it
    sys.exit(main())
