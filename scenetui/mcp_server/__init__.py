"""`scenetui mcp`: a Model Context Protocol server over stdio, so coding agents can plan, render, check and assemble."""
