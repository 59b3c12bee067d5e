"""The one outbox: every message Flipside sends (e-mail, Microsoft Teams, Slack) goes through this app."""
