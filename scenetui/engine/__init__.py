"""The render engine: pipeline per scene, scheduler, journal, costs. Never imports Textual."""
