"""Paid work run for any front end: the render service and bridge transitions."""
