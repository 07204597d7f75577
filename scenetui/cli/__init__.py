"""The command line: everything that reads argparse and prints."""
