"""`python -m corpcredit.cli` runs the command line."""

from corpcredit.cli import main

main()
