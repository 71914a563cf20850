import sys

from bot.cli import main

if __name__ == "__main__":  # importing this module runs nothing
    sys.exit(main())
