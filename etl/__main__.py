"""`python -m etl` runs the etl command (the console script is the usual way)."""

from etl.cli import main

main()
