"""The Textual app. It renders engine events and sends commands through a controller — nothing else."""
