"""Fakes of what Linli talks to: Rasa (scripted), the Telegram Bot API, and the uvicorn thread
they run in."""
