"""Messaging integrations: Slack (messaging.slack) and Twilio (messaging.twilio), one Django app
each, labelled by their slug."""
